use crate::support::rbac::{IGNORE_ROLES, LEFT_TO_WILDCARD_CHECK, Permission, RoleGrantCheck};
use crate::{Check, CheckMeta};
use palisade_model::{Category, Severity};

pub static CHECK: &dyn Check = &RoleGrantCheck {
    meta: &META,
    perms: WEBHOOKS,
    what: ", which controls what the API server sends to admission webhooks",
    skip_everything: true,
};

const WRITE: &[&str] = &["create", "update", "patch", "delete", "deletecollection"];

const WEBHOOKS: &[Permission] = &[
    Permission {
        group: "admissionregistration.k8s.io",
        resource: "mutatingwebhookconfigurations",
        verbs: WRITE,
    },
    Permission {
        group: "admissionregistration.k8s.io",
        resource: "validatingwebhookconfigurations",
        verbs: WRITE,
    },
];

static META: CheckMeta = CheckMeta {
    id: "role-grants-webhook-config-control",
    title: "Roles should not control admission webhook configurations",
    category: Category::Security,
    severity: Severity::High,
    rationale: "Admission webhooks see, and mutating ones rewrite, every object sent to the API \
        server, Secrets included. Whoever can create or change a webhook configuration can read \
        all writes, inject containers into any pod, or delete the webhooks that enforce policy.",
    remediation: "Limit write access to `mutatingwebhookconfigurations` and \
        `validatingwebhookconfigurations` to the cluster's administrators and the controllers \
        that own specific webhooks (with `resourceNames`).",
    references: &[
        "CIS Kubernetes Benchmark 5.1.12: Minimize access to webhook configuration objects",
        "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#control-admission-webhooks",
    ],
    params: &[IGNORE_ROLES],
    aliases: &["trivy:KSV114", "kubescape:C-0281", "checkov:CKV_K8S_155"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: LEFT_TO_WILDCARD_CHECK,
};

#[cfg(test)]
mod tests {
    use crate::support::pod::run_json;
    use serde_json::json;

    #[test]
    fn write_verbs_only() {
        let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": "cert-manager-webhook"},
            "rules": [{"apiGroups": ["admissionregistration.k8s.io"], "resources": ["validatingwebhookconfigurations"], "verbs": ["get", "list"]},
                      {"apiGroups": ["admissionregistration.k8s.io"], "resources": ["*"], "verbs": ["patch"]}]});
        let d = run_json(super::CHECK, &[role]);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].path, "/rules/1/resources");
    }
}
