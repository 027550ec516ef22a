use crate::support::pod::pod_of;
use crate::support::workloads::{describe, field_diag};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Object, Severity};

pub struct MetadataInstanceMismatch;

pub static CHECK: &dyn Check = &MetadataInstanceMismatch;

const LABEL: &str = "app.kubernetes.io/instance";

static META: CheckMeta = CheckMeta {
    id: "metadata-instance-mismatch",
    title: "The app.kubernetes.io/instance label should match the object name",
    category: Category::Reliability,
    severity: Severity::Info,
    rationale: "Tools that group objects by the recommended `app.kubernetes.io/instance` label \
        (dashboards, cost reports, `kubectl -l`) attribute a workload to the wrong instance \
        when the label names something else, usually after a copy-paste.",
    remediation: "Set `metadata.labels[\"app.kubernetes.io/instance\"]` to the workload's \
        `metadata.name`, or exempt objects whose instance label deliberately names a Helm \
        release.",
    references: &[
        "https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/",
    ],
    params: &[],
    aliases: &["polaris:metadataAndInstanceMismatched"],
    enabled_by_default: false,
    cross_object: false,
    assumptions: "Only a written label is compared (Polaris also fails when it is missing; use \
        required-labels for presence). Off by default: Helm sets the label to the release \
        name, which rarely equals each object's name.",
};

impl Check for MetadataInstanceMismatch {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pods_only(&self) -> bool {
        true
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        if pod_of(obj, ctx).is_none() {
            return;
        }
        let Some(instance) = obj.label(LABEL) else {
            return;
        };
        if instance == obj.name() {
            return;
        }
        out.push(field_diag(
            obj,
            &["metadata", "labels", LABEL],
            format!(
                "{} has label {LABEL}={instance}, which does not match its name",
                describe(obj)
            ),
        ));
    }
}
