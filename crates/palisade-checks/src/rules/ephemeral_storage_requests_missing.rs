use crate::support::resources::MissingResource;
use crate::{Check, CheckMeta};
use palisade_model::{Category, Severity};

pub static CHECK: &dyn Check = &MissingResource {
    meta: &META,
    section: "requests",
    resource: "ephemeral-storage",
};

static META: CheckMeta = CheckMeta {
    id: "ephemeral-storage-requests-missing",
    title: "Containers should set an ephemeral-storage request",
    category: Category::Efficiency,
    severity: Severity::Low,
    rationale: "Container logs, writable layers and emptyDir volumes use the node's disk. Without an ephemeral-storage request the scheduler cannot account for that disk, and the pod may land on a node that runs out of it.",
    remediation: "Set `resources.requests.ephemeral-storage` on every container to the local disk it needs.",
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
