use crate::support::flags::PodFlag;
use crate::{Check, CheckMeta};
use palisade_model::{Category, Severity};

pub static CHECK: &dyn Check = &PodFlag {
    meta: &META,
    field: "hostPID",
    effect: "shares the host's process namespace",
};

static META: CheckMeta = CheckMeta {
    id: "host-pid",
    title: "Pods must not share the host's process namespace",
    category: Category::Security,
    severity: Severity::High,
    rationale: "With `hostPID: true` the containers see every process on the node, can read their \
        environment and `/proc` entries (secrets included) and, with enough privileges, signal or \
        ptrace them.",
    remediation: "Remove `hostPID: true` from the pod spec.",
    references: &[
        "PSS baseline: Host Namespaces",
        "CIS Kubernetes Benchmark v1.8 5.2.3",
        "NSA/CISA Kubernetes Hardening Guide: Pod security (host namespaces)",
    ],
    params: &[],
    aliases: &[
        "polaris:hostPIDSet",
        "kube-linter:host-pid",
        "trivy:KSV010",
        "kubescape:C-0038",
        "checkov:CKV_K8S_17",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};
