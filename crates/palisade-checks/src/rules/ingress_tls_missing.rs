use crate::support::workloads::field_diag;
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct IngressTlsMissing;

pub static CHECK: &dyn Check = &IngressTlsMissing;

static META: CheckMeta = CheckMeta {
    id: "ingress-tls-missing",
    title: "Ingresses should terminate TLS for every host",
    category: Category::Security,
    severity: Severity::Medium,
    rationale: "Without a `tls` section an Ingress serves plain HTTP: credentials, cookies and \
        data cross the network readable and modifiable by anyone on the path. A host missing from \
        every `tls.hosts` list is served without its certificate.",
    remediation: "Add `spec.tls` with the Ingress's hosts and a Secret holding their certificate \
        (for example issued by cert-manager), and redirect HTTP to HTTPS in the controller.",
    references: &[
        "NSA/CISA Kubernetes Hardening Guide: Network separation and hardening (encrypt traffic)",
        "https://kubernetes.io/docs/concepts/services-networking/ingress/#tls",
    ],
    params: &[],
    aliases: &["polaris:tlsSettingsMissing", "kubescape:C-0263"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "TLS terminated in front of the Ingress controller (for example at a cloud load \
        balancer) is not visible in the manifest; exempt such Ingresses with a reason.",
};

/// Whether a TLS host pattern covers `host` (`*.example.com` covers one label).
fn covers(pattern: &str, host: &str) -> bool {
    match pattern.strip_prefix("*.") {
        Some(suffix) => host
            .split_once('.')
            .is_some_and(|(first, rest)| !first.is_empty() && rest == suffix),
        None => pattern == host,
    }
}

impl Check for IngressTlsMissing {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, _ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        if obj.kind() != "Ingress" {
            return;
        }
        let spec = obj.root.get("spec").unwrap_or(Node::null());
        let tls = spec.get("tls").map(Node::items).unwrap_or(&[]);
        if tls.is_empty() {
            out.push(field_diag(
                obj,
                &["spec", "tls"],
                format!(
                    "Ingress `{}` has no TLS configured: it serves plain HTTP",
                    obj.name()
                ),
            ));
            return;
        }
        // A tls entry without hosts applies the controller's certificate to every host.
        let mut patterns = Vec::new();
        for t in tls {
            let hosts = t.get("hosts").map(Node::items).unwrap_or(&[]);
            if hosts.is_empty() {
                return;
            }
            patterns.extend(hosts.iter().filter_map(Node::as_str));
        }
        for (i, rule) in spec
            .get("rules")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let Some(host) = rule.get("host").and_then(Node::as_str) else {
                continue;
            };
            if !patterns.iter().any(|p| covers(p, host)) {
                out.push(
                    Diagnostic::new(
                        format!(
                            "Ingress `{}` serves host `{host}`, which no tls entry lists: it is served without TLS",
                            obj.name()
                        ),
                        rule.key_pos("host"),
                    )
                    .at_path(format!("/spec/rules/{i}/host")),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::support::pod::run_json;
    use serde_json::json;

    fn ing(tls: serde_json::Value) -> serde_json::Value {
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "i"},
               "spec": {"tls": tls, "rules": [{"host": "a.example.com"}, {"host": "b.example.org"}]}})
    }

    #[test]
    fn missing_empty_and_uncovered_hosts() {
        assert_eq!(run_json(super::CHECK, &[ing(json!(null))]).len(), 1);
        assert_eq!(run_json(super::CHECK, &[ing(json!([]))]).len(), 1);
        let d = run_json(
            super::CHECK,
            &[ing(
                json!([{"hosts": ["*.example.com"], "secretName": "s"}]),
            )],
        );
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].path, "/spec/rules/1/host");
        assert!(run_json(super::CHECK, &[ing(json!([{"secretName": "s"}]))]).is_empty());
        assert!(!super::covers("*.example.com", "a.b.example.com"));
    }
}
