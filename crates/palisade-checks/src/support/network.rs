//! NetworkPolicies, Services and Ingress backends: which pods a policy isolates, what a Service
//! exposes, and where an Ingress sends traffic.

use palisade_model::index::workload_selector;
use palisade_model::{Index, LabelSelector, Node, Object, PodSpec, Pos, Value};

/// A NetworkPolicy's `spec.podSelector` (absent or empty: every pod of the namespace).
pub fn policy_selector(np: &Object) -> LabelSelector {
    match np.root.path(&["spec", "podSelector"]) {
        Some(sel) if !sel.is_null() => LabelSelector::from_label_selector(sel),
        _ => LabelSelector::default(),
    }
}

/// Which directions a NetworkPolicy isolates the pods it selects in: `(ingress, egress)`.
/// Without `policyTypes`, Kubernetes assumes Ingress, plus Egress when egress rules are written.
pub fn policy_directions(np: &Object) -> (bool, bool) {
    let spec = np.root.get("spec").unwrap_or(Node::null());
    match spec.get("policyTypes").and_then(Node::as_seq) {
        Some(types) => {
            let has = |t: &str| {
                types
                    .iter()
                    .any(|n| n.as_str().is_some_and(|s| s.eq_ignore_ascii_case(t)))
            };
            (has("Ingress"), has("Egress"))
        }
        None => (true, spec.get("egress").is_some_and(|e| !e.is_null())),
    }
}

/// NetworkPolicies in the pod's namespace whose podSelector selects it.
pub fn policies_selecting<'a>(
    index: &'a Index<'a>,
    pod: &'a PodSpec<'a>,
) -> impl Iterator<Item = &'a Object> + 'a {
    index
        .of_kind_in("NetworkPolicy", pod.object.effective_namespace())
        .filter(move |np| policy_selector(np).matches(pod.labels()))
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
