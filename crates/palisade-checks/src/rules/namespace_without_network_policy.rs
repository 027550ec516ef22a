use crate::support::rbac::name_ignored;
use crate::{Check, CheckMeta, Ctx, Param};
use palisade_model::{Category, Diagnostic, Object, Severity};

pub struct NamespaceWithoutNetworkPolicy;

pub static CHECK: &dyn Check = &NamespaceWithoutNetworkPolicy;

static META: CheckMeta = CheckMeta {
    id: "namespace-without-network-policy",
    title: "Namespaces should have a NetworkPolicy",
    category: Category::Security,
    severity: Severity::Medium,
    rationale: "A namespace without any NetworkPolicy has no network isolation at all: every pod \
        created in it, now or later, accepts traffic from the whole cluster and can reach \
        anything. A default-deny policy per namespace makes new workloads isolated from the \
        start.",
    remediation: "Add a default-deny NetworkPolicy to the namespace (`podSelector: {}` with \
        `policyTypes: [Ingress, Egress]`) and policies that allow the flows its workloads need.",
    references: &[
        "CIS Kubernetes Benchmark 5.3.2: Ensure that all Namespaces have NetworkPolicies defined",
        "NSA/CISA Kubernetes Hardening Guide: Network policies",
    ],
    params: &[Param {
        name: "ignore-namespaces",
        description: "Namespaces (or `prefix*`) not checked, such as the control plane's.",
        default: r#"["kube-system", "kube-public", "kube-node-lease"]"#,
    }],
    aliases: &["kubescape:C-0206"],
    enabled_by_default: true,
    cross_object: true,
    assumptions: "Judged on the Namespace objects of the scan, against the NetworkPolicies of the \
        same scan; policies applied separately are not seen.",
};

impl Check for NamespaceWithoutNetworkPolicy {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        if obj.kind() != "Namespace"
            || name_ignored(obj.name(), ctx.param_strs("ignore-namespaces"))
            || ctx.index.has_kind_in("NetworkPolicy", Some(obj.name()))
        {
            return;
        }
        out.push(
            Diagnostic::new(
                format!(
                    "Namespace `{}` has no NetworkPolicy: its pods accept and open any connection",
                    obj.name()
                ),
                obj.pos(),
            )
            .at_path(""),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::support::pod::run_json;
    use serde_json::json;

    #[test]
    fn namespaces_and_policies() {
        let ns =
            |n: &str| json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}});
        let np = json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "deny", "namespace": "shop"}, "spec": {"podSelector": {}}});
        let d = run_json(
            super::CHECK,
            &[ns("shop"), ns("web"), ns("kube-system"), np],
        );
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("`web`"));
    }
}
