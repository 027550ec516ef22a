use crate::support::resources::MissingResource;
use crate::{Check, CheckMeta};
use palisade_model::{Category, Severity};

pub static CHECK: &dyn Check = &MissingResource {
    meta: &META,
    section: "requests",
    resource: "memory",
};

static META: CheckMeta = CheckMeta {
    id: "memory-requests-missing",
    title: "Containers must set a memory request",
    category: Category::Efficiency,
    severity: Severity::Medium,
    rationale: "Without a memory request the scheduler assumes the container needs no memory, overcommits the node, and the kubelet evicts the pod first under memory pressure.",
    remediation: "Set `resources.requests.memory` on every container to its normal working set (measure it; do not copy a placeholder).",
    references: &[
        "NSA/CISA Kubernetes Hardening Guide: Resource policies",
        "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
    ],
    params: &[],
    aliases: &[
        "polaris:memoryRequestsMissing",
        "kube-score:container-resources",
        "trivy:KSV016",
        "kubescape:C-0269",
        "kubescape:C-0004",
        "checkov:CKV_K8S_12",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};
