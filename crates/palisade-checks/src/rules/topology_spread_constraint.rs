use crate::support::pod::{pod_diag, pod_of};
use crate::support::scheduling::spread_constraints;
use crate::support::workloads::{describe, is_batch};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Object, Severity};

pub struct TopologySpreadConstraint;

pub static CHECK: &dyn Check = &TopologySpreadConstraint;

static META: CheckMeta = CheckMeta {
    id: "topology-spread-constraint",
    title: "Pods should declare a topology spread constraint",
    category: Category::Reliability,
    severity: Severity::Low,
    rationale: "Topology spread constraints make the scheduler spread replicas over zones and \
        nodes, so a zone or node outage takes only a share of the pods down. Without them the \
        spread is left to chance.",
    remediation: "Add `topologySpreadConstraints` to the pod spec, e.g. `maxSkew: 1`, \
        `topologyKey: topology.kubernetes.io/zone`, `whenUnsatisfiable: ScheduleAnyway` and a \
        `labelSelector` matching the pod's labels.",
    references: &[
        "https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/",
    ],
    params: &[],
    aliases: &["polaris:topologySpreadConstraint"],
    enabled_by_default: false,
    cross_object: false,
    assumptions: "Jobs, CronJobs and DaemonSets (one pod per node) are not checked. Cluster-wide \
        default constraints configured in the scheduler are not visible to a manifest scan; \
        off by default for that reason.",
};

impl Check for TopologySpreadConstraint {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        if is_batch(obj) || obj.kind() == "DaemonSet" {
            return;
        }
        let Some(pod) = pod_of(obj, ctx) else {
            return;
        };
        if spread_constraints(&pod).is_empty() {
            out.push(pod_diag(
                &pod,
                &["topologySpreadConstraints"],
                format!(
                    "{} does not declare any topologySpreadConstraints",
                    describe(obj)
                ),
            ));
        }
    }
}
