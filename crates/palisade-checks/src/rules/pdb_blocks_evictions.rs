use crate::support::workloads::{Amount, describe, field_diag, hpas_for, pdb_selector, replicas};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct PdbBlocksEvictions;

pub static CHECK: &dyn Check = &PdbBlocksEvictions;

static META: CheckMeta = CheckMeta {
    id: "pdb-blocks-evictions",
    title: "PodDisruptionBudgets must allow at least one voluntary eviction",
    category: Category::Reliability,
    severity: Severity::High,
    rationale: "A budget with `maxUnavailable: 0`, `minAvailable: 100%`, or a `minAvailable` \
        at or above the replica count of the pods it selects never allows an eviction: node \
        drains and cluster upgrades hang until someone deletes the budget by hand.",
    remediation: "Use `maxUnavailable: 1` (or a percentage above 0), or a `minAvailable` below \
        the number of replicas (for autoscaled workloads, below the HPA's `minReplicas`).",
    references: &["https://kubernetes.io/docs/tasks/run-application/configure-pdb/"],
    params: &[],
    aliases: &[
        "polaris:pdbDisruptionsIsZero",
        "kube-linter:pdb-max-unavailable",
        "kube-linter:pdb-min-available",
    ],
    enabled_by_default: true,
    cross_object: true,
    assumptions: "A `minAvailable` count is compared with the replicas of the workloads in the \
        scanned objects that the budget selects (the HPA's minReplicas when an HPA scales \
        them); workloads outside the scan are not seen.",
};

impl Check for PdbBlocksEvictions {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        if obj.kind() != "PodDisruptionBudget" {
            return;
        }
        let spec = |k| obj.root.path(&["spec", k]).and_then(Amount::of);
        if let Some(max) = spec("maxUnavailable") {
            if max.resolve(100, true) <= 0 {
                out.push(field_diag(
                    obj,
                    &["spec", "maxUnavailable"],
                    format!(
                        "{} sets maxUnavailable to {}: no pod may ever be evicted",
                        describe(obj),
                        max.text()
                    ),
                ));
            }
            return;
        }
        let Some(min) = spec("minAvailable") else {
            return;
        };
        if let Amount::Percent(p) = min {
            if p >= 100 {
                out.push(field_diag(
                    obj,
                    &["spec", "minAvailable"],
                    format!(
                        "{} sets minAvailable to {}: no pod may ever be evicted",
                        describe(obj),
                        min.text()
                    ),
                ));
            }
            return;
        }
        let Some(sel) = pdb_selector(obj) else { return };
        for pod in ctx.index.pods_selected(obj.effective_namespace(), &sel) {
            let w = pod.object;
            let Some((mut total, _)) = replicas(w) else {
                continue;
            };
            let mut source = "replicas";
            if let Some(m) = hpas_for(ctx.index, w).iter().find_map(|h| {
                h.root
                    .path(&["spec", "minReplicas"])
                    .map_or(Some(1), Node::as_i64)
            }) {
                total = m;
                source = "HPA minReplicas";
            }
            if total > 0 && min.resolve(total, true) >= total {
                out.push(field_diag(
                    obj,
                    &["spec", "minAvailable"],
                    format!(
                        "{} keeps minAvailable {} but {} runs only {total} pod(s) ({source}): no pod may ever be evicted",
                        describe(obj),
                        min.text(),
                        describe(w)
                    ),
                ));
            }
        }
    }
}
