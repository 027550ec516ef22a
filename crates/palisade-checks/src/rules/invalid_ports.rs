use crate::support::pod::pod_of;
use crate::support::container_diag;
use crate::support::workloads::{describe, field_diag};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Node, Object, Severity, Value};

pub struct InvalidPorts;

pub static CHECK: &dyn Check = &InvalidPorts;

static META: CheckMeta = CheckMeta {
    id: "invalid-ports",
    title: "Port numbers and names must be valid",
    category: Category::Reliability,
    severity: Severity::High,
    rationale: "Port names are IANA service names (at most 15 lowercase letters, digits and \
        dashes, with at least one letter) and numbers lie in 1–65535. The API server rejects \
        anything else, and a container port without a number or a name used twice in a pod \
        makes named `targetPort`s and probes ambiguous.",
    remediation: "Give each container port a `containerPort` between 1 and 65535 and a unique \
        name of at most 15 characters from `a-z`, `0-9` and `-` containing a letter; use the \
        same rules for a Service's `targetPort`.",
    references: &[
        "https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServiceSpec",
        "https://www.rfc-editor.org/rfc/rfc6335.html#section-5.1",
    ],
    params: &[],
    aliases: &[
        "kube-linter:invalid-target-ports",
        "kube-score:container-ports-check",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

/// Why `name` is not an IANA service name, if it is not.
pub fn port_name_problem(name: &str) -> Option<&'static str> {
    if name.len() > 15 {
        Some("must be no more than 15 characters")
    } else if name.is_empty() {
        Some("must not be empty")
    } else if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        Some("must contain only lowercase letters, digits and '-'")
    } else if !name.chars().any(|c| c.is_ascii_lowercase()) {
        Some("must contain at least one letter (a-z)")
    } else if name.starts_with('-') || name.ends_with('-') || name.contains("--") {
        Some("must not begin or end with '-' or contain '--'")
    } else {
        None
    }
}

fn number_ok(n: &Node) -> bool {
    n.as_i64().is_some_and(|p| (1..=65535).contains(&p))
}

impl InvalidPorts {
    fn service(obj: &Object, out: &mut Vec<Diagnostic>) {
        let ports = obj
            .root
            .path(&["spec", "ports"])
            .map(Node::items)
            .unwrap_or(&[]);
        for (i, p) in ports.iter().enumerate() {
            let idx = i.to_string();
            let Some(tp) = p.get("targetPort").filter(|n| !n.is_null()) else {
                continue;
            };
            let problem = match &tp.value {
                Value::Str(s) => match s.parse::<i64>() {
                    Ok(n) if (1..=65535).contains(&n) => None,
                    Ok(_) => Some("must be between 1 and 65535, inclusive"),
                    Err(_) => port_name_problem(s),
                },
                _ if number_ok(tp) => None,
                _ => Some("must be between 1 and 65535, inclusive"),
            };
            if let Some(problem) = problem {
                let mut d = field_diag(
                    obj,
                    &["spec", "ports", &idx, "targetPort"],
                    format!(
                        "{}: targetPort `{}` {problem}",
                        describe(obj),
                        tp.scalar_text().unwrap_or_default()
                    ),
                );
                d.pos = p.key_pos("targetPort");
                out.push(d);
            }
        }
    }
}

impl Check for InvalidPorts {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        if obj.kind() == "Service" {
            Self::service(obj, out);
            return;
        }
        let Some(pod) = pod_of(obj, ctx) else {
            return;
        };
        let mut names: Vec<&str> = Vec::new();
        for c in pod.all_containers() {
            let ports = c.get("ports").map(Node::items).unwrap_or(&[]);
            for (i, p) in ports.iter().enumerate() {
                let idx = i.to_string();
                let mut problems: Vec<(&str, String)> = Vec::new();
                match p.get("containerPort").filter(|n| !n.is_null()) {
                    None => problems.push(("containerPort", "has no containerPort".into())),
                    Some(n) if !number_ok(n) => problems.push((
                        "containerPort",
                        format!(
                            "has containerPort {}, which must be between 1 and 65535",
                            n.scalar_text().unwrap_or_default()
                        ),
                    )),
                    _ => {}
                }
                if let Some(name) = p.get("name").and_then(Node::as_str) {
                    if let Some(why) = port_name_problem(name) {
                        problems.push(("name", format!("has port name `{name}`, which {why}")));
                    } else if names.contains(&name) {
                        problems.push((
                            "name",
                            format!("reuses port name `{name}` already used in this pod"),
                        ));
                    } else {
                        names.push(name);
                    }
                }
                for (field, msg) in problems {
                    let mut d = container_diag(
                        &pod,
                        &c,
                        &["ports", &idx, field],
                        format!("container `{}` {msg}", c.name),
                    );
                    d.pos = if p.get(field).is_some() {
                        p.key_pos(field)
                    } else {
                        p.pos
                    };
                    out.push(d);
                }
            }
        }
    }
}
