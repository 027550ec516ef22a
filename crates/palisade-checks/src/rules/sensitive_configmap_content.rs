use crate::support::pod::escape;
use crate::support::secrets::{
    ALLOWED_NAMES, SENSITIVE_NAMES, points_elsewhere, scalar, secret_in_value, sensitive_name,
};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Object, Severity};

pub struct SensitiveConfigmapContent;

pub static CHECK: &dyn Check = &SensitiveConfigmapContent;

static META: CheckMeta = CheckMeta {
    id: "sensitive-configmap-content",
    title: "ConfigMaps should not hold secrets",
    category: Category::Security,
    severity: Severity::High,
    rationale: "ConfigMaps are meant for non-confidential data: they are readable by anyone with \
        `view` on the namespace, are never encrypted at rest, and are printed by `kubectl \
        describe`. A password, token or private key stored in one is exposed to all of them.",
    remediation: "Move the value into a Secret (and mount it as a file), keep only non-secret \
        settings in the ConfigMap, and rotate the exposed credential.",
    references: &[
        "NSA/CISA Kubernetes Hardening Guide: Secrets",
        "https://kubernetes.io/docs/concepts/configuration/configmap/",
    ],
    params: &[SENSITIVE_NAMES, ALLOWED_NAMES],
    aliases: &[
        "polaris:sensitiveConfigmapContent",
        "trivy:KSV109",
        "trivy:KSV01010",
        "kubescape:C-0012",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

impl Check for SensitiveConfigmapContent {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        if obj.kind() != "ConfigMap" {
            return;
        }
        let Some(data) = obj.root.get("data").and_then(|d| d.as_map()) else {
            return;
        };
        let sensitive = ctx.param_strs("sensitive-names");
        let allowed = ctx.param_strs("allowed-names");
        for e in &data.entries {
            let value = scalar(&e.value).unwrap_or_default();
            let why = if let Some(kind) = secret_in_value(&value) {
                format!("holds {kind}")
            } else if !value.is_empty()
                && sensitive_name(&e.key, sensitive, allowed)
                && !points_elsewhere(&value)
            {
                "is named like a secret".to_string()
            } else {
                continue;
            };
            let pos = if e.key_pos.is_known() {
                e.key_pos
            } else {
                obj.pos()
            };
            out.push(
                Diagnostic::new(
                    format!("ConfigMap `{}` key `{}` {why}", obj.name(), e.key),
                    pos,
                )
                .at_path(format!("/data/{}", escape(&e.key))),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::support::pod::run_json;
    use serde_json::json;

    #[test]
    fn keys_and_values() {
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
            "data": {"LOG_LEVEL": "info", "db.password": "hunter2", "tls.key": "-----BEGIN PRIVATE KEY-----\nAAA",
                     "TOKEN_PATH": "/var/run/token", "EMPTY_SECRET": ""}});
        let d = run_json(super::CHECK, &[cm]);
        let paths: Vec<_> = d.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(paths, ["/data/db.password", "/data/tls.key"]);
    }
}
