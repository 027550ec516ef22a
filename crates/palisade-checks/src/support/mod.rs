//! Helpers shared by rule files. One module per area, so rule authors rarely collide.

pub mod caps;
pub mod flags;
pub mod images;
pub mod metadata;
pub mod network;
pub mod pod;
pub mod probes;
pub mod rbac;
pub mod resources;
pub mod rule;
pub mod scheduling;
pub mod secrets;
pub mod security_context;
pub mod volumes;
pub mod workloads;

use palisade_model::{Container, Diagnostic, PodSpec};

/// The JSON-pointer path of a container inside its object, e.g.
/// `/spec/template/spec/containers/0`.
pub fn container_path(pod: &PodSpec, c: &Container) -> String {
    format!("{}/{}/{}", pod_spec_path(pod), c.kind.field(), c.index)
}

/// The JSON-pointer path of the pod spec inside a workload.
pub fn pod_spec_path<'a>(pod: &PodSpec<'a>) -> &'a str {
    pod.spec_pointer
}

/// A diagnostic about a container field, pointing at the field if written, else at the
/// deepest parent that exists.
pub fn container_diag(pod: &PodSpec, c: &Container, field: &[&str], message: String) -> Diagnostic {
    let mut path = container_path(pod, c);
    for f in field {
        path.push('/');
        path.push_str(f);
    }
    Diagnostic::new(message, c.pos_of(field))
        .at_path(path)
        .in_container(c.name)
}
