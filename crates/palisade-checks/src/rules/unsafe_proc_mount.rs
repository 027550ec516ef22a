use crate::support::pod::remove_op;
use crate::support::rule::ContainerRule;
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Container, PodSpec, Severity};

pub static CHECK: &dyn Check = &ContainerRule {
    meta: &META,
    field: &FIELD,
    linux_only: false,
    locate: None,
    problem,
    fix: Some(fix),
};

static META: CheckMeta = CheckMeta {
    id: "unsafe-proc-mount",
    title: "Containers must keep the default /proc mount",
    category: Category::Security,
    severity: Severity::Medium,
    rationale: "`procMount: Unmasked` turns off the masking and read-only paths the container \
        runtime applies to `/proc` and `/sys`, exposing kernel interfaces that allow information \
        leaks and container escapes.",
    remediation: "Remove `securityContext.procMount` or set it to `Default`.",
    references: &[
        "PSS baseline: /proc Mount Type",
        "NSA/CISA Kubernetes Hardening Guide: Pod security",
    ],
    params: &[],
    aliases: &[
        "polaris:procMount",
        "kube-linter:unsafe-proc-mount",
        "trivy:KSV027",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

const FIELD: [&str; 2] = ["securityContext", "procMount"];

fn problem(_: &PodSpec, c: &Container, _: &Ctx) -> Option<String> {
    let n = c.path(&FIELD).filter(|n| !n.is_null())?;
    (n.as_str() != Some("Default")).then(|| {
        format!(
            "container `{}` sets procMount: {} instead of Default",
            c.name,
            n.scalar_text().unwrap_or_default()
        )
    })
}

fn fix(_: &Container, base: &str, _: &Ctx) -> Option<serde_json::Value> {
    Some(remove_op(base, &FIELD))
}
