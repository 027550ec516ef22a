use crate::support::workloads::{describe, field_diag};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct SccPrivilegedContainer;

pub static CHECK: &dyn Check = &SccPrivilegedContainer;

static META: CheckMeta = CheckMeta {
    id: "scc-privileged-container",
    title: "OpenShift SecurityContextConstraints must not allow privileged containers",
    category: Category::Security,
    severity: Severity::High,
    rationale: "A SecurityContextConstraints with `allowPrivilegedContainer: true` lets every \
        service account it is granted to run privileged containers, which have full access to \
        the node's devices and kernel: a container escape becomes trivial.",
    remediation: "Set `allowPrivilegedContainer: false` and grant only the capabilities the \
        workload needs through `allowedCapabilities`.",
    references: &[
        "https://docs.openshift.com/container-platform/latest/authentication/managing-security-context-constraints.html",
        "NSA/CISA Kubernetes Hardening Guide: Pod security",
    ],
    params: &[],
    aliases: &["kube-linter:scc-deny-privileged-container"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

fn allows(obj: &Object) -> bool {
    obj.kind() == "SecurityContextConstraints"
        && obj
            .root
            .get("allowPrivilegedContainer")
            .and_then(Node::as_bool)
            == Some(true)
}

impl Check for SccPrivilegedContainer {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, _ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        if allows(obj) {
            out.push(field_diag(
                obj,
                &["allowPrivilegedContainer"],
                format!("{} sets allowPrivilegedContainer: true", describe(obj)),
            ));
        }
    }

    /// Turning the flag off needs no invented value.
    fn fix(&self, obj: &Object, _ctx: &Ctx) -> Vec<serde_json::Value> {
        if !allows(obj) {
            return Vec::new();
        }
        vec![
            serde_json::json!({"op": "replace", "path": "/allowPrivilegedContainer", "value": false}),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::pod::{fix_json, run_json};

    #[test]
    fn fix_turns_the_flag_off() {
        let scc = [serde_json::json!({"apiVersion": "security.openshift.io/v1",
            "kind": "SecurityContextConstraints", "metadata": {"name": "p"},
            "allowPrivilegedContainer": true})];
        let out = run_json(CHECK, &scc);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].path, "/allowPrivilegedContainer");
        assert_eq!(
            fix_json(CHECK, &scc),
            vec![
                serde_json::json!({"op": "replace", "path": "/allowPrivilegedContainer", "value": false})
            ]
        );
    }
}
