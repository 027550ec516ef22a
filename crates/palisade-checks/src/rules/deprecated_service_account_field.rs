use crate::support::pod::{pod_diag, pod_of, remove_op};
use crate::support::pod_spec_path;
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct DeprecatedServiceAccountField;

pub static CHECK: &dyn Check = &DeprecatedServiceAccountField;

static META: CheckMeta = CheckMeta {
    id: "deprecated-service-account-field",
    title: "Pods should use serviceAccountName, not the deprecated serviceAccount",
    category: Category::Security,
    severity: Severity::Low,
    rationale: "`serviceAccount` is a deprecated alias of `serviceAccountName`. When both are set \
        and differ, `serviceAccountName` wins, so the identity a reader sees in `serviceAccount` \
        may not be the one the pod gets.",
    remediation: "Rename `serviceAccount` to `serviceAccountName` (or delete it when \
        `serviceAccountName` is already set).",
    references: &[
        "https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#security",
    ],
    params: &[],
    aliases: &[
        "kube-linter:deprecated-service-account-field",
        "kubescape:C-0294",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

impl Check for DeprecatedServiceAccountField {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pods_only(&self) -> bool {
        true
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some(pod) = pod_of(obj, ctx) else { return };
        let Some(old) = pod
            .get("serviceAccount")
            .and_then(Node::as_str)
            .filter(|s| !s.is_empty())
        else {
            return;
        };
        let message = match pod
            .get("serviceAccountName")
            .and_then(Node::as_str)
            .filter(|s| !s.is_empty())
        {
            Some(name) if name != old => format!(
                "pod sets the deprecated serviceAccount `{old}`, which differs from serviceAccountName `{name}` (serviceAccountName wins)"
            ),
            Some(_) => {
                format!("pod sets the deprecated serviceAccount `{old}` besides serviceAccountName")
            }
            None => format!(
                "pod sets the deprecated serviceAccount `{old}` instead of serviceAccountName"
            ),
        };
        out.push(pod_diag(&pod, &["serviceAccount"], message));
    }

    fn fix(&self, obj: &Object, ctx: &Ctx) -> Vec<serde_json::Value> {
        let Some(pod) = pod_of(obj, ctx) else {
            return Vec::new();
        };
        let Some(old) = pod
            .get("serviceAccount")
            .and_then(Node::as_str)
            .filter(|s| !s.is_empty())
        else {
            return Vec::new();
        };
        let base = pod_spec_path(&pod);
        let mut ops = Vec::new();
        // Without serviceAccountName the old field decides: carry its value over first.
        if pod
            .get("serviceAccountName")
            .and_then(Node::as_str)
            .is_none_or(str::is_empty)
        {
            ops.push(serde_json::json!({"op": "add", "path": format!("{base}/serviceAccountName"), "value": old}));
        }
        ops.push(remove_op(base, &["serviceAccount"]));
        ops
    }
}
