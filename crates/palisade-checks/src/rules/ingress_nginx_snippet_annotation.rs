use crate::support::pod::escape;
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Object, Severity};

pub struct IngressNginxSnippetAnnotation;

pub static CHECK: &dyn Check = &IngressNginxSnippetAnnotation;

static META: CheckMeta = CheckMeta {
    id: "ingress-nginx-snippet-annotation",
    title: "Ingresses should not inject NGINX configuration snippets",
    category: Category::Security,
    severity: Severity::High,
    rationale: "ingress-nginx copies `*-snippet` annotations verbatim into the controller's NGINX \
        configuration. Whoever can create an Ingress can so run Lua code or serve files inside \
        the controller, which holds the ServiceAccount token able to read every Secret of the \
        cluster (CVE-2021-25742).",
    remediation: "Remove the snippet annotation and use the controller's dedicated annotations \
        or a ConfigMap managed by the cluster's administrators; run ingress-nginx with \
        `allow-snippet-annotations: false` (the default since v1.9).",
    references: &[
        "CVE-2021-25742: ingress-nginx custom snippets allow retrieval of ingress-nginx serviceaccount token and secrets",
        "https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#configuration-snippet",
    ],
    params: &[],
    aliases: &[
        "checkov:CKV_K8S_153",
        "kubescape:C-0059",
        "trivy:KCV0093",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "Applies to the `nginx.ingress.kubernetes.io/` annotation prefix; controllers \
        configured with another prefix are not recognised.",
};

/// The snippet annotations of an Ingress: (key, value).
fn snippets(obj: &Object) -> Vec<&palisade_model::Entry> {
    if obj.kind() != "Ingress" {
        return Vec::new();
    }
    let Some(annotations) = obj.metadata().get("annotations").and_then(|a| a.as_map()) else {
        return Vec::new();
    };
    annotations
        .entries
        .iter()
        .filter(|e| {
            e.key
                .strip_prefix("nginx.ingress.kubernetes.io/")
                .is_some_and(|n| n.ends_with("-snippet") || n.ends_with("-snippets"))
        })
        .collect()
}

/// What makes a snippet especially dangerous, for the message.
fn danger(snippet: &str) -> Option<&'static str> {
    if snippet.contains("_by_lua") {
        Some("it runs Lua code")
    } else if snippet
        .split(|c: char| c.is_whitespace() || c == ';' || c == '{')
        .any(|w| w == "alias" || w == "root")
    {
        Some("it serves files from the controller's filesystem")
    } else {
        None
    }
}

impl Check for IngressNginxSnippetAnnotation {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, _ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        for e in snippets(obj) {
            let extra = e
                .value
                .as_str()
                .and_then(danger)
                .map(|d| format!(": {d}"))
                .unwrap_or_default();
            let pos = if e.key_pos.is_known() {
                e.key_pos
            } else {
                obj.pos()
            };
            out.push(
                Diagnostic::new(
                    format!(
                        "Ingress `{}` injects NGINX configuration through `{}`{extra}",
                        obj.name(),
                        e.key
                    ),
                    pos,
                )
                .at_path(format!("/metadata/annotations/{}", escape(&e.key))),
            );
        }
    }

    /// Removing the annotation needs no invented value; what the snippet did must then be
    /// configured by the controller's administrators.
    fn fix(&self, obj: &Object, _ctx: &Ctx) -> Vec<serde_json::Value> {
        snippets(obj)
            .iter()
            .map(|e| {
                serde_json::json!({"op": "remove", "path": format!("/metadata/annotations/{}", escape(&e.key))})
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::support::pod::{fix_json, run_json};
    use serde_json::json;

    #[test]
    fn snippet_annotations() {
        let ing = json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": "i", "annotations": {
                "nginx.ingress.kubernetes.io/rewrite-target": "/",
                "nginx.ingress.kubernetes.io/server-snippet": "location /x { content_by_lua_block { ngx.say(1) } }",
                "nginx.ingress.kubernetes.io/configuration-snippet": "alias /var/run/secrets/;",
                "nginx.ingress.kubernetes.io/auth-snippet": "proxy_set_header X-A b;"}}});
        let d = run_json(super::CHECK, std::slice::from_ref(&ing));
        assert_eq!(d.len(), 3);
        let msg = |key: &str| {
            d.iter()
                .find(|d| d.message.contains(key))
                .map(|d| d.message.clone())
                .unwrap_or_default()
        };
        assert!(msg("server-snippet").ends_with("it runs Lua code"));
        assert!(msg("configuration-snippet").contains("filesystem"));
        assert!(msg("auth-snippet").ends_with("auth-snippet`"));
        assert!(
            d.iter().any(
                |d| d.path == "/metadata/annotations/nginx.ingress.kubernetes.io~1auth-snippet"
            )
        );
        // The fix removes the three snippets and keeps the other annotation.
        let ops = fix_json(super::CHECK, &[ing]);
        assert_eq!(ops.len(), 3);
        assert!(ops.iter().all(|o| o["op"] == "remove"));
    }
}
