use crate::support::workloads::{describe, field_diag};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Object, Severity};

pub struct PdbMissingPolicy;

pub static CHECK: &dyn Check = &PdbMissingPolicy;

static META: CheckMeta = CheckMeta {
    id: "pdb-missing-policy",
    title: "PodDisruptionBudgets must set minAvailable or maxUnavailable",
    category: Category::Reliability,
    severity: Severity::Medium,
    rationale: "A PodDisruptionBudget with neither `minAvailable` nor `maxUnavailable` does \
        not protect the pods it selects the way its author intended: its meaning depends on \
        API defaults rather than on a stated budget.",
    remediation: "Set exactly one of `spec.minAvailable` or `spec.maxUnavailable` (for \
        example `maxUnavailable: 1`).",
    references: &["https://kubernetes.io/docs/tasks/run-application/configure-pdb/"],
    params: &[],
    aliases: &["kube-score:poddisruptionbudget-has-policy"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

impl Check for PdbMissingPolicy {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, _ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        if obj.kind() != "PodDisruptionBudget" {
            return;
        }
        let set = |k| obj.root.path(&["spec", k]).is_some_and(|n| !n.is_null());
        if set("minAvailable") || set("maxUnavailable") {
            return;
        }
        out.push(field_diag(
            obj,
            &["spec", "minAvailable"],
            format!(
                "{} sets neither minAvailable nor maxUnavailable",
                describe(obj)
            ),
        ));
    }
}
