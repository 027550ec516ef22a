use crate::support::resources::RequestsEqualLimits;
use crate::{Check, CheckMeta};
use palisade_model::{Category, Severity};

pub static CHECK: &dyn Check = &RequestsEqualLimits {
    meta: &META,
    resource: "memory",
};

static META: CheckMeta = CheckMeta {
    id: "memory-requests-equal-limits",
    title: "Memory requests should equal memory limits",
    category: Category::Efficiency,
    severity: Severity::Low,
    rationale: "When every container's requests equal its limits the pod gets the Guaranteed QoS class: its memory is reserved, not borrowed; a container using more memory than it requested is the first candidate for eviction under node memory pressure. Requests below limits let the node overcommit, which is cheaper but less predictable.",
    remediation: "Set `resources.requests.memory` equal to `resources.limits.memory` (an unset request defaults to the limit). Opt-in: enable it for workloads that need predictable performance.",
    references: &["https://kubernetes.io/docs/concepts/workloads/pods/pod-qos/"],
    params: &[],
    aliases: &[
        "kube-score:container-memory-requests-equal-limits",
        "kube-score:container-resource-requests-equal-limits",
    ],
    enabled_by_default: false,
    cross_object: false,
    assumptions: "",
};
