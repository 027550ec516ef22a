use crate::support::network::pods_of;
use crate::support::pod::{pod_diag, pod_of};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Node, Object, PodSpec, Severity};

pub struct DefaultServiceAccount;

pub static CHECK: &dyn Check = &DefaultServiceAccount;

static META: CheckMeta = CheckMeta {
    id: "default-service-account",
    title: "Pods should run as a dedicated ServiceAccount, not `default`",
    category: Category::Security,
    severity: Severity::Low,
    rationale: "Every pod of a namespace that names no ServiceAccount shares the `default` one: \
        any permission granted to it (often added for one workload) is granted to all of them, \
        and an audit log cannot tell them apart.",
    remediation: "Create a ServiceAccount for the workload and set `serviceAccountName`; grant \
        it only what the workload needs, and set `automountServiceAccountToken: false` on \
        `default`.",
    references: &[
        "CIS Kubernetes Benchmark 5.1.5: Ensure that default service accounts are not actively used",
        "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/",
    ],
    params: &[],
    aliases: &["kube-linter:default-service-account", "kubescape:C-0189"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

/// The ServiceAccount a pod spec names: `serviceAccountName`, else the deprecated
/// `serviceAccount`, with the key it came from. Empty when neither is set.
pub(crate) fn service_account<'a>(pod: &PodSpec<'a>) -> (&'a str, &'static str) {
    for key in ["serviceAccountName", "serviceAccount"] {
        if let Some(name) = pod
            .get(key)
            .and_then(Node::as_str)
            .filter(|s| !s.is_empty())
        {
            return (name, key);
        }
    }
    ("", "serviceAccountName")
}

impl Check for DefaultServiceAccount {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pods_only(&self) -> bool {
        true
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some(pod) = pod_of(obj, ctx) else {
            return;
        };
        let (name, key) = service_account(&pod);
        let message = match name {
            "" => format!(
                "{} will run as the namespace's `default` ServiceAccount: no serviceAccountName is set",
                pods_of(obj)
            ),
            "default" => format!(
                "{} will run as the namespace's `default` ServiceAccount",
                pods_of(obj)
            ),
            _ => return,
        };
        out.push(pod_diag(&pod, &[key], message));
    }
}

#[cfg(test)]
mod tests {
    use crate::support::pod::run_json;
    use serde_json::json;

    fn pod(spec: serde_json::Value) -> serde_json::Value {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec})
    }

    #[test]
    fn unset_default_and_deprecated_field() {
        assert_eq!(
            run_json(super::CHECK, &[pod(json!({"containers": []}))]).len(),
            1
        );
        let d = run_json(
            super::CHECK,
            &[pod(json!({"serviceAccountName": "default"}))],
        );
        assert_eq!(d[0].path, "/spec/serviceAccountName");
        assert!(run_json(super::CHECK, &[pod(json!({"serviceAccountName": "web"}))]).is_empty());
        assert!(run_json(super::CHECK, &[pod(json!({"serviceAccount": "web"}))]).is_empty());
    }
}
