use crate::support::probes::ProbeMissing;
use crate::{Check, CheckMeta};
use palisade_model::{Category, Severity};

pub static CHECK: &dyn Check = &ProbeMissing {
    meta: &META,
    field: "readinessProbe",
    name_services: true,
};

static META: CheckMeta = CheckMeta {
    id: "readiness-probe-missing",
    title: "Containers should define a readiness probe",
    category: Category::Reliability,
    severity: Severity::Medium,
    rationale: "Without a readiness probe a pod counts as ready as soon as its containers \
        start: Services send it traffic before the application listens, and rolling updates \
        retire old pods before the new ones can serve, which turns every deploy into errors.",
    remediation: "Add a `readinessProbe` that succeeds only when the container can serve \
        (it may check the application, but not downstream services). Jobs and CronJobs are not \
        checked.",
    references: &[
        "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/",
    ],
    params: &[],
    aliases: &[
        "polaris:readinessProbeMissing",
        "kube-linter:no-readiness-probe",
        "kube-score:pod-probes",
        "kubescape:C-0018",
        "checkov:CKV_K8S_9",
    ],
    enabled_by_default: true,
    cross_object: true,
    assumptions: "Every long-running workload is checked, whether or not a Service in the \
        scanned set selects it (kube-score only checks pods a Service targets): readiness also \
        gates rolling updates. When a scanned Service selects the pod, the message names it.",
};
