use crate::support::workloads::{describe, field_diag};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Object, Severity};

pub struct PdbUnhealthyPodEvictionPolicy;

pub static CHECK: &dyn Check = &PdbUnhealthyPodEvictionPolicy;

static META: CheckMeta = CheckMeta {
    id: "pdb-unhealthy-pod-eviction-policy",
    title: "PodDisruptionBudgets should set unhealthyPodEvictionPolicy",
    category: Category::Reliability,
    severity: Severity::Low,
    rationale: "By default (`IfHealthyBudget`) pods that are running but not ready count \
        against the budget, so a crash-looping replica can block every node drain. \
        `AlwaysAllow` lets such pods be evicted; choosing explicitly documents the intent.",
    remediation: "Set `spec.unhealthyPodEvictionPolicy` explicitly, normally to `AlwaysAllow`.",
    references: &[
        "https://kubernetes.io/docs/tasks/run-application/configure-pdb/#unhealthy-pod-eviction-policy",
    ],
    params: &[],
    aliases: &["kube-linter:pdb-unhealthy-pod-eviction-policy"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

fn missing(obj: &Object) -> bool {
    obj.kind() == "PodDisruptionBudget"
        && obj
            .root
            .path(&["spec", "unhealthyPodEvictionPolicy"])
            .is_none_or(|n| n.is_null())
}

impl Check for PdbUnhealthyPodEvictionPolicy {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, _ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        if missing(obj) {
            out.push(field_diag(
                obj,
                &["spec", "unhealthyPodEvictionPolicy"],
                format!(
                    "{} does not set unhealthyPodEvictionPolicy explicitly",
                    describe(obj)
                ),
            ));
        }
    }

    /// `AlwaysAllow` is the value Kubernetes recommends; nothing is invented.
    fn fix(&self, obj: &Object, _ctx: &Ctx) -> Vec<serde_json::Value> {
        if !missing(obj) || obj.root.get("spec").and_then(|s| s.as_map()).is_none() {
            return Vec::new();
        }
        vec![serde_json::json!({
            "op": "add",
            "path": "/spec/unhealthyPodEvictionPolicy",
            "value": "AlwaysAllow"
        })]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::pod::{fix_json, run_json};

    #[test]
    fn fix_sets_always_allow_only_when_missing() {
        let missing = serde_json::json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": {"name": "a"}, "spec": {"maxUnavailable": 1}});
        let set = serde_json::json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": {"name": "b"}, "spec": {"unhealthyPodEvictionPolicy": "IfHealthyBudget"}});
        assert_eq!(
            fix_json(CHECK, std::slice::from_ref(&missing)),
            vec![
                serde_json::json!({"op": "add", "path": "/spec/unhealthyPodEvictionPolicy", "value": "AlwaysAllow"})
            ]
        );
        assert!(fix_json(CHECK, std::slice::from_ref(&set)).is_empty());
        assert!(run_json(CHECK, &[set]).is_empty());
    }
}
