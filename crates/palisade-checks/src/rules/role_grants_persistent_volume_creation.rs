use crate::support::rbac::{IGNORE_ROLES, LEFT_TO_WILDCARD_CHECK, Permission, RoleGrantCheck};
use crate::{Check, CheckMeta};
use palisade_model::{Category, Severity};

pub static CHECK: &dyn Check = &RoleGrantCheck {
    meta: &META,
    perms: PVS,
    what: ", which can mount any node directory through a hostPath volume",
    skip_everything: true,
};

const PVS: &[Permission] = &[Permission {
    group: "",
    resource: "persistentvolumes",
    verbs: &["create", "update", "patch"],
}];

static META: CheckMeta = CheckMeta {
    id: "role-grants-persistent-volume-creation",
    title: "Roles should not allow creating PersistentVolumes",
    category: Category::Security,
    severity: Severity::Medium,
    rationale: "A PersistentVolume can be a `hostPath` volume: whoever creates one and claims it \
        mounts any directory of a node into a pod, bypassing Pod Security admission that forbids \
        hostPath volumes in pods.",
    remediation: "Let a storage provisioner create PersistentVolumes from StorageClasses; remove \
        `create`, `update` and `patch` on `persistentvolumes` from user and workload roles.",
    references: &[
        "CIS Kubernetes Benchmark 5.1.9: Minimize access to create persistent volumes",
        "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#persistent-volume-creation",
    ],
    params: &[IGNORE_ROLES],
    aliases: &["kubescape:C-0278"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: LEFT_TO_WILDCARD_CHECK,
};

#[cfg(test)]
mod tests {
    use crate::support::pod::run_json;
    use serde_json::json;

    #[test]
    fn pv_but_not_pvc() {
        let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": "storage"},
            "rules": [{"apiGroups": [""], "resources": ["persistentvolumeclaims"], "verbs": ["create"]},
                      {"apiGroups": [""], "resources": ["persistentvolumes"], "verbs": ["get", "create"]}]});
        let d = run_json(super::CHECK, &[role]);
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("`create` on `persistentvolumes`"));
    }
}
