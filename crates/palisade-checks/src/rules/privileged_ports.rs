use crate::support::pod::{item_diag, pod_of};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct PrivilegedPorts;

pub static CHECK: &dyn Check = &PrivilegedPorts;

static META: CheckMeta = CheckMeta {
    id: "privileged-ports",
    title: "Containers should not listen on privileged ports (below 1024)",
    category: Category::Security,
    severity: Severity::Low,
    rationale: "Binding a port below 1024 needs root or CAP_NET_BIND_SERVICE inside the container. \
        Applications that listen on high ports can run with no capabilities at all; Services \
        map the high port to 80/443 for clients.",
    remediation: "Make the application listen on a port of 1024 or more and let the Service's \
        `port` expose the well-known number.",
    references: &[
        "NSA/CISA Kubernetes Hardening Guide: Use containers built to run applications as non-root users",
    ],
    params: &[],
    aliases: &["kube-linter:privileged-ports", "trivy:KSV117"],
    enabled_by_default: false,
    cross_object: false,
    assumptions: "",
};

impl Check for PrivilegedPorts {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pods_only(&self) -> bool {
        true
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some(pod) = pod_of(obj, ctx) else { return };
        for c in pod.all_containers() {
            for (i, p) in c
                .get("ports")
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .enumerate()
            {
                let Some(port) = p.get("containerPort").and_then(Node::as_i64) else {
                    continue;
                };
                if (1..1024).contains(&port) {
                    out.push(item_diag(
                        &pod,
                        &c,
                        "ports",
                        i,
                        Some("containerPort"),
                        format!("container `{}` listens on privileged port {port}", c.name),
                    ));
                }
            }
        }
    }
}
