use crate::rules::role_grants_pod_exec::EXEC_ATTACH;
use crate::support::rbac::{BindingGrantCheck, flag_missing_roles};
use crate::{Check, CheckMeta, Param};
use palisade_model::{Category, Severity};

pub static CHECK: &dyn Check = &BindingGrantCheck {
    meta: &META,
    perms: EXEC_ATTACH,
    what: "pods/exec or pods/attach",
};

static META: CheckMeta = CheckMeta {
    id: "binding-grants-pod-exec",
    title: "Bindings should not grant pods/exec or pods/attach",
    category: Category::Security,
    severity: Severity::High,
    rationale: "A RoleBinding or ClusterRoleBinding to a role that allows `pods/exec` or \
        `pods/attach` lets its subjects open a shell in running containers, read their secrets \
        and act with their ServiceAccounts. A ClusterRoleBinding does so in every namespace. The \
        default `admin`, `edit` and `cluster-admin` ClusterRoles all allow it.",
    remediation: "Bind a role without `pods/exec`/`pods/attach` (for read access, the default \
        `view` ClusterRole), or limit the binding to the few subjects that need interactive \
        access, in a RoleBinding rather than a ClusterRoleBinding.",
    references: &[
        "Kubernetes RBAC good practices: exec and attach (https://kubernetes.io/docs/concepts/security/rbac-good-practices/)",
        "NSA/CISA Kubernetes Hardening Guide: Authentication and authorization (least privilege)",
        "https://kubernetes.io/docs/concepts/security/rbac-good-practices/",
    ],
    params: &[
        Param {
            name: "ignore-bindings",
            description: "Binding names (or `prefix*`) not checked: the control plane's own.",
            default: r#"["system:*", "cluster-admin", "gce:podsecuritypolicy:calico-sa"]"#,
        },
        flag_missing_roles("true"),
    ],
    aliases: &[
        "polaris:clusterrolebindingPodExecAttach",
        "polaris:rolebindingRolePodExecAttach",
        "polaris:rolebindingClusterRolePodExecAttach",
    ],
    enabled_by_default: true,
    cross_object: true,
    assumptions: "The referenced role is looked up in the scanned manifests (a Role in the \
        binding's namespace, or a ClusterRole). The default ClusterRoles `cluster-admin`, `admin`, \
        `edit` (which allow exec) and `view` (which does not) are known without being scanned. Any \
        other role that is not in the scan cannot be verified and is reported while \
        `flag-missing-roles` is true (as Polaris does); set it to false when roles are managed \
        elsewhere.",
};

#[cfg(test)]
mod tests {
    use crate::support::pod::run_json;
    use serde_json::json;

    fn binding(kind: &str, role_kind: &str, role: &str) -> serde_json::Value {
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind,
               "metadata": {"name": "b", "namespace": "team"},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role},
               "subjects": [{"kind": "ServiceAccount", "name": "ci"}]})
    }

    #[test]
    fn resolves_roles_builtins_and_missing() {
        let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": {"name": "debug", "namespace": "team"},
            "rules": [{"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"]}]});
        let d = run_json(
            super::CHECK,
            &[role.clone(), binding("RoleBinding", "Role", "debug")],
        );
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message.contains("ServiceAccount team/ci"),
            "{}",
            d[0].message
        );
        assert_eq!(
            run_json(
                super::CHECK,
                &[binding("RoleBinding", "ClusterRole", "edit")]
            )
            .len(),
            1
        );
        assert!(
            run_json(
                super::CHECK,
                &[binding("RoleBinding", "ClusterRole", "view")]
            )
            .is_empty()
        );
        let d = run_json(
            super::CHECK,
            &[binding("ClusterRoleBinding", "ClusterRole", "nope")],
        );
        assert!(d[0].message.contains("cannot be verified"));
        // A ClusterRoleBinding cannot reference a Role.
        assert!(
            run_json(
                super::CHECK,
                &[role, binding("ClusterRoleBinding", "Role", "debug")]
            )
            .is_empty()
        );
    }
}
