use crate::support::metadata::RequiredMetadata;
use crate::{Check, CheckMeta, Param};
use palisade_model::{Category, Severity};

pub static CHECK: &dyn Check = &RequiredMetadata {
    meta: &META,
    field: "labels",
};

static META: CheckMeta = CheckMeta {
    id: "required-labels",
    title: "Workloads must carry the required labels",
    category: Category::Reliability,
    severity: Severity::Low,
    rationale: "Ownership and routing labels (owner, team, app) are how on-call finds who runs a \
        workload, how costs are split and how policies select it. A workload without them is \
        orphaned the first time it misbehaves.",
    remediation: "Add each required label to the workload's `metadata.labels` with a value \
        matching its pattern (configure the list in `.palisade.yaml`).",
    references: &[
        "https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/",
    ],
    params: &[Param {
        name: "required",
        description: "Label keys that must be set, each with a regular expression its value \
            must match in full (empty: any non-empty value).",
        default: "{\"owner\": \"\"}",
    }],
    aliases: &[
        "kube-linter:required-label-owner",
        "kubescape:C-0076",
        "kubescape:C-0077",
    ],
    enabled_by_default: false,
    cross_object: false,
    assumptions: "Checked on workloads (objects with a pod template), on their own metadata. \
        Off by default: which labels an organisation requires is its own convention.",
};
