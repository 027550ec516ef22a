use crate::support::network::{isolation_of, labels_site, pods_of};
use crate::support::pod::pod_of;
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Object, Severity};

pub struct PodNetworkIsolationIncomplete;

pub static CHECK: &dyn Check = &PodNetworkIsolationIncomplete;

static META: CheckMeta = CheckMeta {
    id: "pod-network-isolation-incomplete",
    title: "NetworkPolicies should restrict both ingress and egress",
    category: Category::Security,
    severity: Severity::Low,
    rationale: "A pod is isolated separately for each direction: a policy that only lists \
        `Ingress` (the default when `policyTypes` is omitted and no `egress` is written) leaves \
        every outbound connection open, so a compromised pod can still reach other services, the \
        cloud metadata endpoint and the internet, and exfiltrate data.",
    remediation: "Add `Egress` (or `Ingress`) to the `policyTypes` of a policy selecting the pod, \
        with rules for the traffic it needs (for egress, usually DNS plus named services), or add \
        a namespace-wide default-deny for that direction.",
    references: &[
        "NSA/CISA Kubernetes Hardening Guide: Network policies (default-deny ingress and egress)",
        "https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies",
    ],
    params: &[],
    aliases: &[
        "kube-score:pod-networkpolicy",
        "polaris:missingNetworkPolicy",
        "kubescape:C-0030",
    ],
    enabled_by_default: true,
    cross_object: true,
    assumptions: "Pods no policy selects at all are reported by \
        `pod-not-covered-by-network-policy` instead. A direction counts as restricted when a \
        selecting policy lists it in `policyTypes`, even with no rules (deny all), unlike Polaris, \
        which also wants rules in both directions. Policies applied outside the scan are not seen.",
};

impl Check for PodNetworkIsolationIncomplete {
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
        let Some(iso) = isolation_of(ctx, &pod).filter(|i| i.selected) else {
            return;
        };
        let open = match (iso.ingress, iso.egress) {
            (true, true) => return,
            (true, false) => "egress",
            (false, true) => "ingress",
            (false, false) => "ingress and egress",
        };
        let (pos, path) = labels_site(&pod);
        out.push(
            Diagnostic::new(
                cat!(
                    "the NetworkPolicies selecting ",
                    pods_of(obj),
                    " do not restrict ",
                    open,
                    ": all ",
                    open,
                    " traffic is allowed"
                ),
                pos,
            )
            .at_path(path),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::support::pod::run_json;
    use serde_json::json;

    fn np(spec: serde_json::Value) -> serde_json::Value {
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
               "metadata": {"name": "p"}, "spec": spec})
    }
    fn pod() -> serde_json::Value {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"app": "a"}},
               "spec": {"containers": [{"name": "c", "image": "x:1"}]}})
    }

    #[test]
    fn directions_follow_policy_types_defaults() {
        let only_ingress = np(json!({"podSelector": {"matchLabels": {"app": "a"}}}));
        let d = run_json(super::CHECK, &[only_ingress, pod()]);
        assert!(
            d[0].message.contains("do not restrict egress"),
            "{}",
            d[0].message
        );
        // An egress section without policyTypes implies both directions.
        let both = np(json!({"podSelector": {}, "egress": [{"to": [{"podSelector": {}}]}]}));
        assert!(run_json(super::CHECK, &[both, pod()]).is_empty());
        let egress_only = np(json!({"podSelector": {}, "policyTypes": ["Egress"]}));
        let d = run_json(super::CHECK, &[egress_only, pod()]);
        assert!(d[0].message.contains("do not restrict ingress"));
        // Not selected at all: the other check's finding.
        assert!(run_json(super::CHECK, &[pod()]).is_empty());
    }
}
