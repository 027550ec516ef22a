use crate::support::rbac::{IGNORE_ROLES, LEFT_TO_WILDCARD_CHECK, Permission, RoleGrantCheck};
use crate::{Check, CheckMeta};
use palisade_model::{Category, Severity};

pub static CHECK: &dyn Check = &RoleGrantCheck {
    meta: &META,
    perms: NODE_PROXY,
    what: ", which reaches the kubelet API of every node",
    skip_everything: true,
};

pub(crate) const NODE_PROXY: &[Permission] = &[Permission {
    group: "",
    resource: "nodes/proxy",
    verbs: &["get", "create"],
}];

static META: CheckMeta = CheckMeta {
    id: "role-grants-node-proxy",
    title: "Roles should not grant access to nodes/proxy",
    category: Category::Security,
    severity: Severity::High,
    rationale: "`nodes/proxy` reaches the kubelet API of every node directly: it can run \
        commands in any pod on the node and bypasses audit logging and admission control.",
    remediation: "Remove `nodes/proxy` (and `nodes/*`, `*`) from the role; monitoring agents \
        that scrape the kubelet need only `nodes/metrics` or `nodes/stats`.",
    references: &[
        "CIS Kubernetes Benchmark 5.1.10: Minimize access to the proxy sub-resource of nodes",
        "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#access-to-proxy-subresource-of-nodes",
    ],
    params: &[IGNORE_ROLES],
    aliases: &["trivy:KSV047", "kubescape:C-0279", "checkov:CKV2_K8S_2"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: LEFT_TO_WILDCARD_CHECK,
};

#[cfg(test)]
mod tests {
    use crate::support::pod::run_json;
    use serde_json::json;

    #[test]
    fn node_proxy_but_not_metrics() {
        let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": "scraper"},
            "rules": [{"apiGroups": [""], "resources": ["nodes/metrics", "nodes/stats"], "verbs": ["get"]},
                      {"apiGroups": [""], "resources": ["nodes/*"], "verbs": ["get"]}]});
        let d = run_json(super::CHECK, &[role]);
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("rule 1"));
    }
}
