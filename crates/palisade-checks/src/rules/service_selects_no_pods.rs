use crate::support::network::{is_external_name, labels_text, service_selector_without};
use crate::support::workloads::field_diag;
use crate::{Check, CheckMeta, Ctx, Param};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct ServiceSelectsNoPods;

pub static CHECK: &dyn Check = &ServiceSelectsNoPods;

static META: CheckMeta = CheckMeta {
    id: "service-selects-no-pods",
    title: "Services should select at least one pod",
    category: Category::Reliability,
    severity: Severity::Medium,
    rationale: "A Service whose selector matches no pod has no endpoints: clients get connection \
        errors, and an Ingress in front of it returns 503s. It is almost always a label renamed on \
        one side or a namespace mismatch.",
    remediation: "Make `spec.selector` match the labels of the pod template it should route to, \
        in the same namespace, or remove the selector if the Service's endpoints are managed by \
        hand.",
    references: &[
        "https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service",
    ],
    params: &[Param {
        name: "ignored-labels",
        description: "Selector keys ignored because Kubernetes sets them on pods at run time.",
        default: r#"["statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index", "pod-template-hash", "controller-revision-hash"]"#,
    }],
    aliases: &[
        "kube-linter:dangling-service",
        "kube-score:service-targets-pod",
        "kubescape:C-0293",
    ],
    enabled_by_default: true,
    cross_object: true,
    assumptions: "The pods a Service routes to are expected in the same \
        scan, as kube-linter and kube-score assume: scan a Service together with its workloads. \
        Services without a selector (endpoints managed by hand) and ExternalName Services are \
        skipped.",
};

impl Check for ServiceSelectsNoPods {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        if obj.kind() != "Service" || is_external_name(obj) {
            return;
        }
        let Some(sel) = service_selector_without(obj, ctx.param_strs("ignored-labels")) else {
            return;
        };
        let ns = obj.effective_namespace();
        if ctx.index.pods_selected(ns, &sel).next().is_some() {
            return;
        }
        let labels = labels_text(obj.root.path(&["spec", "selector"]).unwrap_or(Node::null()));
        out.push(field_diag(
            obj,
            &["spec", "selector"],
            format!(
                "Service `{}` selects no pods: no workload in namespace `{}` has the labels {labels}",
                obj.name(),
                ns.unwrap_or("default")
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::support::pod::run_json;
    use serde_json::json;

    fn svc(ns: &str, sel: serde_json::Value) -> serde_json::Value {
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": ns},
               "spec": {"selector": sel, "ports": [{"port": 80}]}})
    }
    fn deploy() -> serde_json::Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "a"},
               "spec": {"template": {"metadata": {"labels": {"app": "web", "tier": "fe"}}, "spec": {"containers": []}}}})
    }

    #[test]
    fn selector_namespace_and_runtime_labels() {
        assert!(run_json(super::CHECK, &[svc("a", json!({"app": "web"})), deploy()]).is_empty());
        let d = run_json(super::CHECK, &[svc("b", json!({"app": "web"})), deploy()]);
        assert!(d[0].message.contains("app=web"), "{}", d[0].message);
        assert_eq!(
            run_json(
                super::CHECK,
                &[svc("a", json!({"app": "web", "tier": "be"})), deploy()]
            )
            .len(),
            1
        );
        let pinned = svc(
            "a",
            json!({"app": "web", "statefulset.kubernetes.io/pod-name": "web-0"}),
        );
        assert!(run_json(super::CHECK, &[pinned, deploy()]).is_empty());
        // As in kube-linter, pods are expected in the scan: none at all is a finding too.
        assert_eq!(
            run_json(super::CHECK, &[svc("b", json!({"app": "web"}))]).len(),
            1
        );
    }
}
