use crate::support::flags::PodFlag;
use crate::{Check, CheckMeta};
use palisade_model::{Category, Severity};

pub static CHECK: &dyn Check = &PodFlag {
    meta: &META,
    field: "hostNetwork",
    effect: "shares the host's network namespace",
};

static META: CheckMeta = CheckMeta {
    id: "host-network",
    title: "Pods must not use the host network",
    category: Category::Security,
    severity: Severity::High,
    rationale: "With `hostNetwork: true` the pod sees every network interface of the node: it can \
        sniff traffic of other pods, reach services bound to the node's loopback (kubelet, \
        metadata endpoints) and bypass NetworkPolicies.",
    remediation: "Remove `hostNetwork: true` from the pod spec; expose the workload through a \
        Service (and a `hostPort`-free container port) instead.",
    references: &[
        "PSS baseline: Host Namespaces",
        "CIS Kubernetes Benchmark v1.8 5.2.5",
        "NSA/CISA Kubernetes Hardening Guide: Pod security (host namespaces)",
    ],
    params: &[],
    aliases: &[
        "polaris:hostNetworkSet",
        "kube-linter:host-network",
        "trivy:KSV009",
        "kubescape:C-0041",
        "checkov:CKV_K8S_19",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

#[cfg(test)]
mod tests {
    use crate::support::pod::{fix_json, run_json};
    use serde_json::json;

    #[test]
    fn flags_true_only() {
        let bad = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"hostNetwork": true, "containers": [{"name": "a"}]}});
        let good = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"hostNetwork": false, "containers": [{"name": "a"}]}});
        let d = run_json(super::CHECK, &[bad.clone(), good]);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].path, "/spec/hostNetwork");
        assert_eq!(
            fix_json(super::CHECK, &[bad]),
            vec![json!({"op": "remove", "path": "/spec/hostNetwork"})]
        );
    }
}
