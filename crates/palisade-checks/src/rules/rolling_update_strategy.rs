use crate::support::workloads::{describe, field_diag};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct RollingUpdateStrategy;

pub static CHECK: &dyn Check = &RollingUpdateStrategy;

static META: CheckMeta = CheckMeta {
    id: "rolling-update-strategy",
    title: "Workloads should update with a rolling strategy",
    category: Category::Reliability,
    severity: Severity::Low,
    rationale: "`Recreate` stops every old pod before starting new ones, and `OnDelete` never \
        rolls out until someone deletes pods by hand: both mean downtime or silently stale \
        pods on every release. A rolling update replaces pods gradually behind readiness \
        checks.",
    remediation: "Use `spec.strategy.type: RollingUpdate` (Deployments) or \
        `spec.updateStrategy.type: RollingUpdate` (StatefulSets, DaemonSets), or leave it unset \
        (the default). Keep `Recreate` only where two versions must never run at once, and \
        exempt that workload with a reason.",
    references: &["https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#strategy"],
    params: &[],
    aliases: &[
        "kube-linter:no-rolling-update-strategy",
        "kube-score:deployment-strategy",
        "kubescape:C-0305",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "An unset strategy is RollingUpdate (the API default) and passes. Every \
        Deployment is checked, not only those a Service targets (as kube-score does).",
};

impl Check for RollingUpdateStrategy {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, _ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let field = match obj.kind() {
            "Deployment" | "DeploymentConfig" => "strategy",
            "StatefulSet" | "DaemonSet" => "updateStrategy",
            _ => return,
        };
        let Some(t) = obj
            .root
            .path(&["spec", field, "type"])
            .and_then(Node::as_str)
        else {
            return;
        };
        // `Rolling` is OpenShift DeploymentConfig's name for it.
        if t == "RollingUpdate" || (t == "Rolling" && obj.kind() == "DeploymentConfig") {
            return;
        }
        out.push(field_diag(
            obj,
            &["spec", field, "type"],
            format!(
                "{} uses the `{t}` {field} instead of RollingUpdate",
                describe(obj)
            ),
        ));
    }
}
