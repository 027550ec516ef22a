//! Loading YAML and JSON streams into objects, as Kubernetes reads them.
//!
//! PLACEHOLDER API: the loader implementation is being written (granit-parser events + a
//! go-yaml v2 scalar resolver). The signatures below are the contract other crates use.

use crate::node::Pos;
use crate::object::Object;
use std::sync::Arc;

/// Limits that protect against hostile input.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// Largest file accepted, in bytes.
    pub max_file_bytes: usize,
    /// Deepest nesting of collections.
    pub max_depth: usize,
    /// Largest number of nodes alias expansion may produce in one document ("billion laughs").
    pub max_alias_nodes: usize,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            max_file_bytes: 64 * 1024 * 1024,
            max_depth: 256,
            max_alias_nodes: 1_000_000,
        }
    }
}

/// A problem with an input, naming the file and (where known) the line.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadError {
    pub file: Arc<str>,
    pub pos: Option<Pos>,
    pub doc: Option<u32>,
    pub message: String,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.pos {
            Some(p) if p.is_known() => {
                write!(f, "{}:{}:{}: {}", self.file, p.line, p.col, self.message)
            }
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

#[derive(Debug, Default)]
pub struct LoadOutput {
    pub objects: Vec<Object>,
    /// Inputs (or parts of them) that could not be read; the rest was still loaded.
    pub errors: Vec<LoadError>,
    /// Things read differently from how a reader might expect (`on:` key read as `"true"`, ...).
    pub warnings: Vec<LoadError>,
}

/// Reads a YAML (multi-document) or JSON stream. `kind: List` and `*List` documents are expanded
/// into their items. Never panics; every problem becomes a `LoadError`.
pub fn load_bytes(bytes: &[u8], file: &str, opts: &LoadOptions) -> LoadOutput {
    let _ = (bytes, file, opts);
    LoadOutput::default()
}
