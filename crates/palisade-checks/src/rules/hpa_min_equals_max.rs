use crate::support::workloads::{describe, field_diag};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct HpaMinEqualsMax;

pub static CHECK: &dyn Check = &HpaMinEqualsMax;

static META: CheckMeta = CheckMeta {
    id: "hpa-min-equals-max",
    title: "HorizontalPodAutoscalers must be able to scale",
    category: Category::Reliability,
    severity: Severity::Low,
    rationale: "An autoscaler whose maxReplicas is not above its minReplicas can never add a \
        replica: it only hides a fixed replica count and absorbs no load spike.",
    remediation: "Raise `spec.maxReplicas` above `spec.minReplicas` (which defaults to 1), or \
        drop the HPA and set the workload's `replicas`.",
    references: &["https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/"],
    params: &[],
    aliases: &["polaris:hpaMaxAvailability"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

impl Check for HpaMinEqualsMax {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, _ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        if obj.kind() != "HorizontalPodAutoscaler" {
            return;
        }
        let get = |k| obj.root.path(&["spec", k]).and_then(Node::as_i64);
        let min = get("minReplicas").unwrap_or(1);
        let msg = match get("maxReplicas") {
            Some(max) if max > min => return,
            Some(max) => format!(
                "{} has maxReplicas {max} and minReplicas {min}: it can never scale up",
                describe(obj)
            ),
            None => format!("{} does not set maxReplicas", describe(obj)),
        };
        out.push(field_diag(obj, &["spec", "maxReplicas"], msg));
    }
}
