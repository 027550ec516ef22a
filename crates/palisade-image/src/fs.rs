//! The image's merged filesystem as far as the scanner needs it: every path with the layer that
//! wrote it, plus the contents of the few files the inventory reads (package databases, manifests).
//! Layers are applied in order with OCI whiteouts; nothing is written to disk.

use palisade_vulndb::Package;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub enum NodeKind {
    Dir,
    /// A regular file; `data` is kept only for files the inventory reads.
    File {
        size: u64,
        data: Option<Arc<Vec<u8>>>,
    },
    Symlink(String),
    /// A hard link to another path of the same layer (normalised).
    Hardlink(String),
    /// Devices, fifos: recorded (they hide lower files) but never read.
    Special,
}

#[derive(Debug, Clone)]
pub struct Node {
    /// Index of the layer that wrote this path.
    pub layer: usize,
    pub kind: NodeKind,
    /// Packages found inside the file while streaming (binaries, Java archives).
    pub packages: Vec<Package>,
    /// Earlier contents of package databases, oldest first, so a package can be attributed to
    /// the layer that added it even though later layers rewrote the database.
    pub history: Vec<(usize, Arc<Vec<u8>>)>,
}

#[derive(Debug, Default)]
pub struct Fs {
    nodes: BTreeMap<String, Node>,
}

/// Normalises an archive path to `a/b/c` (no leading `/` or `./`); `None` when `..` would climb
/// above the root, which is a path-traversal attempt.
pub fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

impl Fs {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn get(&self, path: &str) -> Option<&Node> {
        self.nodes.get(path)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &Node)> {
        self.nodes.iter()
    }

    /// Removes what lower layers (index < `layer`) put at `path` and below it.
    fn remove_lower(&mut self, path: &str, layer: usize, include_self: bool) {
        let prefix = if path.is_empty() {
            String::new()
        } else {
            format!("{path}/")
        };
        let doomed: Vec<String> = self
            .nodes
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .filter(|(_, n)| n.layer < layer)
            .map(|(k, _)| k.clone())
            .collect();
        for k in doomed {
            self.nodes.remove(&k);
        }
        if include_self && self.nodes.get(path).is_some_and(|n| n.layer < layer) {
            self.nodes.remove(path);
        }
    }

    /// `dir/.wh.name` in layer `layer`: deletes `dir/name` from lower layers.
    pub fn whiteout(&mut self, path: &str, layer: usize) {
        self.remove_lower(path, layer, true);
    }

    /// `dir/.wh..wh..opq`: hides everything lower layers put under `dir`.
    pub fn opaque(&mut self, dir: &str, layer: usize) {
        self.remove_lower(dir, layer, false);
    }

    /// Adds a node; a non-directory replacing a lower directory hides that directory's contents.
    /// A package database rewritten by a later layer keeps its earlier contents in `history`.
    pub fn insert(&mut self, path: String, mut node: Node) {
        if !matches!(node.kind, NodeKind::Dir) {
            self.remove_lower(&path, node.layer, false);
        }
        if let Some(old) = self.nodes.get_mut(&path) {
            if matches!(node.kind, NodeKind::Dir) && matches!(old.kind, NodeKind::Dir) {
                return;
            }
            if let NodeKind::File { data: Some(d), .. } = &old.kind
                && node.keeps_history()
            {
                let mut h = std::mem::take(&mut old.history);
                h.push((old.layer, d.clone()));
                node.history = h;
            }
        }
        self.nodes.insert(path, node);
    }

    /// Follows symlinks (and hard links) inside the image, as a chroot would: absolute targets
    /// start at the image root and `..` never climbs above it, so nothing escapes the image.
    pub fn resolve(&self, path: &str) -> Option<(String, &Node)> {
        let mut pending: Vec<String> = path
            .split('/')
            .filter(|s| !s.is_empty())
            .rev()
            .map(String::from)
            .collect();
        let mut cur: Vec<String> = Vec::new();
        let mut hops = 0;
        while let Some(seg) = pending.pop() {
            match seg.as_str() {
                "." => continue,
                ".." => {
                    cur.pop();
                    continue;
                }
                _ => {}
            }
            cur.push(seg);
            let joined = cur.join("/");
            // Parents may be implied by their children without a directory entry of their own.
            let Some(node) = self.nodes.get(&joined) else {
                continue;
            };
            let target = match &node.kind {
                NodeKind::Symlink(t) => t.clone(),
                NodeKind::Hardlink(t) => format!("/{t}"),
                _ => continue,
            };
            hops += 1;
            if hops > 40 {
                return None;
            }
            cur.pop();
            if target.starts_with('/') {
                cur.clear();
            }
            pending.extend(
                target
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .rev()
                    .map(String::from),
            );
        }
        let joined = cur.join("/");
        self.nodes.get(&joined).map(|n| (joined, n))
    }

    /// Contents of a kept file, following links.
    pub fn read(&self, path: &str) -> Option<(String, &Node, &Arc<Vec<u8>>)> {
        let (p, n) = self.resolve(path)?;
        match &n.kind {
            NodeKind::File { data: Some(d), .. } => Some((p, n, d)),
            _ => None,
        }
    }
}

impl Node {
    pub fn file(layer: usize, size: u64, data: Option<Vec<u8>>) -> Self {
        Node {
            layer,
            kind: NodeKind::File {
                size,
                data: data.map(Arc::new),
            },
            packages: Vec::new(),
            history: Vec::new(),
        }
    }

    pub fn other(layer: usize, kind: NodeKind) -> Self {
        Node {
            layer,
            kind,
            packages: Vec::new(),
            history: Vec::new(),
        }
    }

    fn keeps_history(&self) -> bool {
        matches!(self.kind, NodeKind::File { data: Some(_), .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(fs: &mut Fs, p: &str, layer: usize, body: &str) {
        fs.insert(
            p.into(),
            Node::file(layer, body.len() as u64, Some(body.as_bytes().to_vec())),
        );
    }

    #[test]
    fn normalize_rejects_traversal() {
        assert_eq!(normalize("./a//b/./c").as_deref(), Some("a/b/c"));
        assert_eq!(normalize("/a/../b").as_deref(), Some("b"));
        assert_eq!(normalize("../etc/passwd"), None);
        assert_eq!(normalize("a/../../x"), None);
    }

    #[test]
    fn whiteout_and_opaque_only_hide_lower_layers() {
        let mut fs = Fs::new();
        file(&mut fs, "app/.env", 0, "x");
        file(&mut fs, "app/keep", 0, "x");
        file(&mut fs, "data/old", 0, "x");
        fs.insert("app".into(), Node::other(0, NodeKind::Dir));
        fs.whiteout("app/.env", 1);
        assert!(fs.get("app/.env").is_none());
        assert!(fs.get("app/keep").is_some());
        // Same-layer file written before the opaque marker survives; lower ones do not.
        file(&mut fs, "data/new", 1, "y");
        fs.opaque("data", 1);
        assert!(fs.get("data/old").is_none());
        assert!(fs.get("data/new").is_some());
        // A file replacing a directory hides its lower children.
        file(&mut fs, "app", 2, "now a file");
        assert!(fs.get("app/keep").is_none());
    }

    #[test]
    fn symlinks_resolve_inside_the_root() {
        let mut fs = Fs::new();
        file(&mut fs, "usr/lib/os-release", 0, "ID=debian");
        fs.insert(
            "etc/os-release".into(),
            Node::other(0, NodeKind::Symlink("../usr/lib/os-release".into())),
        );
        fs.insert(
            "evil".into(),
            Node::other(
                0,
                NodeKind::Symlink("../../../../usr/lib/os-release".into()),
            ),
        );
        fs.insert(
            "loop".into(),
            Node::other(0, NodeKind::Symlink("loop".into())),
        );
        assert_eq!(fs.read("etc/os-release").unwrap().0, "usr/lib/os-release");
        assert_eq!(fs.read("evil").unwrap().0, "usr/lib/os-release");
        assert!(fs.resolve("loop").is_none());
    }

    #[test]
    fn rewritten_database_keeps_history() {
        let mut fs = Fs::new();
        file(&mut fs, "var/lib/dpkg/status", 0, "a");
        file(&mut fs, "var/lib/dpkg/status", 1, "ab");
        let n = fs.get("var/lib/dpkg/status").unwrap();
        assert_eq!(n.layer, 1);
        assert_eq!(n.history.len(), 1);
        assert_eq!(n.history[0].0, 0);
    }
}
