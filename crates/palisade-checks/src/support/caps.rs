//! Linux capabilities in a container's `securityContext.capabilities`.
//!
//! Names are compared the way container runtimes read them: case-insensitively and with or
//! without the `CAP_` prefix (`cap_net_raw`, `NET_RAW` and `CAP_NET_RAW` are one capability).

use crate::support::container_path;
use palisade_model::{Container, Diagnostic, Node, PodSpec};

/// A capability name without surrounding blanks and without its `CAP_` prefix, as written.
pub fn bare(name: &str) -> &str {
    let t = name.trim();
    match t.get(..4) {
        Some(p) if p.eq_ignore_ascii_case("CAP_") => &t[4..],
        _ => t,
    }
}

/// Whether two capability names denote the same capability (`cap_net_raw` is `NET_RAW`).
pub fn same(a: &str, b: &str) -> bool {
    bare(a).eq_ignore_ascii_case(bare(b))
}

/// One entry of `capabilities.add` or `capabilities.drop`.
#[derive(Debug, Clone, Copy)]
pub struct CapEntry<'a> {
    pub index: usize,
    pub node: &'a Node,
    /// As written.
    pub raw: &'a str,
}

impl CapEntry<'_> {
    /// Whether this entry names `cap` (compared as in [`same`]).
    pub fn is(&self, cap: &str) -> bool {
        same(self.raw, cap)
    }
    /// Whether this entry is one of `caps`.
    pub fn is_any(&self, caps: impl IntoIterator<Item = impl AsRef<str>>) -> bool {
        caps.into_iter().any(|c| self.is(c.as_ref()))
    }
}

/// Entries of `securityContext.capabilities.<list>` (`"add"` or `"drop"`); non-string items are skipped.
pub fn entries<'a>(c: &Container<'a>, list: &str) -> impl Iterator<Item = CapEntry<'a>> {
    c.path(&["securityContext", "capabilities", list])
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
        .filter_map(|(index, node)| {
            Some(CapEntry {
                index,
                node,
                raw: node.as_str()?,
            })
        })
}

/// Whether `cap` is dropped, directly or through `ALL`.
pub fn drops(c: &Container, cap: &str) -> bool {
    entries(c, "drop").any(|e| e.is("ALL") || e.is(cap))
}

/// Appends `cap` to the container's drop list, creating the list where missing.
pub fn append_drop(c: &Container, base: &str, cap: &str) -> serde_json::Value {
    match c
        .path(&["securityContext", "capabilities", "drop"])
        .and_then(Node::as_seq)
    {
        Some(_) => serde_json::json!({
            "op": "add",
            "path": format!("{base}/securityContext/capabilities/drop/-"),
            "value": cap,
        }),
        None => crate::support::pod::set_op(
            c.node,
            base,
            &["securityContext", "capabilities", "drop"],
            serde_json::json!([cap]),
        ),
    }
}

/// A diagnostic at one entry of `capabilities.<list>`.
pub fn cap_diag(
    pod: &PodSpec,
    c: &Container,
    list: &str,
    e: &CapEntry,
    message: String,
) -> Diagnostic {
    Diagnostic::new(message, e.node.pos)
        .at_path(format!(
            "{}/securityContext/capabilities/{list}/{}",
            container_path(pod, c),
            e.index
        ))
        .in_container(c.name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_model::ContainerKind;

    #[test]
    fn names_are_compared_like_runtimes_do() {
        assert!(same("cap_net_raw", "NET_RAW"));
        assert!(same(" Sys_Admin ", "CAP_SYS_ADMIN"));
        assert!(!same("CAP", "CAP_"));
        assert_eq!(bare("Cap_Chown"), "Chown");
        let n = Node::from_json(&serde_json::json!({
            "name": "a",
            "securityContext": {"capabilities": {"drop": ["cap_net_raw", 3], "add": ["all"]}}
        }));
        let c = Container {
            node: &n,
            name: "a",
            kind: ContainerKind::Regular,
            index: 0,
        };
        assert!(drops(&c, "NET_RAW"));
        assert!(!drops(&c, "CHOWN"));
        assert_eq!(entries(&c, "drop").count(), 1);
        assert!(entries(&c, "add").all(|e| e.is("ALL")));
    }
}
