use crate::support::rbac::{IGNORE_BINDINGS, SubjectCheck};
use crate::{Check, CheckMeta};
use palisade_model::{Category, Severity};

pub static CHECK: &dyn Check = &SubjectCheck {
    meta: &META,
    matches,
};

static META: CheckMeta = CheckMeta {
    id: "binding-to-all-authenticated-users",
    title: "Bindings should not grant permissions to every authenticated user",
    category: Category::Security,
    severity: Severity::High,
    rationale: "`system:authenticated` contains every identity the cluster accepts: all users, \
        every ServiceAccount of every namespace and, on some managed platforms, any account of \
        the cloud provider. A role bound to it is granted to all of them.",
    remediation: "Bind the role to the specific users, groups or ServiceAccounts that need it \
        instead of `system:authenticated`.",
    references: &[
        "NSA/CISA Kubernetes Hardening Guide: Authentication and authorization (least privilege)",
        "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#discovery-roles",
    ],
    params: &[IGNORE_BINDINGS],
    aliases: &["trivy:KSV01011", "kubescape:C-0265"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

/// The subjects this check is about, with why they matter.
fn matches(kind: &str, name: &str) -> Option<&'static str> {
    {
        (kind == "Group" && name == "system:authenticated").then_some(
            "every authenticated identity, including every ServiceAccount of the cluster",
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::support::pod::run_json;
    use serde_json::json;

    #[test]
    fn authenticated_group() {
        let rb = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": "everyone", "namespace": "shop"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r"},
            "subjects": [{"kind": "Group", "name": "system:authenticated"},
                         {"kind": "User", "name": "system:authenticated"}]});
        let d = run_json(super::CHECK, &[rb]);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].path, "/subjects/0/name");
    }
}
