//! A YAML/JSON tree that remembers where every value and key came from.
//!
//! Kubernetes objects are small maps, so a map is a slice of entries searched linearly: for the
//! 3–15 keys of a typical Kubernetes mapping that beats hashing and keeps source order for reports.
//! Sequences and mappings are boxed slices, not `Vec`s: the tree is most of a scan's memory, and
//! with 16-byte slices a `Value` is 24 bytes (the string's spare byte holds the tag), a `Node` 32
//! and an `Entry` 64 instead of 40 and 72. Trees are built once and rarely edited.

use compact_str::CompactString;
use std::fmt;

/// Short strings (keys, names, images) stay inline without a heap allocation.
pub type Str = CompactString;

/// A 1-based line and column in the source document. `line == 0` means "unknown" (objects that
/// came from JSON over the wire, e.g. an AdmissionReview).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    pub const UNKNOWN: Pos = Pos { line: 0, col: 0 };
    pub fn new(line: u32, col: u32) -> Self {
        Pos { line, col }
    }
    pub fn is_known(self) -> bool {
        self.line > 0
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Str),
    Seq(Box<[Node]>),
    Map(Map),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    /// Where the value starts (for a mapping or sequence: its first key or item).
    pub pos: Pos,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: Str,
    pub key_pos: Pos,
    pub value: Node,
}

/// `key == wanted`, looking at the length and the first byte before comparing the rest: checks
/// look keys up by linear search millions of times per scan, and most entries differ in one of
/// those, which spares a call to `memcmp` per entry.
#[inline]
fn same_key(key: &str, wanted: &str) -> bool {
    key.len() == wanted.len()
        && key.as_bytes().first() == wanted.as_bytes().first()
        && key == wanted
}

/// A mapping in source order. Duplicate keys are resolved by the loader (last wins, as in
/// sigs.k8s.io/yaml), so keys here are unique.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Map {
    pub entries: Box<[Entry]>,
}

impl Map {
    pub fn new() -> Self {
        Map::default()
    }
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.get_entry(key).map(|e| &e.value)
    }
    pub fn get_entry(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| same_key(&e.key, key))
    }
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.entries
            .iter_mut()
            .find(|e| e.key == key)
            .map(|e| &mut e.value)
    }
    /// Inserts or replaces; a replaced key keeps its original place.
    pub fn insert(&mut self, key: impl Into<Str>, key_pos: Pos, value: Node) {
        let key = key.into();
        if let Some(e) = self.entries.iter_mut().find(|e| e.key == key) {
            e.key_pos = key_pos;
            e.value = value;
        } else {
            let mut v = std::mem::take(&mut self.entries).into_vec();
            v.push(Entry {
                key,
                key_pos,
                value,
            });
            self.entries = v.into_boxed_slice();
        }
    }
    pub fn remove(&mut self, key: &str) -> Option<Node> {
        let i = self.entries.iter().position(|e| e.key == key)?;
        let mut v = std::mem::take(&mut self.entries).into_vec();
        let removed = v.remove(i).value;
        self.entries = v.into_boxed_slice();
        Some(removed)
    }
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Node)> + Clone {
        self.entries.iter().map(|e| (e.key.as_str(), &e.value))
    }
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

static NULL: Node = Node {
    value: Value::Null,
    pos: Pos::UNKNOWN,
};

impl Node {
    pub fn new(value: Value, pos: Pos) -> Self {
        Node { value, pos }
    }
    pub fn null() -> &'static Node {
        &NULL
    }
    pub fn str(s: impl Into<Str>) -> Self {
        Node::new(Value::Str(s.into()), Pos::UNKNOWN)
    }

    /// Child by key, for mappings only.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(m) => m.get(key),
            _ => None,
        }
    }
    /// The children of several keys, in one pass over the mapping's entries instead of one
    /// per key (each pass over a tree left cold by parsing costs cache misses).
    pub fn get_each<const N: usize>(&self, keys: [&str; N]) -> [Option<&Node>; N] {
        let mut found = [None; N];
        if let Value::Map(m) = &self.value {
            for e in &m.entries {
                for (slot, k) in found.iter_mut().zip(keys) {
                    if same_key(&e.key, k) {
                        *slot = Some(&e.value);
                    }
                }
            }
        }
        found
    }
    /// Walks a path of keys; `None` as soon as one is missing or a value is not a mapping.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        let mut n = self;
        for k in keys {
            n = n.get(k)?;
        }
        Some(n)
    }
    /// The deepest node that exists along `keys` (the object itself at worst): where a finding
    /// about a missing field should point.
    pub fn deepest(&self, keys: &[&str]) -> &Node {
        let mut n = self;
        for k in keys {
            match n.get(k) {
                Some(c) if !matches!(c.value, Value::Null) => n = c,
                _ => break,
            }
        }
        n
    }
    /// Position of the key `key` in this mapping, else this node's own position.
    pub fn key_pos(&self, key: &str) -> Pos {
        match &self.value {
            Value::Map(m) => m.get_entry(key).map(|e| e.key_pos).unwrap_or(self.pos),
            _ => self.pos,
        }
    }
    pub fn as_map(&self) -> Option<&Map> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }
    /// Items of a sequence; empty for anything else (null, missing, wrong type).
    pub fn items(&self) -> &[Node] {
        self.as_seq().unwrap_or(&[])
    }
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }
    pub fn as_i64(&self) -> Option<i64> {
        match self.value {
            Value::Int(i) => Some(i),
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(f as i64),
            _ => None,
        }
    }
    pub fn as_f64(&self) -> Option<f64> {
        match self.value {
            Value::Int(i) => Some(i as f64),
            Value::Float(f) => Some(f),
            _ => None,
        }
    }
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }
    /// Kubernetes' word for the JSON type, for error messages ("expected boolean, got string").
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(_) => "number",
            Value::Str(_) => "string",
            Value::Seq(_) => "array",
            Value::Map(_) => "object",
        }
    }
    /// A scalar as text the way it would print in JSON (strings unquoted); `None` for collections.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Null => Some("null".into()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Str(s) => Some(s.to_string()),
            _ => None,
        }
    }

    /// Converts to JSON (for Rego, CEL, AdmissionReviews and reports). Floats that are not finite
    /// become null, as they have no JSON form.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(J::Number)
                .unwrap_or(J::Null),
            Value::Str(s) => J::String(s.to_string()),
            Value::Seq(s) => J::Array(s.iter().map(Node::to_json).collect()),
            Value::Map(m) => J::Object(
                m.entries
                    .iter()
                    .map(|e| (e.key.to_string(), e.value.to_json()))
                    .collect(),
            ),
        }
    }

    /// Builds a tree from JSON; positions are unknown.
    pub fn from_json(v: &serde_json::Value) -> Node {
        use serde_json::Value as J;
        let value = match v {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            J::String(s) => Value::Str(s.as_str().into()),
            J::Array(a) => Value::Seq(a.iter().map(Node::from_json).collect()),
            J::Object(o) => Value::Map(Map {
                entries: o
                    .iter()
                    .map(|(k, v)| Entry {
                        key: k.as_str().into(),
                        key_pos: Pos::UNKNOWN,
                        value: Node::from_json(v),
                    })
                    .collect(),
            }),
        };
        Node::new(value, Pos::UNKNOWN)
    }

    /// Labels or annotations style `map[string]string` lookups.
    pub fn string_map(&self) -> impl Iterator<Item = (&str, &str)> + Clone {
        self.as_map()
            .into_iter()
            .flat_map(|m| m.iter())
            .filter_map(|(k, v)| v.as_str().map(|s| (k, s)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_and_paths() {
        let j = serde_json::json!({"a": {"b": [1, 2.5, "x", true, null]}, "c": "d"});
        let n = Node::from_json(&j);
        assert_eq!(n.to_json(), j);
        assert_eq!(n.path(&["a", "b"]).unwrap().items().len(), 5);
        assert!(n.path(&["a", "zz", "b"]).is_none());
        assert_eq!(n.get("c").unwrap().as_str(), Some("d"));
        assert_eq!(n.deepest(&["a", "nope"]), n.get("a").unwrap());
        assert_eq!(n.path(&["a", "b"]).unwrap().items()[1].as_f64(), Some(2.5));
    }

    #[test]
    fn get_each_finds_what_get_finds() {
        let n = Node::from_json(&serde_json::json!({"a": 1, "b": null, "c": "x"}));
        for keys in [["a", "c", "zz"], ["c", "b", "a"], ["zz", "a", "a"]] {
            assert_eq!(n.get_each(keys), keys.map(|k| n.get(k)));
        }
        assert_eq!(Node::str("x").get_each(["a"]), [None]);
    }

    #[test]
    fn map_insert_replaces_in_place() {
        let mut m = Map::new();
        m.insert("a", Pos::UNKNOWN, Node::str("1"));
        m.insert("b", Pos::UNKNOWN, Node::str("2"));
        m.insert("a", Pos::UNKNOWN, Node::str("3"));
        let keys: Vec<_> = m.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["a", "b"]);
        assert_eq!(m.get("a").unwrap().as_str(), Some("3"));
    }
}

#[cfg(test)]
mod layout {
    use super::*;

    /// The tree is most of a scan's memory: keep its pieces small (see the module docs).
    #[test]
    fn nodes_and_entries_stay_small() {
        assert_eq!(std::mem::size_of::<Value>(), 24);
        assert_eq!(std::mem::size_of::<Node>(), 32);
        assert_eq!(std::mem::size_of::<Entry>(), 64);
    }

    #[test]
    fn insert_and_remove_keep_order() {
        let mut m = Map::new();
        m.insert("a", Pos::UNKNOWN, Node::str("1"));
        m.insert("b", Pos::UNKNOWN, Node::str("2"));
        m.insert("a", Pos::new(3, 1), Node::str("3"));
        assert_eq!(m.iter().map(|(k, _)| k).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(m.get("a").and_then(Node::as_str), Some("3"));
        assert_eq!(
            m.remove("a").and_then(|n| n.as_str().map(str::to_string)),
            Some("3".into())
        );
        assert_eq!(m.remove("a"), None);
        assert_eq!(m.len(), 1);
    }
}
