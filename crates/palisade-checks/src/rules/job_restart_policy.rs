use crate::support::pod::{pod_diag, pod_of};
use crate::support::workloads::describe;
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct JobRestartPolicy;

pub static CHECK: &dyn Check = &JobRestartPolicy;

static META: CheckMeta = CheckMeta {
    id: "job-restart-policy",
    title: "Jobs and CronJobs must set restartPolicy OnFailure or Never",
    category: Category::Reliability,
    severity: Severity::High,
    rationale: "A Job's pod template must say what happens when a container fails: the API \
        server rejects `Always` (and an unset policy, which defaults to `Always`), so the Job \
        or every run of the CronJob is never created.",
    remediation: "Set the pod template's `restartPolicy` to `OnFailure` (retry in the same \
        pod) or `Never` (retry in a new pod, keeping the failed one for inspection).",
    references: &["https://kubernetes.io/docs/concepts/workloads/controllers/job/#pod-template"],
    params: &[],
    aliases: &["kube-score:cronjob-restartpolicy"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

impl Check for JobRestartPolicy {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        if !matches!(obj.kind(), "Job" | "CronJob") {
            return;
        }
        let Some(pod) = pod_of(obj, ctx) else {
            return;
        };
        let msg = match pod.get("restartPolicy").and_then(Node::as_str) {
            Some("OnFailure" | "Never") => return,
            Some(p) => format!(
                "{} has restart policy `{p}`; a Job's pods need OnFailure or Never",
                describe(obj)
            ),
            None => format!(
                "{} does not set restartPolicy (the default, Always, is invalid for a Job)",
                describe(obj)
            ),
        };
        out.push(pod_diag(&pod, &["restartPolicy"], msg));
    }
}
