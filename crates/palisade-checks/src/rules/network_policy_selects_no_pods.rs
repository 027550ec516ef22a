use crate::support::network::policy_selector;
use crate::support::workloads::field_diag;
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Object, Severity};

pub struct NetworkPolicySelectsNoPods;

pub static CHECK: &dyn Check = &NetworkPolicySelectsNoPods;

static META: CheckMeta = CheckMeta {
    id: "network-policy-selects-no-pods",
    title: "NetworkPolicies should select at least one pod",
    category: Category::Security,
    severity: Severity::Low,
    rationale: "A NetworkPolicy whose `podSelector` matches no pod protects nothing: usually a \
        label was renamed on one side, and the workload it was written for runs unisolated while \
        the policy suggests otherwise.",
    remediation: "Make the policy's `podSelector` match the labels of the pod template it is meant \
        for, or delete the policy.",
    references: &["https://kubernetes.io/docs/concepts/services-networking/network-policies/"],
    params: &[],
    aliases: &[
        "kube-linter:dangling-networkpolicy",
        "kube-score:networkpolicy-targets-pod",
        "kubescape:C-0299",
    ],
    enabled_by_default: true,
    cross_object: true,
    assumptions: "The pods a policy is written for are expected in the \
        same scan, as kube-linter and kube-score assume: scan a policy together with its workloads \
        (pods created from manifests elsewhere are not seen). A policy with an empty `podSelector` \
        (the whole namespace, e.g. a default-deny) is not reported, since it is meant for pods yet \
        to come.",
};

impl Check for NetworkPolicySelectsNoPods {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        if obj.kind() != "NetworkPolicy" {
            return;
        }
        let sel = policy_selector(obj);
        if sel.is_empty() {
            return;
        }
        let ns = obj.effective_namespace();
        if ctx.index.pods_selected(ns, &sel).next().is_some() {
            return;
        }
        out.push(field_diag(
            obj,
            &["spec", "podSelector"],
            format!(
                "NetworkPolicy `{}` selects no pods: no workload in namespace `{}` matches its podSelector",
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

    #[test]
    fn dangling_policy() {
        let np = json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "p", "namespace": "a"},
            "spec": {"podSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["web", "api"]}]}}});
        let pod = |ns: &str, app: &str| {
            json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": app, "namespace": ns, "labels": {"app": app}}, "spec": {"containers": []}})
        };
        assert!(run_json(super::CHECK, &[np.clone(), pod("a", "api")]).is_empty());
        assert_eq!(
            run_json(super::CHECK, &[np.clone(), pod("b", "api")]).len(),
            1
        );
        // As in kube-linter, pods are expected in the scan: none at all is a finding too.
        assert_eq!(run_json(super::CHECK, &[np]).len(), 1);
    }
}
