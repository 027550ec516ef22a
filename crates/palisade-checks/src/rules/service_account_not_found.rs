use crate::rules::default_service_account::service_account;
use crate::support::network::pods_of;
use crate::support::pod::{pod_diag, pod_of};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Object, Severity};

pub struct ServiceAccountNotFound;

pub static CHECK: &dyn Check = &ServiceAccountNotFound;

static META: CheckMeta = CheckMeta {
    id: "service-account-not-found",
    title: "Pods should reference a ServiceAccount that exists",
    category: Category::Reliability,
    severity: Severity::High,
    rationale: "The API server refuses to create a pod whose ServiceAccount does not exist: the \
        controller keeps failing and the workload never starts, usually after a rename or when \
        the ServiceAccount is left out of the release.",
    remediation: "Add the ServiceAccount to the manifests (in the pod's namespace), or correct \
        `serviceAccountName`.",
    references: &[
        "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/",
    ],
    params: &[],
    aliases: &[
        "kube-linter:non-existent-service-account",
        "kubescape:C-0307",
    ],
    enabled_by_default: true,
    cross_object: true,
    assumptions: "ServiceAccounts are often created outside an application's manifests, so a \
        missing one is only reported when the scan defines ServiceAccounts in the pod's namespace \
        or defines the Namespace itself. `default` always exists.",
};

impl Check for ServiceAccountNotFound {
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
        if name.is_empty() || name == "default" {
            return;
        }
        let ns = obj.effective_namespace();
        let idx = ctx.index;
        let scan_owns_namespace =
            idx.has_kind_in("ServiceAccount", ns) || ns.is_some_and(|n| idx.namespace(n).is_some());
        if !scan_owns_namespace || idx.get("ServiceAccount", ns, name).is_some() {
            return;
        }
        out.push(pod_diag(
            &pod,
            &[key],
            format!(
                "{} will use ServiceAccount `{name}`, which is not defined in namespace `{}`: the API server rejects such pods",
                pods_of(obj),
                ns.unwrap_or("default")
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::support::pod::run_json;
    use serde_json::json;

    fn deploy(sa: &str) -> serde_json::Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
               "spec": {"template": {"spec": {"serviceAccountName": sa, "containers": []}}}})
    }
    fn sa(name: &str, ns: &str) -> serde_json::Value {
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": ns}})
    }

    #[test]
    fn only_judged_where_the_scan_owns_the_namespace() {
        assert!(run_json(super::CHECK, &[deploy("web")]).is_empty());
        assert!(run_json(super::CHECK, &[deploy("web"), sa("web", "shop")]).is_empty());
        assert_eq!(
            run_json(super::CHECK, &[deploy("web"), sa("api", "shop")]).len(),
            1
        );
        assert!(run_json(super::CHECK, &[deploy("web"), sa("api", "other")]).is_empty());
        let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}});
        let d = run_json(super::CHECK, &[ns, deploy("web")]);
        assert_eq!(d[0].path, "/spec/template/spec/serviceAccountName");
        assert!(run_json(super::CHECK, &[deploy("default"), sa("api", "shop")]).is_empty());
    }
}
