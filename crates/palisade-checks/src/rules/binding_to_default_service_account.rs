use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct BindingToDefaultServiceAccount;

pub static CHECK: &dyn Check = &BindingToDefaultServiceAccount;

static META: CheckMeta = CheckMeta {
    id: "binding-to-default-service-account",
    title: "Bindings should not grant permissions to a `default` ServiceAccount",
    category: Category::Security,
    severity: Severity::Medium,
    rationale: "Every pod that names no ServiceAccount runs as its namespace's `default` one, so \
        a role bound to it is handed to all of them, including pods added later that never \
        needed it.",
    remediation: "Create a dedicated ServiceAccount for the workload that needs the role, bind \
        the role to it and set `serviceAccountName` in that workload.",
    references: &[
        "CIS Kubernetes Benchmark 5.1.5: Ensure that default service accounts are not actively used",
        "https://kubernetes.io/docs/concepts/security/service-accounts/#default-service-accounts",
    ],
    params: &[],
    aliases: &["checkov:CKV_K8S_42", "kubescape:C-0189"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

impl Check for BindingToDefaultServiceAccount {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, _ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        if !matches!(obj.kind(), "RoleBinding" | "ClusterRoleBinding") {
            return;
        }
        let subjects = obj.root.get("subjects").map(Node::items).unwrap_or(&[]);
        for (i, s) in subjects.iter().enumerate() {
            let field = |k: &str| s.get(k).and_then(Node::as_str);
            if field("kind") != Some("ServiceAccount") || field("name") != Some("default") {
                continue;
            }
            // A RoleBinding subject without a namespace means the binding's own.
            let ns = field("namespace").or(obj.namespace()).unwrap_or("default");
            out.push(
                Diagnostic::new(
                    format!(
                        "{} `{}` grants its role to the `default` ServiceAccount of namespace `{ns}`, and so to every pod there that names no ServiceAccount",
                        obj.kind(),
                        obj.name()
                    ),
                    s.key_pos("name"),
                )
                .at_path(format!("/subjects/{i}/name")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::support::pod::run_json;
    use serde_json::json;

    #[test]
    fn default_service_account_subjects() {
        let rb = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": "rb", "namespace": "shop"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r"},
            "subjects": [{"kind": "ServiceAccount", "name": "web"},
                         {"kind": "User", "name": "default"},
                         {"kind": "ServiceAccount", "name": "default"}]});
        let d = run_json(super::CHECK, &[rb]);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].path, "/subjects/2/name");
        assert!(d[0].message.contains("namespace `shop`"));
    }
}
