use crate::support::caps::{CapEntry, entries};
use crate::support::container_path;
use crate::support::pod::{pod_of, remove_op};
use crate::{Check, CheckMeta, Ctx, Param};
use palisade_model::{Category, Container, Diagnostic, Object, Severity};

pub struct DangerousCapabilities;

pub static CHECK: &dyn Check = &DangerousCapabilities;

static META: CheckMeta = CheckMeta {
    id: "dangerous-capabilities",
    title: "Containers must not add dangerous capabilities",
    category: Category::Security,
    severity: Severity::High,
    rationale: "CAP_SYS_ADMIN is close to full root (mounts, namespaces, BPF, many escape \
        paths), CAP_NET_ADMIN reconfigures the network stack the pod shares, CAP_SYS_MODULE \
        loads kernel modules, and `ALL` grants every capability. Any of them turns a compromise of the process into a likely compromise \
        of the node or its network.",
    remediation: "Remove these capabilities from `securityContext.capabilities.add`; give the \
        process the narrow capability it really needs, if any.",
    references: &[
        "PSS baseline: Capabilities",
        "CIS Kubernetes Benchmark v1.8 5.2.9",
        "NSA/CISA Kubernetes Hardening Guide: Pod security",
    ],
    params: &[Param {
        name: "capabilities",
        description: "Capabilities that must not be added (case-insensitive, with or without `CAP_`).",
        default: r#"["ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_MODULE"]"#,
    }],
    aliases: &[
        "polaris:dangerousCapabilities",
        "trivy:KSV005",
        "trivy:KSV120",
        "kubescape:C-0046",
        "checkov:CKV_K8S_39",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

fn dangerous<'a>(c: &Container<'a>, ctx: &Ctx) -> Vec<CapEntry<'a>> {
    let bad = ctx.param_strs("capabilities");
    entries(c, "add").filter(|e| e.is_any(bad)).collect()
}

impl Check for DangerousCapabilities {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pods_only(&self) -> bool {
        true
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some(pod) = pod_of(obj, ctx) else { return };
        for c in pod.all_containers() {
            for e in dangerous(&c, ctx) {
                out.push(crate::support::caps::cap_diag(
                    &pod,
                    &c,
                    "add",
                    &e,
                    format!(
                        "container `{}` adds the dangerous capability {}",
                        c.name, e.raw
                    ),
                ));
            }
        }
    }

    fn fix(&self, obj: &Object, ctx: &Ctx) -> Vec<serde_json::Value> {
        let Some(pod) = pod_of(obj, ctx) else {
            return Vec::new();
        };
        let mut ops = Vec::new();
        for c in pod.all_containers() {
            let base = container_path(&pod, &c);
            // Highest index first so earlier removals do not shift later ones.
            for e in dangerous(&c, ctx).iter().rev() {
                ops.push(remove_op(
                    &base,
                    &[
                        "securityContext",
                        "capabilities",
                        "add",
                        &e.index.to_string(),
                    ],
                ));
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
    fn case_insensitive_and_fix_removes_in_reverse() {
        let p = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [
            {"name": "a", "securityContext": {"capabilities": {"add": ["nEt_aDmIn", "CHOWN", "cap_sys_admin"]}}}]}});
        assert_eq!(run_json(super::CHECK, std::slice::from_ref(&p)).len(), 2);
        let fix = fix_json(super::CHECK, &[p]);
        assert_eq!(
            fix[0]["path"],
            "/spec/containers/0/securityContext/capabilities/add/2"
        );
        assert_eq!(
            fix[1]["path"],
            "/spec/containers/0/securityContext/capabilities/add/0"
        );
    }
}
