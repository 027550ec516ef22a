//! Conformance: the cel-spec "simple" tests that need no protobuf message types, run through
//! our CEL engine. The textproto subset they use is parsed by the small parser below.

use kube_cel::cel::Value as CV;
use kube_cel::cel::objects::Key;
use palisade_policy::cel;
use std::path::PathBuf;

/// A textproto field value.
#[derive(Debug, Clone)]
enum TP {
    /// Scalar token: a (decoded) string literal or a bare word/number.
    Str(Vec<u8>),
    Word(String),
    Msg(Vec<(String, TP)>),
}

impl TP {
    fn get(&self, k: &str) -> Option<&TP> {
        match self {
            TP::Msg(fields) => fields.iter().find(|(n, _)| n == k).map(|(_, v)| v),
            _ => None,
        }
    }
    fn all<'a>(&'a self, k: &'a str) -> impl Iterator<Item = &'a TP> + 'a {
        let fields: &[(String, TP)] = match self {
            TP::Msg(f) => f,
            _ => &[],
        };
        fields.iter().filter(move |(n, _)| n == k).map(|(_, v)| v)
    }
    /// Every field name and scalar, for spotting protobuf-only tests.
    fn flat(&self) -> String {
        match self {
            TP::Msg(f) => f
                .iter()
                .map(|(n, v)| format!("{n} {}", v.flat()))
                .collect::<Vec<_>>()
                .join(" "),
            other => other.text(),
        }
    }
    fn text(&self) -> String {
        match self {
            TP::Str(b) => String::from_utf8_lossy(b).to_string(),
            TP::Word(w) => w.clone(),
            TP::Msg(_) => String::new(),
        }
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn skip(&mut self) {
        while self.i < self.s.len() {
            match self.s[self.i] {
                b'#' => {
                    while self.i < self.s.len() && self.s[self.i] != b'\n' {
                        self.i += 1;
                    }
                }
                b' ' | b'\t' | b'\n' | b'\r' | b',' | b';' => self.i += 1,
                _ => break,
            }
        }
    }
    fn word(&mut self) -> String {
        let st = self.i;
        while self.i < self.s.len()
            && (self.s[self.i].is_ascii_alphanumeric()
                || matches!(self.s[self.i], b'_' | b'.' | b'-' | b'+' | b'/'))
        {
            self.i += 1;
        }
        String::from_utf8_lossy(&self.s[st..self.i]).to_string()
    }
    fn string(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        // Adjacent literals concatenate.
        loop {
            self.skip();
            let Some(&q) = self.s.get(self.i) else { break };
            if q != b'"' && q != b'\'' {
                break;
            }
            self.i += 1;
            while self.i < self.s.len() && self.s[self.i] != q {
                let c = self.s[self.i];
                self.i += 1;
                if c != b'\\' {
                    out.push(c);
                    continue;
                }
                let e = self.s.get(self.i).copied().unwrap_or(b'\\');
                self.i += 1;
                match e {
                    b'n' => out.push(b'\n'),
                    b't' => out.push(b'\t'),
                    b'r' => out.push(b'\r'),
                    b'a' => out.push(7),
                    b'b' => out.push(8),
                    b'f' => out.push(12),
                    b'v' => out.push(11),
                    b'0'..=b'7' => {
                        let mut v = (e - b'0') as u32;
                        for _ in 0..2 {
                            match self.s.get(self.i) {
                                Some(d @ b'0'..=b'7') => {
                                    v = v * 8 + (d - b'0') as u32;
                                    self.i += 1;
                                }
                                _ => break,
                            }
                        }
                        out.push(v as u8);
                    }
                    b'x' => {
                        let mut v = 0u32;
                        for _ in 0..2 {
                            match self.s.get(self.i).and_then(|d| (*d as char).to_digit(16)) {
                                Some(d) => {
                                    v = v * 16 + d;
                                    self.i += 1;
                                }
                                None => break,
                            }
                        }
                        out.push(v as u8);
                    }
                    b'u' | b'U' => {
                        let n = if e == b'u' { 4 } else { 8 };
                        let hex = String::from_utf8_lossy(
                            &self.s[self.i..(self.i + n).min(self.s.len())],
                        )
                        .to_string();
                        self.i += n;
                        let ch = u32::from_str_radix(&hex, 16)
                            .ok()
                            .and_then(char::from_u32)
                            .unwrap_or('\u{fffd}');
                        let mut buf = [0u8; 4];
                        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                    }
                    other => out.push(other),
                }
            }
            self.i += 1;
        }
        out
    }
    fn value(&mut self) -> TP {
        self.skip();
        match self.s.get(self.i) {
            Some(b'{') | Some(b'<') => {
                let close = if self.s[self.i] == b'{' { b'}' } else { b'>' };
                self.i += 1;
                let m = self.fields(Some(close));
                TP::Msg(m)
            }
            Some(b'"') | Some(b'\'') => TP::Str(self.string()),
            _ => TP::Word(self.word()),
        }
    }
    fn fields(&mut self, close: Option<u8>) -> Vec<(String, TP)> {
        let mut out = Vec::new();
        loop {
            self.skip();
            match self.s.get(self.i) {
                None => break,
                Some(c) if Some(*c) == close => {
                    self.i += 1;
                    break;
                }
                _ => {}
            }
            let name = self.word();
            if name.is_empty() {
                self.i += 1;
                continue;
            }
            self.skip();
            if self.s.get(self.i) == Some(&b':') {
                self.i += 1;
                self.skip();
            }
            if self.s.get(self.i) == Some(&b'[') {
                self.i += 1;
                loop {
                    self.skip();
                    if self.s.get(self.i) == Some(&b']') || self.i >= self.s.len() {
                        self.i += 1;
                        break;
                    }
                    let v = self.value();
                    out.push((name.clone(), v));
                }
            } else {
                let v = self.value();
                out.push((name, v));
            }
        }
        out
    }
}

fn to_cel(v: &TP) -> Option<CV> {
    let (kind, inner) = match v {
        TP::Msg(f) => f.first()?,
        _ => return None,
    };
    Some(match kind.as_str() {
        "int64_value" => CV::Int(inner.text().parse().ok()?),
        "uint64_value" => CV::UInt(inner.text().parse().ok()?),
        "double_value" => CV::Float(match inner.text().as_str() {
            "inf" | "infinity" => f64::INFINITY,
            "-inf" | "-infinity" => f64::NEG_INFINITY,
            "nan" => f64::NAN,
            t => t.parse().ok()?,
        }),
        "string_value" => CV::String(std::sync::Arc::new(inner.text())),
        "bytes_value" => match inner {
            TP::Str(b) => CV::Bytes(std::sync::Arc::new(b.clone())),
            _ => return None,
        },
        "bool_value" => CV::Bool(inner.text() == "true"),
        "null_value" => CV::Null,
        "list_value" => CV::List(std::sync::Arc::new(
            inner
                .all("values")
                .map(to_cel)
                .collect::<Option<Vec<_>>>()?,
        )),
        "map_value" => {
            let mut m = std::collections::HashMap::new();
            for e in inner.all("entries") {
                let k = match to_cel(e.get("key")?)? {
                    CV::String(s) => Key::String(s),
                    CV::Int(i) => Key::Int(i),
                    CV::UInt(u) => Key::Uint(u),
                    CV::Bool(b) => Key::Bool(b),
                    _ => return None,
                };
                m.insert(k, to_cel(e.get("value")?)?);
            }
            CV::Map(kube_cel::cel::objects::Map {
                map: std::sync::Arc::new(m),
            })
        }
        _ => return None,
    })
}

fn same(a: &CV, b: &CV) -> bool {
    match (a, b) {
        (CV::Float(x), CV::Float(y)) => x == y || (x.is_nan() && y.is_nan()),
        (CV::List(x), CV::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(a, b)| same(a, b))
        }
        (CV::Map(x), CV::Map(y)) => {
            x.map.len() == y.map.len()
                && x.map
                    .iter()
                    .all(|(k, v)| y.map.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// Tests that need protobuf messages, enums, wrappers, type values or a type checker.
fn needs_proto(t: &TP, raw: &str) -> bool {
    const MARKERS: [&str; 9] = [
        "TestAllTypes",
        "google.protobuf",
        "object_value",
        "enum_value",
        "type_value",
        "message_type",
        "NestedEnum",
        "NestedMessage",
        "GlobalEnum",
    ];
    t.get("container").is_some()
        || t.get("check_only").is_some()
        || t.get("typed_result").is_some()
        || t.get("unknown").is_some()
        || t.get("any_unknowns").is_some()
        || MARKERS.iter().any(|m| raw.contains(m))
}

#[test]
fn cel_spec_conformance() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpora/cel-spec/tests/simple/testdata");
    assert!(dir.is_dir(), "the corpus is missing at {}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let (mut pass, mut fail, mut proto) = (0usize, 0usize, 0usize);
    for f in files
        .iter()
        .filter(|f| f.extension().is_some_and(|x| x == "textproto"))
    {
        let text = std::fs::read_to_string(f).unwrap();
        let root = TP::Msg(
            Parser {
                s: text.as_bytes(),
                i: 0,
            }
            .fields(None),
        );
        let (mut fp, mut ff) = (0, 0);
        for section in root.all("section") {
            for t in section.all("test") {
                let raw = t.flat();
                if needs_proto(t, &raw) {
                    proto += 1;
                    continue;
                }
                let expr = t.get("expr").map(TP::text).unwrap_or_default();
                let result = cel::compile(&expr).and_then(|p| {
                    cel::with_scope(|s| {
                        for b in t.all("bindings") {
                            let key = b.get("key").map(TP::text).unwrap_or_default();
                            if let Some(v) =
                                b.get("value").and_then(|v| v.get("value")).and_then(to_cel)
                            {
                                s.set(&key, v);
                            }
                        }
                        s.eval(&p)
                    })
                });
                let ok = if t.get("eval_error").is_some() || t.get("any_eval_errors").is_some() {
                    result.is_err()
                } else if let Some(v) = t.get("value") {
                    match (to_cel(v), &result) {
                        (Some(want), Ok(got)) => same(&want, got),
                        _ => false,
                    }
                } else {
                    matches!(result, Ok(CV::Bool(true)))
                };
                if ok {
                    fp += 1;
                } else {
                    ff += 1;
                    if std::env::var_os("CEL_SPEC_VERBOSE").is_some() {
                        let name = t.get("name").map(TP::text).unwrap_or_default();
                        println!("  fail {}/{name}: `{expr}` → {result:?}", f.display());
                    }
                }
            }
        }
        println!(
            "{:<28} {fp:>4} pass {ff:>4} fail",
            f.file_name().unwrap().to_string_lossy()
        );
        pass += fp;
        fail += ff;
    }
    let rate = 100.0 * pass as f64 / (pass + fail).max(1) as f64;
    println!(
        "cel-spec (no protobuf types): {pass}/{} pass ({rate:.1}%); {proto} tests need protobuf types or a type checker and are not run",
        pass + fail
    );
    assert!(pass + fail > 500, "too few tests parsed");
    assert!(
        rate >= 95.0,
        "cel-spec pass rate {rate:.1}% is below the 95% target"
    );
}
