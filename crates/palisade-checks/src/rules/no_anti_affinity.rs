use crate::support::pod::{pod_diag, pod_of};
use crate::support::scheduling::{
    anti_affinity_terms, selects_own_pods, spread_constraints, term_covers_namespace,
};
use crate::support::workloads::{describe, hpas_for, replicas};
use crate::{Check, CheckMeta, Ctx, Param};
use palisade_model::{Category, Diagnostic, Node, Object, PodSpec, Severity};

pub struct NoAntiAffinity;

pub static CHECK: &dyn Check = &NoAntiAffinity;

static META: CheckMeta = CheckMeta {
    id: "no-anti-affinity",
    title: "Replicas should be kept on different nodes",
    category: Category::Reliability,
    severity: Severity::Medium,
    rationale: "Several replicas only protect against a node failure if they run on different \
        nodes. Without pod anti-affinity (or a topology spread constraint) on the node \
        hostname, the scheduler may pack every replica onto one node, and losing that node \
        takes the whole service down.",
    remediation: "Add `affinity.podAntiAffinity` (preferred or required) with a \
        `labelSelector` matching the pod's own labels and `topologyKey: \
        kubernetes.io/hostname`, or a `topologySpreadConstraints` entry on that key.",
    references: &[
        "https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#inter-pod-affinity-and-anti-affinity",
        "https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/",
    ],
    params: &[
        Param {
            name: "min_replicas",
            description: "Only workloads with at least this many replicas (or HPA maxReplicas) are checked.",
            default: "2",
        },
        Param {
            name: "topology_keys",
            description: "Topology keys that count as spreading over nodes.",
            default: "[\"kubernetes.io/hostname\"]",
        },
    ],
    aliases: &[
        "kube-linter:no-anti-affinity",
        "kube-score:deployment-has-host-podantiaffinity",
        "kube-score:statefulset-has-host-podantiaffinity",
    ],
    enabled_by_default: true,
    cross_object: true,
    assumptions: "",
};

/// A term or constraint that spreads this pod's own replicas over `keys`.
fn spreads(pod: &PodSpec, term: &Node, keys: &[&str]) -> bool {
    term.get("topologyKey")
        .and_then(Node::as_str)
        .is_some_and(|k| keys.contains(&k))
        && selects_own_pods(pod, term)
}

impl Check for NoAntiAffinity {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some((mut count, _)) = replicas(obj) else {
            return;
        };
        if let Some(max) = hpas_for(ctx.index, obj)
            .iter()
            .find_map(|h| h.root.path(&["spec", "maxReplicas"]).and_then(Node::as_i64))
        {
            count = count.max(max);
        }
        if count < ctx.param_i64("min_replicas").unwrap_or(2) {
            return;
        }
        let Some(pod) = pod_of(obj, ctx) else {
            return;
        };
        let mut keys = ctx.param_strs("topology_keys").to_vec();
        if keys.is_empty() {
            keys.push("kubernetes.io/hostname");
        }
        let ns = obj.effective_namespace().unwrap_or("default");
        let terms = anti_affinity_terms(&pod);
        let own: Vec<&Node> = terms
            .iter()
            .copied()
            .filter(|t| spreads(&pod, t, &keys))
            .collect();
        if own.iter().any(|t| term_covers_namespace(t, ns))
            || spread_constraints(&pod)
                .iter()
                .any(|c| spreads(&pod, c, &keys))
        {
            return;
        }
        let msg = if let Some(t) = own.first() {
            let listed: Vec<&str> = t
                .get("namespaces")
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .filter_map(Node::as_str)
                .collect();
            format!(
                "{} has pod anti-affinity for namespaces [{}] only, not its own namespace `{ns}`",
                describe(obj),
                listed.join(", ")
            )
        } else if terms.is_empty() {
            format!(
                "{} runs up to {count} replicas but does not specify pod anti-affinity or a topology spread constraint on {}",
                describe(obj),
                keys.join(", ")
            )
        } else {
            format!(
                "{} has pod anti-affinity, but no term selects its own pods with topologyKey {}",
                describe(obj),
                keys.join(", ")
            )
        };
        out.push(pod_diag(&pod, &["affinity", "podAntiAffinity"], msg));
    }
}
