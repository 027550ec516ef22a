use crate::support::metadata::RequiredMetadata;
use crate::{Check, CheckMeta, Param};
use palisade_model::{Category, Severity};

pub static CHECK: &dyn Check = &RequiredMetadata {
    meta: &META,
    field: "annotations",
};

static META: CheckMeta = CheckMeta {
    id: "required-annotations",
    title: "Workloads must carry the required annotations",
    category: Category::Reliability,
    severity: Severity::Low,
    rationale: "Contact annotations (an owner's email, a runbook URL) tell whoever is paged at \
        night who to call and what to do; without them incidents wait for someone to \
        reconstruct ownership.",
    remediation: "Add each required annotation to the workload's `metadata.annotations` with \
        a value matching its pattern (configure the list in `.palisade.yaml`).",
    references: &["https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations/"],
    params: &[Param {
        name: "required",
        description: "Annotation keys that must be set, each with a regular expression its \
            value must match in full (empty: any non-empty value).",
        default: "{\"email\": \"[a-zA-Z0-9_.+-]+@[a-zA-Z0-9-]+\\\\.[a-zA-Z0-9-.]+\"}",
    }],
    aliases: &["kube-linter:required-annotation-email"],
    enabled_by_default: false,
    cross_object: false,
    assumptions: "Checked on workloads (objects with a pod template), on their own metadata. \
        Off by default: which annotations an organisation requires is its own convention.",
};
