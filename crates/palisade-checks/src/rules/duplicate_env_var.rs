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

/// The `name` of an `env` entry.
fn env_name(e: &Node) -> Option<&str> {
    e.get("name").and_then(Node::as_str)
}

/// Indices of the `env` entries that a later entry with the same name overrides.
fn overridden(env: &[Node]) -> Vec<usize> {
    (0..env.len())
        .filter(|&i| {
            env_name(&env[i]).is_some_and(|n| env[i + 1..].iter().any(|e| env_name(e) == Some(n)))
        })
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
            // Short lists (nearly all) are searched in place, without a vector per container.
            let mut seen: Vec<&str> = Vec::new();
            let long = env.len() > 32;
            let mut reported: Vec<&str> = Vec::new();
            for (i, e) in env.iter().enumerate() {
                let Some(name) = env_name(e) else {
                    continue;
                };
                let first = if long {
                    !seen.contains(&name) && {
                        seen.push(name);
                        true
                    }
                } else {
                    !env[..i].iter().any(|p| env_name(p) == Some(name))
                };
                if first {
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

    /// Short env lists are searched in place, long ones with a list of names seen: both report
    /// each repeated name once, at its second entry.
    #[test]
    fn short_and_long_env_lists_report_the_same_repeats() {
        for filler in [0, 40] {
            let mut env: Vec<serde_json::Value> = (0..filler)
                .map(|i| serde_json::json!({"name": format!("F{i}"), "value": "x"}))
                .collect();
            for n in ["A", "B", "A", "C", "A", "B"] {
                env.push(serde_json::json!({"name": n, "value": "v"}));
            }
            let pod = serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                "spec": {"containers": [{"name": "app", "image": "i", "env": env}]}});
            let d = crate::support::pod::run_json(CHECK, &[pod]);
            let paths: Vec<&str> = d.iter().map(|d| d.path.as_str()).collect();
            let at = |k: usize| format!("/spec/containers/0/env/{}/name", filler + k);
            assert_eq!(paths, [at(2), at(5)], "{filler} other entries");
        }
    }
}
