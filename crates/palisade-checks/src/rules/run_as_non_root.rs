use crate::support::{container_diag, security_context::runs_as_non_root};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Object, PodSpec, Severity};

pub struct RunAsNonRoot;

pub static CHECK: &dyn Check = &RunAsNonRoot;

static META: CheckMeta = CheckMeta {
    id: "run-as-non-root",
    title: "Containers must run as a non-root user",
    category: Category::Security,
    severity: Severity::High,
    rationale: "A process running as root inside a container is root on the host if it escapes \
        the container, and can modify the container's own filesystem and binaries. Running as \
        a non-root user is the single most effective hardening of a workload.",
    remediation: "Set `securityContext.runAsNonRoot: true` on the pod or the container, and \
        `runAsUser` to a non-zero UID that the image supports (or build the image with a \
        numeric non-root `USER`).",
    references: &[
        "PSS restricted: Running as Non-root",
        "CIS Kubernetes Benchmark 5.2.6",
        "NSA/CISA Kubernetes Hardening Guide: Use containers built to run applications as non-root users",
    ],
    params: &[],
    aliases: &[
        "polaris:runAsRootAllowed",
        "kube-linter:run-as-non-root",
        "kube-score:container-security-context-user-group-id",
        "checkov:CKV_K8S_23",
        "trivy:KSV012",
        "kubescape:C-0013",
    ],
    enabled_by_default: true,
    assumptions: "",
};

impl Check for RunAsNonRoot {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some(pod) = PodSpec::of(obj, ctx.index.custom) else {
            return;
        };
        for c in pod.all_containers() {
            if !runs_as_non_root(&pod, &c) {
                out.push(container_diag(
                    &pod,
                    &c,
                    &["securityContext", "runAsNonRoot"],
                    format!(
                        "container `{}` may run as root: neither runAsNonRoot: true nor a non-zero runAsUser is set",
                        c.name
                    ),
                ));
            }
        }
    }

    fn fix(&self, obj: &Object, ctx: &Ctx) -> Vec<serde_json::Value> {
        let Some(pod) = PodSpec::of(obj, ctx.index.custom) else {
            return Vec::new();
        };
        let base = crate::support::pod_spec_path(obj);
        let mut ops = Vec::new();
        for c in pod.all_containers() {
            if runs_as_non_root(&pod, &c) {
                continue;
            }
            let cp = format!("{base}/{}/{}", c.kind.field(), c.index);
            if c.get("securityContext").and_then(|n| n.as_map()).is_none() {
                ops.push(serde_json::json!({"op": "add", "path": format!("{cp}/securityContext"), "value": {"runAsNonRoot": true}}));
            } else {
                ops.push(serde_json::json!({"op": "add", "path": format!("{cp}/securityContext/runAsNonRoot"), "value": true}));
            }
        }
        ops
    }
}
