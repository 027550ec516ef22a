//! Checks that flag a pod-spec boolean set to `true` (`hostNetwork`, `hostPID`, `hostIPC`).

use crate::support::pod::{pod_diag, pod_of, remove_op};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Diagnostic, Node, Object};

/// Flags `spec.<field>: true`; the fix removes the field (the default is `false`).
pub struct PodFlag {
    pub meta: &'static CheckMeta,
    pub field: &'static str,
    /// What the setting does, completing "pod …" in the message.
    pub effect: &'static str,
}

impl Check for PodFlag {
    fn meta(&self) -> &'static CheckMeta {
        self.meta
    }

    fn pods_only(&self) -> bool {
        true
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some(pod) = pod_of(obj, ctx) else { return };
        if pod.get(self.field).and_then(Node::as_bool) == Some(true) {
            out.push(pod_diag(
                &pod,
                &[self.field],
                format!("pod {} ({}: true)", self.effect, self.field),
            ));
        }
    }

    fn fix(&self, obj: &Object, ctx: &Ctx) -> Vec<serde_json::Value> {
        match pod_of(obj, ctx) {
            Some(pod) if pod.get(self.field).and_then(Node::as_bool) == Some(true) => {
                vec![remove_op(
                    crate::support::pod_spec_path(&pod),
                    &[self.field],
                )]
            }
            _ => Vec::new(),
        }
    }
}
