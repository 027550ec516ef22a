use crate::support::caps::{append_drop, cap_diag, drops, entries};
use crate::support::pod::pod_of;
use crate::support::security_context::is_windows;
use crate::support::{container_diag, container_path};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Container, Diagnostic, Object, Severity};

pub struct DropNetRawCapability;

pub static CHECK: &dyn Check = &DropNetRawCapability;

static META: CheckMeta = CheckMeta {
    id: "drop-net-raw-capability",
    title: "Containers must drop the NET_RAW capability",
    category: Category::Security,
    severity: Severity::Medium,
    rationale: "NET_RAW is in most runtimes' default set. It lets a process craft raw packets and \
        bind to any address: ARP and DNS spoofing against other pods on the node become possible.",
    remediation: "Add `NET_RAW` (or better, `ALL`) to `securityContext.capabilities.drop`, and do \
        not add it back in `capabilities.add`. Tools like `ping` work without it on current \
        kernels (`net.ipv4.ping_group_range`).",
    references: &[
        "CIS Kubernetes Benchmark v1.8 5.2.8",
        "NSA/CISA Kubernetes Hardening Guide: Pod security",
    ],
    params: &[],
    aliases: &[
        "kube-linter:drop-net-raw-capability",
        "trivy:KSV119",
        "kubescape:C-0199",
        "checkov:CKV_K8S_28",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "Windows pods (`spec.os.name: windows`) are skipped: Linux capabilities do not apply.",
};

const DROP: [&str; 3] = ["securityContext", "capabilities", "drop"];

fn adds_net_raw(c: &Container) -> bool {
    entries(c, "add").any(|e| e.is_any(["NET_RAW", "ALL"]))
}

impl Check for DropNetRawCapability {
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
            let added: Vec<_> = entries(&c, "add")
                .filter(|e| e.is_any(["NET_RAW", "ALL"]))
                .collect();
            for e in &added {
                out.push(cap_diag(
                    &pod,
                    &c,
                    "add",
                    e,
                    format!("container `{}` adds {} and so keeps NET_RAW", c.name, e.raw),
                ));
            }
            if added.is_empty() && !drops(&c, "NET_RAW") {
                out.push(container_diag(
                    &pod,
                    &c,
                    &DROP,
                    cat!(
                        "container `",
                        c.name,
                        "` does not drop NET_RAW (neither NET_RAW nor ALL is in capabilities.drop)"
                    ),
                ));
            }
        }
    }

    fn fix(&self, obj: &Object, ctx: &Ctx) -> Vec<serde_json::Value> {
        let Some(pod) = pod_of(obj, ctx) else {
            return Vec::new();
        };
        if is_windows(&pod) {
            return Vec::new();
        }
        // A container that adds NET_RAW asks for it explicitly: no fix is safe there.
        pod.all_containers()
            .filter(|c| !adds_net_raw(c) && !drops(c, "NET_RAW"))
            .map(|c| append_drop(&c, &container_path(&pod, &c), "NET_RAW"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::support::pod::{fix_json, run_json};
    use serde_json::json;

    #[test]
    fn dropped_added_and_missing() {
        let p = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
            "initContainers": [{"name": "i"}],
            "containers": [
                {"name": "ok", "securityContext": {"capabilities": {"drop": ["all"]}}},
                {"name": "ok2", "securityContext": {"capabilities": {"drop": ["CAP_NET_RAW"]}}},
                {"name": "adds", "securityContext": {"capabilities": {"drop": ["ALL"], "add": ["NET_RAW"]}}},
                {"name": "other", "securityContext": {"capabilities": {"drop": ["CHOWN"]}}}]}});
        let d = run_json(super::CHECK, std::slice::from_ref(&p));
        let names: Vec<_> = d.iter().filter_map(|d| d.container.clone()).collect();
        assert_eq!(names, ["i", "adds", "other"]);
        let fix = fix_json(super::CHECK, &[p]);
        assert_eq!(
            fix,
            vec![
                json!({"op": "add", "path": "/spec/initContainers/0/securityContext", "value": {"capabilities": {"drop": ["NET_RAW"]}}}),
                json!({"op": "add", "path": "/spec/containers/3/securityContext/capabilities/drop/-", "value": "NET_RAW"}),
            ]
        );
    }
}
