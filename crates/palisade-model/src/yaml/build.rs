//! Builds one document's `Node` tree from parser events, with go-yaml v2's semantics for keys,
//! duplicates, anchors, aliases and merge keys, and with limits against hostile input.

use super::resolve::{self, Scalar, TagKind};
use crate::node::{Entry, Map, Node, Pos, Str, Value};
use std::collections::HashMap;

/// A problem at a position in the current document.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Issue {
    pub pos: Pos,
    pub message: String,
}

impl Issue {
    pub(crate) fn new(pos: Pos, message: impl Into<String>) -> Self {
        Issue {
            pos,
            message: message.into(),
        }
    }
}

/// Limits for one document.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub max_depth: usize,
    pub max_alias_nodes: usize,
}

const BAD_BASE64: &str = "!!binary value contains invalid base64 data";

/// Maps with more entries than this get a hash index for duplicate detection.
const INDEX_AFTER: usize = 16;

enum KeySlot {
    Empty,
    Key(Str, Pos),
    Merge(Pos),
}

/// An open collection. Its children live on the builder's shared scratch stacks from
/// `start` on, and move into an exactly sized `Vec` when it closes: no growth reallocations
/// and no spare capacity in the finished tree.
struct Frame {
    map: bool,
    start: usize,
    pos: Pos,
    anchor: usize,
    /// Nodes in the subtree so far.
    count: usize,
    key: KeySlot,
    /// Key → index (relative to `start`) once a mapping is large.
    index: Option<HashMap<Str, usize>>,
    /// Entries (relative to `start`) that came from merge keys: a later explicit key
    /// replacing one of them is normal, not a duplicate.
    merged: Vec<usize>,
}

struct Anchored {
    node: Node,
    /// Nodes in the subtree, charged against the alias budget on every use.
    count: usize,
}

/// Builder state for one document; reused across the documents of a stream.
pub(crate) struct DocBuilder {
    limits: Limits,
    json: bool,
    stack: Vec<Frame>,
    entries: Vec<Entry>,
    items: Vec<Node>,
    anchors: HashMap<usize, Anchored>,
    expanded: usize,
    root: Option<Node>,
    warnings: Vec<Issue>,
}

impl DocBuilder {
    pub(crate) fn new(limits: Limits, json: bool) -> Self {
        DocBuilder {
            limits,
            json,
            stack: Vec::with_capacity(16),
            entries: Vec::with_capacity(64),
            items: Vec::with_capacity(64),
            anchors: HashMap::new(),
            expanded: 0,
            root: None,
            warnings: Vec::new(),
        }
    }

    /// Forgets everything of the previous (possibly abandoned) document.
    pub(crate) fn reset(&mut self) {
        self.stack.clear();
        self.entries.clear();
        self.items.clear();
        self.anchors.clear();
        self.expanded = 0;
        self.root = None;
        self.warnings.clear();
    }

    /// The finished root (`None` for an empty document) and the document's warnings.
    pub(crate) fn finish(&mut self) -> (Option<Node>, Vec<Issue>) {
        let root = self.root.take();
        let warnings = std::mem::take(&mut self.warnings);
        self.reset();
        (root, warnings)
    }

    fn set_key(&mut self, slot: KeySlot) {
        if let Some(f) = self.stack.last_mut() {
            f.key = slot;
        }
    }

    fn key_slot_empty(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame {
                map: true,
                key: KeySlot::Empty,
                ..
            })
        )
    }

    pub(crate) fn scalar(
        &mut self,
        text: &str,
        plain: bool,
        tag: TagKind,
        anchor: usize,
        pos: Pos,
    ) -> Result<(), Issue> {
        let decoded;
        let text = if tag == TagKind::Binary {
            decoded = decode_binary(text).ok_or_else(|| Issue::new(pos, BAD_BASE64))?;
            decoded.as_str()
        } else {
            text
        };
        let is_key = self.key_slot_empty();
        // `<<` as a plain key (or one tagged !!merge) is a merge key in go-yaml.
        if is_key && ((plain && tag == TagKind::None && text == "<<") || tag == TagKind::Merge) {
            self.set_key(KeySlot::Merge(pos));
            return Ok(());
        }
        let s = self.resolve_scalar(text, plain, tag, pos)?;
        let implicit = plain && tag == TagKind::None;
        if is_key {
            let key = resolve::key_string(s.clone()).map_err(|m| Issue::new(pos, m))?;
            if implicit && key != text {
                self.warnings.push(Issue::new(
                    pos,
                    format!(
                        "key `{text}` is read as `{key}` by kubectl (YAML 1.1 {}); quote it to keep `{text}`",
                        kind_word(&s)
                    ),
                ));
            }
            if anchor != 0 {
                let node = Node::new(resolve::to_value(s).map_err(|m| Issue::new(pos, m))?, pos);
                self.anchors.insert(anchor, Anchored { node, count: 1 });
            }
            self.set_key(KeySlot::Key(key, pos));
            return Ok(());
        }
        if implicit
            && !self.json
            && let Some(what) = resolve::surprise(text, &s)
        {
            self.warnings.push(Issue::new(
                pos,
                format!("`{text}` is read as {what} by kubectl (YAML 1.1); quote it if it is meant as text"),
            ));
        }
        let value = resolve::to_value(s).map_err(|m| Issue::new(pos, m))?;
        let node = Node::new(value, pos);
        if anchor != 0 {
            self.anchors.insert(
                anchor,
                Anchored {
                    node: node.clone(),
                    count: 1,
                },
            );
        }
        self.push_value(node, 1)
    }

    fn resolve_scalar<'t>(
        &self,
        text: &'t str,
        plain: bool,
        tag: TagKind,
        pos: Pos,
    ) -> Result<Scalar<'t>, Issue> {
        if self.json && plain && tag == TagKind::None {
            // A JSON file is read by encoding/json, not go-yaml: numbers keep their literal type.
            if let Some(s) = json_number(text) {
                return Ok(s);
            }
        }
        resolve::resolve(text, plain, tag).map_err(|m| Issue::new(pos, m))
    }

    pub(crate) fn start(&mut self, map: bool, anchor: usize, pos: Pos) -> Result<(), Issue> {
        if self.key_slot_empty() {
            return Err(Issue::new(
                pos,
                format!(
                    "invalid map key: a {} cannot be a mapping key (kubectl refuses it)",
                    if map { "mapping" } else { "sequence" }
                ),
            ));
        }
        if self.stack.len() >= self.limits.max_depth {
            return Err(Issue::new(pos, super::too_deep(self.limits)));
        }
        let start = if map {
            self.entries.len()
        } else {
            self.items.len()
        };
        self.stack.push(Frame {
            map,
            start,
            pos,
            anchor,
            count: 1,
            key: KeySlot::Empty,
            index: None,
            merged: Vec::new(),
        });
        Ok(())
    }

    pub(crate) fn end(&mut self) -> Result<(), Issue> {
        let Some(f) = self.stack.pop() else {
            return Ok(());
        };
        let node = if f.map {
            if let KeySlot::Key(k, kp) = f.key {
                // A key without a value cannot come from a well-formed event stream;
                // treat it as null, as YAML does for `key:`.
                self.entries.push(Entry {
                    key: k,
                    key_pos: kp,
                    value: Node::new(Value::Null, kp),
                });
            }
            let entries: Box<[Entry]> = self.entries.drain(f.start..).collect();
            Node::new(Value::Map(Map { entries }), f.pos)
        } else {
            let items: Box<[Node]> = self.items.drain(f.start..).collect();
            Node::new(Value::Seq(items), f.pos)
        };
        let (anchor, count) = (f.anchor, f.count);
        if anchor != 0 {
            self.anchors.insert(
                anchor,
                Anchored {
                    node: node.clone(),
                    count,
                },
            );
        }
        self.push_value(node, count)
    }

    pub(crate) fn alias(&mut self, id: usize, pos: Pos) -> Result<(), Issue> {
        let Some(a) = self.anchors.get(&id) else {
            return Err(Issue::new(
                pos,
                "anchor value contains itself (an alias refers to a collection it is inside)",
            ));
        };
        self.expanded = self.expanded.saturating_add(a.count);
        if self.expanded > self.limits.max_alias_nodes {
            return Err(Issue::new(
                pos,
                format!(
                    "aliases expand to more than {} nodes (an alias bomb?); the document is skipped",
                    self.limits.max_alias_nodes
                ),
            ));
        }
        if self.key_slot_empty() {
            let key = match &a.node.value {
                Value::Str(s) => s.clone(),
                Value::Bool(b) => Str::from(if *b { "true" } else { "false" }),
                Value::Int(i) => Str::from(i.to_string()),
                Value::Float(f) => Str::from(resolve::go_format_float32_g(*f)),
                Value::Null => {
                    return Err(Issue::new(pos, "unsupported map key of type: <nil>"));
                }
                Value::Seq(_) | Value::Map(_) => {
                    return Err(Issue::new(
                        pos,
                        "invalid map key: an alias to a collection cannot be a mapping key",
                    ));
                }
            };
            self.set_key(KeySlot::Key(key, pos));
            return Ok(());
        }
        let mut node = a.node.clone();
        let count = a.count;
        node.pos = pos;
        self.push_value(node, count)
    }

    fn push_value(&mut self, node: Node, count: usize) -> Result<(), Issue> {
        let Some(f) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        f.count += count;
        if !f.map {
            self.items.push(node);
            return Ok(());
        }
        match std::mem::replace(&mut f.key, KeySlot::Empty) {
            KeySlot::Key(k, kp) => {
                if let Some((prev, i)) =
                    insert(&mut self.entries, f.start, &mut f.index, k, kp, node)
                {
                    if let Some(m) = f.merged.iter().position(|&x| x == i) {
                        f.merged.swap_remove(m);
                        return Ok(());
                    }
                    let k = &self.entries[f.start + i].key;
                    self.warnings.push(Issue::new(
                        kp,
                        format!(
                            "duplicate key `{k}` (first at line {}); kubectl keeps the last value",
                            prev.line
                        ),
                    ));
                }
                Ok(())
            }
            KeySlot::Merge(mp) => merge(&mut self.entries, f, node, mp, &mut self.warnings),
            KeySlot::Empty => Ok(()),
        }
    }
}

/// Inserts into the open mapping whose entries are `entries[start..]`, or replaces (last wins,
/// as in go-yaml v2); returns the previous key position and the (relative) index when the key
/// was already there.
fn insert(
    entries: &mut Vec<Entry>,
    start: usize,
    index: &mut Option<HashMap<Str, usize>>,
    key: Str,
    key_pos: Pos,
    value: Node,
) -> Option<(Pos, usize)> {
    let open = &mut entries[start..];
    let found = match index {
        Some(ix) => ix.get(&key).copied(),
        None => open.iter().position(|e| e.key == key),
    };
    if let Some(i) = found {
        let e = &mut open[i];
        let prev = e.key_pos;
        e.key_pos = key_pos;
        e.value = value;
        return Some((prev, i));
    }
    let n = open.len();
    if let Some(ix) = index {
        ix.insert(key.clone(), n);
    } else if n >= INDEX_AFTER {
        let mut ix: HashMap<Str, usize> = open
            .iter()
            .enumerate()
            .map(|(i, e)| (e.key.clone(), i))
            .collect();
        ix.insert(key.clone(), n);
        *index = Some(ix);
    }
    entries.push(Entry {
        key,
        key_pos,
        value,
    });
    None
}

/// go-yaml v2's merge: a mapping, or a sequence of mappings applied last to first; merged
/// keys replace keys already set (go-yaml v2 does so; v3 and YAML 1.2 tools do not). Merged
/// entries keep the positions where they are written (in the anchored mapping).
fn merge(
    entries: &mut Vec<Entry>,
    f: &mut Frame,
    value: Node,
    at: Pos,
    warnings: &mut Vec<Issue>,
) -> Result<(), Issue> {
    let sources: Vec<Map> = match value.value {
        Value::Map(m) => vec![m],
        Value::Seq(items) => {
            let mut v = Vec::with_capacity(items.len());
            for it in items.into_iter().rev() {
                match it.value {
                    Value::Map(m) => v.push(m),
                    _ => {
                        return Err(Issue::new(
                            it.pos,
                            "map merge requires map or sequence of maps as the value",
                        ));
                    }
                }
            }
            v
        }
        _ => {
            return Err(Issue::new(
                value.pos,
                "map merge requires map or sequence of maps as the value",
            ));
        }
    };
    for m in sources {
        for e in m.entries {
            match insert(entries, f.start, &mut f.index, e.key, e.key_pos, e.value) {
                None => f.merged.push(entries.len() - f.start - 1),
                Some((prev, i)) => {
                    if !f.merged.contains(&i) {
                        f.merged.push(i);
                        warnings.push(Issue::new(
                            at,
                            format!(
                                "merge key `<<` replaces `{}` set at line {} (kubectl's YAML library lets a merge override earlier keys)",
                                entries[f.start + i].key, prev.line
                            ),
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

fn kind_word(s: &Scalar) -> &'static str {
    match s {
        Scalar::Bool(_) => "boolean",
        Scalar::Int(_) | Scalar::Uint(_) => "number",
        Scalar::Float(_) => "number",
        Scalar::Null => "null",
        Scalar::Str(_) => "string",
    }
}

/// encoding/json number semantics: integer literals are integers when they fit `i64`, anything
/// else numeric is a float.
fn json_number(text: &str) -> Option<Scalar<'_>> {
    let b = text.as_bytes();
    let first = *b.first()?;
    if !(first == b'-' || first.is_ascii_digit()) {
        return None;
    }
    if b.iter().all(|c| c.is_ascii_digit() || *c == b'-')
        && let Ok(i) = text.parse::<i64>()
    {
        return Some(Scalar::Int(i));
    }
    if b.iter()
        .all(|c| c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E'))
        && let Ok(f) = text.parse::<f64>()
    {
        return Some(Scalar::Float(f));
    }
    None
}

/// Go's `base64.StdEncoding.DecodeString` after go-yaml's scanner (which drops line breaks).
fn decode_binary(text: &str) -> Option<String> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    let mut pad = 0;
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                pad += 1;
                continue;
            }
            b'\n' | b'\r' | b' ' => continue,
            _ => return None,
        };
        if pad > 0 {
            return None;
        }
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}
