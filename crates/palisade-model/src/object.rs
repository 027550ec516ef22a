//! A Kubernetes object with where it came from.

use crate::node::{Node, Pos, Str};
use std::sync::Arc;

/// Where an object was read from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Source {
    /// The file as the user named it (relative paths stay relative), `<stdin>` for stdin, or
    /// for rendered charts the chart or kustomization directory.
    pub file: Arc<str>,
    /// 0-based index of the YAML document in the file (or rendered stream).
    pub doc: u32,
    /// For Helm output: the template file from helm's `# Source:` line, e.g.
    /// `web/templates/deployment.yaml`. Reports name this file.
    pub template: Option<Arc<str>>,
    /// For items of a `kind: List`: their index in `items`.
    pub list_item: Option<u32>,
}

impl Source {
    pub fn new(file: impl Into<Arc<str>>, doc: u32) -> Self {
        Source {
            file: file.into(),
            doc,
            template: None,
            list_item: None,
        }
    }
    /// The file to show a user: the template for rendered charts, else the file.
    pub fn display_file(&self) -> &str {
        self.template.as_deref().unwrap_or(&self.file)
    }
}

/// The identity fields of an object, read once at load time.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectRef {
    pub api_version: Str,
    pub kind: Str,
    pub namespace: Option<Str>,
    pub name: Str,
}

impl ObjectRef {
    /// The API group: `apps` for `apps/v1`, empty for `v1`.
    pub fn group(&self) -> &str {
        match self.api_version.split_once('/') {
            Some((g, _)) => g,
            None => "",
        }
    }
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {}/{}", self.kind, ns, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Object {
    pub root: Node,
    pub source: Source,
    pub id: ObjectRef,
}

impl Object {
    /// Reads the identity fields. Objects without a kind or apiVersion are not Kubernetes
    /// objects; the loader reports them instead of building an `Object`.
    pub fn new(root: Node, source: Source) -> Self {
        let s = |k: &[&str]| -> Str {
            root.path(k)
                .and_then(|n| n.as_str())
                .map(Str::from)
                .unwrap_or_default()
        };
        let ns = root
            .path(&["metadata", "namespace"])
            .and_then(|n| n.as_str())
            .filter(|s| !s.is_empty())
            .map(Str::from);
        let name = match root.path(&["metadata", "name"]).and_then(|n| n.as_str()) {
            Some(n) => Str::from(n),
            None => s(&["metadata", "generateName"]),
        };
        let id = ObjectRef {
            api_version: s(&["apiVersion"]),
            kind: s(&["kind"]),
            namespace: ns,
            name,
        };
        Object { root, source, id }
    }

    pub fn kind(&self) -> &str {
        &self.id.kind
    }
    pub fn name(&self) -> &str {
        &self.id.name
    }
    /// The namespace as written; `None` when unset (which means "default" for namespaced
    /// kinds once applied).
    pub fn namespace(&self) -> Option<&str> {
        self.id.namespace.as_deref()
    }
    /// The namespace an apply would use: the written one, else `default` for namespaced kinds,
    /// else `None` for cluster-scoped kinds.
    pub fn effective_namespace(&self) -> Option<&str> {
        if crate::kinds::is_cluster_scoped(self.kind()) {
            None
        } else {
            Some(self.namespace().unwrap_or("default"))
        }
    }
    pub fn metadata(&self) -> &Node {
        self.root.get("metadata").unwrap_or(Node::null())
    }
    pub fn labels(&self) -> impl Iterator<Item = (&str, &str)> + Clone {
        self.metadata()
            .get("labels")
            .unwrap_or(Node::null())
            .string_map()
    }
    pub fn label(&self, key: &str) -> Option<&str> {
        self.metadata()
            .path(&["labels", key])
            .and_then(Node::as_str)
    }
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.metadata()
            .path(&["annotations", key])
            .and_then(Node::as_str)
    }
    /// Where findings about the object as a whole point: its `kind:` line, else the document start.
    pub fn pos(&self) -> Pos {
        self.root.key_pos("kind")
    }
}
