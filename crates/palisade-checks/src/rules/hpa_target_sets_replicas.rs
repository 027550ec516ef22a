use crate::support::workloads::{describe, field_diag, hpas_for, replicas};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Object, Severity};

pub struct HpaTargetSetsReplicas;

pub static CHECK: &dyn Check = &HpaTargetSetsReplicas;

static META: CheckMeta = CheckMeta {
    id: "hpa-target-sets-replicas",
    title: "Workloads scaled by an HPA should not set replicas",
    category: Category::Reliability,
    severity: Severity::Medium,
    rationale: "When a HorizontalPodAutoscaler manages a workload, a `replicas` value in the \
        manifest fights it: every apply resets the count to the written figure, scaling a \
        busy service down until the HPA reacts again.",
    remediation: "Remove `spec.replicas` from the workload's manifest and let the HPA's \
        `minReplicas` set the floor. (With `kubectl apply`, remove it in one change and expect \
        one reset to the default; see the Kubernetes HPA migration notes.)",
    references: &[
        "https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#migrating-deployments-and-statefulsets-to-horizontal-autoscaling",
    ],
    params: &[],
    aliases: &["kube-score:deployment-targeted-by-hpa-does-not-have-replicas-configured"],
    enabled_by_default: true,
    cross_object: true,
    assumptions: "Only HPAs in the scanned objects are seen; a workload scaled by an HPA \
        deployed elsewhere is not reported.",
};

impl Check for HpaTargetSetsReplicas {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some((count, true)) = replicas(obj) else {
            return;
        };
        let hpas = hpas_for(ctx.index, obj);
        let Some(hpa) = hpas.first() else { return };
        out.push(field_diag(
            obj,
            &["spec", "replicas"],
            format!(
                "{} sets replicas: {count} although HorizontalPodAutoscaler `{}` scales it",
                describe(obj),
                hpa.name()
            ),
        ));
    }
}
