use crate::support::rbac::{IGNORE_ROLES, LEFT_TO_WILDCARD_CHECK, Permission, RoleGrantCheck};
use crate::{Check, CheckMeta};
use palisade_model::{Category, Severity};

pub static CHECK: &dyn Check = &RoleGrantCheck {
    meta: &META,
    perms: EVENTS,
    what: ", which can erase the record of what happened in the cluster",
    skip_everything: true,
};

const DELETE: &[&str] = &["delete", "deletecollection"];

const EVENTS: &[Permission] = &[
    Permission {
        group: "",
        resource: "events",
        verbs: DELETE,
    },
    Permission {
        group: "events.k8s.io",
        resource: "events",
        verbs: DELETE,
    },
];

static META: CheckMeta = CheckMeta {
    id: "role-grants-event-deletion",
    title: "Roles should not allow deleting Events",
    category: Category::Security,
    severity: Severity::Low,
    rationale: "Events record scheduling, image pulls, restarts and failures; an attacker who can \
        delete them removes the traces of what they did (MITRE ATT&CK for containers: defense \
        evasion). No workload needs to delete Events.",
    remediation: "Remove `delete` and `deletecollection` on `events` (core and \
        `events.k8s.io`) from the role.",
    references: &[
        "Kubescape C-0031: Delete Kubernetes events (MITRE ATT&CK: defense evasion)",
        "https://kubernetes.io/docs/reference/kubernetes-api/cluster-resources/event-v1/",
    ],
    params: &[IGNORE_ROLES],
    aliases: &["kubescape:C-0031"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: LEFT_TO_WILDCARD_CHECK,
};

#[cfg(test)]
mod tests {
    use crate::support::pod::run_json;
    use serde_json::json;

    #[test]
    fn both_event_groups() {
        let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": {"name": "r", "namespace": "n"},
            "rules": [{"apiGroups": [""], "resources": ["events"], "verbs": ["get", "create"]},
                      {"apiGroups": ["events.k8s.io"], "resources": ["events"], "verbs": ["deletecollection"]}]});
        let d = run_json(super::CHECK, &[role]);
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("`deletecollection` on `events`"));
    }
}
