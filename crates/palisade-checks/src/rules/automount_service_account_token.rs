use crate::rules::default_service_account::service_account;
use crate::support::pod::{pod_diag, pod_of, set_op};
use crate::support::pod_spec_path;
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Node, Object, PodSpec, Severity};

pub struct AutomountServiceAccountToken;

pub static CHECK: &dyn Check = &AutomountServiceAccountToken;

static META: CheckMeta = CheckMeta {
    id: "automount-service-account-token",
    title: "Pods should not mount a ServiceAccount token they do not need",
    category: Category::Security,
    severity: Severity::Medium,
    rationale: "By default every pod gets a token for its ServiceAccount mounted at \
        `/var/run/secrets/kubernetes.io/serviceaccount`. Most applications never call the \
        Kubernetes API; for them the token only helps an attacker who compromises the pod to \
        move on to the API server.",
    remediation: "Set `automountServiceAccountToken: false` in the pod spec (or on the \
        ServiceAccount). Pods that do call the API should use a dedicated ServiceAccount with \
        minimal RBAC, or a projected token volume with a short lifetime.",
    references: &[
        "CIS Kubernetes Benchmark v1.8 5.1.6",
        "NSA/CISA Kubernetes Hardening Guide: Protecting Pod service account tokens",
    ],
    params: &[],
    aliases: &[
        "polaris:automountServiceAccountToken",
        "trivy:KSV036",
        "kubescape:C-0034",
        "checkov:CKV_K8S_38",
    ],
    enabled_by_default: true,
    cross_object: true,
    assumptions: "When the pod does not decide, the ServiceAccount does: a ServiceAccount that is \
        not in the scanned set is assumed to mount its token (the Kubernetes default).",
};

/// `None` when no token is mounted; else the reason one is.
fn mounted(pod: &PodSpec, ctx: &Ctx) -> Option<String> {
    match pod
        .get("automountServiceAccountToken")
        .and_then(Node::as_bool)
    {
        Some(false) => None,
        Some(true) => Some("the pod sets automountServiceAccountToken: true".to_string()),
        None => {
            let name = match service_account(pod).0 {
                "" => "default",
                n => n,
            };
            let ns = pod.object.effective_namespace();
            match ctx.index.get("ServiceAccount", ns, name) {
                Some(sa) => match sa
                    .root
                    .get("automountServiceAccountToken")
                    .and_then(Node::as_bool)
                {
                    Some(false) => None,
                    _ => Some(cat!(
                        "neither the pod nor its ServiceAccount `",
                        name,
                        "` sets automountServiceAccountToken: false"
                    )),
                },
                None => Some(cat!(
                    "the pod does not set automountServiceAccountToken: false and its ServiceAccount `",
                    name,
                    "` is not in the scanned set (assumed to mount its token)"
                )),
            }
        }
    }
}

impl Check for AutomountServiceAccountToken {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pods_only(&self) -> bool {
        true
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some(pod) = pod_of(obj, ctx) else { return };
        if let Some(why) = mounted(&pod, ctx) {
            out.push(pod_diag(
                &pod,
                &["automountServiceAccountToken"],
                cat!("pod mounts a ServiceAccount token: ", why),
            ));
        }
    }

    fn fix(&self, obj: &Object, ctx: &Ctx) -> Vec<serde_json::Value> {
        match pod_of(obj, ctx) {
            Some(pod) if mounted(&pod, ctx).is_some() => vec![set_op(
                pod.spec,
                pod_spec_path(&pod),
                &["automountServiceAccountToken"],
                serde_json::json!(false),
            )],
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::support::pod::run_json;
    use serde_json::json;

    fn pod(automount: Option<bool>) -> serde_json::Value {
        let mut spec = json!({"serviceAccountName": "test", "containers": [{"name": "nginx"}]});
        if let Some(a) = automount {
            spec["automountServiceAccountToken"] = json!(a);
        }
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec})
    }
    fn sa(automount: Option<bool>) -> serde_json::Value {
        let mut s =
            json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "test"}});
        if let Some(a) = automount {
            s["automountServiceAccountToken"] = json!(a);
        }
        s
    }

    #[test]
    fn pod_overrides_service_account() {
        let n = |docs: &[serde_json::Value]| run_json(super::CHECK, docs).len();
        assert_eq!(n(&[pod(Some(true)), sa(Some(true))]), 1);
        assert_eq!(n(&[pod(Some(true)), sa(Some(false))]), 1);
        assert_eq!(n(&[pod(Some(false)), sa(Some(true))]), 0);
        assert_eq!(n(&[pod(None), sa(Some(false))]), 0);
        assert_eq!(n(&[pod(None), sa(None)]), 1);
        assert_eq!(n(&[pod(None)]), 1);
    }
}
