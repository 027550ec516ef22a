use crate::support::container_diag;
use crate::support::pod::{pod_diag, pod_of};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct SecurityContextMissing;

pub static CHECK: &dyn Check = &SecurityContextMissing;

static META: CheckMeta = CheckMeta {
    id: "security-context-missing",
    title: "Pods and containers should set a securityContext",
    category: Category::Security,
    severity: Severity::Low,
    rationale: "A pod or container without a `securityContext` runs with every default: as the \
        image's user (often root), with privilege escalation allowed, the runtime's capability \
        set and a writable root filesystem. An explicit security context documents the intended \
        privileges.",
    remediation: "Add a `securityContext` to the pod (`runAsNonRoot`, `runAsUser`, `fsGroup`, \
        `seccompProfile`) and to every container (`allowPrivilegeEscalation: false`, \
        `readOnlyRootFilesystem: true`, `capabilities.drop: [ALL]`).",
    references: &[
        "CIS Kubernetes Benchmark v1.8 5.7.3",
        "NSA/CISA Kubernetes Hardening Guide: Pod security",
    ],
    params: &[],
    aliases: &[
        "trivy:KSV118",
        "kubescape:C-0211",
        "checkov:CKV_K8S_29",
        "checkov:CKV_K8S_30",
    ],
    // The specific checks (run-as-non-root, privilege escalation, …) say what is missing.
    enabled_by_default: false,
    cross_object: false,
    assumptions: "",
};

fn unset(n: Option<&Node>) -> bool {
    n.and_then(Node::as_map).is_none_or(|m| m.is_empty())
}

impl Check for SecurityContextMissing {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pods_only(&self) -> bool {
        true
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some(pod) = pod_of(obj, ctx) else { return };
        if unset(pod.get("securityContext")) {
            out.push(pod_diag(
                &pod,
                &["securityContext"],
                "pod sets no securityContext".to_string(),
            ));
        }
        for c in pod.all_containers() {
            if unset(c.get("securityContext")) {
                out.push(container_diag(
                    &pod,
                    &c,
                    &["securityContext"],
                    format!("container `{}` sets no securityContext", c.name),
                ));
            }
        }
    }
}
