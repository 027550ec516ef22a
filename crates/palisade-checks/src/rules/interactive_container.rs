use crate::support::rule::ContainerRule;
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Container, Node, PodSpec, Severity};

pub static CHECK: &dyn Check = &ContainerRule {
    meta: &META,
    field: &["stdin"],
    linux_only: false,
    locate: Some(locate),
    problem,
    fix: None,
};

static META: CheckMeta = CheckMeta {
    id: "interactive-container",
    title: "Containers should not keep an interactive stdin or TTY",
    category: Category::Security,
    severity: Severity::Low,
    rationale: "`stdin: true` or `tty: true` keeps a console attached to the container: anyone \
        allowed to `kubectl attach` gets an interactive shell-like session that bypasses the \
        exec audit trail. Production workloads do not need it.",
    remediation: "Remove `stdin` and `tty` from the container; use `kubectl debug` for \
        interactive troubleshooting.",
    references: &[
        "https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#debugging",
    ],
    params: &[],
    aliases: &[],
    enabled_by_default: false,
    cross_object: false,
    assumptions: "Ephemeral (debug) containers are interactive by design and are not reported.",
};

/// The first of `stdin`/`tty` that is on.
fn locate(c: &Container) -> &'static [&'static str] {
    if c.get("stdin").and_then(Node::as_bool) == Some(true) {
        &["stdin"]
    } else {
        &["tty"]
    }
}

fn problem(_: &PodSpec, c: &Container, _: &Ctx) -> Option<String> {
    if c.kind == palisade_model::ContainerKind::Ephemeral {
        return None;
    }
    let on = |k| c.get(k).and_then(Node::as_bool) == Some(true);
    let set: Vec<&str> = ["stdin", "tty"].into_iter().filter(|k| on(k)).collect();
    (!set.is_empty()).then(|| {
        format!(
            "container `{}` is interactive ({})",
            c.name,
            set.iter()
                .map(|k| format!("{k}: true"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}
