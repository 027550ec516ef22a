use crate::support::rbac::{BindingGrantCheck, IGNORE_BINDINGS, Permission, flag_missing_roles};
use crate::{Check, CheckMeta};
use palisade_model::{Category, Severity};

pub static CHECK: &dyn Check = &BindingGrantCheck {
    meta: &META,
    perms: SECRETS,
    what: "access to Secrets",
};

pub(crate) const SECRETS: &[Permission] = &[Permission {
    group: "",
    resource: "secrets",
    verbs: &[
        "get", "list", "watch", "create", "update", "patch", "delete",
    ],
}];

static META: CheckMeta = CheckMeta {
    id: "binding-grants-secret-access",
    title: "Bindings should not grant access to Secrets",
    category: Category::Security,
    severity: Severity::High,
    rationale: "Secrets hold credentials: ServiceAccount tokens, registry passwords, TLS keys, \
        database passwords. Whoever can read them (`list` and `watch` return their contents too) \
        can act as whatever they protect; a ClusterRoleBinding extends that to every namespace. \
        Writing them lets a subject swap credentials other workloads trust.",
    remediation: "Remove `secrets` from the bound role, or narrow the rule with `resourceNames` \
        to the Secrets the subject must read; prefer mounting a Secret into the one workload that \
        needs it over giving an identity API access to Secrets.",
    references: &[
        "CIS Kubernetes Benchmark 5.1.2: Minimize access to secrets",
        "NSA/CISA Kubernetes Hardening Guide: Authentication and authorization (least privilege)",
        "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#listing-secrets",
    ],
    params: &[IGNORE_BINDINGS, flag_missing_roles("false")],
    aliases: &[
        "kube-linter:access-to-secrets",
        "trivy:KSV041",
        "trivy:KSV113",
        "kubescape:C-0015",
        "kubescape:C-0186",
        "checkov:CKV2_K8S_5",
    ],
    enabled_by_default: true,
    cross_object: true,
    assumptions: "The referenced role is looked up in the scanned manifests; the default \
        ClusterRoles `cluster-admin`, `admin` and `edit` (which grant Secret access) and `view` \
        (which does not) are known without being scanned. Other roles outside the scan are not \
        reported unless `flag-missing-roles` is true (kube-linter's `flagRolesNotFound`).",
};

#[cfg(test)]
mod tests {
    use crate::support::pod::run_json;
    use serde_json::json;

    #[test]
    fn reports_the_binding_not_the_role() {
        let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": {"name": "reader", "namespace": "n"},
            "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["watch"]}]});
        let unbound = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": {"name": "other", "namespace": "n"},
            "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]});
        let rb = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": "rb", "namespace": "n"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"},
            "subjects": [{"kind": "Group", "name": "devs"}]});
        let d = run_json(super::CHECK, &[role, unbound, rb]);
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message.contains("`watch` on `secrets`"),
            "{}",
            d[0].message
        );
    }
}
