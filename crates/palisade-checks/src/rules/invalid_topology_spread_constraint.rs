use crate::support::pod::{pod_diag, pod_of};
use crate::support::scheduling::spread_constraints;
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct InvalidTopologySpreadConstraint;

pub static CHECK: &dyn Check = &InvalidTopologySpreadConstraint;

static META: CheckMeta = CheckMeta {
    id: "invalid-topology-spread-constraint",
    title: "Topology spread constraints must be valid",
    category: Category::Reliability,
    severity: Severity::High,
    rationale: "The API server rejects a pod whose topology spread constraint has a \
        `maxSkew` below 1, a `minDomains` below 1, no `topologyKey` or an unknown \
        `whenUnsatisfiable`; the controller then creates no pods at all. A constraint without \
        a `labelSelector` counts no pods and spreads nothing.",
    remediation: "Give every `topologySpreadConstraints` entry `maxSkew` ≥ 1, a \
        `topologyKey`, `whenUnsatisfiable: DoNotSchedule` or `ScheduleAnyway`, a \
        `labelSelector` matching the pod's labels, and (if set) `minDomains` ≥ 1.",
    references: &[
        "https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/",
    ],
    params: &[],
    aliases: &["kube-score:pod-topology-spread-constraints"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

/// What is wrong with one constraint, with the field to point at.
fn problem(c: &Node) -> Option<(&'static str, String)> {
    match c.get("maxSkew").map(|n| (n, n.as_i64())) {
        None => return Some(("maxSkew", "has no maxSkew".into())),
        Some((n, v)) if v.is_none_or(|v| v < 1) => {
            return Some((
                "maxSkew",
                format!(
                    "has maxSkew {}, which must be at least 1",
                    n.scalar_text().unwrap_or_default()
                ),
            ));
        }
        _ => {}
    }
    if let Some(n) = c.get("minDomains").filter(|n| !n.is_null())
        && n.as_i64().is_none_or(|v| v < 1)
    {
        return Some((
            "minDomains",
            format!(
                "has minDomains {}, which must be at least 1",
                n.scalar_text().unwrap_or_default()
            ),
        ));
    }
    if c.get("topologyKey")
        .and_then(Node::as_str)
        .is_none_or(str::is_empty)
    {
        return Some(("topologyKey", "has no topologyKey".into()));
    }
    match c.get("whenUnsatisfiable").and_then(Node::as_str) {
        Some("DoNotSchedule" | "ScheduleAnyway") => {}
        other => {
            return Some((
                "whenUnsatisfiable",
                format!(
                    "has whenUnsatisfiable {}, expected DoNotSchedule or ScheduleAnyway",
                    other.map_or_else(|| "unset".to_string(), |s| format!("`{s}`"))
                ),
            ));
        }
    }
    if c.get("labelSelector").is_none_or(Node::is_null) {
        return Some((
            "labelSelector",
            "has no labelSelector, so it counts no pods".into(),
        ));
    }
    None
}

impl Check for InvalidTopologySpreadConstraint {
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
        for (i, c) in spread_constraints(&pod).iter().enumerate() {
            let Some((field, msg)) = problem(c) else {
                continue;
            };
            let idx = i.to_string();
            let mut d = pod_diag(
                &pod,
                &["topologySpreadConstraints", &idx, field],
                format!("topology spread constraint #{} {msg}", i + 1),
            );
            d.pos = if c.get(field).is_some() {
                c.key_pos(field)
            } else {
                c.pos
            };
            out.push(d);
        }
    }
}
