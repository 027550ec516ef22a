use crate::support::caps::{cap_diag, entries};
use crate::support::pod::pod_of;
use crate::support::security_context::is_windows;
use crate::{Check, CheckMeta, Ctx, Param};
use palisade_model::{Category, Diagnostic, Object, Severity};

pub struct CapabilitiesBeyondBaseline;

pub static CHECK: &dyn Check = &CapabilitiesBeyondBaseline;

static META: CheckMeta = CheckMeta {
    id: "capabilities-beyond-baseline",
    title: "Containers must not add capabilities beyond the runtime's default set",
    category: Category::Security,
    severity: Severity::Medium,
    rationale: "Container runtimes grant a small default set of capabilities. Adding any other \
        (NET_RAW aside, all of them widen the kernel attack surface: SYS_PTRACE, SYS_MODULE, \
        DAC_READ_SEARCH, BPF, …) gives the process powers that the Pod Security Standards' \
        baseline level forbids.",
    remediation: "Remove the capability from `securityContext.capabilities.add`, or, if the \
        workload really needs it, list it in the `allowed_capabilities` parameter and document why.",
    references: &[
        "PSS baseline: Capabilities",
        "CIS Kubernetes Benchmark v1.8 5.2.9",
        "NSA/CISA Kubernetes Hardening Guide: Pod security",
    ],
    params: &[Param {
        name: "allowed_capabilities",
        description: "Capabilities that may be added (default: the PSS baseline list).",
        default: r#"["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]"#,
    }],
    aliases: &["trivy:KSV022", "kubescape:C-0200", "checkov:CKV_K8S_25"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "Windows pods (`spec.os.name: windows`) are skipped: Linux capabilities do not apply.",
};

impl Check for CapabilitiesBeyondBaseline {
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
        let allowed = ctx.param_strs("allowed_capabilities");
        for c in pod.all_containers() {
            for e in entries(&c, "add") {
                if !e.is_any(allowed) {
                    out.push(cap_diag(
                        &pod,
                        &c,
                        "add",
                        &e,
                        format!(
                            "container `{}` adds capability {}, which is not in the allowed set",
                            c.name, e.raw
                        ),
                    ));
                }
            }
        }
    }
}
