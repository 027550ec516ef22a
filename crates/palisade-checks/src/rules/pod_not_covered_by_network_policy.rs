use crate::support::network::{isolation_of, labels_site, pods_of};
use crate::support::pod::pod_of;
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Object, Severity};

pub struct PodNotCoveredByNetworkPolicy;

pub static CHECK: &dyn Check = &PodNotCoveredByNetworkPolicy;

static META: CheckMeta = CheckMeta {
    id: "pod-not-covered-by-network-policy",
    title: "Pods should be selected by a NetworkPolicy",
    category: Category::Security,
    severity: Severity::Medium,
    rationale: "A pod that no NetworkPolicy selects accepts connections from every pod in the \
        cluster and may connect anywhere: one compromised workload can reach it, and it can \
        reach databases, the cloud metadata service and the internet. Selecting it with a \
        policy (even a namespace-wide default-deny) makes allowed traffic explicit.",
    remediation: "Add a NetworkPolicy in the pod's namespace whose `podSelector` matches the \
        pod's labels, with `policyTypes: [Ingress, Egress]` and rules for the traffic it needs, \
        or a default-deny policy with `podSelector: {}` plus policies that allow the needed flows.",
    references: &[
        "CIS Kubernetes Benchmark 5.3.2: Ensure that all Namespaces have NetworkPolicies defined",
        "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening",
        "https://kubernetes.io/docs/concepts/services-networking/network-policies/",
    ],
    params: &[],
    aliases: &[
        "kube-linter:non-isolated-pod",
        "kube-score:pod-networkpolicy",
        "polaris:missingNetworkPolicy",
        "trivy:KSV038",
        "kubescape:C-0260",
        "checkov:CKV2_K8S_6",
    ],
    enabled_by_default: true,
    cross_object: true,
    assumptions: "NetworkPolicies are expected in the scanned manifests: a policy applied \
        separately (by a platform team, or a cluster-wide policy of a CNI such as Calico or \
        Cilium) is not seen. Pods with `hostNetwork: true` are skipped, as NetworkPolicies do not \
        apply to them.",
};

impl Check for PodNotCoveredByNetworkPolicy {
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
        if isolation_of(ctx, &pod).is_none_or(|iso| iso.selected) {
            return;
        }
        let (pos, path) = labels_site(&pod);
        out.push(
            Diagnostic::new(
                format!(
                    "no NetworkPolicy in namespace `{}` selects {}: all ingress and egress traffic is allowed",
                    obj.effective_namespace().unwrap_or("default"),
                    pods_of(obj)
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

    fn deploy(ns: &str, app: &str) -> serde_json::Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": app, "namespace": ns},
               "spec": {"template": {"metadata": {"labels": {"app": app}},
                        "spec": {"containers": [{"name": "c", "image": "x:1"}]}}}})
    }

    #[test]
    fn selection_is_per_namespace() {
        let np = json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "web", "namespace": "a"},
            "spec": {"podSelector": {"matchLabels": {"app": "web"}}}});
        let d = run_json(
            super::CHECK,
            &[
                np,
                deploy("a", "web"),
                deploy("b", "web"),
                deploy("a", "db"),
            ],
        );
        assert_eq!(d.len(), 2);
        assert!(d[0].message.contains("namespace `b`"));
        assert_eq!(d[1].path, "/spec/template/metadata/labels");
    }

    #[test]
    fn default_deny_covers_everything() {
        let np = json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "deny", "namespace": "a"}, "spec": {"podSelector": {}}});
        assert!(run_json(super::CHECK, &[np, deploy("a", "web")]).is_empty());
    }
}
