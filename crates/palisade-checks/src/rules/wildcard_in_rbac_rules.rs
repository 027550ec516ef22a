use crate::support::rbac::{IGNORE_ROLES, name_ignored, rule_path, rules};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct WildcardInRbacRules;

pub static CHECK: &dyn Check = &WildcardInRbacRules;

static META: CheckMeta = CheckMeta {
    id: "wildcard-in-rbac-rules",
    title: "Roles should not use wildcards in API groups, verbs or resources",
    category: Category::Security,
    severity: Severity::High,
    rationale: "A `*` in a rule's API groups, verbs or resources grants everything that exists now and \
        everything added later (new subresources, CRDs, future API versions), including \
        permissions nobody reviewed such as `escalate`, `impersonate` or `pods/exec`.",
    remediation: "List the API groups, verbs and resources the role needs explicitly, e.g. \
        `apiGroups: [\"\"]`, `verbs: [get, list, watch]` and `resources: [configmaps]`.",
    references: &[
        "CIS Kubernetes Benchmark 5.1.3: Minimize wildcard use in Roles and ClusterRoles",
        "NSA/CISA Kubernetes Hardening Guide: Authentication and authorization (least privilege)",
    ],
    params: &[IGNORE_ROLES],
    aliases: &[
        "kube-linter:wildcard-in-rules",
        "trivy:KSV044",
        "trivy:KSV045",
        "trivy:KSV046",
        "trivy:KSV112",
        "kubescape:C-0187",
        "checkov:CKV_K8S_49",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

impl Check for WildcardInRbacRules {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        if name_ignored(obj.name(), ctx.param_strs("ignore-roles")) {
            return;
        }
        for rule in rules(obj) {
            let wildcards: Vec<(&str, &str, usize)> = [
                ("apiGroups", "API groups"),
                ("resources", "resources"),
                ("verbs", "verbs"),
            ]
            .into_iter()
            .filter_map(|(field, what)| {
                let list = rule.node.get(field).map(Node::items).unwrap_or(&[]);
                let item = list.iter().position(|n| n.as_str() == Some("*"))?;
                Some((field, what, item))
            })
            .collect();
            // `*` everywhere is one finding (at the resources), not three.
            let everything = wildcards.len() == 3;
            for &(field, what, item) in &wildcards {
                if everything && field != "resources" {
                    continue;
                }
                let message = if everything {
                    format!(
                        "{} `{}` rule {} grants every verb on every resource of every API group with wildcards `*`",
                        obj.kind(),
                        obj.name(),
                        rule.index
                    )
                } else {
                    format!(
                        "{} `{}` rule {} grants all {what} with a wildcard `*`",
                        obj.kind(),
                        obj.name(),
                        rule.index
                    )
                };
                let pos = rule
                    .node
                    .get(field)
                    .and_then(|l| l.items().get(item))
                    .map(|n| n.pos)
                    .filter(|p| p.is_known())
                    .unwrap_or(rule.pos_of(field));
                out.push(
                    Diagnostic::new(message, pos)
                        .at_path(format!("{}/{field}/{item}", rule_path(&rule))),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::support::pod::run_json;
    use serde_json::json;

    #[test]
    fn everything_is_one_finding() {
        let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": "all"},
            "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]});
        let d = run_json(super::CHECK, &[role]);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].path, "/rules/0/resources/0");
    }

    #[test]
    fn one_finding_per_wildcard_field() {
        let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": {"name": "r", "namespace": "n"},
            "rules": [{"apiGroups": ["*"], "resources": ["configmaps"], "verbs": ["get"]},
                      {"apiGroups": [""], "resources": ["secrets", "*"], "verbs": ["*"]}]});
        let d = run_json(super::CHECK, &[role]);
        let paths: Vec<_> = d.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "/rules/0/apiGroups/0",
                "/rules/1/resources/1",
                "/rules/1/verbs/0"
            ]
        );
    }
}
