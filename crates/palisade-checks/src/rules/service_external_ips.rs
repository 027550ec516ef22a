use crate::support::workloads::field_diag;
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct ServiceExternalIps;

pub static CHECK: &dyn Check = &ServiceExternalIps;

static META: CheckMeta = CheckMeta {
    id: "service-external-ips",
    title: "Services should not set externalIPs",
    category: Category::Security,
    severity: Severity::High,
    rationale: "`spec.externalIPs` makes every node accept traffic for the listed addresses and \
        send it to the Service. Whoever can create a Service can so intercept traffic meant for \
        any IP, inside or outside the cluster (CVE-2020-8554, which has no fix in Kubernetes).",
    remediation: "Remove `externalIPs` and expose the Service through a LoadBalancer or an \
        Ingress; enable the `DenyServiceExternalIPs` admission plugin.",
    references: &[
        "CVE-2020-8554: Man in the middle using LoadBalancer or ExternalIPs",
        "https://kubernetes.io/docs/concepts/services-networking/service/#external-ips",
    ],
    params: &[],
    aliases: &["trivy:KSV108"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

impl Check for ServiceExternalIps {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, _ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        if obj.kind() != "Service" {
            return;
        }
        let ips: Vec<String> = obj
            .root
            .path(&["spec", "externalIPs"])
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(Node::scalar_text)
            .collect();
        if ips.is_empty() {
            return;
        }
        out.push(field_diag(
            obj,
            &["spec", "externalIPs"],
            format!(
                "Service `{}` sets externalIPs {}: nodes will capture traffic to those addresses",
                obj.name(),
                ips.join(", ")
            ),
        ));
    }

    fn fix(&self, obj: &Object, _ctx: &Ctx) -> Vec<serde_json::Value> {
        // Removing the field needs no invented value.
        if obj.kind() == "Service" && obj.root.path(&["spec", "externalIPs"]).is_some() {
            vec![serde_json::json!({"op": "remove", "path": "/spec/externalIPs"})]
        } else {
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::support::pod::{fix_json, run_json};
    use serde_json::json;

    #[test]
    fn external_ips_and_fix() {
        let svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
                         "spec": {"externalIPs": ["203.0.113.7"], "ports": [{"port": 80}]}});
        let d = run_json(super::CHECK, std::slice::from_ref(&svc));
        assert!(d[0].message.contains("203.0.113.7"));
        assert_eq!(fix_json(super::CHECK, &[svc])[0]["op"], "remove");
        let empty = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
                           "spec": {"externalIPs": []}});
        assert!(run_json(super::CHECK, &[empty]).is_empty());
    }
}
