use crate::support::pod::{item_diag, pod_of};
use crate::{Check, CheckMeta, Ctx, Param};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct SshPort;

pub static CHECK: &dyn Check = &SshPort;

static META: CheckMeta = CheckMeta {
    id: "ssh-port",
    title: "Containers should not expose the SSH port",
    category: Category::Security,
    severity: Severity::Medium,
    rationale: "An SSH server in a container is a second way in that bypasses Kubernetes' \
        authentication, RBAC and audit logging (`kubectl exec` covers the debugging use), and is \
        a favourite target of brute-force attacks.",
    remediation: "Remove the SSH server and the port from the container; use `kubectl exec` or \
        ephemeral debug containers. If the service on port 22 is not SSH, move it to another port.",
    references: &["NSA/CISA Kubernetes Hardening Guide: Network separation and hardening"],
    params: &[Param {
        name: "ports",
        description: "TCP container ports considered SSH.",
        default: "[22]",
    }],
    aliases: &["kube-linter:ssh-port", "kubescape:C-0042"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

impl Check for SshPort {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pods_only(&self) -> bool {
        true
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some(pod) = pod_of(obj, ctx) else { return };
        let ssh: Vec<i64> = ctx
            .param("ports")
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|v| v.as_i64()).collect())
            .unwrap_or_default();
        for c in pod.all_containers() {
            for (i, p) in c
                .get("ports")
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .enumerate()
            {
                let port = p.get("containerPort").and_then(Node::as_i64);
                let tcp = p
                    .get("protocol")
                    .and_then(Node::as_str)
                    .is_none_or(|s| s == "TCP");
                if let Some(port) = port.filter(|p| tcp && ssh.contains(p)) {
                    out.push(item_diag(
                        &pod,
                        &c,
                        "ports",
                        i,
                        Some("containerPort"),
                        format!(
                            "container `{}` exposes port {port}/TCP, the SSH port",
                            c.name
                        ),
                    ));
                }
            }
        }
    }
}
