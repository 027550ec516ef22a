use crate::support::workloads::{describe, field_diag};
use crate::{Check, CheckMeta, Ctx, Param};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct HpaMinReplicas;

pub static CHECK: &dyn Check = &HpaMinReplicas;

static META: CheckMeta = CheckMeta {
    id: "hpa-min-replicas",
    title: "HorizontalPodAutoscalers should keep at least two replicas",
    category: Category::Reliability,
    severity: Severity::Medium,
    rationale: "An autoscaler allowed to scale down to one replica recreates the single point \
        of failure at every quiet hour: a node drain or crash then takes the service down.",
    remediation: "Set `spec.minReplicas` to at least `min_replicas` (it defaults to 1 when \
        unset).",
    references: &["https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/"],
    params: &[Param {
        name: "min_replicas",
        description: "Smallest acceptable minReplicas (kube-linter's hpa-minimum-three-replicas uses 3).",
        default: "2",
    }],
    aliases: &[
        "polaris:hpaMinAvailability",
        "kube-linter:hpa-minimum-three-replicas",
        "kube-score:horizontalpodautoscaler-replicas",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

impl Check for HpaMinReplicas {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        if obj.kind() != "HorizontalPodAutoscaler" {
            return;
        }
        let min = ctx.param_i64("min_replicas").unwrap_or(2);
        let written = obj
            .root
            .path(&["spec", "minReplicas"])
            .filter(|n| !n.is_null());
        let count = written.and_then(Node::as_i64).unwrap_or(1);
        if count >= min {
            return;
        }
        let how = if written.is_some() {
            format!("has minReplicas {count}")
        } else {
            "does not set minReplicas (default 1)".to_string()
        };
        out.push(field_diag(
            obj,
            &["spec", "minReplicas"],
            format!("{} {how}; at least {min} are required", describe(obj)),
        ));
    }
}
