use crate::support::rbac::{RoleTarget, name_ignored, role_ref, rules, subjects_text};
use crate::{Check, CheckMeta, Ctx, Param};
use palisade_model::{Category, Diagnostic, Object, Severity};

pub struct BindingToClusterAdmin;

pub static CHECK: &dyn Check = &BindingToClusterAdmin;

static META: CheckMeta = CheckMeta {
    id: "binding-to-cluster-admin",
    title: "Bindings should not grant cluster-admin or full wildcard access",
    category: Category::Security,
    severity: Severity::High,
    rationale: "`cluster-admin`, and any role whose rule allows every verb on every resource of \
        every API group, is superuser access: its subjects can read every Secret, run anything on \
        any node and grant themselves more. Through a ClusterRoleBinding it applies to the whole \
        cluster; through a RoleBinding, to the namespace.",
    remediation: "Bind a role that lists only the resources and verbs the subject needs. Keep \
        `cluster-admin` for break-glass accounts, bound only when needed.",
    references: &[
        "CIS Kubernetes Benchmark 5.1.1: Ensure that the cluster-admin role is only used where required",
        "NSA/CISA Kubernetes Hardening Guide: Authentication and authorization (least privilege)",
        "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles",
    ],
    params: &[Param {
        name: "ignore-bindings",
        description: "Binding names (or `prefix*`) not checked: the control plane's own, including \
            the default `cluster-admin` binding of `system:masters`.",
        default: r#"["system:*", "cluster-admin", "gce:podsecuritypolicy:calico-sa"]"#,
    }],
    aliases: &[
        "polaris:clusterrolebindingClusterAdmin",
        "polaris:rolebindingClusterAdminClusterRole",
        "polaris:rolebindingClusterAdminRole",
        "kube-linter:cluster-admin-role-binding",
        "trivy:KSV111",
        "kubescape:C-0185",
        "kubescape:C-0035",
    ],
    enabled_by_default: true,
    cross_object: true,
    assumptions: "The `cluster-admin` ClusterRole is recognised by name. Other roles are judged \
        from the scanned manifests; a role that is not in the scan is not reported by this check.",
};

impl Check for BindingToClusterAdmin {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        if name_ignored(obj.name(), ctx.param_strs("ignore-bindings")) {
            return;
        }
        let Some(r) = role_ref(obj, ctx.index) else {
            return;
        };
        // `cluster-admin` by name, even when a (possibly trimmed) copy of it is in the scan.
        let why = if r.kind == "ClusterRole" && r.name == "cluster-admin" {
            String::new()
        } else if let RoleTarget::Found(role) = r.target {
            match rules(role).find(|rule| rule.is_full_wildcard()) {
                Some(rule) => format!(
                    " (its rule {} allows every verb on every resource)",
                    rule.index
                ),
                None => return,
            }
        } else {
            return;
        };
        let scope = if obj.kind() == "ClusterRoleBinding" {
            "cluster-wide"
        } else {
            "in its namespace"
        };
        out.push(
            Diagnostic::new(
                format!(
                    "{} `{}` gives {} full access {scope} through {} `{}`{why}",
                    obj.kind(),
                    obj.name(),
                    subjects_text(obj),
                    r.kind,
                    r.name
                ),
                r.pos,
            )
            .at_path("/roleRef/name"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::support::pod::run_json;
    use serde_json::json;

    fn crb(name: &str, role: &str) -> serde_json::Value {
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
               "metadata": {"name": name},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
               "subjects": [{"kind": "User", "name": "alice"}]})
    }

    #[test]
    fn cluster_admin_and_wildcard_roles() {
        assert_eq!(
            run_json(super::CHECK, &[crb("ci", "cluster-admin")]).len(),
            1
        );
        assert!(run_json(super::CHECK, &[crb("cluster-admin", "cluster-admin")]).is_empty());
        assert!(run_json(super::CHECK, &[crb("ci", "admin")]).is_empty());
        let star = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": "system:star"},
            "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]});
        let d = run_json(super::CHECK, &[star, crb("ci", "system:star")]);
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message
                .contains("gives User alice full access cluster-wide"),
            "{}",
            d[0].message
        );
    }
}
