use crate::support::rbac::{IGNORE_ROLES, LEFT_TO_WILDCARD_CHECK, Permission, RoleGrantCheck};
use crate::{Check, CheckMeta};
use palisade_model::{Category, Severity};

pub static CHECK: &dyn Check = &RoleGrantCheck {
    meta: &META,
    perms: PORT_FORWARD,
    what: ", which tunnels to any port of the pods it reaches",
    skip_everything: true,
};

const PORT_FORWARD: &[Permission] = &[Permission {
    group: "",
    resource: "pods/portforward",
    verbs: &["create", "get"],
}];

static META: CheckMeta = CheckMeta {
    id: "role-grants-pod-port-forward",
    title: "Roles should not allow pods/portforward",
    category: Category::Security,
    severity: Severity::Medium,
    rationale: "`pods/portforward` opens a tunnel from the caller to any port of any pod the role \
        reaches, bypassing Services, Ingress authentication and NetworkPolicies: databases and \
        admin ports that are never exposed become reachable from a laptop.",
    remediation: "Remove `pods/portforward` (and `pods/*`, `*`) from the role; grant it only to \
        a break-glass role bound when needed.",
    references: &[
        "https://kubernetes.io/docs/concepts/security/rbac-good-practices/",
        "NSA/CISA Kubernetes Hardening Guide: Authentication and authorization (least privilege)",
    ],
    params: &[IGNORE_ROLES],
    aliases: &["kubescape:C-0063"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: LEFT_TO_WILDCARD_CHECK,
};

#[cfg(test)]
mod tests {
    use crate::support::pod::run_json;
    use serde_json::json;

    #[test]
    fn port_forward() {
        let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": {"name": "dev", "namespace": "n"},
            "rules": [{"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get"]},
                      {"apiGroups": [""], "resources": ["pods/portforward"], "verbs": ["create"]}]});
        assert_eq!(run_json(super::CHECK, &[role]).len(), 1);
    }
}
