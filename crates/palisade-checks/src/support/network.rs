//! NetworkPolicies, Services and Ingress backends: which pods a policy isolates, what a Service
//! exposes, and where an Ingress sends traffic.

use palisade_model::index::workload_selector;
use palisade_model::{Index, LabelSelector, Map, Node, Object, PodSpec, Pos, Value};

/// A NetworkPolicy's `spec.podSelector` (absent or empty: every pod of the namespace).
pub fn policy_selector(np: &Object) -> LabelSelector {
    match np.root.path(&["spec", "podSelector"]) {
        Some(sel) if !sel.is_null() => LabelSelector::from_label_selector(sel),
        _ => LabelSelector::default(),
    }
}

/// Which directions a NetworkPolicy isolates the pods it selects in: `(ingress, egress)`.
/// Without `policyTypes` (or with an empty list) the API server defaults to Ingress, plus Egress
/// when at least one egress rule is written (an empty `egress: []` does not count).
pub fn policy_directions(np: &Object) -> (bool, bool) {
    let spec = np.root.get("spec").unwrap_or(Node::null());
    match spec
        .get("policyTypes")
        .and_then(Node::as_seq)
        .filter(|t| !t.is_empty())
    {
        Some(types) => {
            let has = |t: &str| types.iter().any(|n| n.as_str() == Some(t));
            (has("Ingress"), has("Egress"))
        }
        None => (
            true,
            !spec
                .get("egress")
                .map(Node::items)
                .unwrap_or(&[])
                .is_empty(),
        ),
    }
}

/// NetworkPolicies in the pod's namespace whose podSelector selects it. Only the candidates
/// the index files under one of the pod's labels are evaluated.
pub fn policies_selecting<'a>(index: &Index<'a>, pod: &PodSpec<'a>) -> Vec<&'a Object> {
    let mut found = index.selector_candidates(
        "NetworkPolicy",
        pod.object.effective_namespace(),
        pod.labels(),
    );
    found.retain(|np| match np.root.path(&["spec", "podSelector"]) {
        Some(sel) if !sel.is_null() => selector_matches(sel, pod.labels()),
        _ => true,
    });
    found
}

/// Whether a `matchLabels`/`matchExpressions` selector matches `labels`, with the semantics of
/// [`LabelSelector`] but without building one: this runs for every (pod, policy) pair of a
/// namespace.
pub fn selector_matches<'a>(
    sel: &Node,
    labels: impl Iterator<Item = (&'a str, &'a str)> + Clone,
) -> bool {
    let get = |key: &str| labels.clone().find(|(k, _)| *k == key).map(|(_, v)| v);
    let equals = |n: &Node, v: &str| match n.as_str() {
        Some(s) => s == v,
        None => n.scalar_text().is_some_and(|s| s == v),
    };
    if let Some(ml) = sel.get("matchLabels") {
        for (k, v) in ml.string_map() {
            if get(k) != Some(v) {
                return false;
            }
        }
    }
    for e in sel.get("matchExpressions").map(Node::items).unwrap_or(&[]) {
        let key = e.get("key").and_then(Node::as_str).unwrap_or("");
        let values = e.get("values").map(Node::items).unwrap_or(&[]);
        let found = get(key);
        let ok = match e.get("operator").and_then(Node::as_str) {
            Some("In") => found.is_some_and(|v| values.iter().any(|x| equals(x, v))),
            Some("NotIn") => found.is_none_or(|v| !values.iter().any(|x| equals(x, v))),
            Some("Exists") => found.is_some(),
            Some("DoesNotExist") => found.is_none(),
            // An invalid operator matches nothing, as the API server would refuse it.
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    true
}

/// A Service's selector when it has a non-empty one (Services without one route to manually
/// managed Endpoints and select no pods by design).
pub fn service_selector(svc: &Object) -> Option<LabelSelector> {
    if svc.kind() != "Service" {
        return None;
    }
    let sel = svc.root.path(&["spec", "selector"])?;
    if sel.as_map().is_none_or(|m| m.is_empty()) {
        return None;
    }
    workload_selector(svc)
}

/// A Service's selector without the `ignored` label keys (labels set on pods at run time, such
/// as `statefulset.kubernetes.io/pod-name`, which no manifest carries). `None` when the Service
/// has no selector or only ignored keys.
pub fn service_selector_without(svc: &Object, ignored: crate::Strs) -> Option<LabelSelector> {
    service_selector(svc)?;
    let sel = svc.root.path(&["spec", "selector"])?.as_map()?;
    let kept = Map {
        entries: sel
            .entries
            .iter()
            .filter(|e| !ignored.contains(&e.key))
            .cloned()
            .collect(),
    };
    if kept.is_empty() {
        return None;
    }
    Some(LabelSelector::from_map(&Node::new(
        Value::Map(kept),
        Pos::UNKNOWN,
    )))
}

/// A Service that routes outside the cluster rather than to pods.
pub fn is_external_name(svc: &Object) -> bool {
    svc.root.path(&["spec", "type"]).and_then(Node::as_str) == Some("ExternalName")
}

/// A port reference: a number or a name (`IntOrString`). Numeric strings count as numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortRef<'a> {
    Number(i64),
    Name(&'a str),
}

impl<'a> PortRef<'a> {
    pub fn of(node: &'a Node) -> Option<PortRef<'a>> {
        match &node.value {
            Value::Str(s) => Some(match s.parse::<i64>() {
                Ok(n) => PortRef::Number(n),
                Err(_) => PortRef::Name(s.as_str()),
            }),
            _ => node.as_i64().map(PortRef::Number),
        }
    }
}

impl std::fmt::Display for PortRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PortRef::Number(n) => write!(f, "{n}"),
            PortRef::Name(s) => write!(f, "`{s}`"),
        }
    }
}

/// Whether the Service declares `port` (by `port` number or by `name`).
pub fn service_has_port(svc: &Object, port: &PortRef) -> bool {
    svc.root
        .path(&["spec", "ports"])
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .any(|p| match port {
            PortRef::Number(n) => p.get("port").and_then(Node::as_i64) == Some(*n),
            PortRef::Name(name) => p.get("name").and_then(Node::as_str) == Some(*name),
        })
}

/// One backend of an Ingress that names a Service.
#[derive(Clone, Debug)]
pub struct Backend<'a> {
    /// The Service name; `None` when the backend is written but names none (e.g. the legacy
    /// `serviceName` form under `networking.k8s.io/v1`, which the API server ignores).
    pub service: Option<&'a str>,
    pub port: Option<PortRef<'a>>,
    pub pos: Pos,
    /// JSON pointer of the backend.
    pub path: String,
}

/// The Service backends of an Ingress: the default backend and every rule path's backend.
/// `networking.k8s.io/v1` uses `service.name`/`service.port.{number,name}`; the older
/// `extensions/v1beta1` and `networking.k8s.io/v1beta1` use `serviceName`/`servicePort`.
/// Backends pointing to a `resource` instead of a Service are skipped.
pub fn ingress_backends<'a>(ing: &'a Object) -> Vec<Backend<'a>> {
    let v1 = ing.id.api_version == "networking.k8s.io/v1";
    let (default_key, spec) = match ing.root.get("spec") {
        Some(s) => (if v1 { "defaultBackend" } else { "backend" }, s),
        None => return Vec::new(),
    };
    let mut out = Vec::new();
    let read = |node: &'a Node, path: String| -> Option<Backend<'a>> {
        if node.get("resource").is_some() {
            return None;
        }
        let pos = node.pos;
        Some(if v1 {
            let svc = node.get("service");
            Backend {
                service: svc.and_then(|s| s.get("name")).and_then(Node::as_str),
                port: svc.and_then(|s| s.get("port")).and_then(|p| {
                    p.get("number")
                        .and_then(|n| n.as_i64().map(PortRef::Number))
                        .or_else(|| p.get("name").and_then(Node::as_str).map(PortRef::Name))
                }),
                pos: svc.map(|s| s.key_pos("name")).unwrap_or(pos),
                path,
            }
        } else {
            Backend {
                service: node.get("serviceName").and_then(Node::as_str),
                port: node.get("servicePort").and_then(PortRef::of),
                pos: node.key_pos("serviceName"),
                path,
            }
        })
    };
    if let Some(b) = spec.get(default_key).filter(|n| n.as_map().is_some()) {
        out.extend(read(b, format!("/spec/{default_key}")));
    }
    for (ri, rule) in spec
        .get("rules")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        let paths = rule
            .path(&["http", "paths"])
            .map(Node::items)
            .unwrap_or(&[]);
        for (pi, p) in paths.iter().enumerate() {
            if let Some(b) = p.get("backend").filter(|n| n.as_map().is_some()) {
                out.extend(read(b, format!("/spec/rules/{ri}/http/paths/{pi}/backend")));
            }
        }
    }
    out
}

/// "the pods of Deployment `web`", or "Pod `debug`" for a bare Pod, for messages.
pub fn pods_of(obj: &Object) -> String {
    if obj.kind() == "Pod" {
        cat!("Pod `", obj.name(), "`")
    } else {
        cat!("the pods of ", obj.kind(), " `", obj.name(), "`")
    }
}

/// How the NetworkPolicies of a pod's namespace isolate it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Isolation {
    /// Some policy selects the pod.
    pub selected: bool,
    /// Some selecting policy restricts ingress.
    pub ingress: bool,
    /// Some selecting policy restricts egress.
    pub egress: bool,
}

/// Isolation of the pods of a workload, or `None` for pod specs that policies do not govern:
/// PodTemplates (not running) and `hostNetwork` pods (NetworkPolicies do not apply to them).
pub fn isolation(index: &Index, pod: &PodSpec) -> Option<Isolation> {
    if pod.object.kind() == "PodTemplate"
        || pod.get("hostNetwork").and_then(Node::as_bool) == Some(true)
    {
        return None;
    }
    let mut iso = Isolation::default();
    for np in policies_selecting(index, pod) {
        let (i, e) = policy_directions(np);
        iso.selected = true;
        iso.ingress |= i;
        iso.egress |= e;
    }
    Some(iso)
}

/// `isolation` of `pod`, worked out once per judged object for all checks that ask (see
/// `Ctx::memo`).
pub fn isolation_of(ctx: &crate::Ctx, pod: &PodSpec) -> Option<Isolation> {
    match (ctx.memo, ctx.judged) {
        (Some(memo), Some((judged, _))) if std::ptr::eq(judged, pod.object) => {
            *memo.isolation.get_or_init(|| isolation(ctx.index, pod))
        }
        _ => isolation(ctx.index, pod),
    }
}

/// Where findings about a pod's labels point: the template's `labels`, else its metadata, else
/// the object; with the JSON pointer of the labels.
pub fn labels_site(pod: &PodSpec) -> (Pos, String) {
    let pos = match pod.meta.get("labels") {
        Some(_) => pod.meta.key_pos("labels"),
        None if pod.meta.pos.is_known() => pod.meta.pos,
        None => pod.object.pos(),
    };
    let pos = if pos.is_known() {
        pos
    } else {
        pod.object.pos()
    };
    (
        pos,
        format!("{}/labels", crate::support::pod::pod_meta_path(pod)),
    )
}

/// A label map written as `k=v, k2=v2` for messages.
pub fn labels_text(map: &Node) -> String {
    map.string_map()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A selector written as `k=v, k2 in (a, b)` for messages.
pub fn selector_text(sel: &Node) -> String {
    let mut parts: Vec<String> = sel
        .get("matchLabels")
        .map(labels_text)
        .filter(|s| !s.is_empty())
        .into_iter()
        .collect();
    for e in sel.get("matchExpressions").map(Node::items).unwrap_or(&[]) {
        let key = e.get("key").and_then(Node::as_str).unwrap_or("");
        let op = e.get("operator").and_then(Node::as_str).unwrap_or("");
        let values: Vec<String> = e
            .get("values")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(Node::scalar_text)
            .collect();
        parts.push(match op {
            "Exists" => key.to_string(),
            "DoesNotExist" => format!("!{key}"),
            _ => format!("{key} {} ({})", op.to_ascii_lowercase(), values.join(", ")),
        });
    }
    if parts.is_empty() {
        "everything".to_string()
    } else {
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selector_matches_agrees_with_label_selector() {
        let sels = [
            serde_json::json!({}),
            serde_json::json!({"matchLabels": {"app": "web"}}),
            serde_json::json!({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]}]}),
            serde_json::json!({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["a"]}]}),
            serde_json::json!({"matchExpressions": [{"key": "canary", "operator": "DoesNotExist"}]}),
            serde_json::json!({"matchExpressions": [{"key": "app", "operator": "Exists"}]}),
            serde_json::json!({"matchExpressions": [{"key": "app", "operator": "Bogus"}]}),
            serde_json::json!({"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "v", "operator": "In", "values": [2]}]}),
        ];
        let label_sets: [&[(&str, &str)]; 4] = [
            &[],
            &[("app", "web"), ("tier", "a")],
            &[("app", "web"), ("tier", "c"), ("canary", "1")],
            &[("app", "web"), ("v", "2")],
        ];
        for s in &sels {
            let node = Node::from_json(s);
            let ls = LabelSelector::from_label_selector(&node);
            for l in label_sets {
                assert_eq!(
                    selector_matches(&node, l.iter().copied()),
                    ls.matches(l.iter().copied()),
                    "{s} on {l:?}"
                );
            }
        }
    }
}
