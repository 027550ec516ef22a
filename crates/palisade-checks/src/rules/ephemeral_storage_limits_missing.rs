use crate::support::resources::MissingResource;
use crate::{Check, CheckMeta};
use palisade_model::{Category, Severity};

pub static CHECK: &dyn Check = &MissingResource {
    meta: &META,
    section: "limits",
    resource: "ephemeral-storage",
};

static META: CheckMeta = CheckMeta {
    id: "ephemeral-storage-limits-missing",
    title: "Containers should set an ephemeral-storage limit",
    category: Category::Efficiency,
    severity: Severity::Low,
    rationale: "A container that writes without an ephemeral-storage limit can fill the node's disk and get every pod on the node evicted; with a limit only the offending pod is evicted.",
    remediation: "Set `resources.limits.ephemeral-storage` on every container to the most local disk it may use.",
    references: &[
        "NSA/CISA Kubernetes Hardening Guide: Resource policies",
        "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
    ],
    params: &[],
    aliases: &["kube-score:container-ephemeral-storage-request-and-limit"],
    enabled_by_default: false,
    cross_object: false,
    assumptions: "",
};
