use crate::support::container_diag;
use crate::support::pod::{pod_diag, pod_of};
use crate::{Check, CheckMeta, Ctx, Param};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct SelinuxCustomOptions;

pub static CHECK: &dyn Check = &SelinuxCustomOptions;

static META: CheckMeta = CheckMeta {
    id: "selinux-custom-options",
    title: "Pods must not set a custom SELinux user, role or type",
    category: Category::Security,
    severity: Severity::Medium,
    rationale: "On SELinux nodes, the container types (`container_t`, …) are what confine a \
        container. Setting another type (such as `spc_t` or `unconfined_t`), a user or a role \
        lifts that confinement; only the MCS `level` is safe to choose.",
    remediation: "Remove `seLinuxOptions.user`, `role` and any `type` other than the allowed \
        container types from the pod and container security contexts.",
    references: &[
        "PSS baseline: SELinux",
        "NSA/CISA Kubernetes Hardening Guide: Pod security (SELinux)",
    ],
    params: &[Param {
        name: "allowed_types",
        description: "SELinux types that may be set (default: the PSS baseline list).",
        default: r#"["container_t", "container_init_t", "container_kvm_t", "container_engine_t"]"#,
    }],
    aliases: &["trivy:KSV025"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

/// What is wrong with a `seLinuxOptions` mapping, if anything.
fn problem(opts: &Node, allowed: crate::Strs) -> Option<(&'static str, String)> {
    let get = |k| opts.get(k).and_then(Node::as_str).filter(|s| !s.is_empty());
    if let Some(t) = get("type").filter(|t| !allowed.contains(t)) {
        return Some(("type", format!("SELinux type `{t}`")));
    }
    for field in ["user", "role"] {
        if let Some(v) = get(field) {
            return Some((field, format!("SELinux {field} `{v}`")));
        }
    }
    None
}

impl Check for SelinuxCustomOptions {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pods_only(&self) -> bool {
        true
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some(pod) = pod_of(obj, ctx) else { return };
        let allowed = ctx.param_strs("allowed_types");
        if let Some(opts) = pod.spec.path(&["securityContext", "seLinuxOptions"])
            && let Some((field, what)) = problem(opts, allowed)
        {
            out.push(pod_diag(
                &pod,
                &["securityContext", "seLinuxOptions", field],
                format!("pod sets the custom {what}"),
            ));
        }
        for c in pod.all_containers() {
            if let Some(opts) = c.path(&["securityContext", "seLinuxOptions"])
                && let Some((field, what)) = problem(opts, allowed)
            {
                out.push(container_diag(
                    &pod,
                    &c,
                    &["securityContext", "seLinuxOptions", field],
                    format!("container `{}` sets the custom {what}", c.name),
                ));
            }
        }
    }
}
