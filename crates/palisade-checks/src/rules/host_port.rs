use crate::support::container_path;
use crate::support::pod::{item_diag, pod_of, remove_op};
use crate::{Check, CheckMeta, Ctx, Param};
use palisade_model::{Category, Container, Diagnostic, Node, Object, Severity};

pub struct HostPort;

pub static CHECK: &dyn Check = &HostPort;

static META: CheckMeta = CheckMeta {
    id: "host-port",
    title: "Containers should not bind host ports",
    category: Category::Security,
    severity: Severity::Medium,
    rationale: "A `hostPort` opens the port on the node's own IP address, bypassing Services and \
        most NetworkPolicy implementations, and ties the pod to nodes where the port is free.",
    remediation: "Remove `hostPort` from the container's `ports` and expose the workload through a \
        Service; if a port is really needed on the node, list it in the `allowed_ports` parameter.",
    references: &[
        "PSS baseline: Host Ports",
        "CIS Kubernetes Benchmark v1.8 5.2.13",
        "NSA/CISA Kubernetes Hardening Guide: Pod security",
    ],
    params: &[Param {
        name: "allowed_ports",
        description: "Host ports that may be used (PSS baseline allows a known list).",
        default: "[]",
    }],
    aliases: &[
        "polaris:hostPortSet",
        "trivy:KSV024",
        "kubescape:C-0044",
        "checkov:CKV_K8S_26",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

/// `(index, hostPort)` of each port entry binding a host port that is not allowed.
fn host_ports(c: &Container, allowed: &[i64]) -> Vec<(usize, i64)> {
    c.get("ports")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let hp = p.get("hostPort")?.as_i64()?;
            (hp != 0 && !allowed.contains(&hp)).then_some((i, hp))
        })
        .collect()
}

fn allowed(ctx: &Ctx) -> Vec<i64> {
    ctx.param("allowed_ports")
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|v| v.as_i64()).collect())
        .unwrap_or_default()
}

impl Check for HostPort {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pods_only(&self) -> bool {
        true
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some(pod) = pod_of(obj, ctx) else { return };
        let allowed = allowed(ctx);
        for c in pod.all_containers() {
            for (i, hp) in host_ports(&c, &allowed) {
                out.push(item_diag(
                    &pod,
                    &c,
                    "ports",
                    i,
                    Some("hostPort"),
                    format!("container `{}` binds host port {hp}", c.name),
                ));
            }
        }
    }

    fn fix(&self, obj: &Object, ctx: &Ctx) -> Vec<serde_json::Value> {
        let Some(pod) = pod_of(obj, ctx) else {
            return Vec::new();
        };
        let allowed = allowed(ctx);
        let mut ops = Vec::new();
        for c in pod.all_containers() {
            let base = container_path(&pod, &c);
            for (i, _) in host_ports(&c, &allowed) {
                ops.push(remove_op(&base, &["ports", &i.to_string(), "hostPort"]));
            }
        }
        ops
    }
}
