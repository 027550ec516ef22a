//! `hostPath` volumes and the containers that mount them.

use crate::support::container_path;
use crate::support::pod::{pointer, pos_at};
use palisade_model::{Container, Diagnostic, Node, PodSpec};

/// A `hostPath` volume of the pod.
#[derive(Debug, Clone, Copy)]
pub struct HostVolume<'a> {
    pub index: usize,
    pub node: &'a Node,
    pub name: &'a str,
    /// `hostPath.path` as written.
    pub path: &'a str,
}

/// A container's mount of a `hostPath` volume.
#[derive(Debug, Clone, Copy)]
pub struct HostMount<'a> {
    pub container: Container<'a>,
    pub mount_index: usize,
    pub mount: &'a Node,
    pub volume: HostVolume<'a>,
    /// `readOnly: true` on the mount.
    pub read_only: bool,
}

/// The pod's `hostPath` volumes (those with a `path`).
pub fn host_volumes<'a>(pod: &PodSpec<'a>) -> Vec<HostVolume<'a>> {
    pod.spec
        .get("volumes")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
        .filter_map(|(index, node)| {
            let path = node.path(&["hostPath", "path"])?.as_str()?;
            Some(HostVolume {
                index,
                node,
                name: node.get("name").and_then(Node::as_str).unwrap_or(""),
                path,
            })
        })
        .collect()
}

/// Every mount of a `hostPath` volume, by any container (init, regular, ephemeral).
pub fn host_mounts<'a>(pod: &PodSpec<'a>) -> Vec<HostMount<'a>> {
    let volumes = host_volumes(pod);
    if volumes.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for c in pod.all_containers() {
        for (mount_index, mount) in c
            .get("volumeMounts")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let Some(name) = mount.get("name").and_then(Node::as_str) else {
                continue;
            };
            if let Some(v) = volumes.iter().find(|v| v.name == name) {
                out.push(HostMount {
                    container: c,
                    mount_index,
                    mount,
                    volume: *v,
                    read_only: mount.get("readOnly").and_then(Node::as_bool) == Some(true),
                });
            }
        }
    }
    out
}

/// A host path in canonical form: repeated and trailing slashes removed, `.` segments dropped
/// (`/etc//` and `/etc/.` are `/etc`). `..` is kept: the kubelet does not resolve it either.
pub fn normalize(path: &str) -> String {
    let parts: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    if path.starts_with('/') {
        format!("/{}", parts.join("/"))
    } else {
        parts.join("/")
    }
}

/// Whether two host paths are the same after [`normalize`], without allocating.
pub fn same_path(a: &str, b: &str) -> bool {
    fn parts(p: &str) -> impl Iterator<Item = &str> {
        p.split('/').filter(|s| !s.is_empty() && *s != ".")
    }
    a.starts_with('/') == b.starts_with('/') && parts(a).eq(parts(b))
}

/// A diagnostic at a volume mount (or one of its fields), naming the container.
pub fn mount_diag(pod: &PodSpec, m: &HostMount, field: &[&str], message: String) -> Diagnostic {
    let base = format!(
        "{}/volumeMounts/{}",
        container_path(pod, &m.container),
        m.mount_index
    );
    Diagnostic::new(message, pos_at(m.mount, field))
        .at_path(pointer(&base, field))
        .in_container(m.container.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_paths() {
        assert_eq!(normalize("/etc//"), "/etc");
        assert_eq!(normalize("/"), "/");
        assert_eq!(normalize("//"), "/");
        assert_eq!(normalize("/var/./run/docker.sock"), "/var/run/docker.sock");
        assert!(same_path("/etc//", "/etc"));
        assert!(same_path("//", "/"));
        assert!(!same_path("/etc/kubernetes", "/etc"));
        assert!(!same_path("etc", "/etc"));
    }
}
