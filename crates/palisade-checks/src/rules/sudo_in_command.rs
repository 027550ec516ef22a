use crate::support::rule::ContainerRule;
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Container, Node, PodSpec, Severity};

pub static CHECK: &dyn Check = &ContainerRule {
    meta: &META,
    field: &["command"],
    linux_only: false,
    locate: Some(locate),
    problem,
    fix: None,
};

static META: CheckMeta = CheckMeta {
    id: "sudo-in-command",
    title: "Containers should not start through sudo",
    category: Category::Security,
    severity: Severity::Low,
    rationale: "`sudo` in the entrypoint means the image ships a setuid root binary and the \
        process expects to gain root at run time: a path to privilege escalation inside the \
        container.",
    remediation: "Run the process as the user it needs from the start (`runAsUser`) and remove \
        `sudo` from the image and the command.",
    references: &[
        "NSA/CISA Kubernetes Hardening Guide: Use containers built to run applications as non-root users",
    ],
    params: &[],
    aliases: &["kubescape:C-0062"],
    enabled_by_default: false,
    cross_object: false,
    assumptions: "Only `command` and `args` are visible: an image's own ENTRYPOINT is not.",
};

fn locate(c: &Container) -> &'static [&'static str] {
    if c.get("command")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .filter_map(Node::as_str)
        .any(has_sudo)
    {
        &["command"]
    } else {
        &["args"]
    }
}

/// Whether a command line word is `sudo` (or a path to it).
fn has_sudo(s: &str) -> bool {
    s.split(|ch: char| ch.is_whitespace() || ch == ';' || ch == '&' || ch == '|')
        .any(|w| w == "sudo" || w.ends_with("/sudo"))
}

fn problem(_: &PodSpec, c: &Container, _: &Ctx) -> Option<String> {
    let uses_sudo = ["command", "args"].iter().any(|k| {
        c.get(k)
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(Node::as_str)
            .any(has_sudo)
    });
    uses_sudo.then(|| format!("container `{}` runs its command through sudo", c.name))
}
