use crate::support::rbac::{IGNORE_BINDINGS, SubjectCheck};
use crate::{Check, CheckMeta};
use palisade_model::{Category, Severity};

pub static CHECK: &dyn Check = &SubjectCheck {
    meta: &META,
    matches,
};

static META: CheckMeta = CheckMeta {
    id: "binding-to-anonymous-user",
    title: "Bindings should not grant permissions to anonymous users",
    category: Category::Security,
    severity: Severity::Critical,
    rationale: "Requests without credentials are authenticated as the user `system:anonymous` in \
        the group `system:unauthenticated`. A role bound to either is granted to anyone who can \
        reach the API server, with no identity to audit.",
    remediation: "Remove `system:anonymous` and `system:unauthenticated` from the binding's \
        subjects and bind the role to the authenticated identities that need it.",
    references: &[
        "NSA/CISA Kubernetes Hardening Guide: Authentication and authorization (disable anonymous access)",
        "https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests",
    ],
    params: &[IGNORE_BINDINGS],
    aliases: &["trivy:KSV122", "kubescape:C-0262"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

/// The subjects this check is about, with why they matter.
fn matches(kind: &str, name: &str) -> Option<&'static str> {
    match (kind, name) {
        ("User", "system:anonymous") | ("Group", "system:unauthenticated") => {
            Some("anyone who reaches the API server without credentials")
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::support::pod::{fix_json, run_json};
    use serde_json::json;

    #[test]
    fn anonymous_subjects() {
        let crb = |name: &str| {
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": {"name": name},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
            "subjects": [{"kind": "User", "name": "alice"},
                         {"kind": "Group", "name": "system:unauthenticated"},
                         {"kind": "User", "name": "system:anonymous"}]})
        };
        let d = run_json(super::CHECK, &[crb("public")]);
        assert_eq!(d.len(), 2);
        assert!(
            d[0].message
                .contains("grants ClusterRole `view` to Group `system:unauthenticated`")
        );
        assert!(run_json(super::CHECK, &[crb("system:public-info-viewer")]).is_empty());
        // The fix removes the anonymous subjects, last first, and keeps alice.
        let ops = fix_json(super::CHECK, &[crb("public")]);
        let paths: Vec<_> = ops
            .iter()
            .map(|o| o["path"].as_str().unwrap_or(""))
            .collect();
        assert_eq!(paths, ["/subjects/2", "/subjects/1"]);
    }
}
