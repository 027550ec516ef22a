use crate::support::resources::MissingResource;
use crate::{Check, CheckMeta};
use palisade_model::{Category, Severity};

pub static CHECK: &dyn Check = &MissingResource {
    meta: &META,
    section: "requests",
    resource: "cpu",
};

static META: CheckMeta = CheckMeta {
    id: "cpu-requests-missing",
    title: "Containers must set a CPU request",
    category: Category::Efficiency,
    severity: Severity::Medium,
    rationale: "The scheduler places pods by their requests. A container without a CPU request is scheduled as if it needed nothing, so nodes get overcommitted, and under contention it gets the smallest CPU share (BestEffort/Burstable QoS).",
    remediation: "Set `resources.requests.cpu` on every container to what it needs under normal load (measure it, e.g. with a VPA recommendation); do not copy a placeholder figure.",
    references: &[
        "NSA/CISA Kubernetes Hardening Guide: Resource policies",
        "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
    ],
    params: &[],
    aliases: &[
        "polaris:cpuRequestsMissing",
        "kube-linter:unset-cpu-requirements",
        "kube-score:container-resources",
        "trivy:KSV015",
        "kubescape:C-0268",
        "kubescape:C-0050",
        "checkov:CKV_K8S_10",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};
