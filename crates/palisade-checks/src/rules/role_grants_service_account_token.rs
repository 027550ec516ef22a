use crate::support::rbac::{IGNORE_ROLES, LEFT_TO_WILDCARD_CHECK, Permission, RoleGrantCheck};
use crate::{Check, CheckMeta};
use palisade_model::{Category, Severity};

pub static CHECK: &dyn Check = &RoleGrantCheck {
    meta: &META,
    perms: TOKENS,
    what: ", which mints tokens for the ServiceAccounts it reaches",
    skip_everything: true,
};

const TOKENS: &[Permission] = &[Permission {
    group: "",
    resource: "serviceaccounts/token",
    verbs: &["create"],
}];

static META: CheckMeta = CheckMeta {
    id: "role-grants-service-account-token",
    title: "Roles should not allow creating ServiceAccount tokens",
    category: Category::Security,
    severity: Severity::High,
    rationale: "`create` on `serviceaccounts/token` issues a token for any ServiceAccount the role \
        reaches, with that account's permissions and a lifetime the caller chooses: it is \
        impersonation of every ServiceAccount in scope.",
    remediation: "Remove `serviceaccounts/token` (and `serviceaccounts/*`, `*`) from the role, or \
        limit it with `resourceNames` to the accounts a controller legitimately mints tokens for.",
    references: &[
        "CIS Kubernetes Benchmark 5.1.13: Minimize access to the service account token creation",
        "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#token-request",
    ],
    params: &[IGNORE_ROLES],
    aliases: &["kubescape:C-0282"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: LEFT_TO_WILDCARD_CHECK,
};

#[cfg(test)]
mod tests {
    use crate::support::pod::run_json;
    use serde_json::json;

    #[test]
    fn token_subresource() {
        let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": {"name": "r", "namespace": "n"},
            "rules": [{"apiGroups": [""], "resources": ["serviceaccounts"], "verbs": ["create", "get"]},
                      {"apiGroups": [""], "resources": ["serviceaccounts/*"], "verbs": ["create"]}]});
        let d = run_json(super::CHECK, &[role]);
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("rule 1"));
    }
}
