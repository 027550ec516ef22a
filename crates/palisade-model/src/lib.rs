//! Palisade's object model: Kubernetes objects as data plus where each field came from.
//!
//! - [`node`]: the positioned YAML/JSON tree.
//! - [`load`]: reading YAML and JSON streams the way `kubectl` reads them.
//! - [`object`], [`workload`]: objects and their pod-spec views.
//! - [`index`], [`selector`]: lookups for cross-object checks.
//! - [`diag`]: severities, categories and the diagnostics every evaluator returns.

pub mod diag;
pub mod index;
pub mod kinds;
pub mod load;
pub mod node;
pub mod object;
pub mod selector;
mod shape;
pub mod workload;
mod yaml;

pub use diag::{Category, Diagnostic, Severity};
pub use index::Index;
pub use load::{LoadError, LoadOptions, LoadOutput, load_bytes, load_json};
pub use node::{Entry, Map, Node, Pos, Str, Value};
pub use object::{Object, ObjectRef, Source};
pub use selector::LabelSelector;
pub use workload::{Container, ContainerKind, CustomWorkloads, PodSpec};
