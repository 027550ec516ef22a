use crate::support::rbac::{IGNORE_ROLES, LEFT_TO_WILDCARD_CHECK, Permission, RoleGrantCheck};
use crate::{Check, CheckMeta};
use palisade_model::{Category, Severity};

pub static CHECK: &dyn Check = &RoleGrantCheck {
    meta: &META,
    perms: SERVICE_STATUS,
    what: ", which can point a LoadBalancer Service at any address (CVE-2020-8554)",
    skip_everything: true,
};

const SERVICE_STATUS: &[Permission] = &[Permission {
    group: "",
    resource: "services/status",
    verbs: &["update", "patch"],
}];

static META: CheckMeta = CheckMeta {
    id: "role-grants-service-status-update",
    title: "Roles should not allow updating the status of Services",
    category: Category::Security,
    severity: Severity::Medium,
    rationale: "Whoever can write `services/status` can set `status.loadBalancer.ingress[].ip` \
        of a LoadBalancer Service to any address; kube-proxy then captures the cluster's traffic \
        to that address and sends it to the attacker's pods (CVE-2020-8554, not fixed in \
        Kubernetes). Only the cloud controller should write it.",
    remediation: "Remove `update` and `patch` on `services/status` (and `services/*`, `*`) from \
        every role but the cloud or load-balancer controller's.",
    references: &[
        "CVE-2020-8554: Man in the middle using LoadBalancer or ExternalIPs",
        "https://github.com/kubernetes/kubernetes/issues/97076",
    ],
    params: &[IGNORE_ROLES],
    aliases: &["checkov:CKV2_K8S_4"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: LEFT_TO_WILDCARD_CHECK,
};

#[cfg(test)]
mod tests {
    use crate::support::pod::run_json;
    use serde_json::json;

    #[test]
    fn status_subresource_only() {
        let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": "lb"},
            "rules": [{"apiGroups": [""], "resources": ["services"], "verbs": ["update", "patch"]},
                      {"apiGroups": [""], "resources": ["services/status"], "verbs": ["patch"]}]});
        let d = run_json(super::CHECK, &[role]);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].path, "/rules/1/resources");
    }
}
