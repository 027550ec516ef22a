use crate::support::rbac::{Permission, RoleGrantCheck};
use crate::{Check, CheckMeta, Param};
use palisade_model::{Category, Severity};

pub static CHECK: &dyn Check = &RoleGrantCheck {
    meta: &META,
    perms: EXEC_ATTACH,
    what: ", which opens a shell in the pods it reaches",
    skip_everything: false,
};

/// `create` opens the exec/attach stream; `get` does too, over a WebSocket upgrade.
pub(crate) const EXEC_ATTACH: &[Permission] = &[
    Permission {
        group: "",
        resource: "pods/exec",
        verbs: &["create", "get"],
    },
    Permission {
        group: "",
        resource: "pods/attach",
        verbs: &["create", "get"],
    },
];

static META: CheckMeta = CheckMeta {
    id: "role-grants-pod-exec",
    title: "Roles should not allow pods/exec or pods/attach",
    category: Category::Security,
    severity: Severity::High,
    rationale: "`pods/exec` and `pods/attach` give a shell or the console of any container the role \
        reaches: whoever holds them can read the container's secrets and tokens, and act with the \
        pod's ServiceAccount and privileges. Both are granted by `create`, and also by `get` (a \
        WebSocket upgrade), and by wildcards on API groups, resources or verbs.",
    remediation: "Remove `pods/exec` and `pods/attach` (and `*`, `pods/*`) from the rule's \
        resources, or limit the role to read-only verbs such as `list`; grant interactive access \
        through a separate, narrowly bound role for break-glass use.",
    references: &[
        "Kubernetes RBAC good practices: exec and attach (https://kubernetes.io/docs/concepts/security/rbac-good-practices/)",
        "NSA/CISA Kubernetes Hardening Guide: Authentication and authorization (least privilege)",
        "https://kubernetes.io/docs/concepts/security/rbac-good-practices/",
    ],
    params: &[Param {
        name: "ignore-roles",
        description: "Role names (or `prefix*`) not checked: the control plane's own and the \
            default user-facing ClusterRoles.",
        default: r#"["system:*", "cluster-admin", "admin", "edit", "gce:podsecuritypolicy:calico-sa"]"#,
    }],
    aliases: &[
        "polaris:clusterrolePodExecAttach",
        "polaris:rolePodExecAttach",
        "trivy:KSV053",
        "trivy:KSV054",
        "kubescape:C-0002",
        "checkov:CKV2_K8S_2",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

#[cfg(test)]
mod tests {
    use crate::support::pod::run_json;
    use serde_json::json;

    fn role(rules: serde_json::Value) -> serde_json::Value {
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
               "metadata": {"name": "ops"}, "rules": rules})
    }

    #[test]
    fn flags_exec_and_attach_with_risky_verbs_only() {
        let d = run_json(
            super::CHECK,
            &[role(json!([
                {"apiGroups": [""], "resources": ["pods/attach"], "verbs": ["get"]},
                {"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["list"]},
                {"apiGroups": ["*"], "resources": ["*"], "verbs": ["create"]}
            ]))],
        );
        assert_eq!(d.len(), 2);
        assert!(d[0].message.contains("`get` on `pods/attach`"));
        assert_eq!(d[1].path, "/rules/2/resources");
    }

    #[test]
    fn default_roles_are_ignored() {
        let mut r = role(json!([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]));
        r["metadata"]["name"] = json!("system:controller:x");
        assert!(run_json(super::CHECK, &[r]).is_empty());
    }
}
