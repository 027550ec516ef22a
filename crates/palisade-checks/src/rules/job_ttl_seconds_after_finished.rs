use crate::support::workloads::{describe, field_diag};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Object, Severity};

pub struct JobTtlSecondsAfterFinished;

pub static CHECK: &dyn Check = &JobTtlSecondsAfterFinished;

static META: CheckMeta = CheckMeta {
    id: "job-ttl-seconds-after-finished",
    title: "Standalone Jobs should expire; CronJob Jobs should not",
    category: Category::Efficiency,
    severity: Severity::Low,
    rationale: "A finished standalone Job and its pods stay in the cluster forever unless \
        `ttlSecondsAfterFinished` lets the TTL controller delete them. For Jobs created by a \
        CronJob the history limits already clean up, and a TTL on the job template conflicts \
        with them, removing history you asked to keep.",
    remediation: "Set `spec.ttlSecondsAfterFinished` on standalone Jobs; remove \
        `spec.jobTemplate.spec.ttlSecondsAfterFinished` from CronJobs and use \
        `successfulJobsHistoryLimit`/`failedJobsHistoryLimit` instead.",
    references: &["https://kubernetes.io/docs/concepts/workloads/controllers/ttlafterfinished/"],
    params: &[],
    aliases: &["kube-linter:job-ttl-seconds-after-finished"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "A Job with an ownerReference (created by a CronJob or another controller) \
        is not a standalone Job.",
};

impl Check for JobTtlSecondsAfterFinished {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, _ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let set = |keys: &[&str]| obj.root.path(keys).is_some_and(|n| !n.is_null());
        match obj.kind() {
            "Job" => {
                let owned = obj
                    .metadata()
                    .get("ownerReferences")
                    .is_some_and(|o| !o.items().is_empty());
                if !owned && !set(&["spec", "ttlSecondsAfterFinished"]) {
                    out.push(field_diag(
                        obj,
                        &["spec", "ttlSecondsAfterFinished"],
                        format!(
                            "standalone {} does not specify ttlSecondsAfterFinished",
                            describe(obj)
                        ),
                    ));
                }
            }
            "CronJob" => {
                let keys = ["spec", "jobTemplate", "spec", "ttlSecondsAfterFinished"];
                if set(&keys) {
                    out.push(field_diag(
                        obj,
                        &keys,
                        format!(
                            "{} sets ttlSecondsAfterFinished on its job template, which conflicts with successfulJobsHistoryLimit and failedJobsHistoryLimit",
                            describe(obj)
                        ),
                    ));
                }
            }
            _ => {}
        }
    }

    /// Removing the job template's TTL leaves clean-up to the history limits; nothing invented.
    fn fix(&self, obj: &Object, _ctx: &Ctx) -> Vec<serde_json::Value> {
        let keys = ["spec", "jobTemplate", "spec", "ttlSecondsAfterFinished"];
        if obj.kind() == "CronJob" && obj.root.path(&keys).is_some() {
            vec![
                serde_json::json!({"op": "remove", "path": "/spec/jobTemplate/spec/ttlSecondsAfterFinished"}),
            ]
        } else {
            Vec::new()
        }
    }
}
