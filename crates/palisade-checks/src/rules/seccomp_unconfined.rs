use crate::support::pod::{pod_of, set_op};
use crate::support::security_context::{Origin, is_windows, profile_diag, seccomp};
use crate::support::{container_path, pod_spec_path};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Object, Severity};

pub struct SeccompUnconfined;

pub static CHECK: &dyn Check = &SeccompUnconfined;

static META: CheckMeta = CheckMeta {
    id: "seccomp-unconfined",
    title: "Containers must not run with seccomp disabled",
    category: Category::Security,
    severity: Severity::Medium,
    rationale: "The `Unconfined` seccomp profile lets the container make any system call, \
        including the rarely needed ones (`keyctl`, `unshare`, `bpf`, …) behind many kernel \
        exploits and container escapes.",
    remediation: "Set `securityContext.seccompProfile.type` to `RuntimeDefault` (or `Localhost` \
        with a tailored profile) on the pod or the container, and remove `unconfined` seccomp \
        annotations.",
    references: &[
        "PSS baseline: Seccomp",
        "CIS Kubernetes Benchmark v1.8 5.7.2",
        "NSA/CISA Kubernetes Hardening Guide: Pod security (seccomp)",
    ],
    params: &[],
    aliases: &["trivy:KSV104"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "Windows pods (`spec.os.name: windows`) are skipped: seccomp does not apply.",
};

impl Check for SeccompUnconfined {
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
            let Some(p) = seccomp(&pod, &c).filter(|p| p.kind == "Unconfined") else {
                continue;
            };
            let from = match p.origin {
                Origin::Container => "its seccompProfile".to_string(),
                Origin::Pod => "the pod's seccompProfile".to_string(),
                Origin::Annotation => {
                    format!("annotation {}", p.annotation.as_deref().unwrap_or_default())
                }
            };
            out.push(profile_diag(
                &pod,
                &c,
                &p,
                "seccompProfile",
                format!(
                    "container `{}` runs without seccomp: {from} is Unconfined",
                    c.name
                ),
            ));
        }
    }

    fn fix(&self, obj: &Object, ctx: &Ctx) -> Vec<serde_json::Value> {
        let Some(pod) = pod_of(obj, ctx) else {
            return Vec::new();
        };
        if is_windows(&pod) {
            return Vec::new();
        }
        let rd = serde_json::json!("RuntimeDefault");
        let mut ops = Vec::new();
        let mut pod_fixed = false;
        for c in pod.all_containers() {
            match seccomp(&pod, &c) {
                Some(p) if p.kind == "Unconfined" => match p.origin {
                    Origin::Container => ops.push(set_op(
                        c.node,
                        &container_path(&pod, &c),
                        &["securityContext", "seccompProfile", "type"],
                        rd.clone(),
                    )),
                    Origin::Pod if !pod_fixed => {
                        pod_fixed = true;
                        ops.push(set_op(
                            pod.spec,
                            pod_spec_path(&pod),
                            &["securityContext", "seccompProfile", "type"],
                            rd.clone(),
                        ));
                    }
                    // Annotations are legacy; setting the field wins over them.
                    Origin::Annotation => ops.push(set_op(
                        c.node,
                        &container_path(&pod, &c),
                        &["securityContext", "seccompProfile"],
                        serde_json::json!({"type": "RuntimeDefault"}),
                    )),
                    Origin::Pod => {}
                },
                _ => {}
            }
        }
        ops
    }
}

#[cfg(test)]
mod tests {
    use crate::support::pod::{fix_json, run_json};
    use serde_json::json;

    #[test]
    fn container_overrides_pod() {
        let p = json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "annotations": {"container.seccomp.security.alpha.kubernetes.io/c": "unconfined"}},
            "spec": {"securityContext": {"seccompProfile": {"type": "Unconfined"}}, "containers": [
                {"name": "a", "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}},
                {"name": "b"},
                {"name": "c", "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}}]}});
        let d = run_json(super::CHECK, std::slice::from_ref(&p));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].path, "/spec/securityContext/seccompProfile/type");
        assert_eq!(d[0].container.as_deref(), Some("b"));
        assert_eq!(fix_json(super::CHECK, &[p]).len(), 1);
    }
}
