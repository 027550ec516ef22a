use crate::support::pod::pod_of;
use crate::support::workloads::{Amount, describe, field_diag, hpas_for, pdbs_for};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Object, Severity};

pub struct PdbMinAvailableExceedsHpaMin;

pub static CHECK: &dyn Check = &PdbMinAvailableExceedsHpaMin;

static META: CheckMeta = CheckMeta {
    id: "pdb-min-available-exceeds-hpa-min",
    title: "PodDisruptionBudget minAvailable must not exceed the HPA's minReplicas",
    category: Category::Reliability,
    severity: Severity::Medium,
    rationale: "When the autoscaler shrinks a workload to its `minReplicas`, a budget that \
        demands more available pods than that is permanently violated: no eviction is allowed \
        and node drains block.",
    remediation: "Lower the PodDisruptionBudget's `minAvailable` below the HPA's \
        `minReplicas` (or raise `minReplicas`), or use `maxUnavailable` instead.",
    references: &[
        "https://kubernetes.io/docs/tasks/run-application/configure-pdb/",
        "https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/",
    ],
    params: &[],
    aliases: &["polaris:pdbMinAvailableGreaterThanHPAMinReplicas"],
    enabled_by_default: true,
    cross_object: true,
    assumptions: "Only a PodDisruptionBudget and a HorizontalPodAutoscaler both in the scanned \
        objects can be compared; without either, nothing is reported. A percentage \
        `minAvailable` is resolved against the HPA's minReplicas, rounding up.",
};

impl Check for PdbMinAvailableExceedsHpaMin {
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
        let hpas = hpas_for(ctx.index, obj);
        let Some(hpa) = hpas.first() else { return };
        let min_replicas = match hpa.root.path(&["spec", "minReplicas"]) {
            None => 1,
            Some(n) => match n.as_i64() {
                Some(m) => m,
                None => return,
            },
        };
        for pdb in pdbs_for(ctx.index, &pod) {
            let Some(min) = pdb
                .root
                .path(&["spec", "minAvailable"])
                .and_then(Amount::of)
            else {
                continue;
            };
            let need = min.resolve(min_replicas, true);
            if need > min_replicas {
                let mut d = field_diag(
                    obj,
                    &["spec", "template", "metadata", "labels"],
                    format!(
                        "PodDisruptionBudget `{}` requires minAvailable {} ({need} pods) but HorizontalPodAutoscaler `{}` may scale {} down to {min_replicas}",
                        pdb.name(),
                        min.text(),
                        hpa.name(),
                        describe(obj)
                    ),
                );
                // Point at the workload itself: the conflict spans three objects.
                d.pos = obj.pos();
                out.push(d);
            }
        }
    }
}
