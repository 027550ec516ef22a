use crate::support::rbac::{IGNORE_ROLES, LEFT_TO_WILDCARD_CHECK, Permission, RoleGrantCheck};
use crate::{Check, CheckMeta};
use palisade_model::{Category, Severity};

pub static CHECK: &dyn Check = &RoleGrantCheck {
    meta: &META,
    perms: ESCALATE_BIND,
    what: ", which lets its subjects grant themselves any permission",
    skip_everything: true,
};

const RBAC: &str = "rbac.authorization.k8s.io";

pub(crate) const ESCALATE_BIND: &[Permission] = &[
    Permission {
        group: RBAC,
        resource: "clusterroles",
        verbs: &["escalate", "bind"],
    },
    Permission {
        group: RBAC,
        resource: "roles",
        verbs: &["escalate", "bind"],
    },
];

static META: CheckMeta = CheckMeta {
    id: "role-grants-escalate-or-bind",
    title: "Roles should not grant the escalate or bind verbs",
    category: Category::Security,
    severity: Severity::High,
    rationale: "RBAC normally stops a subject from granting permissions it does not hold. \
        `escalate` on roles lets it edit a role to add any permission; `bind` lets it bind any \
        role, including `cluster-admin`. Either is a direct path to full control.",
    remediation: "Remove `escalate` and `bind` (and `*`) from rules on `roles` and \
        `clusterroles`; if a controller must bind a specific role, limit the rule with \
        `resourceNames` to that role.",
    references: &[
        "CIS Kubernetes Benchmark 5.1.8: Limit use of the Bind, Impersonate and Escalate permissions in the Kubernetes cluster",
        "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#escalate-verb",
    ],
    params: &[IGNORE_ROLES],
    aliases: &[
        "checkov:CKV_K8S_157",
        "checkov:CKV_K8S_158",
        "trivy:KSV050",
        "kubescape:C-0191",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: LEFT_TO_WILDCARD_CHECK,
};

#[cfg(test)]
mod tests {
    use crate::support::pod::run_json;
    use serde_json::json;

    #[test]
    fn escalate_bind_and_wildcards() {
        let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": "rbac-manager"},
            "rules": [{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles"], "verbs": ["get", "create"]},
                      {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["bind"]},
                      {"apiGroups": ["*"], "resources": ["roles"], "verbs": ["*"]}]});
        let d = run_json(super::CHECK, &[role]);
        assert_eq!(d.len(), 2);
        assert!(
            d[0].message.contains("`bind` on `clusterroles`"),
            "{}",
            d[0].message
        );
    }
}
