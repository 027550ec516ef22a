//! Loading YAML and JSON streams into objects, as Kubernetes reads them.
//!
//! Bytes are decoded (UTF-8, or UTF-16 with a byte-order mark), parsed with granit-parser and
//! resolved with go-yaml v2's rules (see `yaml`), then each document becomes an `Object`:
//! `List` documents are expanded, and documents kubectl would refuse are reported instead.

use crate::node::{Node, Pos, Str, Value};
use crate::object::{Object, Source};
use crate::shape;
use crate::yaml::{self, DocEvent, Issue, Limits};
use std::borrow::Cow;
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

/// Phrases every "this document is not a Kubernetes object" message contains.
const NOT_AN_OBJECT: [&str; 2] = [
    "not a Kubernetes object",
    "every Kubernetes object needs `apiVersion` and `kind`",
];

impl LoadError {
    /// Whether the problem is that a document is not a Kubernetes object at all (not a
    /// mapping, or no `apiVersion`/`kind`): typical of YAML files that are not manifests (CI
    /// workflows, Helm values), which a directory walk may want to skip quietly.
    pub fn is_not_an_object(&self) -> bool {
        NOT_AN_OBJECT.iter().any(|p| self.message.contains(p))
    }
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
    let file: Arc<str> = Arc::from(file);
    let mut out = LoadOutput::default();
    let whole_file = |pos: Option<Pos>, message: String| LoadError {
        file: file.clone(),
        pos,
        doc: None,
        message,
    };
    if bytes.len() > opts.max_file_bytes {
        out.errors.push(whole_file(
            None,
            format!(
                "file is {} bytes, over the limit of {} bytes; skipped (raise the limit if this is really a manifest)",
                bytes.len(),
                opts.max_file_bytes
            ),
        ));
        return out;
    }
    let text = match decode(bytes) {
        Ok(t) => t,
        Err((pos, message)) => {
            out.errors.push(whole_file(pos, message));
            return out;
        }
    };
    // kubectl reads a stream that starts with `{` as JSON (encoding/json number rules).
    let json = text.trim_start().starts_with('{');
    let limits = Limits {
        max_depth: opts.max_depth,
        max_alias_nodes: opts.max_alias_nodes,
    };
    let err = |doc: u32, issue: Issue| LoadError {
        file: file.clone(),
        pos: issue.pos.is_known().then_some(issue.pos),
        doc: Some(doc),
        message: issue.message,
    };
    // Large streams are parsed in chunks of whole documents on all cores; documents are
    // independent in YAML (anchors do not cross `---`), so this reads exactly the same.
    let chunks = split_documents(&text, json);
    let parsed: Vec<Chunk> = if chunks.len() > 1 {
        use rayon::prelude::*;
        chunks
            .par_iter()
            .map(|&(start, end, lines)| parse_chunk(&text[start..end], json, limits, lines))
            .collect()
    } else {
        vec![parse_chunk(&text, json, limits, 0)]
    };
    let mut base: u32 = 0;
    for chunk in parsed {
        for ev in chunk.events {
            match ev {
                DocEvent::Doc(doc, root) => add_document(&mut out, &file, base + doc, root),
                DocEvent::Error(doc, issue) | DocEvent::Fatal(doc, issue) => {
                    out.errors.push(err(base + doc, issue))
                }
                DocEvent::Warning(doc, issue) => out.warnings.push(err(base + doc, issue)),
            }
        }
        if chunk.fatal {
            // A syntax error ends the stream, as it does for kubectl.
            break;
        }
        base = base.saturating_add(chunk.docs);
    }
    out
}

/// Streams smaller than this are parsed on one core.
const PARALLEL_MIN_BYTES: usize = 512 * 1024;

struct Chunk {
    events: Vec<DocEvent>,
    docs: u32,
    fatal: bool,
}

fn parse_chunk(text: &str, json: bool, limits: Limits, line_offset: u32) -> Chunk {
    let mut events = Vec::new();
    let (docs, fatal) = yaml::parse_stream(text, json, limits, line_offset, |e| events.push(e));
    Chunk {
        events,
        docs,
        fatal,
    }
}

/// Splits a large stream into runs of whole documents: `(start, end, lines before start)`.
/// A `---` line at column 0 always starts a document in YAML (inside a block scalar it ends
/// the scalar; inside a quoted one it is an error either way). Streams with directives (`%`)
/// are not split, as a directive belongs to the document after it.
fn split_documents(text: &str, json: bool) -> Vec<(usize, usize, u32)> {
    let threads = rayon::current_num_threads();
    if json
        || threads < 2
        || text.len() < PARALLEL_MIN_BYTES
        || text.starts_with('%')
        || text.contains("\n%")
    {
        return vec![(0, text.len(), 0)];
    }
    let target = (text.len() / (threads * 4)).max(PARALLEL_MIN_BYTES / 4);
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut lines) = (0usize, 0u32);
    let mut from = target;
    while from < text.len() {
        let Some(i) = text[from..].find("\n---").map(|i| from + i + 1) else {
            break;
        };
        let after = bytes.get(i + 3).copied();
        if !matches!(after, None | Some(b' ' | b'\t' | b'\r' | b'\n')) {
            from = i + 3;
            continue;
        }
        out.push((start, i, lines));
        lines = lines.saturating_add(count_lines(&bytes[start..i]));
        start = i;
        from = i + target;
    }
    out.push((start, text.len(), lines));
    out
}

fn count_lines(b: &[u8]) -> u32 {
    u32::try_from(b.iter().filter(|&&c| c == b'\n').count()).unwrap_or(u32::MAX)
}

/// Decodes the file's text. UTF-8 (with or without BOM) is borrowed; UTF-16/32 with a BOM is
/// transcoded; anything else is refused with the position of the first bad byte.
fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, (Option<Pos>, String)> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return utf8(rest);
    }
    if bytes.starts_with(&[0xFF, 0xFE, 0, 0]) || bytes.starts_with(&[0, 0, 0xFE, 0xFF]) {
        return Err((
            None,
            "UTF-32 text is not supported; re-save the file as UTF-8".into(),
        ));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, u16::from_be_bytes);
    }
    if let Some(i) = bytes.iter().position(|&b| b == 0) {
        let hint = if looks_like_utf16(bytes) {
            " (it looks like UTF-16 without a byte-order mark: re-save it as UTF-8)"
        } else {
            ""
        };
        return Err((
            Some(pos_at(bytes, i)),
            format!("binary file (contains NUL bytes), skipped{hint}"),
        ));
    }
    utf8(bytes)
}

fn utf8(bytes: &[u8]) -> Result<Cow<'_, str>, (Option<Pos>, String)> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(Cow::Borrowed(s)),
        Err(e) => Err((
            Some(pos_at(bytes, e.valid_up_to())),
            "invalid UTF-8 (a binary file, or text in another encoding such as Latin-1); re-save it as UTF-8".into(),
        )),
    }
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<Cow<'_, str>, (Option<Pos>, String)> {
    if !bytes.len().is_multiple_of(2) {
        return Err((
            None,
            "UTF-16 text with an odd number of bytes; the file is truncated".into(),
        ));
    }
    let units = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    let mut s = String::with_capacity(bytes.len() / 2 + bytes.len() / 8);
    for (i, c) in char::decode_utf16(units).enumerate() {
        match c {
            Ok(c) => s.push(c),
            Err(_) => {
                let line = s.matches('\n').count() + 1;
                return Err((
                    Some(Pos::new(line as u32, 0)),
                    format!("invalid UTF-16 (unpaired surrogate at code unit {i})"),
                ));
            }
        }
    }
    if s.contains('\0') {
        return Err((
            None,
            "binary file (contains NUL characters), skipped".into(),
        ));
    }
    Ok(Cow::Owned(s))
}

fn looks_like_utf16(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(64) & !1];
    let zeros_even = head.iter().step_by(2).filter(|&&b| b == 0).count();
    let zeros_odd = head.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    let half = head.len() / 2;
    half >= 2 && (zeros_even * 4 >= half * 3 || zeros_odd * 4 >= half * 3)
}

/// 1-based line and column (in characters) of byte `i`.
fn pos_at(bytes: &[u8], i: usize) -> Pos {
    let before = &bytes[..i.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let col = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    Pos::new(
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(col).unwrap_or(u32::MAX),
    )
}

fn doc_error(file: &Arc<str>, doc: u32, pos: Pos, message: String) -> LoadError {
    LoadError {
        file: file.clone(),
        pos: pos.is_known().then_some(pos),
        doc: Some(doc),
        message,
    }
}

fn article(node: &Node) -> &'static str {
    match node.value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Int(_) => "an integer",
        Value::Float(_) => "a number",
        Value::Str(_) => "a string",
        Value::Seq(_) => "a list",
        Value::Map(_) => "a map",
    }
}

fn add_document(out: &mut LoadOutput, file: &Arc<str>, doc: u32, root: Node) {
    let map = match &root.value {
        // kubectl skips documents that are `null` (empty, `~`, comments only).
        Value::Null => return,
        Value::Map(m) => m,
        _ => {
            out.errors.push(doc_error(
                file,
                doc,
                root.pos,
                format!(
                    "document {} is {}, not a Kubernetes object (expected a mapping with `apiVersion` and `kind`)",
                    doc + 1,
                    article(&root)
                ),
            ));
            return;
        }
    };
    let is_list = map.get("items").is_some()
        && map
            .get("kind")
            .and_then(Node::as_str)
            .is_some_and(|k| k.ends_with("List"));
    if !is_list {
        add_object(out, file, doc, None, root);
        return;
    }
    let Value::Map(mut map) = root.value else {
        return;
    };
    let list_kind = map
        .get("kind")
        .and_then(Node::as_str)
        .unwrap_or("")
        .to_string();
    let item_kind = list_kind.strip_suffix("List").unwrap_or("").to_string();
    let api = map.get_entry("apiVersion").cloned();
    let kind_pos = map.get_entry("kind").map_or(root.pos, |e| e.key_pos);
    let items = map
        .remove("items")
        .unwrap_or_else(|| Node::new(Value::Null, root.pos));
    match items.value {
        Value::Null => {}
        Value::Seq(items) => {
            for (i, mut item) in items.into_iter().enumerate() {
                // apimachinery gives kind-less items of typed lists (`PodList`) the list's
                // apiVersion and the kind without `List`.
                if let Value::Map(m) = &mut item.value
                    && m.get("kind").is_none()
                    && m.get("apiVersion").is_none()
                    && !item_kind.is_empty()
                {
                    if let Some(api) = &api {
                        m.insert("apiVersion", api.key_pos, api.value.clone());
                    }
                    m.insert(
                        "kind",
                        kind_pos,
                        Node::new(Value::Str(Str::from(item_kind.as_str())), kind_pos),
                    );
                }
                add_object(out, file, doc, Some(i as u32), item);
            }
        }
        _ => out.errors.push(doc_error(
            file,
            doc,
            items.pos,
            format!(
                "`items` of this {list_kind} is {}, expected a list",
                article(&items)
            ),
        )),
    }
}

/// Reads one object already decoded from JSON (an AdmissionReview's `request.object`) with the
/// checks `load_bytes` makes on every document; positions are unknown. Much cheaper than
/// serializing it back to text for `load_bytes`, which the webhook did on every request.
pub fn load_json(v: &serde_json::Value, file: &str) -> LoadOutput {
    let mut out = LoadOutput::default();
    add_object(&mut out, &Arc::from(file), 0, None, Node::from_json(v));
    out
}

fn add_object(out: &mut LoadOutput, file: &Arc<str>, doc: u32, item: Option<u32>, root: Node) {
    let what = match item {
        Some(i) => format!("item {i} of document {}", doc + 1),
        None => format!("document {}", doc + 1),
    };
    let Some(map) = root.as_map() else {
        out.errors.push(doc_error(
            file,
            doc,
            root.pos,
            format!(
                "{what} is {}, not a Kubernetes object (expected a mapping with `apiVersion` and `kind`)",
                article(&root)
            ),
        ));
        return;
    };
    for field in ["apiVersion", "kind"] {
        let problem = match map.get(field) {
            None
            | Some(Node {
                value: Value::Null, ..
            }) => format!("has no `{field}`"),
            Some(Node {
                value: Value::Str(s),
                ..
            }) if s.is_empty() => format!("has an empty `{field}`"),
            Some(Node {
                value: Value::Str(_),
                ..
            }) => continue,
            Some(n) => format!("has {} as `{field}`, expected a string", article(n)),
        };
        out.errors.push(doc_error(
            file,
            doc,
            map.get(field).map_or(root.pos, |n| n.pos),
            format!("{what} {problem}; every Kubernetes object needs `apiVersion` and `kind` (is this a Kubernetes manifest?)"),
        ));
        return;
    }
    let kind = map.get("kind").and_then(Node::as_str).unwrap_or("");
    if let Err(e) = shape::check(kind, &root) {
        out.errors.push(doc_error(file, doc, e.pos, e.message));
        return;
    }
    let mut source = Source::new(file.clone(), doc);
    source.list_item = item;
    out.objects.push(Object::new(root, source));
}

#[cfg(test)]
mod tests;
