use crate::support::probes::ProbeMissing;
use crate::{Check, CheckMeta};
use palisade_model::{Category, Severity};

pub static CHECK: &dyn Check = &ProbeMissing {
    meta: &META,
    field: "livenessProbe",
    name_services: false,
};

static META: CheckMeta = CheckMeta {
    id: "liveness-probe-missing",
    title: "Containers should define a liveness probe",
    category: Category::Reliability,
    severity: Severity::Low,
    rationale: "Without a liveness probe Kubernetes only restarts a container when its process \
        exits; a deadlocked or wedged process keeps running and failing requests until someone \
        notices.",
    remediation: "Add a `livenessProbe` that checks the process itself (not its downstream \
        dependencies), with thresholds loose enough that a slow start or a busy moment does not \
        cause restarts; use a `startupProbe` for slow starters. Never make it identical to the \
        readiness probe. Jobs and CronJobs are not checked.",
    references: &[
        "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/",
    ],
    params: &[],
    aliases: &[
        "polaris:livenessProbeMissing",
        "kube-linter:no-liveness-probe",
        "kubescape:C-0056",
        "checkov:CKV_K8S_8",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};
