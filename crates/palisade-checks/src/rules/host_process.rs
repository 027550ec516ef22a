use crate::support::container_diag;
use crate::support::pod::{pod_diag, pod_of};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct HostProcess;

pub static CHECK: &dyn Check = &HostProcess;

static META: CheckMeta = CheckMeta {
    id: "host-process",
    title: "Windows pods must not run as HostProcess containers",
    category: Category::Security,
    severity: Severity::High,
    rationale: "A Windows HostProcess container runs directly on the node, outside any container \
        isolation, with the node's network and file system: it is the Windows equivalent of a \
        privileged container.",
    remediation: "Remove `windowsOptions.hostProcess: true` from the pod and container security \
        contexts; run node agents that truly need host access in a dedicated, tightly \
        controlled namespace.",
    references: &[
        "PSS baseline: HostProcess",
        "CIS Kubernetes Benchmark v1.8 5.2.11",
        "NSA/CISA Kubernetes Hardening Guide: Pod security (privileged containers)",
    ],
    params: &[],
    aliases: &["polaris:hostProcess", "trivy:KSV103", "kubescape:C-0202"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

const FIELD: [&str; 3] = ["securityContext", "windowsOptions", "hostProcess"];

impl Check for HostProcess {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pods_only(&self) -> bool {
        true
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some(pod) = pod_of(obj, ctx) else { return };
        if pod.spec.path(&FIELD).and_then(Node::as_bool) == Some(true) {
            out.push(pod_diag(
                &pod,
                &FIELD,
                "pod runs its containers as Windows HostProcess containers (securityContext.windowsOptions.hostProcess: true)".to_string(),
            ));
        }
        for c in pod.all_containers() {
            if c.path(&FIELD).and_then(Node::as_bool) == Some(true) {
                out.push(container_diag(
                    &pod,
                    &c,
                    &FIELD,
                    format!(
                        "container `{}` runs as a Windows HostProcess container (windowsOptions.hostProcess: true)",
                        c.name
                    ),
                ));
            }
        }
    }
}
