use crate::support::pod::pod_of;
use crate::support::container_diag;
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct ProbesIdentical;

pub static CHECK: &dyn Check = &ProbesIdentical;

static META: CheckMeta = CheckMeta {
    id: "probes-identical",
    title: "Liveness and readiness probes must differ",
    category: Category::Reliability,
    severity: Severity::Medium,
    rationale: "Readiness answers \"send me traffic?\", liveness \"restart me?\". When both \
        run the same check, an overloaded or briefly unhealthy pod is restarted instead of just \
        taken out of rotation, which amplifies incidents into crash loops.",
    remediation: "Give the liveness probe its own cheap check of the process itself (or a \
        different endpoint), and keep dependency or load checks in the readiness probe only.",
    references: &[
        "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/",
    ],
    params: &[],
    aliases: &["kube-score:pod-probes-identical"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

const HANDLERS: &[&str] = &["httpGet", "tcpSocket", "grpc", "exec"];

/// The probe's handler (what it calls), ignoring timings and thresholds.
fn handler(probe: &Node) -> Option<(&'static str, serde_json::Value)> {
    HANDLERS
        .iter()
        .find_map(|h| probe.get(h).map(|n| (*h, n.to_json())))
}

impl Check for ProbesIdentical {
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
        for c in pod.containers() {
            let (Some(live), Some(ready)) = (
                c.get("livenessProbe").and_then(handler),
                c.get("readinessProbe").and_then(handler),
            ) else {
                continue;
            };
            if live == ready {
                out.push(container_diag(
                    &pod,
                    &c,
                    &["livenessProbe"],
                    format!(
                        "container `{}` uses the same {} check for its liveness and readiness probes",
                        c.name, live.0
                    ),
                ));
            }
        }
    }
}
