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
    fn failing<'a>(
        &self,
        obj: &'a Object,
        ctx: &Ctx<'a>,
    ) -> Option<(PodSpec<'a>, Vec<(Container<'a>, String)>)> {
        let pod = pod_of(obj, ctx)?;
        if self.linux_only && is_windows(&pod) {
            return None;
        }
        let failing = pod
            .all_containers()
            .filter_map(|c| (self.problem)(&pod, &c, ctx).map(|m| (c, m)))
            .collect();
        Some((pod, failing))
    }
}

impl Check for ContainerRule {
    fn meta(&self) -> &'static CheckMeta {
        self.meta
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        if let Some((pod, failing)) = self.failing(obj, ctx) {
            for (c, message) in failing {
                let field = self.locate.map_or(self.field, |f| f(&c));
                out.push(container_diag(&pod, &c, field, message));
            }
        }
    }

    fn fix(&self, obj: &Object, ctx: &Ctx) -> Vec<serde_json::Value> {
        let (Some(fix), Some((pod, failing))) = (self.fix, self.failing(obj, ctx)) else {
            return Vec::new();
        };
        failing
            .iter()
            .filter_map(|(c, _)| fix(c, &container_path(&pod, c), ctx))
            .collect()
    }
}
