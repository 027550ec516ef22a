use crate::support::resources::RequestsEqualLimits;
use crate::{Check, CheckMeta};
use palisade_model::{Category, Severity};

pub static CHECK: &dyn Check = &RequestsEqualLimits {
    meta: &META,
    resource: "ephemeral-storage",
};

static META: CheckMeta = CheckMeta {
    id: "ephemeral-storage-requests-equal-limits",
    title: "Ephemeral-storage requests should equal limits",
    category: Category::Efficiency,
    severity: Severity::Low,
    rationale: "When every container's requests equal its limits the pod gets the Guaranteed QoS class: its ephemeral-storage is reserved, not borrowed; a container writing more local disk than it requested is evicted first when the node's disk fills. Requests below limits let the node overcommit, which is cheaper but less predictable.",
    remediation: "Set `resources.requests.ephemeral-storage` equal to `resources.limits.ephemeral-storage` (an unset request defaults to the limit). Opt-in: enable it for workloads that need predictable performance.",
    references: &["https://kubernetes.io/docs/concepts/workloads/pods/pod-qos/"],
    params: &[],
    aliases: &["kube-score:container-ephemeral-storage-request-equals-limit"],
    enabled_by_default: false,
    cross_object: false,
    assumptions: "",
};
