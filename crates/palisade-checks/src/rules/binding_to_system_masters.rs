use crate::support::rbac::{IGNORE_BINDINGS, SubjectCheck};
use crate::{Check, CheckMeta};
use palisade_model::{Category, Severity};

pub static CHECK: &dyn Check = &SubjectCheck {
    meta: &META,
    matches,
};

static META: CheckMeta = CheckMeta {
    id: "binding-to-system-masters",
    title: "Bindings should not name the system:masters group",
    category: Category::Security,
    severity: Severity::Medium,
    rationale: "Members of `system:masters` bypass RBAC entirely, and membership comes from \
        client certificates that cannot be revoked. Binding roles to the group suggests access is \
        being managed through it, which cannot be audited or withdrawn.",
    remediation: "Do not use `system:masters` for people or automation: create a dedicated group \
        bound to the roles it needs, and issue credentials for that group.",
    references: &[
        "CIS Kubernetes Benchmark 5.1.7: Avoid use of system:masters group",
        "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege",
    ],
    params: &[IGNORE_BINDINGS],
    aliases: &["trivy:KSV123", "kubescape:C-0246"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

/// The subjects this check is about, with why they matter.
fn matches(kind: &str, name: &str) -> Option<&'static str> {
    {
        (kind == "Group" && name == "system:masters")
            .then_some("its members bypass RBAC and cannot have their access revoked")
    }
}

#[cfg(test)]
mod tests {
    use crate::support::pod::run_json;
    use serde_json::json;

    #[test]
    fn masters_group_outside_the_default_binding() {
        let crb = |name: &str| {
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": {"name": name},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
            "subjects": [{"kind": "Group", "name": "system:masters"}]})
        };
        assert_eq!(run_json(super::CHECK, &[crb("ops")]).len(), 1);
        assert!(run_json(super::CHECK, &[crb("cluster-admin")]).is_empty());
    }
}
