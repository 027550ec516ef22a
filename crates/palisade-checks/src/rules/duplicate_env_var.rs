use crate::support::container_diag;
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Node, Object, PodSpec, Severity};

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
    assumptions: "",
};

impl Check for DuplicateEnvVar {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some(pod) = PodSpec::of(obj, ctx.index.custom) else {
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
}
