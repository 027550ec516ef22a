use crate::support::workloads::{describe, field_diag};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Object, Severity};

pub struct CronjobStartingDeadline;

pub static CHECK: &dyn Check = &CronjobStartingDeadline;

static META: CheckMeta = CheckMeta {
    id: "cronjob-starting-deadline",
    title: "CronJobs should set startingDeadlineSeconds",
    category: Category::Reliability,
    severity: Severity::Low,
    rationale: "Without a starting deadline, a CronJob whose controller was down or blocked \
        counts every missed schedule since the last run; after 100 misses it stops scheduling \
        altogether, and late runs start at arbitrary times.",
    remediation: "Set `spec.startingDeadlineSeconds` to how late a run may still start (for \
        example a fraction of the schedule interval).",
    references: &[
        "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#job-creation",
    ],
    params: &[],
    aliases: &["kube-score:cronjob-has-deadline"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

impl Check for CronjobStartingDeadline {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, _ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        if obj.kind() != "CronJob" {
            return;
        }
        let msg = match obj.root.path(&["spec", "startingDeadlineSeconds"]) {
            Some(n) if n.as_i64().is_some_and(|v| v > 0) => return,
            None => format!("{} does not set startingDeadlineSeconds", describe(obj)),
            Some(n) if n.is_null() => {
                format!("{} does not set startingDeadlineSeconds", describe(obj))
            }
            Some(n) => format!(
                "{} sets startingDeadlineSeconds to {}, which must be a positive number of seconds",
                describe(obj),
                n.scalar_text().unwrap_or_default()
            ),
        };
        out.push(field_diag(obj, &["spec", "startingDeadlineSeconds"], msg));
    }
}
