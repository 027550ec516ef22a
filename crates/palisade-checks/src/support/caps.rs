//! Linux capabilities in a container's `securityContext.capabilities`.
//!
//! Names are compared the way container runtimes read them: case-insensitively and with or
//! without the `CAP_` prefix (`cap_net_raw`, `NET_RAW` and `CAP_NET_RAW` are one capability).

use crate::support::container_path;
use palisade_model::{Container, Diagnostic, Node, PodSpec};

/// Canonical form of a capability name: upper case, no `CAP_` prefix.
pub fn canonical(name: &str) -> String {
    let up = name.trim().to_ascii_uppercase();
    match up.strip_prefix("CAP_") {
        Some(rest) => rest.to_string(),
        None => up,
    }
}

/// One entry of `capabilities.add` or `capabilities.drop`.
#[derive(Debug, Clone)]
pub struct CapEntry<'a> {
    pub index: usize,
    pub node: &'a Node,
    /// As written.
    pub raw: &'a str,
    /// Canonical name (see [`canonical`]).
    pub name: String,
}

/// Entries of `securityContext.capabilities.<list>` (`"add"` or `"drop"`); non-string items are skipped.
pub fn entries<'a>(c: &Container<'a>, list: &str) -> Vec<CapEntry<'a>> {
    c.path(&["securityContext", "capabilities", list])
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
        .filter_map(|(index, node)| {
            let raw = node.as_str()?;
            Some(CapEntry {
                index,
                node,
                raw,
                name: canonical(raw),
            })
        })
        .collect()
}

/// Whether `cap` (canonical) is dropped, directly or through `ALL`.
pub fn drops(c: &Container, cap: &str) -> bool {
    entries(c, "drop")
        .iter()
        .any(|e| e.name == "ALL" || e.name == cap)
}

/// Canonical names from a check parameter (a JSON list of strings).
pub fn canonical_set(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| canonical(n)).collect()
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
    fn names_are_canonicalised() {
        assert_eq!(canonical("cap_net_raw"), "NET_RAW");
        assert_eq!(canonical(" Sys_Admin "), "SYS_ADMIN");
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
        assert_eq!(entries(&c, "drop").len(), 1);
        assert_eq!(entries(&c, "add")[0].name, "ALL");
    }
}
