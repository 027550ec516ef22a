use crate::support::resources::MissingResource;
use crate::{Check, CheckMeta};
use palisade_model::{Category, Severity};

pub static CHECK: &dyn Check = &MissingResource {
    meta: &META,
    section: "limits",
    resource: "memory",
};

static META: CheckMeta = CheckMeta {
    id: "memory-limits-missing",
    title: "Containers must set a memory limit",
    category: Category::Efficiency,
    severity: Severity::Medium,
    rationale: "A container without a memory limit can consume all memory of its node, so a leak or an attack on one workload makes the kernel kill other pods or node daemons. A limit confines the damage to the container (it is OOM-killed and restarted).",
    remediation: "Set `resources.limits.memory` on every container to the most it should use (commonly equal to the request for predictable behaviour).",
    references: &[
        "NSA/CISA Kubernetes Hardening Guide: Resource policies",
        "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
    ],
    params: &[],
    aliases: &[
        "polaris:memoryLimitsMissing",
        "kube-linter:unset-memory-requirements",
        "kube-score:container-resources",
        "trivy:KSV018",
        "kubescape:C-0271",
        "kubescape:C-0009",
        "kubescape:C-0004",
        "checkov:CKV_K8S_13",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};
