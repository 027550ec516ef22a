//! Container probes: presence, the port a probe targets, and equality of two probes.

use crate::support::container_diag;
use crate::support::pod::pod_of;
use crate::support::workloads::{is_batch, services_for};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Container, Diagnostic, Node, Object, PodSpec, Value};

/// The three probe fields with the word used in messages.
pub const PROBES: &[(&str, &str)] = &[
    ("livenessProbe", "liveness"),
    ("readinessProbe", "readiness"),
    ("startupProbe", "startup"),
];

/// Whether a probe is written (a non-null value).
pub fn has_probe(c: &Container, field: &str) -> bool {
    c.get(field).is_some_and(|n| !n.is_null())
}

/// Long-running workloads' regular containers must define a probe (`livenessProbe` or
/// `readinessProbe`). Jobs and CronJobs run to completion and are skipped.
pub struct ProbeMissing {
    pub meta: &'static CheckMeta,
    pub field: &'static str,
    /// Mention the Services that route to the pod (readiness gates their traffic).
    pub name_services: bool,
}

impl Check for ProbeMissing {
    fn meta(&self) -> &'static CheckMeta {
        self.meta
    }

    fn pods_only(&self) -> bool {
        true
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some(pod) = pod_of(obj, ctx) else {
            return;
        };
        if is_batch(obj) {
            return;
        }
        let word = PROBES
            .iter()
            .find(|(f, _)| *f == self.field)
            .map_or(self.field, |(_, w)| w);
        // The Services are looked up only for a pod with a container that lacks the probe.
        let mut services: Option<String> = None;
        for c in pod.containers() {
            if !has_probe(&c, self.field) {
                let services = services.get_or_insert_with(|| self.services_note(ctx, &pod));
                out.push(container_diag(
                    &pod,
                    &c,
                    &[self.field],
                    cat!(
                        "container `",
                        c.name,
                        "` does not specify a ",
                        word,
                        " probe",
                        services
                    ),
                ));
            }
        }
    }
}

impl ProbeMissing {
    /// "; Service `a`, `b` sends traffic to it before it is ready", when asked to and any does.
    fn services_note(&self, ctx: &Ctx, pod: &PodSpec) -> String {
        if !self.name_services {
            return String::new();
        }
        let names: Vec<String> = services_for(ctx.index, pod)
            .iter()
            .map(|s| format!("`{}`", s.name()))
            .collect();
        if names.is_empty() {
            return String::new();
        }
        format!(
            "; Service {} sends traffic to it before it is ready",
            names.join(", ")
        )
    }
}

/// How a probe reaches its container.
#[derive(Debug, PartialEq)]
pub enum ProbeTarget<'a> {
    /// `httpGet`, `tcpSocket` or `grpc`, with the port node.
    Port(&'static str, &'a Node),
    /// `exec`, or a probe without a handler: nothing to check.
    None,
}

pub fn probe_target(probe: &Node) -> ProbeTarget<'_> {
    for handler in ["httpGet", "tcpSocket", "grpc"] {
        if let Some(port) = probe.path(&[handler, "port"]) {
            return ProbeTarget::Port(handler, port);
        }
    }
    ProbeTarget::None
}

/// Whether the container exposes `port` (a number or a port name) over TCP. Numeric ports are
/// only judged when the container declares ports at all, since declaring them is optional.
pub fn exposes(c: &Container, port: &Node) -> bool {
    let ports = c.get("ports").map(Node::items).unwrap_or(&[]);
    let tcp = |p: &Node| {
        p.get("protocol")
            .and_then(Node::as_str)
            .is_none_or(|proto| proto == "TCP")
    };
    match &port.value {
        Value::Str(name) => match name.parse::<i64>() {
            Ok(n) => ports.is_empty() || ports.iter().any(|p| tcp(p) && port_no(p) == Some(n)),
            Err(_) => ports
                .iter()
                .any(|p| tcp(p) && p.get("name").and_then(Node::as_str) == Some(name.as_str())),
        },
        _ => match port.as_i64() {
            Some(n) => ports.is_empty() || ports.iter().any(|p| tcp(p) && port_no(p) == Some(n)),
            None => true,
        },
    }
}

fn port_no(p: &Node) -> Option<i64> {
    p.get("containerPort").and_then(Node::as_i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_model::ContainerKind;

    fn container(j: serde_json::Value) -> Node {
        Node::from_json(&j)
    }

    #[test]
    fn exposure_rules() {
        let n = container(serde_json::json!({"name": "a", "ports": [
            {"containerPort": 8080, "name": "http"},
            {"containerPort": 53, "name": "dns", "protocol": "UDP"}]}));
        let c = Container {
            node: &n,
            name: "a",
            kind: ContainerKind::Regular,
            index: 0,
        };
        let p = |j| Node::from_json(&j);
        assert!(exposes(&c, &p(serde_json::json!("http"))));
        assert!(exposes(&c, &p(serde_json::json!(8080))));
        assert!(!exposes(&c, &p(serde_json::json!(9090))));
        assert!(!exposes(&c, &p(serde_json::json!("dns"))));
        assert!(!exposes(&c, &p(serde_json::json!("metrics"))));
        let bare = container(serde_json::json!({"name": "b"}));
        let c = Container {
            node: &bare,
            name: "b",
            kind: ContainerKind::Regular,
            index: 0,
        };
        assert!(exposes(&c, &p(serde_json::json!(9090))));
        assert!(!exposes(&c, &p(serde_json::json!("http"))));
    }
}
