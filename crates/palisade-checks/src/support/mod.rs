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

/// Joins `parts` into one string, sized once (the `cat!` macro; a spare string when the thread
/// has one, see `palisade_model::diag::recycle`). Checks build the messages of
/// most findings with it: `format!` spends longer in its machinery (a dynamic call and padding
/// logic per argument, regrowing the string past its estimate) than in copying the text;
/// measured about twice as slow per message.
pub fn cat(parts: &[&str]) -> String {
    let mut s = palisade_model::diag::string_with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        s.push_str(p);
    }
    s
}

/// The JSON-pointer path of a container inside its object, e.g.
/// `/spec/template/spec/containers/0`.
pub fn container_path(pod: &PodSpec, c: &Container) -> String {
    container_pointer(pod, c, &[])
}

/// `container_path` followed by `field`. Built in one string sized once (a spare one when the
/// thread has one), without the formatting machinery: checks build one for most of a scan's findings.
fn container_pointer(pod: &PodSpec, c: &Container, field: &[&str]) -> String {
    let mut digits = itoa::Buffer::new();
    let index = digits.format(c.index);
    let kind = c.kind.field();
    let len = pod.spec_pointer.len()
        + 1
        + kind.len()
        + 1
        + index.len()
        + field.iter().map(|f| f.len() + 1).sum::<usize>();
    let mut path = palisade_model::diag::string_with_capacity(len);
    path.push_str(pod.spec_pointer);
    path.push('/');
    path.push_str(kind);
    path.push('/');
    path.push_str(index);
    for f in field {
        path.push('/');
        path.push_str(f);
    }
    path
}

/// The JSON-pointer path of the pod spec inside a workload.
pub fn pod_spec_path<'a>(pod: &PodSpec<'a>) -> &'a str {
    pod.spec_pointer
}

/// A diagnostic about a container field, pointing at the field if written, else at the
/// deepest parent that exists.
pub fn container_diag(pod: &PodSpec, c: &Container, field: &[&str], message: String) -> Diagnostic {
    Diagnostic::new(message, c.pos_of(field))
        .at_path(container_pointer(pod, c, field))
        .in_container(c.name)
}

#[cfg(test)]
mod tests {
    #[test]
    fn cat_joins_pieces_into_one_string() {
        let name = String::from("app");
        let s = cat!(
            "container `",
            name,
            "` runs with UID ",
            itoa::Buffer::new().format(7)
        );
        assert_eq!(s, "container `app` runs with UID 7");
        assert!(s.capacity() >= s.len());
        // Built in a spare string, it holds only its own pieces.
        palisade_model::diag::recycle(s);
        assert_eq!(cat!("a", "b"), "ab");
        assert_eq!(super::cat(&[]), "");
    }
}
