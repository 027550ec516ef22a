use crate::support::pod::pod_of;
use crate::support::workloads::{describe, field_diag, pdbs_for};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Object, Severity};

pub struct MissingPodDisruptionBudget;

pub static CHECK: &dyn Check = &MissingPodDisruptionBudget;

static META: CheckMeta = CheckMeta {
    id: "missing-pod-disruption-budget",
    title: "Deployments and StatefulSets should be covered by a PodDisruptionBudget",
    category: Category::Reliability,
    severity: Severity::Medium,
    rationale: "Node drains, cluster upgrades and autoscaler scale-downs evict pods through the \
        eviction API, which only holds back when a PodDisruptionBudget says so. Without one, a \
        drain may evict every replica at once.",
    remediation: "Add a PodDisruptionBudget in the same namespace whose `selector` matches the \
        pod template labels, with `maxUnavailable: 1` (or a `minAvailable` below the replica \
        count).",
    references: &["https://kubernetes.io/docs/tasks/run-application/configure-pdb/"],
    params: &[],
    aliases: &[
        "polaris:missingPodDisruptionBudget",
        "kube-score:deployment-has-poddisruptionbudget",
        "kube-score:statefulset-has-poddisruptionbudget",
    ],
    enabled_by_default: true,
    cross_object: true,
    assumptions: "PodDisruptionBudgets are looked up in the scanned objects. A budget applied \
        from elsewhere cannot be seen: the workload is still reported, and the message says \
        whether the scan held any PodDisruptionBudget in that namespace at all.",
};

impl Check for MissingPodDisruptionBudget {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        if !matches!(obj.kind(), "Deployment" | "StatefulSet") {
            return;
        }
        let Some(pod) = pod_of(obj, ctx) else {
            return;
        };
        if !pdbs_for(ctx.index, &pod).is_empty() {
            return;
        }
        let any = ctx
            .index
            .has_kind_in("PodDisruptionBudget", obj.effective_namespace());
        let why = if pod.labels().next().is_none() {
            "its pod template has no labels a PodDisruptionBudget could select"
        } else if any {
            "no PodDisruptionBudget in the scanned objects selects its pod labels"
        } else {
            "the scanned objects hold no PodDisruptionBudget in its namespace"
        };
        out.push(field_diag(
            obj,
            &["spec", "template", "metadata", "labels"],
            cat!(
                describe(obj),
                " is not covered by a PodDisruptionBudget: ",
                why
            ),
        ));
    }
}
