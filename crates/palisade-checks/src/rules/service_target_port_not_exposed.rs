use crate::support::network::{PortRef, is_external_name, service_selector};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Node, Object, PodSpec, Severity};

pub struct ServiceTargetPortNotExposed;

pub static CHECK: &dyn Check = &ServiceTargetPortNotExposed;

static META: CheckMeta = CheckMeta {
    id: "service-target-port-not-exposed",
    title: "Service target ports should match a container port of the selected pods",
    category: Category::Reliability,
    severity: Severity::Medium,
    rationale: "A Service forwards to `targetPort` (by default the same number as `port`). A \
        named targetPort that no selected container declares gets no endpoints at all; a number \
        no selected container declares, when the containers do list their ports, usually means \
        the app listens elsewhere and connections are refused.",
    remediation: "Set `targetPort` to the name or number of a `containerPort` of the selected \
        pods (a named port keeps the two in step), or declare the port in the container.",
    references: &[
        "https://kubernetes.io/docs/concepts/services-networking/service/#field-spec-ports",
    ],
    params: &[],
    aliases: &[],
    enabled_by_default: true,
    cross_object: true,
    assumptions: "Judged against the workloads of the scan that the Service selects; a Service \
        that selects none is left to `service-selects-no-pods`. Numeric target ports are only \
        judged when some selected container declares ports, since declaring them is optional.",
};

/// The container ports of a pod spec (regular and init containers, as sidecars are init
/// containers): (name, number, protocol).
fn container_ports<'a>(
    pod: &PodSpec<'a>,
) -> impl Iterator<Item = (Option<&'a str>, Option<i64>, &'a str)> {
    pod.init_and_regular().flat_map(|c| {
        c.get("ports")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .map(|p| {
                (
                    p.get("name").and_then(Node::as_str),
                    p.get("containerPort").and_then(Node::as_i64),
                    p.get("protocol").and_then(Node::as_str).unwrap_or("TCP"),
                )
            })
    })
}

impl Check for ServiceTargetPortNotExposed {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        if obj.kind() != "Service" || is_external_name(obj) {
            return;
        }
        let Some(sel) = service_selector(obj) else {
            return;
        };
        let pods: Vec<PodSpec> = ctx
            .index
            .pods_selected(obj.effective_namespace(), &sel)
            .collect();
        if pods.is_empty() {
            return;
        }
        let declared: Vec<_> = pods.iter().flat_map(container_ports).collect();
        let ports = obj
            .root
            .path(&["spec", "ports"])
            .map(Node::items)
            .unwrap_or(&[]);
        for (i, p) in ports.iter().enumerate() {
            let proto = p.get("protocol").and_then(Node::as_str).unwrap_or("TCP");
            let (target, field) = match p.get("targetPort").filter(|n| !n.is_null()) {
                Some(t) => (PortRef::of(t), "targetPort"),
                None => (p.get("port").and_then(PortRef::of), "port"),
            };
            let ok = match &target {
                None => true,
                Some(PortRef::Name(n)) => declared
                    .iter()
                    .any(|(name, _, pr)| *name == Some(*n) && *pr == proto),
                Some(PortRef::Number(n)) => {
                    declared.is_empty()
                        || declared
                            .iter()
                            .any(|(_, num, pr)| *num == Some(*n) && *pr == proto)
                }
            };
            if ok {
                continue;
            }
            let Some(target) = target else { continue };
            let names: Vec<String> = pods
                .iter()
                .take(3)
                .map(|p| format!("{} `{}`", p.object.kind(), p.object.name()))
                .collect();
            let more = if pods.len() > 3 { ", ..." } else { "" };
            out.push(
                Diagnostic::new(
                    format!(
                        "Service `{}` port {i} targets {proto} port {target}, which no container of the selected pods ({}{more}) declares",
                        obj.name(),
                        names.join(", ")
                    ),
                    p.key_pos(field),
                )
                .at_path(format!("/spec/ports/{i}/{field}")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::support::pod::run_json;
    use serde_json::json;

    fn deploy(ports: serde_json::Value) -> serde_json::Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
               "spec": {"template": {"metadata": {"labels": {"app": "web"}},
                        "spec": {"containers": [{"name": "c", "image": "x:1", "ports": ports}]}}}})
    }
    fn svc(ports: serde_json::Value) -> serde_json::Value {
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
               "spec": {"selector": {"app": "web"}, "ports": ports}})
    }

    #[test]
    fn named_and_numeric_targets() {
        let d = deploy(json!([{"name": "http", "containerPort": 8080}]));
        assert!(
            run_json(
                super::CHECK,
                &[svc(json!([{"port": 80, "targetPort": "http"}])), d.clone()]
            )
            .is_empty()
        );
        assert!(
            run_json(
                super::CHECK,
                &[svc(json!([{"port": 80, "targetPort": 8080}])), d.clone()]
            )
            .is_empty()
        );
        let bad = run_json(
            super::CHECK,
            &[
                svc(
                    json!([{"port": 80, "targetPort": "web"}, {"port": 8080, "protocol": "UDP"}, {"port": 9090}]),
                ),
                d,
            ],
        );
        let paths: Vec<_> = bad.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "/spec/ports/0/targetPort",
                "/spec/ports/1/port",
                "/spec/ports/2/port"
            ]
        );
        // No declared ports: numeric targets cannot be judged, names can.
        let none = deploy(json!([]));
        assert!(run_json(super::CHECK, &[svc(json!([{"port": 80}])), none.clone()]).is_empty());
        assert_eq!(
            run_json(
                super::CHECK,
                &[svc(json!([{"port": 80, "targetPort": "http"}])), none]
            )
            .len(),
            1
        );
    }
}
