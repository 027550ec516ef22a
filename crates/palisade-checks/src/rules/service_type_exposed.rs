use crate::support::workloads::field_diag;
use crate::{Check, CheckMeta, Ctx, Param};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct ServiceTypeExposed;

pub static CHECK: &dyn Check = &ServiceTypeExposed;

static META: CheckMeta = CheckMeta {
    id: "service-type-exposed",
    title: "Services should not be exposed outside the cluster by NodePort or LoadBalancer",
    category: Category::Security,
    severity: Severity::Medium,
    rationale: "A NodePort Service opens its port on every node's address, bypassing any \
        Ingress, its TLS and authentication; a LoadBalancer Service gets an external address, \
        often reachable from the internet. Either is easy to create by accident and widens what \
        an attacker can reach.",
    remediation: "Use `type: ClusterIP` and expose HTTP services through an Ingress or Gateway \
        with TLS; where an external load balancer is needed, mark it internal and restrict \
        `loadBalancerSourceRanges`, then exempt the Service with a reason.",
    references: &[
        "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening",
        "https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types",
    ],
    params: &[Param {
        name: "forbidden-types",
        description: "Service types reported.",
        default: r#"["NodePort", "LoadBalancer"]"#,
    }],
    aliases: &[
        "kube-linter:exposed-services",
        "kube-score:service-type",
        "kubescape:C-0256",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

impl Check for ServiceTypeExposed {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        if obj.kind() != "Service" {
            return;
        }
        let Some(ty) = obj.root.path(&["spec", "type"]).and_then(Node::as_str) else {
            return;
        };
        if !ctx.param_strs("forbidden-types").contains(ty) {
            return;
        }
        let how = match ty {
            "NodePort" => "opens its ports on every node's address",
            "LoadBalancer" => "gets an address outside the cluster",
            _ => "is a forbidden type",
        };
        out.push(field_diag(
            obj,
            &["spec", "type"],
            format!("Service `{}` has type {ty}, which {how}", obj.name()),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::support::pod::run_json;
    use serde_json::json;

    #[test]
    fn types() {
        let svc = |t: &str| {
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
                                   "spec": {"type": t, "ports": [{"port": 80}]}})
        };
        assert_eq!(
            run_json(super::CHECK, &[svc("NodePort"), svc("LoadBalancer")]).len(),
            2
        );
        assert!(run_json(super::CHECK, &[svc("ClusterIP"), svc("ExternalName")]).is_empty());
    }
}
