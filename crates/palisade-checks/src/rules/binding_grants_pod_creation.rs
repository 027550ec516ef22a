use crate::support::rbac::{BindingGrantCheck, IGNORE_BINDINGS, Permission, flag_missing_roles};
use crate::{Check, CheckMeta};
use palisade_model::{Category, Severity};

pub static CHECK: &dyn Check = &BindingGrantCheck {
    meta: &META,
    perms: WORKLOADS,
    what: "the creation of pods",
};

const fn create(group: &'static str, resource: &'static str) -> Permission {
    Permission {
        group,
        resource,
        verbs: &["create"],
    }
}

/// Creating any of these runs a pod spec of the creator's choosing.
pub(crate) const WORKLOADS: &[Permission] = &[
    create("", "pods"),
    create("apps", "deployments"),
    create("apps", "statefulsets"),
    create("apps", "daemonsets"),
    create("apps", "replicasets"),
    create("", "replicationcontrollers"),
    create("batch", "jobs"),
    create("batch", "cronjobs"),
];

static META: CheckMeta = CheckMeta {
    id: "binding-grants-pod-creation",
    title: "Bindings should not grant the creation of pods or workloads",
    category: Category::Security,
    severity: Severity::Medium,
    rationale: "Whoever can create a pod, directly or through a Deployment, Job or other \
        controller, can run any image with any ServiceAccount of the namespace and mount any of \
        its Secrets, and, where admission allows it, a privileged pod on the host: it is a path to \
        every permission in the namespace.",
    remediation: "Remove `create` on pods and workload resources from the bound role where \
        possible; let a deployment pipeline with its own narrowly bound identity create \
        workloads, and enforce Pod Security admission in the namespace.",
    references: &[
        "CIS Kubernetes Benchmark 5.1.4: Minimize access to create pods",
        "NSA/CISA Kubernetes Hardening Guide: Authentication and authorization (least privilege)",
        "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation",
    ],
    params: &[IGNORE_BINDINGS, flag_missing_roles("false")],
    aliases: &[
        "kube-linter:access-to-create-pods",
        "trivy:KSV048",
        "kubescape:C-0188",
    ],
    enabled_by_default: false,
    cross_object: true,
    assumptions: "The referenced role is looked up in the scanned manifests; the default \
        ClusterRoles `cluster-admin`, `admin` and `edit` (which allow creating workloads) and \
        `view` (which does not) are known without being scanned. Other roles outside the scan are \
        not reported unless `flag-missing-roles` is true.",
};

#[cfg(test)]
mod tests {
    use crate::support::pod::run_json;
    use serde_json::json;

    #[test]
    fn workload_controllers_count_as_pod_creation() {
        let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": "deployer"},
            "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]},
                      {"apiGroups": ["batch"], "resources": ["jobs"], "verbs": ["create"]}]});
        let crb = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": {"name": "deployer"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "deployer"},
            "subjects": [{"kind": "ServiceAccount", "name": "ci", "namespace": "tools"}]});
        let d = run_json(super::CHECK, &[role, crb]);
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message.contains("`create` on `jobs`"),
            "{}",
            d[0].message
        );
        assert!(d[0].message.contains("ServiceAccount tools/ci"));
    }
}
