use crate::support::resources::MissingResource;
use crate::{Check, CheckMeta};
use palisade_model::{Category, Severity};

pub static CHECK: &dyn Check = &MissingResource {
    meta: &META,
    section: "limits",
    resource: "cpu",
};

static META: CheckMeta = CheckMeta {
    id: "cpu-limits-missing",
    title: "Containers should set a CPU limit",
    category: Category::Efficiency,
    severity: Severity::Low,
    rationale: "A container without a CPU limit can use every idle core of its node; a busy or compromised container then starves its neighbours, and cost and capacity planning lose their upper bound.",
    remediation: "Set `resources.limits.cpu` on every container to the most it should ever use. If your platform deliberately runs without CPU limits, disable this check in `.palisade.yaml` rather than inventing a figure.",
    references: &[
        "NSA/CISA Kubernetes Hardening Guide: Resource policies",
        "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
    ],
    params: &[],
    aliases: &[
        "polaris:cpuLimitsMissing",
        "kube-score:container-resources",
        "trivy:KSV011",
        "kubescape:C-0270",
        "kubescape:C-0009",
        "kubescape:C-0050",
        "checkov:CKV_K8S_11",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};
