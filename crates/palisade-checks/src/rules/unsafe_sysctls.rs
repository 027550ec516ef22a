use crate::support::pod::{pod_item_diag, pod_of};
use crate::{Check, CheckMeta, Ctx, Param};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct UnsafeSysctls;

pub static CHECK: &dyn Check = &UnsafeSysctls;

static META: CheckMeta = CheckMeta {
    id: "unsafe-sysctls",
    title: "Pods must only set safe sysctls",
    category: Category::Security,
    severity: Severity::Medium,
    rationale: "Sysctls outside the kubelet's safe set are not fully isolated per pod: they can \
        change the behaviour of the node or of other pods (shared memory limits, networking), \
        starve the node or weaken its security settings.",
    remediation: "Remove the sysctl from `spec.securityContext.sysctls`. If it is needed, run the \
        workload on dedicated nodes whose kubelet allows it, and add it to the `allowed_sysctls` \
        parameter.",
    references: &[
        "PSS baseline: Sysctls",
        "https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/",
    ],
    params: &[Param {
        name: "allowed_sysctls",
        description: "Sysctls considered safe (default: the PSS baseline list, which the kubelet allows by default).",
        default: r#"["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"]"#,
    }],
    aliases: &["kube-linter:unsafe-sysctls", "trivy:KSV026"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

/// Sysctl names may be written with `/` separators (`net/ipv4/tcp_syncookies`).
fn canonical(name: &str) -> String {
    name.trim().replace('/', ".")
}

impl Check for UnsafeSysctls {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pods_only(&self) -> bool {
        true
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some(pod) = pod_of(obj, ctx) else { return };
        let sysctls = pod
            .spec
            .path(&["securityContext", "sysctls"])
            .map(Node::items)
            .unwrap_or(&[]);
        if sysctls.is_empty() {
            return;
        }
        let allowed: Vec<String> = ctx
            .param_strs("allowed_sysctls")
            .iter()
            .map(canonical)
            .collect();
        for (i, s) in sysctls.iter().enumerate() {
            let Some(name) = s.get("name").and_then(Node::as_str) else {
                continue;
            };
            if !allowed.contains(&canonical(name)) {
                out.push(pod_item_diag(
                    &pod,
                    &["securityContext", "sysctls"],
                    i,
                    Some("name"),
                    format!("pod sets the unsafe sysctl `{name}`"),
                ));
            }
        }
    }
}
