use crate::support::resources::RequestsEqualLimits;
use crate::{Check, CheckMeta};
use palisade_model::{Category, Severity};

pub static CHECK: &dyn Check = &RequestsEqualLimits {
    meta: &META,
    resource: "cpu",
};

static META: CheckMeta = CheckMeta {
    id: "cpu-requests-equal-limits",
    title: "CPU requests should equal CPU limits",
    category: Category::Efficiency,
    severity: Severity::Low,
    rationale: "When every container's requests equal its limits the pod gets the Guaranteed QoS class: its CPU is reserved, not borrowed and, with the static CPU manager, exclusive cores for integer requests. Requests below limits let the node overcommit, which is cheaper but less predictable.",
    remediation: "Set `resources.requests.cpu` equal to `resources.limits.cpu` (an unset request defaults to the limit). Opt-in: enable it for workloads that need predictable performance.",
    references: &["https://kubernetes.io/docs/concepts/workloads/pods/pod-qos/"],
    params: &[],
    aliases: &[
        "kube-score:container-cpu-requests-equal-limits",
        "kube-score:container-resource-requests-equal-limits",
    ],
    enabled_by_default: false,
    cross_object: false,
    assumptions: "",
};
