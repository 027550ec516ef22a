use crate::support::pod::{pod_diag, pod_of};
use crate::support::workloads::describe;
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct NoNodeAffinity;

pub static CHECK: &dyn Check = &NoNodeAffinity;

static META: CheckMeta = CheckMeta {
    id: "no-node-affinity",
    title: "Pods should state which nodes they may run on",
    category: Category::Reliability,
    severity: Severity::Info,
    rationale: "In clusters with several node pools (GPU, spot, system, tenant-dedicated), a \
        pod without node affinity or a node selector can land on any of them: on capacity it \
        was not sized for, or next to workloads it should be isolated from.",
    remediation: "Add `affinity.nodeAffinity` (or a `nodeSelector`) naming the node pool the \
        workload is meant for.",
    references: &[
        "https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#node-affinity",
    ],
    params: &[],
    aliases: &["kube-linter:no-node-affinity"],
    enabled_by_default: false,
    cross_object: false,
    assumptions: "A `nodeSelector` counts as stating the nodes. Only useful in clusters with \
        distinct node pools, hence off by default.",
};

impl Check for NoNodeAffinity {
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
        let set = |keys: &[&str]| {
            pod.spec
                .path(keys)
                .and_then(Node::as_map)
                .is_some_and(|m| !m.is_empty())
        };
        if set(&["affinity", "nodeAffinity"]) || set(&["nodeSelector"]) {
            return;
        }
        out.push(pod_diag(
            &pod,
            &["affinity", "nodeAffinity"],
            format!(
                "{} does not define any node affinity rules or node selector",
                describe(obj)
            ),
        ));
    }
}
