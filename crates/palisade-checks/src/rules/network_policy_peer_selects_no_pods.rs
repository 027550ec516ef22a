use crate::support::network::selector_text;
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, LabelSelector, Node, Object, Severity};

pub struct NetworkPolicyPeerSelectsNoPods;

pub static CHECK: &dyn Check = &NetworkPolicyPeerSelectsNoPods;

static META: CheckMeta = CheckMeta {
    id: "network-policy-peer-selects-no-pods",
    title: "NetworkPolicy rule peers should select existing pods",
    category: Category::Reliability,
    severity: Severity::Low,
    rationale: "A `from` or `to` peer whose `podSelector` matches no pod in the namespace allows \
        nothing: the traffic the rule was written for is dropped, usually because a label changed \
        on the other side.",
    remediation: "Make the peer's `podSelector` match the labels of the pods that should be \
        allowed, or remove the peer.",
    references: &[
        "https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors",
    ],
    params: &[],
    aliases: &["kube-linter:dangling-networkpolicypeer-podselector"],
    enabled_by_default: true,
    cross_object: true,
    assumptions: "Only peers with a `podSelector` and no \
        `namespaceSelector` are judged (the others reach namespaces the scan may not hold). The \
        peer pods are expected in the same scan, as kube-linter assumes. Empty pod selectors \
        (every pod) are not reported.",
};

impl Check for NetworkPolicyPeerSelectsNoPods {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        if obj.kind() != "NetworkPolicy" {
            return;
        }
        let ns = obj.effective_namespace();
        let spec = obj.root.get("spec").unwrap_or(Node::null());
        for (dir, peers_key) in [("ingress", "from"), ("egress", "to")] {
            let rules = spec.get(dir).map(Node::items).unwrap_or(&[]);
            for (ri, rule) in rules.iter().enumerate() {
                let peers = rule.get(peers_key).map(Node::items).unwrap_or(&[]);
                for (pi, peer) in peers.iter().enumerate() {
                    let Some(ps) = peer.get("podSelector").filter(|n| !n.is_null()) else {
                        continue;
                    };
                    if peer.get("namespaceSelector").is_some_and(|n| !n.is_null()) {
                        continue;
                    }
                    let sel = LabelSelector::from_label_selector(ps);
                    if sel.is_empty() || ctx.index.pods_selected(ns, &sel).next().is_some() {
                        continue;
                    }
                    out.push(
                        Diagnostic::new(
                            format!(
                                "NetworkPolicy `{}` {dir} rule {ri} allows pods matching {} but no workload in namespace `{}` has those labels",
                                obj.name(),
                                selector_text(ps),
                                ns.unwrap_or("default")
                            ),
                            peer.key_pos("podSelector"),
                        )
                        .at_path(format!("/spec/{dir}/{ri}/{peers_key}/{pi}/podSelector")),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::support::pod::run_json;
    use serde_json::json;

    #[test]
    fn peers_in_both_directions() {
        let np = json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "db"},
            "spec": {"podSelector": {"matchLabels": {"app": "db"}},
                     "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}},
                                           {"podSelector": {"matchLabels": {"app": "gone"}}},
                                           {"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": "x"}}}]}],
                     "egress": [{"to": [{"podSelector": {"matchLabels": {"app": "cache"}}}]}]}});
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "w", "labels": {"app": "web"}},
                         "spec": {"containers": []}});
        let d = run_json(super::CHECK, &[np, pod]);
        let paths: Vec<_> = d.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "/spec/ingress/0/from/1/podSelector",
                "/spec/egress/0/to/0/podSelector"
            ]
        );
        assert!(d[0].message.contains("app=gone"), "{}", d[0].message);
    }
}
