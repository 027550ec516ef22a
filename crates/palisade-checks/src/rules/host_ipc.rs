use crate::support::flags::PodFlag;
use crate::{Check, CheckMeta};
use palisade_model::{Category, Severity};

pub static CHECK: &dyn Check = &PodFlag {
    meta: &META,
    field: "hostIPC",
    effect: "shares the host's IPC namespace",
};

static META: CheckMeta = CheckMeta {
    id: "host-ipc",
    title: "Pods must not share the host's IPC namespace",
    category: Category::Security,
    severity: Severity::High,
    rationale: "With `hostIPC: true` the containers can read and write the shared memory and \
        message queues of every process on the node.",
    remediation: "Remove `hostIPC: true` from the pod spec.",
    references: &[
        "PSS baseline: Host Namespaces",
        "CIS Kubernetes Benchmark v1.8 5.2.4",
        "NSA/CISA Kubernetes Hardening Guide: Pod security (host namespaces)",
    ],
    params: &[],
    aliases: &[
        "polaris:hostIPCSet",
        "kube-linter:host-ipc",
        "trivy:KSV008",
        "kubescape:C-0038",
        "checkov:CKV_K8S_18",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};
