use crate::support::workloads::{describe, field_diag};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct HpaTargetMissing;

pub static CHECK: &dyn Check = &HpaTargetMissing;

static META: CheckMeta = CheckMeta {
    id: "hpa-target-missing",
    title: "HorizontalPodAutoscalers must target an existing workload",
    category: Category::Reliability,
    severity: Severity::Medium,
    rationale: "An autoscaler whose scaleTargetRef names no workload scales nothing: the \
        workload it was meant for (often renamed) runs at a fixed size while everyone believes \
        it autoscales.",
    remediation: "Make `spec.scaleTargetRef` (kind and name) match the workload in the same \
        namespace, or delete the stale HPA.",
    references: &["https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/"],
    params: &[],
    aliases: &[
        "kube-linter:dangling-horizontalpodautoscaler",
        "kube-score:horizontalpodautoscaler-has-target",
        "kubescape:C-0300",
    ],
    enabled_by_default: true,
    cross_object: true,
    assumptions: "The target is looked up in the scanned objects (same namespace, kind and \
        name). A target deployed from elsewhere is reported too, and the message says it was \
        not found in the scanned set; exempt the HPA if that is intended.",
};

impl Check for HpaTargetMissing {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        if obj.kind() != "HorizontalPodAutoscaler" {
            return;
        }
        let r = |k| {
            obj.root
                .path(&["spec", "scaleTargetRef", k])
                .and_then(Node::as_str)
                .filter(|s| !s.is_empty())
        };
        let msg = match (r("kind"), r("name")) {
            (Some(kind), Some(name)) => {
                if ctx
                    .index
                    .get(kind, obj.effective_namespace(), name)
                    .is_some()
                {
                    return;
                }
                format!(
                    "{} targets {kind} `{name}`, which is not among the scanned objects in namespace `{}`",
                    describe(obj),
                    obj.effective_namespace().unwrap_or("default")
                )
            }
            _ => format!("{} has no scaleTargetRef kind and name", describe(obj)),
        };
        out.push(field_diag(obj, &["spec", "scaleTargetRef"], msg));
    }
}
