use crate::support::pod::pod_of;
use crate::support::container_diag;
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct DuplicateEnvVar;

pub static CHECK: &dyn Check = &DuplicateEnvVar;

static META: CheckMeta = CheckMeta {
    id: "duplicate-env-var",
    title: "Containers must not set the same environment variable twice",
    category: Category::Reliability,
    severity: Severity::Medium,
    rationale: "When `env` lists a name twice, the last entry silently wins. The earlier value \
        looks configured but has no effect, and `kubectl apply` patches by name, so edits to \
        either entry can land on the wrong one.",
    remediation: "Keep one `env` entry per name in each container; remove or rename the \
        duplicate.",
    references: &[
        "https://kubernetes.io/docs/tasks/inject-data-application/define-environment-variable-container/",
    ],
    params: &[],
    aliases: &[
        "kube-linter:duplicate-env-var",
        "kube-score:environment-variable-key-duplication",
        "kubescape:C-0295",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

/// Indices of the `env` entries that a later entry with the same name overrides.
fn overridden(env: &[Node]) -> Vec<usize> {
    fn name(e: &Node) -> Option<&str> {
        e.get("name").and_then(Node::as_str)
    }
    (0..env.len())
        .filter(|&i| name(&env[i]).is_some_and(|n| env[i + 1..].iter().any(|e| name(e) == Some(n))))
        .collect()
}

impl Check for DuplicateEnvVar {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pods_only(&self) -> bool {
        true
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some(pod) = pod_of(obj, ctx) else {
            return;
        };
        for c in pod.all_containers() {
            let env = c.get("env").map(Node::items).unwrap_or(&[]);
            let mut seen: Vec<&str> = Vec::new();
            let mut reported: Vec<&str> = Vec::new();
            for (i, e) in env.iter().enumerate() {
                let Some(name) = e.get("name").and_then(Node::as_str) else {
                    continue;
                };
                if !seen.contains(&name) {
                    seen.push(name);
                    continue;
                }
                if reported.contains(&name) {
                    continue;
                }
                reported.push(name);
                let idx = i.to_string();
                let mut d = container_diag(
                    &pod,
                    &c,
                    &["env", &idx, "name"],
                    format!(
                        "container `{}` sets environment variable `{name}` more than once; the last value wins",
                        c.name
                    ),
                );
                d.pos = e.key_pos("name");
                out.push(d);
            }
        }
    }

    /// Removes the overridden entries: the last one already wins, so behaviour is unchanged.
    fn fix(&self, obj: &Object, ctx: &Ctx) -> Vec<serde_json::Value> {
        let Some(pod) = pod_of(obj, ctx) else {
            return Vec::new();
        };
        let mut ops = Vec::new();
        for c in pod.all_containers() {
            let env = c.get("env").map(Node::items).unwrap_or(&[]);
            let base = crate::support::container_path(&pod, &c);
            // Highest index first, so earlier removals do not shift later ones.
            for i in overridden(env).into_iter().rev() {
                ops.push(serde_json::json!({"op": "remove", "path": format!("{base}/env/{i}")}));
            }
        }
        ops
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overridden_entries_are_all_but_the_last() {
        let env = Node::from_json(&serde_json::json!([
            {"name": "A", "value": "1"}, {"name": "B", "value": "2"},
            {"name": "A", "value": "3"}, {"name": "A", "value": "4"}, {"value": "no name"}
        ]));
        assert_eq!(overridden(env.items()), [0, 2]);
    }
}
