use crate::support::rbac::{IGNORE_ROLES, LEFT_TO_WILDCARD_CHECK, Permission, RoleGrantCheck};
use crate::{Check, CheckMeta};
use palisade_model::{Category, Severity};

pub static CHECK: &dyn Check = &RoleGrantCheck {
    meta: &META,
    perms: IMPERSONATE,
    what: ", which lets its subjects act as other identities",
    skip_everything: true,
};

const fn impersonate(group: &'static str, resource: &'static str) -> Permission {
    Permission {
        group,
        resource,
        verbs: &["impersonate"],
    }
}

pub(crate) const IMPERSONATE: &[Permission] = &[
    impersonate("", "users"),
    impersonate("", "groups"),
    impersonate("", "serviceaccounts"),
    impersonate("authentication.k8s.io", "userextras/*"),
    impersonate("authentication.k8s.io", "uids"),
];

static META: CheckMeta = CheckMeta {
    id: "role-grants-impersonate",
    title: "Roles should not grant impersonation",
    category: Category::Security,
    severity: Severity::High,
    rationale: "`impersonate` lets a subject send requests as another user, group or \
        ServiceAccount and so use all of its permissions; impersonating `system:masters` is \
        impersonating a cluster administrator.",
    remediation: "Remove `impersonate` (and `*`) from rules on `users`, `groups`, \
        `serviceaccounts`, `userextras` and `uids`; where a proxy must impersonate, limit the rule \
        with `resourceNames` to the identities it serves.",
    references: &[
        "CIS Kubernetes Benchmark 5.1.8: Limit use of the Bind, Impersonate and Escalate permissions in the Kubernetes cluster",
        "https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation",
    ],
    params: &[IGNORE_ROLES],
    aliases: &["trivy:KSV043", "kubescape:C-0065", "checkov:CKV2_K8S_3"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: LEFT_TO_WILDCARD_CHECK,
};

#[cfg(test)]
mod tests {
    use crate::support::pod::run_json;
    use serde_json::json;

    #[test]
    fn impersonation_of_any_identity() {
        let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": {"name": "proxy", "namespace": "n"},
            "rules": [{"apiGroups": [""], "resources": ["serviceaccounts"], "verbs": ["get"]},
                      {"apiGroups": [""], "resources": ["groups"], "verbs": ["impersonate"]}]});
        let d = run_json(super::CHECK, &[role]);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].path, "/rules/1/resources");
    }
}
