use crate::support::pod::{item_diag, pod_of};
use crate::support::secrets::{
    ALLOWED_NAMES, SENSITIVE_NAMES, only_references, points_elsewhere, scalar, secret_in_value,
    sensitive_name,
};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct SecretInEnvValue;

pub static CHECK: &dyn Check = &SecretInEnvValue;

static META: CheckMeta = CheckMeta {
    id: "secret-in-env-value",
    title: "Secrets should not be written into environment variables",
    category: Category::Security,
    severity: Severity::High,
    rationale: "A literal `value` of an environment variable lives in the manifest: in Git, in \
        Helm values, in the object stored in etcd unencrypted, in `kubectl describe` output and \
        in every copy of the manifest. A variable named like a password or token, or a value that \
        holds a private key or a URL with a password, leaks that secret to everyone who can read \
        any of those.",
    remediation: "Store the value in a Secret and reference it with \
        `valueFrom.secretKeyRef` (or better, mount the Secret as a file); rotate the exposed \
        credential.",
    references: &[
        "CIS Kubernetes Benchmark 5.4.1: Prefer using secrets as files over secrets as environment variables",
        "NSA/CISA Kubernetes Hardening Guide: Secrets",
        "https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-environment-variables",
    ],
    params: &[SENSITIVE_NAMES, ALLOWED_NAMES],
    aliases: &[
        "polaris:sensitiveContainerEnvVar",
        "kube-linter:env-var-secret",
        "kubescape:C-0012",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

impl Check for SecretInEnvValue {
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
        let sensitive = ctx.param_strs("sensitive-names");
        let allowed = ctx.param_strs("allowed-names");
        for c in pod.all_containers() {
            let env = c.get("env").map(Node::items).unwrap_or(&[]);
            for (i, e) in env.iter().enumerate() {
                let name = e.get("name").and_then(Node::as_str).unwrap_or("");
                // Numbers and booleans are read as text by Kubernetes too.
                let Some(value) = e.get("value").and_then(scalar) else {
                    continue;
                };
                if value.is_empty() || only_references(&value) {
                    continue;
                }
                let why = if let Some(kind) = secret_in_value(&value) {
                    format!("holds {kind}")
                } else if sensitive_name(name, sensitive, allowed) && !points_elsewhere(&value) {
                    "is named like a secret and has a literal value".to_string()
                } else {
                    continue;
                };
                out.push(item_diag(
                    &pod,
                    &c,
                    "env",
                    i,
                    Some("value"),
                    format!(
                        "environment variable `{name}` of container `{}` {why}",
                        c.name
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::support::pod::run_json;
    use serde_json::json;

    fn pod(env: serde_json::Value) -> serde_json::Value {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
               "spec": {"containers": [{"name": "app", "image": "x:1", "env": env}]}})
    }

    #[test]
    fn names_values_and_references() {
        let d = run_json(
            super::CHECK,
            &[pod(json!([
                {"name": "DB_PASSWORD", "value": "hunter2"},
                {"name": "DB_PASSWORD_FILE", "value": "/run/secrets/db"},
                {"name": "API_TOKEN", "valueFrom": {"secretKeyRef": {"name": "s", "key": "t"}}},
                {"name": "DSN", "value": "mysql://app:pw@db/shop"},
                {"name": "SECRET_KEY", "value": ""},
                {"name": "TOKEN_COPY", "value": "$(API_TOKEN)"},
                {"name": "LOG_LEVEL", "value": "debug"}
            ]))],
        );
        let paths: Vec<_> = d.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "/spec/containers/0/env/0/value",
                "/spec/containers/0/env/3/value"
            ]
        );
        assert!(d[1].message.contains("URL with an embedded password"));
    }
}
