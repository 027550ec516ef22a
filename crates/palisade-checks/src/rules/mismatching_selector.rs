use crate::support::pod::pod_of;
use crate::support::workloads::{describe, field_diag};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::index::workload_selector;
use palisade_model::{Category, Diagnostic, Object, Severity};

pub struct MismatchingSelector;

pub static CHECK: &dyn Check = &MismatchingSelector;

static META: CheckMeta = CheckMeta {
    id: "mismatching-selector",
    title: "Workload selectors must match their pod template labels",
    category: Category::Reliability,
    severity: Severity::High,
    rationale: "A controller only manages the pods its selector matches. The API server \
        rejects an apps/v1 workload whose selector does not match its own template labels (or \
        is missing or empty), so the release fails; older API versions accepted it and \
        created pods the controller then could not count.",
    remediation: "Make `spec.selector` select labels that the pod template sets in \
        `spec.template.metadata.labels` (usually the same `app.kubernetes.io/name`).",
    references: &["https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#selector"],
    params: &[],
    aliases: &[
        "kube-linter:mismatching-selector",
        "kube-score:deployment-pod-selector-labels-match-template-metadata-labels",
        "kube-score:statefulset-pod-selector-labels-match-template-metadata-labels",
        "kubescape:C-0296",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "Jobs (whose selector is generated) and ReplicationControllers without a \
        selector (it defaults to the template labels) are not checked; a missing selector is \
        only reported for apps/v1 kinds, where it is required.",
};

impl Check for MismatchingSelector {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let kind = obj.kind();
        if !matches!(
            kind,
            "Deployment"
                | "StatefulSet"
                | "DaemonSet"
                | "ReplicaSet"
                | "ReplicationController"
                | "DeploymentConfig"
        ) {
            return;
        }
        let Some(pod) = pod_of(obj, ctx) else {
            return;
        };
        let written = obj
            .root
            .path(&["spec", "selector"])
            .filter(|n| !n.is_null());
        let apps_v1 = obj.id.api_version == "apps/v1";
        let msg = match (written, workload_selector(obj)) {
            (None, _) | (_, None) if apps_v1 => {
                format!(
                    "{} has no spec.selector, which apps/v1 requires",
                    describe(obj)
                )
            }
            (None, _) | (_, None) => return,
            (Some(_), Some(sel)) if sel.is_empty() => {
                if !apps_v1 {
                    return;
                }
                format!(
                    "{} has an empty selector, which apps/v1 rejects",
                    describe(obj)
                )
            }
            (Some(_), Some(sel)) => {
                if sel.matches(pod.labels()) {
                    return;
                }
                let labels: Vec<String> = pod.labels().map(|(k, v)| format!("{k}={v}")).collect();
                if labels.is_empty() {
                    format!(
                        "{}'s pod template has no labels, so its selector matches none of its pods",
                        describe(obj)
                    )
                } else {
                    format!(
                        "{}'s selector does not match its pod template labels [{}]",
                        describe(obj),
                        labels.join(", ")
                    )
                }
            }
        };
        out.push(field_diag(obj, &["spec", "selector"], msg));
    }
}
