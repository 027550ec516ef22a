use crate::support::caps::entries;
use crate::support::pod::set_op;
use crate::support::rule::ContainerRule;
use crate::support::security_context::ignored_at_pod_level;
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Container, Node, PodSpec, Severity};

pub static CHECK: &dyn Check = &ContainerRule {
    meta: &META,
    field: &FIELD,
    linux_only: true,
    locate: None,
    problem,
    fix: Some(fix),
};

static META: CheckMeta = CheckMeta {
    id: "privilege-escalation-allowed",
    title: "Containers must set allowPrivilegeEscalation: false",
    category: Category::Security,
    severity: Severity::High,
    rationale: "Unless `allowPrivilegeEscalation` is `false`, the kernel's `no_new_privs` flag is \
        not set and a process can gain more privileges than its parent, through setuid binaries \
        or file capabilities. The default is to allow it; privileged containers and containers \
        with CAP_SYS_ADMIN always allow it.",
    remediation: "Set `securityContext.allowPrivilegeEscalation: false` on every container \
        (init and ephemeral included), and drop `privileged: true` and CAP_SYS_ADMIN, which \
        Kubernetes does not allow together with it.",
    references: &[
        "PSS restricted: Privilege Escalation",
        "CIS Kubernetes Benchmark v1.8 5.2.6",
        "NSA/CISA Kubernetes Hardening Guide: Pod security (privilege escalation)",
    ],
    params: &[],
    aliases: &[
        "polaris:privilegeEscalationAllowed",
        "kube-linter:privilege-escalation-container",
        "trivy:KSV001",
        "kubescape:C-0016",
        "checkov:CKV_K8S_20",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "Windows pods (`spec.os.name: windows`) are skipped: the setting does not exist there.",
};

const FIELD: [&str; 2] = ["securityContext", "allowPrivilegeEscalation"];

/// Why escalation is forced on regardless of the field, if it is.
fn forced(c: &Container) -> Option<&'static str> {
    if c.path(&["securityContext", "privileged"])
        .and_then(Node::as_bool)
        == Some(true)
    {
        Some("it is privileged")
    } else if entries(c, "add").any(|e| e.is_any(["SYS_ADMIN", "ALL"])) {
        Some("it adds CAP_SYS_ADMIN")
    } else {
        None
    }
}

fn problem(pod: &PodSpec, c: &Container, _: &Ctx) -> Option<String> {
    let (why, detail) = match (c.path(&FIELD).and_then(Node::as_bool), forced(c)) {
        (_, Some(f)) => ("privilege escalation is always allowed because ", f),
        (Some(false), None) => return None,
        (Some(true), None) => ("allowPrivilegeEscalation is true", ""),
        (None, None) => (
            "allowPrivilegeEscalation is not set to false",
            ignored_at_pod_level(pod, "allowPrivilegeEscalation"),
        ),
    };
    Some(cat!(
        "container `",
        c.name,
        "` allows privilege escalation: ",
        why,
        detail
    ))
}

/// Privileged or CAP_SYS_ADMIN containers cannot take `false`: the API server rejects it.
fn fix(c: &Container, base: &str, _: &Ctx) -> Option<serde_json::Value> {
    forced(c)
        .is_none()
        .then(|| set_op(c.node, base, &FIELD, serde_json::json!(false)))
}

#[cfg(test)]
mod tests {
    use crate::support::pod::{fix_json, run_json};
    use serde_json::json;

    #[test]
    fn unset_true_and_forced() {
        let p = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [
            {"name": "unset"},
            {"name": "ok", "securityContext": {"allowPrivilegeEscalation": false}},
            {"name": "priv", "securityContext": {"privileged": true}},
            {"name": "admin", "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"add": ["SYS_ADMIN"]}}}
        ]}});
        let d = run_json(super::CHECK, std::slice::from_ref(&p));
        let names: Vec<_> = d.iter().filter_map(|d| d.container.clone()).collect();
        assert_eq!(names, ["unset", "priv", "admin"]);
        assert!(d[2].message.contains("CAP_SYS_ADMIN"));
        let fix = fix_json(super::CHECK, &[p]);
        assert_eq!(
            fix,
            vec![
                json!({"op": "add", "path": "/spec/containers/0/securityContext", "value": {"allowPrivilegeEscalation": false}})
            ]
        );
    }
}
