//! Label selectors as Kubernetes evaluates them.

use crate::node::Node;

#[derive(Clone, Debug, PartialEq)]
enum Req {
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

/// A `metav1.LabelSelector` (matchLabels + matchExpressions) or a plain `map[string]string`
/// selector (Service, ReplicationController).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LabelSelector {
    reqs: Vec<Req>,
    /// An invalid operator makes the selector match nothing, as the API server would refuse it.
    invalid: bool,
}

impl LabelSelector {
    /// A `matchLabels`/`matchExpressions` selector. An empty selector matches everything.
    pub fn from_label_selector(node: &Node) -> Self {
        let mut sel = LabelSelector::default();
        if let Some(ml) = node.get("matchLabels") {
            for (k, v) in ml.string_map() {
                sel.reqs.push(Req::In(k.into(), vec![v.into()]));
            }
        }
        for e in node.get("matchExpressions").map(Node::items).unwrap_or(&[]) {
            let key = e
                .get("key")
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_string();
            let values: Vec<String> = e
                .get("values")
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .filter_map(|v| v.scalar_text())
                .collect();
            match e.get("operator").and_then(Node::as_str) {
                Some("In") => sel.reqs.push(Req::In(key, values)),
                Some("NotIn") => sel.reqs.push(Req::NotIn(key, values)),
                Some("Exists") => sel.reqs.push(Req::Exists(key)),
                Some("DoesNotExist") => sel.reqs.push(Req::DoesNotExist(key)),
                _ => sel.invalid = true,
            }
        }
        sel
    }

    /// A plain map selector (`Service.spec.selector`).
    pub fn from_map(node: &Node) -> Self {
        let mut sel = LabelSelector::default();
        for (k, v) in node.string_map() {
            sel.reqs.push(Req::In(k.into(), vec![v.into()]));
        }
        sel
    }

    /// One `key = value` requirement every match must satisfy, if the selector has one (used to
    /// narrow candidates through a label index).
    pub fn first_equality(&self) -> Option<(&str, &str)> {
        if self.invalid {
            return None;
        }
        self.reqs.iter().find_map(|r| match r {
            Req::In(k, vs) if vs.len() == 1 => Some((k.as_str(), vs[0].as_str())),
            _ => None,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.reqs.is_empty() && !self.invalid
    }

    pub fn matches<'a>(&self, labels: impl Iterator<Item = (&'a str, &'a str)> + Clone) -> bool {
        if self.invalid {
            return false;
        }
        let get = |key: &str| labels.clone().find(|(k, _)| *k == key).map(|(_, v)| v);
        self.reqs.iter().all(|r| match r {
            Req::In(k, vs) => get(k).is_some_and(|v| vs.iter().any(|x| x == v)),
            Req::NotIn(k, vs) => get(k).is_none_or(|v| !vs.iter().any(|x| x == v)),
            Req::Exists(k) => get(k).is_some(),
            Req::DoesNotExist(k) => get(k).is_none(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn match_labels_and_expressions() {
        let s = LabelSelector::from_label_selector(&Node::from_json(&serde_json::json!({
            "matchLabels": {"app": "web"},
            "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]},
                                 {"key": "canary", "operator": "DoesNotExist"}]
        })));
        let l = [("app", "web"), ("tier", "b")];
        assert!(s.matches(l.iter().copied()));
        let l = [("app", "web"), ("tier", "c")];
        assert!(!s.matches(l.iter().copied()));
        let l = [("app", "web"), ("tier", "a"), ("canary", "1")];
        assert!(!s.matches(l.iter().copied()));
        assert!(LabelSelector::default().matches([].iter().copied()));
    }
}
