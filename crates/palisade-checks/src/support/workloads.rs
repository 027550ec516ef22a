//! Cross-object lookups for reliability checks: replicas, HPAs, PDBs and Services that
//! concern a workload, plus findings about object fields outside a container.

use crate::support::network::selector_matches;
use crate::support::pod::{pointer, pos_at};
use palisade_model::{Diagnostic, Index, LabelSelector, Node, Object, PodSpec, Value};

/// Kinds whose `spec.replicas` sets the pod count.
pub const REPLICATED: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "ReplicaSet",
    "ReplicationController",
    "DeploymentConfig",
];

/// Kinds that run to completion: probes, PDBs and spreading do not apply to them.
pub fn is_batch(obj: &Object) -> bool {
    matches!(obj.kind(), "Job" | "CronJob")
}

/// `spec.replicas` of a replicated workload: `(count, written)`; an unset count is 1.
/// `None` for other kinds or a non-integer value.
pub fn replicas(obj: &Object) -> Option<(i64, bool)> {
    if !REPLICATED.contains(&obj.kind()) {
        return None;
    }
    match obj.root.path(&["spec", "replicas"]) {
        None => Some((1, false)),
        Some(n) if n.is_null() => Some((1, false)),
        Some(n) => n.as_i64().map(|r| (r, true)),
    }
}

/// A diagnostic about an object field (not in a container), pointing at the field's key if
/// written, else at the deepest parent that exists. `keys` is the field path from the root.
pub fn field_diag(obj: &Object, keys: &[&str], message: String) -> Diagnostic {
    let pos = if keys.is_empty() {
        obj.pos()
    } else {
        pos_at(&obj.root, keys)
    };
    let pos = if pos.is_known() { pos } else { obj.pos() };
    Diagnostic::new(message, pos).at_path(pointer("", keys))
}

/// A PodDisruptionBudget's selector. An absent selector selects nothing (policy/v1); an
/// empty one selects every pod in the namespace.
pub fn pdb_selector(pdb: &Object) -> Option<LabelSelector> {
    let sel = pdb.root.path(&["spec", "selector"])?;
    if sel.is_null() {
        return None;
    }
    Some(LabelSelector::from_label_selector(sel))
}

/// PodDisruptionBudgets in the pod's namespace whose selector matches its template labels.
/// Only the candidates the index files under one of the pod's labels are evaluated.
pub fn pdbs_for<'a>(index: &Index<'a>, pod: &PodSpec) -> Vec<&'a Object> {
    let mut found = index.selector_candidates(
        "PodDisruptionBudget",
        pod.object.effective_namespace(),
        pod.labels(),
    );
    found.retain(|p| match p.root.path(&["spec", "selector"]) {
        Some(sel) if !sel.is_null() => selector_matches(sel, pod.labels()),
        _ => false,
    });
    found
}

/// HorizontalPodAutoscalers in the object's namespace whose `scaleTargetRef` names it.
pub fn hpas_for<'a>(index: &Index<'a>, obj: &Object) -> Vec<&'a Object> {
    index
        .hpas_targeting(obj.effective_namespace(), obj.kind(), obj.name())
        .collect()
}

/// Services in the pod's namespace whose (non-empty) selector matches its template labels.
pub fn services_for<'a>(index: &Index<'a>, pod: &PodSpec) -> Vec<&'a Object> {
    let mut found =
        index.selector_candidates("Service", pod.object.effective_namespace(), pod.labels());
    found.retain(|s| {
        let sel = s.root.path(&["spec", "selector"]).unwrap_or(Node::null());
        let mut wanted = sel.string_map().peekable();
        wanted.peek().is_some()
            && wanted.all(|(k, v)| pod.labels().any(|(pk, pv)| pk == k && pv == v))
    });
    found
}

/// An `IntOrString` count such as a PDB's `minAvailable`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Amount {
    Count(i64),
    /// Whole percent, e.g. 50 for `"50%"`.
    Percent(i64),
}

impl Amount {
    pub fn of(node: &Node) -> Option<Amount> {
        match &node.value {
            Value::Str(s) => s
                .trim()
                .strip_suffix('%')
                .and_then(|p| p.trim().parse().ok())
                .map(Amount::Percent),
            _ => node.as_i64().map(Amount::Count),
        }
    }

    /// The absolute count out of `total`; percentages round up (as the disruption
    /// controller does for `minAvailable`) when `round_up`, else down.
    pub fn resolve(self, total: i64, round_up: bool) -> i64 {
        match self {
            Amount::Count(c) => c,
            Amount::Percent(p) => {
                let n = p.saturating_mul(total);
                if round_up {
                    n.div_euclid(100) + i64::from(n.rem_euclid(100) != 0)
                } else {
                    n.div_euclid(100)
                }
            }
        }
    }

    pub fn text(self) -> String {
        match self {
            Amount::Count(c) => c.to_string(),
            Amount::Percent(p) => format!("{p}%"),
        }
    }
}

/// "Deployment web" for messages.
pub fn describe(obj: &Object) -> String {
    cat!(obj.kind(), " `", obj.name(), "`")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts() {
        let a = |j| Amount::of(&Node::from_json(&j));
        assert_eq!(a(serde_json::json!(2)), Some(Amount::Count(2)));
        assert_eq!(a(serde_json::json!("50%")), Some(Amount::Percent(50)));
        assert_eq!(a(serde_json::json!("5")), None);
        assert_eq!(Amount::Percent(50).resolve(3, true), 2);
        assert_eq!(Amount::Percent(50).resolve(3, false), 1);
        assert_eq!(Amount::Percent(150).resolve(10, true), 15);
        assert_eq!(Amount::Count(4).resolve(10, true), 4);
    }
}
