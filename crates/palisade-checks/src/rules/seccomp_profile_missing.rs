use crate::support::pod::{pod_of, set_op};
use crate::support::security_context::{is_windows, profile_diag, seccomp};
use crate::support::{container_diag, pod_spec_path};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Object, Severity};

pub struct SeccompProfileMissing;

pub static CHECK: &dyn Check = &SeccompProfileMissing;

static META: CheckMeta = CheckMeta {
    id: "seccomp-profile-missing",
    title: "Containers should run with the RuntimeDefault (or a Localhost) seccomp profile",
    category: Category::Security,
    severity: Severity::Low,
    rationale: "Without an explicit seccomp profile, container runtimes on most clusters run the \
        container unconfined (the kubelet's `SeccompDefault` is off by default), so any system \
        call is allowed. The runtime's default profile blocks the dangerous ones at no cost for \
        almost every application.",
    remediation: "Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod (it then \
        applies to every container) or on each container.",
    references: &[
        "PSS restricted: Seccomp",
        "CIS Kubernetes Benchmark v1.8 5.7.2",
        "NSA/CISA Kubernetes Hardening Guide: Pod security (seccomp)",
    ],
    params: &[],
    aliases: &[
        "kube-score:container-seccomp-profile",
        "trivy:KSV030",
        "kubescape:C-0210",
        "checkov:CKV_K8S_31",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "Windows pods (`spec.os.name: windows`) are skipped. An explicit `Unconfined` \
        profile is reported by `seccomp-unconfined` instead.",
};

impl Check for SeccompProfileMissing {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pods_only(&self) -> bool {
        true
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some(pod) = pod_of(obj, ctx) else { return };
        if is_windows(&pod) {
            return;
        }
        for c in pod.all_containers() {
            match seccomp(&pod, &c) {
                None => out.push(container_diag(
                    &pod,
                    &c,
                    &["securityContext", "seccompProfile"],
                    cat!(
                        "container `",
                        c.name,
                        "` has no seccomp profile (neither the container nor the pod sets seccompProfile)"
                    ),
                )),
                Some(p) if !p.confines() && p.kind != "Unconfined" => out.push(profile_diag(
                    &pod,
                    &c,
                    &p,
                    "seccompProfile",
                    format!(
                        "container `{}` has an unknown seccomp profile type `{}`",
                        c.name, p.kind
                    ),
                )),
                Some(_) => {}
            }
        }
    }

    fn fix(&self, obj: &Object, ctx: &Ctx) -> Vec<serde_json::Value> {
        let Some(pod) = pod_of(obj, ctx) else {
            return Vec::new();
        };
        if is_windows(&pod) || pod.all_containers().all(|c| seccomp(&pod, &c).is_some()) {
            return Vec::new();
        }
        // A pod-level profile covers every container that sets none of its own.
        vec![set_op(
            pod.spec,
            pod_spec_path(&pod),
            &["securityContext", "seccompProfile"],
            serde_json::json!({"type": "RuntimeDefault"}),
        )]
    }
}
