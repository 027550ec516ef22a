//! Constraint `spec.match` as Gatekeeper applies it, and VAP `matchResources` as the API server does.

use crate::review::Review;
use palisade_model::{Index, LabelSelector, Node};

/// Gatekeeper's wildcard: `pre*`, `*suf`, `*mid*` or an exact name.
pub fn wildcard(pattern: &str, candidate: &str) -> bool {
    let starts = pattern.starts_with('*');
    let ends = pattern.len() > 1 && pattern.ends_with('*') || pattern == "*";
    let core = pattern.trim_start_matches('*').trim_end_matches('*');
    match (starts, ends) {
        _ if pattern == "*" => true,
        (true, true) => candidate.contains(core),
        (true, false) => candidate.ends_with(core),
        (false, true) => candidate.starts_with(core),
        (false, false) => pattern == candidate,
    }
}

fn strings(n: Option<&Node>) -> Vec<&str> {
    n.map(Node::items)
        .unwrap_or(&[])
        .iter()
        .filter_map(Node::as_str)
        .collect()
}

fn labels(n: &Node) -> impl Iterator<Item = (&str, &str)> + Clone {
    n.path(&["metadata", "labels"])
        .unwrap_or(Node::null())
        .string_map()
}

/// Where the namespace of a review comes from (the scan's objects, or a suite's inventory).
pub trait Namespaces {
    fn namespace(&self, name: &str) -> Option<&Node>;
}

impl Namespaces for Index<'_> {
    fn namespace(&self, name: &str) -> Option<&Node> {
        Index::namespace(self, name).map(|o| &o.root)
    }
}

/// A parsed Gatekeeper `spec.match`.
#[derive(Clone, Debug, Default)]
pub struct Match {
    kinds: Vec<(Vec<String>, Vec<String>)>,
    namespaces: Vec<String>,
    excluded_namespaces: Vec<String>,
    scope: String,
    name: Option<String>,
    label_selector: Option<LabelSelector>,
    namespace_selector: Option<LabelSelector>,
}

impl Match {
    pub fn parse(m: Option<&Node>) -> Match {
        let Some(m) = m else {
            return Match::default();
        };
        let own = |v: Vec<&str>| v.into_iter().map(String::from).collect::<Vec<_>>();
        Match {
            kinds: m
                .get("kinds")
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .map(|k| {
                    (
                        own(strings(k.get("apiGroups"))),
                        own(strings(k.get("kinds"))),
                    )
                })
                .collect(),
            namespaces: own(strings(m.get("namespaces"))),
            excluded_namespaces: own(strings(m.get("excludedNamespaces"))),
            scope: m
                .get("scope")
                .and_then(Node::as_str)
                .unwrap_or("*")
                .to_string(),
            name: m.get("name").and_then(Node::as_str).map(String::from),
            label_selector: m
                .get("labelSelector")
                .map(LabelSelector::from_label_selector),
            namespace_selector: m
                .get("namespaceSelector")
                .map(LabelSelector::from_label_selector),
        }
    }

    /// Whether the constraint applies to the review. For UPDATE, Gatekeeper matches when either
    /// the new or the old object matches the label selector.
    pub fn matches(&self, r: &Review, nss: &dyn Namespaces) -> bool {
        let contains = |list: &[String], v: &str| list.iter().any(|x| x == "*" || x == v);
        if !self.kinds.is_empty()
            && !self.kinds.iter().any(|(groups, kinds)| {
                (kinds.is_empty() || contains(kinds, &r.gvk.kind))
                    && (groups.is_empty() || contains(groups, &r.gvk.group))
            })
        {
            return false;
        }
        let is_namespace = r.gvk.kind == "Namespace" && r.gvk.group.is_empty();
        let cluster_scoped = r.namespace.is_empty();
        match self.scope.as_str() {
            "Cluster" if !cluster_scoped => return false,
            "Namespaced" if cluster_scoped => return false,
            _ => {}
        }
        let ns = if is_namespace {
            r.name.as_str()
        } else {
            r.namespace.as_str()
        };
        let applies_ns = is_namespace || !cluster_scoped;
        if applies_ns
            && !self.namespaces.is_empty()
            && !self.namespaces.iter().any(|p| wildcard(p, ns))
        {
            return false;
        }
        if applies_ns && self.excluded_namespaces.iter().any(|p| wildcard(p, ns)) {
            return false;
        }
        if let Some(n) = &self.name
            && !wildcard(n, &r.name)
        {
            return false;
        }
        if let Some(sel) = &self.label_selector {
            let objs = [r.object, r.request.old_object.as_ref()];
            if !objs.iter().flatten().any(|o| sel.matches(labels(o))) {
                return false;
            }
        }
        if let Some(sel) = &self.namespace_selector {
            if is_namespace {
                let objs = [r.object, r.request.old_object.as_ref()];
                if !objs.iter().flatten().any(|o| sel.matches(labels(o))) {
                    return false;
                }
            } else if !cluster_scoped {
                match nss.namespace(&r.namespace) {
                    Some(n) => {
                        if !sel.matches(labels(n)) {
                            return false;
                        }
                    }
                    // Offline we cannot see a namespace we were not given: only an empty
                    // selector can match it.
                    None => {
                        if !sel.is_empty() {
                            return false;
                        }
                    }
                }
            }
        }
        true
    }
}

/// The plural lowercase resource name the API server would use for a kind (its RESTMapper guess).
pub fn resource_of(kind: &str) -> String {
    let k = kind.to_ascii_lowercase();
    match k.as_str() {
        "endpoints" | "podsecuritypolicies" => return k,
        _ => {}
    }
    if k.ends_with('s') || k.ends_with("ch") || k.ends_with("sh") || k.ends_with('x') {
        format!("{k}es")
    } else if let Some(stem) = k.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'i', 'o', 'u'])
    {
        format!("{stem}ies")
    } else {
        format!("{k}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard("kube-*", "kube-system"));
        assert!(wildcard("*-system", "kube-system"));
        assert!(wildcard("*be-sys*", "kube-system"));
        assert!(wildcard("*", "x"));
        assert!(!wildcard("kube", "kube-system"));
    }

    #[test]
    fn resources() {
        assert_eq!(resource_of("Pod"), "pods");
        assert_eq!(resource_of("Ingress"), "ingresses");
        assert_eq!(resource_of("NetworkPolicy"), "networkpolicies");
        assert_eq!(resource_of("Gateway"), "gateways");
        assert_eq!(resource_of("Endpoints"), "endpoints");
    }
}
