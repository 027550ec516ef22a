//! Pod placement: anti-affinity terms and topology spread constraints.

use palisade_model::{LabelSelector, Node, PodSpec};

/// The pod anti-affinity terms of a pod spec, required and preferred alike.
pub fn anti_affinity_terms<'a>(pod: &PodSpec<'a>) -> Vec<&'a Node> {
    let Some(anti) = pod.spec.path(&["affinity", "podAntiAffinity"]) else {
        return Vec::new();
    };
    let mut terms: Vec<&Node> = anti
        .get("requiredDuringSchedulingIgnoredDuringExecution")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .collect();
    terms.extend(
        anti.get("preferredDuringSchedulingIgnoredDuringExecution")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(|p| p.get("podAffinityTerm")),
    );
    terms
}

/// Whether a term or constraint's `labelSelector` selects the pod's own labels.
pub fn selects_own_pods(pod: &PodSpec, term: &Node) -> bool {
    term.get("labelSelector")
        .filter(|s| !s.is_null())
        .is_some_and(|s| LabelSelector::from_label_selector(s).matches(pod.labels()))
}

/// The namespaces a pod-affinity term applies to: `None` for "the pod's own" (no
/// `namespaces` and no `namespaceSelector`), `Some(list)` otherwise; a `namespaceSelector`
/// (possibly matching anything) is treated as covering the pod's namespace.
pub fn term_covers_namespace(term: &Node, ns: &str) -> bool {
    if term.get("namespaceSelector").is_some_and(|n| !n.is_null()) {
        return true;
    }
    let list = term.get("namespaces").map(Node::items).unwrap_or(&[]);
    list.is_empty() || list.iter().any(|n| n.as_str() == Some(ns))
}

/// The pod's topology spread constraints.
pub fn spread_constraints<'a>(pod: &PodSpec<'a>) -> &'a [Node] {
    pod.spec
        .get("topologySpreadConstraints")
        .map(Node::items)
        .unwrap_or(&[])
}
