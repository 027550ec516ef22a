//! A per-container check described by data: which containers fail, where the finding points,
//! and the safe fix, if any. Most container-level security checks are one of these.

use crate::support::pod::pod_of;
use crate::support::security_context::is_windows;
use crate::support::{container_diag, container_path};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Container, Diagnostic, Object, PodSpec};

/// Returns the message for a failing container, `None` when it passes.
pub type Problem = fn(&PodSpec, &Container, &Ctx) -> Option<String>;
/// Returns the JSON Patch operation fixing a failing container (whose JSON pointer is given),
/// `None` where no fix is safe.
pub type Fix = fn(&Container, &str, &Ctx) -> Option<serde_json::Value>;

pub struct ContainerRule {
    pub meta: &'static CheckMeta,
    /// The field the finding points at (or where it belongs), below the container.
    pub field: &'static [&'static str],
    /// Where the finding points for this container, when it depends on what the container
    /// wrote (e.g. `tty` rather than `stdin`); `field` otherwise.
    pub locate: Option<fn(&Container) -> &'static [&'static str]>,
    /// Skip Windows pods (`spec.os.name: windows`), where Linux-only settings do not apply.
    pub linux_only: bool,
    pub problem: Problem,
    pub fix: Option<Fix>,
}

impl ContainerRule {
    /// Calls `f` with the pod spec, each failing container and its message. Nothing when the
    /// object has no pod spec or the rule does not apply to it.
    fn each_failing<'a>(
        &self,
        obj: &'a Object,
        ctx: &Ctx<'a>,
        mut f: impl FnMut(&PodSpec<'a>, &Container<'a>, String),
    ) {
        let Some(pod) = pod_of(obj, ctx) else { return };
        if self.linux_only && is_windows(&pod) {
            return;
        }
        for c in pod.all_containers() {
            if let Some(message) = (self.problem)(&pod, &c, ctx) {
                f(&pod, &c, message);
            }
        }
    }
}

impl Check for ContainerRule {
    fn meta(&self) -> &'static CheckMeta {
        self.meta
    }

    fn pods_only(&self) -> bool {
        true
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        self.each_failing(obj, ctx, |pod, c, message| {
            let field = self.locate.map_or(self.field, |f| f(c));
            out.push(container_diag(pod, c, field, message));
        });
    }

    fn fix(&self, obj: &Object, ctx: &Ctx) -> Vec<serde_json::Value> {
        let Some(fix) = self.fix else {
            return Vec::new();
        };
        let mut ops = Vec::new();
        self.each_failing(obj, ctx, |pod, c, _| {
            ops.extend(fix(c, &container_path(pod, c), ctx));
        });
        ops
    }
}
