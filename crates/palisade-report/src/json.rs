//! The JSON report; its schema is documented in docs/json-report.md. Serialized straight from
//! borrowed structs (no intermediate `serde_json::Value` tree): building that tree for a large
//! scan cost more time and memory than the scan itself. The long lists are serialized in
//! parallel, in chunks written out in order.

use crate::Options;
use palisade_engine::{Finding, Fingerprints, RuleInfo, RuleSource, Scan};
use palisade_model::{Category, LoadError, Severity};
use serde::Serialize;
use std::io::Write as _;

/// v2 moved each check's title, remediation and `crossObject` from every finding into `rules`.
pub const SCHEMA_VERSION: &str = "palisade.dev/report/v2";

/// A finding as the report writes it; `FindingWriter` writes the same bytes faster.
#[cfg(test)]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FindingOut<'a> {
    check: &'a str,
    severity: Severity,
    category: Category,
    source: RuleSource,
    message: &'a str,
    object: ObjectRefOut<'a>,
    location: LocationOut<'a>,
    container: Option<&'a str>,
    owner: &'a str,
    fingerprint: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    exemption: Option<&'a palisade_engine::ExemptionUse>,
}

/// What a check is, once per check that has findings (active or exempted).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleOut<'a> {
    title: &'a str,
    category: Category,
    source: RuleSource,
    /// The default severity; a finding's own `severity` includes config overrides.
    severity: Severity,
    cross_object: bool,
    remediation: &'a str,
    references: &'a [String],
}

impl<'a> From<&'a RuleInfo> for RuleOut<'a> {
    fn from(r: &'a RuleInfo) -> Self {
        RuleOut {
            title: &r.title,
            category: r.category,
            source: r.source,
            severity: r.severity,
            cross_object: r.cross_object,
            remediation: &r.remediation,
            references: &r.references,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ObjectRefOut<'a> {
    api_version: &'a str,
    kind: &'a str,
    namespace: Option<&'a str>,
    name: &'a str,
}

#[cfg(test)]
#[derive(Serialize)]
struct LocationOut<'a> {
    file: &'a str,
    line: Option<u32>,
    column: Option<u32>,
    document: u32,
    rendered: Option<&'a str>,
    path: Option<&'a str>,
}

#[derive(Serialize)]
struct LoadErrorOut<'a> {
    file: &'a str,
    line: Option<u32>,
    column: Option<u32>,
    document: Option<u32>,
    message: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ObjectOut<'a> {
    api_version: &'a str,
    kind: &'a str,
    namespace: Option<&'a str>,
    name: &'a str,
    file: &'a str,
    owner: &'a str,
    score: u8,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Summary {
    objects: usize,
    findings: usize,
    by_severity: std::collections::BTreeMap<String, usize>,
    score: u8,
    fail_on: Severity,
    failed: bool,
    exempted: usize,
    input_errors: usize,
}

#[cfg(test)]
fn finding<'a>(scan: &'a Scan, f: &'a Finding) -> FindingOut<'a> {
    let r = scan.rule(f);
    let o = scan.object(f);
    FindingOut {
        check: &r.id,
        severity: f.severity,
        category: r.category,
        source: r.source,
        message: f.message(),
        object: ObjectRefOut {
            api_version: o.id.api_version.as_str(),
            kind: o.kind(),
            namespace: o.effective_namespace(),
            name: o.name(),
        },
        location: location(o, f),
        container: f.container(),
        owner: scan.owner(f),
        fingerprint: scan.fingerprint_hex(f),
        exemption: f.exemption.as_deref(),
    }
}

/// Writes findings as `finding` serializes them, byte for byte (a test pins it), from JSON
/// fragments rendered once per rule and once per object: a large scan has many findings per
/// object and per rule, and escaping the same identity, file and owner for each of them was
/// most of the report's time.
struct FindingWriter<'a> {
    scan: &'a Scan,
    /// Per rule: `{"check":ID,"severity":` and `,"category":C,"source":S,"message":`.
    rules: Vec<(Vec<u8>, Vec<u8>)>,
}

/// The fragments of the object whose findings are being written (they come in runs).
#[derive(Default)]
struct ObjectFragments {
    object: Option<u32>,
    /// `,"object":{...},"location":{"file":F,`
    head: Vec<u8>,
    /// `,"document":D,"rendered":R,"path":`
    document: Vec<u8>,
    /// `,"owner":O,"fingerprint":`
    owner: Vec<u8>,
    prints: Fingerprints,
}

impl<'a> FindingWriter<'a> {
    fn new(scan: &'a Scan) -> Self {
        let rules = scan
            .rules
            .iter()
            .map(|r| {
                let mut head = b"{\"check\":".to_vec();
                push_json(&mut head, &r.id);
                head.extend_from_slice(b",\"severity\":");
                let mut mid = b",\"category\":".to_vec();
                push_json(&mut mid, &r.category);
                mid.extend_from_slice(b",\"source\":");
                push_json(&mut mid, &r.source);
                mid.extend_from_slice(b",\"message\":");
                (head, mid)
            })
            .collect();
        FindingWriter { scan, rules }
    }

    /// Writes `items[i]`.
    fn write(&self, frag: &mut ObjectFragments, buf: &mut Vec<u8>, items: &[Finding], i: usize) {
        let scan = self.scan;
        let f = &items[i];
        if frag.object != Some(f.object) {
            let o = scan.object(f);
            frag.object = Some(f.object);
            frag.head.clear();
            frag.head.extend_from_slice(b",\"object\":");
            push_json(
                &mut frag.head,
                &ObjectRefOut {
                    api_version: o.id.api_version.as_str(),
                    kind: o.kind(),
                    namespace: o.effective_namespace(),
                    name: o.name(),
                },
            );
            frag.head.extend_from_slice(b",\"location\":{\"file\":");
            push_json(&mut frag.head, o.source.display_file());
            frag.head.push(b',');
            frag.document.clear();
            frag.document.extend_from_slice(b",\"document\":");
            push_json(&mut frag.document, &o.source.doc);
            frag.document.extend_from_slice(b",\"rendered\":");
            let rendered = o.source.template.is_some().then(|| o.source.file.as_ref());
            push_json(&mut frag.document, &rendered);
            frag.document.extend_from_slice(b",\"path\":");
            frag.owner.clear();
            frag.owner.extend_from_slice(b",\"owner\":");
            push_json(&mut frag.owner, scan.owner(f));
            frag.owner.extend_from_slice(b",\"fingerprint\":");
        }
        let (head, mid) = &self.rules[f.rule as usize];
        buf.extend_from_slice(head);
        push_str(buf, f.severity.as_str());
        buf.extend_from_slice(mid);
        push_str(buf, f.message());
        buf.extend_from_slice(&frag.head);
        let known = f.pos.is_known();
        buf.extend_from_slice(b"\"line\":");
        push_number(buf, known.then_some(f.pos.line));
        buf.extend_from_slice(b",\"column\":");
        push_number(buf, known.then_some(f.pos.col));
        buf.extend_from_slice(&frag.document);
        match f.path() {
            "" => buf.extend_from_slice(b"null"),
            path => push_str(buf, path),
        }
        buf.extend_from_slice(b"},\"container\":");
        match f.container() {
            None => buf.extend_from_slice(b"null"),
            Some(c) => push_str(buf, c),
        }
        buf.extend_from_slice(&frag.owner);
        // As `fingerprint_hex` spells it: 16 lowercase hex digits.
        let print = frag.prints.get(scan, items, i);
        buf.push(b'"');
        buf.extend(
            (0..16)
                .rev()
                .map(|k| b"0123456789abcdef"[(print >> (4 * k)) as usize & 15]),
        );
        buf.push(b'"');
        if let Some(e) = &f.exemption {
            buf.extend_from_slice(b",\"exemption\":");
            push_json(buf, e);
        }
        buf.push(b'}');
    }

    /// The `findings` or `exempted` list, one finding per line.
    fn list(
        &self,
        top: &mut Top<'_, impl std::io::Write>,
        name: &str,
        items: &[Finding],
    ) -> std::io::Result<()> {
        top.list_with(name, items, 400, |frag, buf, i, _| {
            self.write(frag, buf, items, i);
            Ok(())
        })
    }
}

/// Appends `value` as compact JSON (how the report writes everything below its second level).
fn push_json(buf: &mut Vec<u8>, value: &(impl Serialize + ?Sized)) {
    // Serializing into a Vec fails only for maps with non-string keys, which these are not.
    let _ = serde_json::to_writer(buf, value);
}

/// `push_json` for a string, copying it whole when nothing in it needs escaping (serde_json
/// escapes exactly `"`, `\` and control characters), as nearly every message and path.
fn push_str(buf: &mut Vec<u8>, s: &str) {
    // Not `any`: without the early exit the check runs on wide registers.
    let plain = !s.bytes().fold(false, |esc, b| {
        esc | (b < 0x20) | (b == b'"') | (b == b'\\')
    });
    if plain {
        buf.reserve(s.len() + 2);
        buf.push(b'"');
        buf.extend_from_slice(s.as_bytes());
        buf.push(b'"');
    } else {
        push_json(buf, s);
    }
}

/// `push_json` for an optional number.
fn push_number(buf: &mut Vec<u8>, n: Option<u32>) {
    match n {
        Some(n) => buf.extend_from_slice(itoa::Buffer::new().format(n).as_bytes()),
        None => buf.extend_from_slice(b"null"),
    }
}

#[cfg(test)]
fn location<'a>(o: &'a palisade_model::Object, f: &'a Finding) -> LocationOut<'a> {
    LocationOut {
        file: o.source.display_file(),
        line: f.pos.is_known().then_some(f.pos.line),
        column: f.pos.is_known().then_some(f.pos.col),
        document: o.source.doc,
        rendered: o.source.template.is_some().then(|| o.source.file.as_ref()),
        path: (!f.path().is_empty()).then_some(f.path()),
    }
}

fn load_error(e: &LoadError) -> LoadErrorOut<'_> {
    LoadErrorOut {
        file: e.file.as_ref(),
        line: e.pos.filter(|p| p.is_known()).map(|p| p.line),
        column: e.pos.filter(|p| p.is_known()).map(|p| p.col),
        document: e.doc,
        message: &e.message,
    }
}

/// Writes the report (layout: see `Lines`), followed by a newline.
pub fn write(scan: &Scan, opts: &Options, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let counts = scan.counts();
    let summary = Summary {
        objects: scan.objects.len(),
        findings: scan.findings.len(),
        by_severity: counts.iter().map(|(s, n)| (s.to_string(), *n)).collect(),
        score: scan.score(),
        fail_on: opts.fail_on,
        failed: counts.iter().any(|&(s, n)| s >= opts.fail_on && n > 0),
        exempted: scan.exempted.len(),
        input_errors: scan.input_errors.len(),
    };
    let rules: serde_json::Map<String, serde_json::Value> = scan
        .used_rules()
        .into_iter()
        .map(|r| &scan.rules[r as usize])
        .map(|r| (r.id.clone(), serde_json::json!(RuleOut::from(r))))
        .collect();

    let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
    let mut top = Top {
        w: &mut w,
        first: true,
    };
    top.field("schema", &SCHEMA_VERSION)?;
    top.field(
        "tool",
        &serde_json::json!({"name": "palisade", "version": opts.tool_version}),
    )?;
    top.field("summary", &summary)?;
    top.field("rules", &rules)?;
    let findings = FindingWriter::new(scan);
    findings.list(&mut top, "findings", &scan.findings)?;
    let objects: Vec<usize> = (0..scan.objects.len()).collect();
    top.list("objects", &objects, |&i| {
        let o = &scan.objects[i];
        ObjectOut {
            api_version: o.id.api_version.as_str(),
            kind: o.kind(),
            namespace: o.effective_namespace(),
            name: o.name(),
            file: o.source.display_file(),
            owner: scan.owners[i].as_ref(),
            score: scan.scores[i],
        }
    })?;
    findings.list(&mut top, "exempted", &scan.exempted)?;
    top.list("expiredExemptions", &scan.expired_exemptions, |e| e)?;
    top.list("inputErrors", &scan.input_errors, load_error)?;
    top.list("warnings", &scan.warnings, load_error)?;
    w.write_all(b"\n}\n")?;
    w.flush()
}

/// The report's outer object, written field by field in the `Lines` layout.
struct Top<'w, W: std::io::Write> {
    w: &'w mut W,
    first: bool,
}

impl<W: std::io::Write> Top<'_, W> {
    fn key(&mut self, name: &str) -> std::io::Result<()> {
        let sep: &[u8] = if std::mem::take(&mut self.first) {
            b"{"
        } else {
            b","
        };
        self.w.write_all(sep)?;
        write!(self.w, "\n  \"{name}\": ")
    }

    fn field(&mut self, name: &str, value: &impl Serialize) -> std::io::Result<()> {
        self.key(name)?;
        serialize(&mut *self.w, 1, value)
    }

    /// A list with one item per line. Large lists are serialized on all cores, a window of
    /// chunks at a time (bounded memory), and written in order: the output is byte for byte
    /// what one serializer would write.
    fn list<'a, T: Sync, S: Serialize>(
        &mut self,
        name: &str,
        items: &'a [T],
        out: impl Fn(&'a T) -> S + Sync,
    ) -> std::io::Result<()> {
        self.list_with(name, items, 512, |_: &mut (), buf, _, item| {
            serialize(buf, 2, &out(item))
        })
    }

    /// `list`, with items written by `write` (given state kept across a chunk's items) as
    /// compact JSON; `typical` is the bytes an item usually takes.
    fn list_with<'a, T: Sync, S: Default>(
        &mut self,
        name: &str,
        items: &'a [T],
        typical: usize,
        write: impl Fn(&mut S, &mut Vec<u8>, usize, &'a T) -> std::io::Result<()> + Sync,
    ) -> std::io::Result<()> {
        self.key(name)?;
        if items.is_empty() {
            return self.w.write_all(b"[]");
        }
        self.w.write_all(b"[")?;
        crate::write_in_order(&mut *self.w, items, typical, |state, buf, i, item| {
            buf.extend_from_slice(if i == 0 { b"\n    " } else { b",\n    " });
            write(state, buf, i, item)
        })?;
        self.w.write_all(b"\n  ]")
    }
}

/// Serializes `value` as it appears `depth` levels deep in the report.
fn serialize(
    w: &mut (impl std::io::Write + ?Sized),
    depth: usize,
    value: &impl Serialize,
) -> std::io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(
        w,
        Lines {
            depth,
            has_value: false,
        },
    );
    value.serialize(&mut ser).map_err(std::io::Error::other)
}

/// Indents the outer two levels and writes everything deeper on one line: one finding, object
/// or error per line, so the report stays readable, greps and diffs well, and is a fifth smaller
/// than fully pretty-printed JSON on large scans.
#[derive(Default)]
struct Lines {
    depth: usize,
    has_value: bool,
}

impl Lines {
    const INDENTED_LEVELS: usize = 2;

    fn open(&mut self, w: &mut (impl std::io::Write + ?Sized), c: &[u8]) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(c)
    }
    fn close(&mut self, w: &mut (impl std::io::Write + ?Sized), c: &[u8]) -> std::io::Result<()> {
        let indented = self.depth <= Self::INDENTED_LEVELS;
        self.depth -= 1;
        if indented && self.has_value {
            w.write_all(b"\n")?;
            indent(w, self.depth)?;
        }
        w.write_all(c)
    }
    fn item(&mut self, w: &mut (impl std::io::Write + ?Sized), first: bool) -> std::io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        if self.depth <= Self::INDENTED_LEVELS {
            w.write_all(b"\n")?;
            indent(w, self.depth)?;
        }
        Ok(())
    }
}

fn indent(w: &mut (impl std::io::Write + ?Sized), depth: usize) -> std::io::Result<()> {
    for _ in 0..depth {
        w.write_all(b"  ")?;
    }
    Ok(())
}

impl serde_json::ser::Formatter for Lines {
    fn begin_array<W: std::io::Write + ?Sized>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"[")
    }
    fn end_array<W: std::io::Write + ?Sized>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"]")
    }
    fn begin_array_value<W: std::io::Write + ?Sized>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.item(w, first)
    }
    fn end_array_value<W: std::io::Write + ?Sized>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn begin_object<W: std::io::Write + ?Sized>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"{")
    }
    fn end_object<W: std::io::Write + ?Sized>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"}")
    }
    fn begin_object_key<W: std::io::Write + ?Sized>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.item(w, first)
    }
    fn begin_object_value<W: std::io::Write + ?Sized>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(if self.depth <= Self::INDENTED_LEVELS {
            b": "
        } else {
            b":"
        })
    }
    fn end_object_value<W: std::io::Write + ?Sized>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// The report as a JSON value (for callers that post-process it).
pub fn to_json(scan: &Scan, opts: &Options) -> serde_json::Value {
    let mut buf = Vec::new();
    // Writing to a Vec cannot fail, and our own output is valid JSON.
    let _ = write(scan, opts, &mut buf);
    serde_json::from_slice(&buf).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(v: &serde_json::Value) -> String {
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(&mut out, Lines::default());
        v.serialize(&mut ser).expect("serializes");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn outer_levels_indented_items_one_per_line() {
        let v = serde_json::json!({
            "summary": {"objects": 2, "bySeverity": {"high": 1}},
            "findings": [{"check": "a", "location": {"line": 3}}, {"check": "b", "tags": []}],
            "warnings": [],
            "empty": {}
        });
        let text = lines(&v);
        assert_eq!(
            text,
            "{\n  \"empty\": {},\n  \"findings\": [\n    {\"check\":\"a\",\"location\":{\"line\":3}},\n    \
             {\"check\":\"b\",\"tags\":[]}\n  ],\n  \"summary\": {\n    \"bySeverity\": {\"high\":1},\n    \
             \"objects\": 2\n  },\n  \"warnings\": []\n}"
        );
        let back: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(back, v);
    }

    #[test]
    fn findings_written_from_fragments_read_as_serde_writes_them() {
        // Findings with and without container, namespace, position and path; exempted ones;
        // characters that need escaping; a rendered chart's template; runs of one object
        // broken across chunk boundaries by the number of objects.
        let mut yaml = String::new();
        for i in 0..300 {
            let ns = if i % 2 == 0 {
                "\n  namespace: \"n\\\"s\""
            } else {
                ""
            };
            let exempt = if i % 5 == 0 {
                "\n  annotations:\n    palisade.dev/exempt: latest-tag,run-as-non-root\n    palisade.dev/exempt-reason: \"legacy \\u00e9\""
            } else {
                ""
            };
            yaml.push_str(&format!(
                "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: \"web-{i}\\t\"{ns}{exempt}\n  labels: {{owner: \"team {i}\"}}\nspec:\n  template:\n    spec:\n      containers:\n        - name: \"c\\\"{i}\"\n          image: nginx:latest\n        - name: side\n          image: busybox\n"
            ));
        }
        let mut loaded =
            palisade_model::load_bytes(yaml.as_bytes(), "dir/fi\"le.yaml", &Default::default());
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
        for o in loaded.objects.iter_mut().step_by(3) {
            o.source.template = Some("chart/templates/dep.yaml".into());
        }
        // Objects from JSON over the wire have no positions.
        let wire = serde_json::json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "x"}]}});
        loaded.objects.push(palisade_model::Object::new(
            palisade_model::Node::from_json(&wire),
            palisade_model::Source::new("<stdin>", 0),
        ));
        let scan = crate::test_scan(loaded.objects, Vec::new());
        assert!(scan.findings.len() > 1000 && scan.exempted.len() > 50);
        assert!(scan.findings.iter().any(|f| !f.pos.is_known()));
        assert!(scan.findings.iter().any(|f| f.container().is_none()));
        let w = FindingWriter::new(&scan);
        for list in [&scan.findings, &scan.exempted] {
            let mut fast = Vec::new();
            let mut frag = ObjectFragments::default();
            let mut slow = Vec::new();
            for (i, f) in list.iter().enumerate() {
                w.write(&mut frag, &mut fast, list, i);
                fast.push(b'\n');
                serialize(&mut slow, 2, &finding(&scan, f)).expect("serializes");
                slow.push(b'\n');
            }
            assert_eq!(
                String::from_utf8(fast).unwrap(),
                String::from_utf8(slow).unwrap()
            );
        }
    }

    #[test]
    fn lists_serialized_in_parallel_chunks_read_as_one_serializer_writes_them() {
        // Long enough for several windows of chunks, and a length that is no multiple of either.
        let items: Vec<serde_json::Value> = (0..20_011)
            .map(|i| serde_json::json!({"n": i, "s": format!("x\"{i}"), "l": [i, {"a": null}]}))
            .collect();
        let mut out = Vec::new();
        let mut top = Top {
            w: &mut out,
            first: true,
        };
        top.list("items", &items, |v| v).expect("writes");
        top.list("none", &items[..0], |v| v).expect("writes");
        top.field("one", &&items[..1]).expect("writes");
        out.extend_from_slice(b"\n}");
        let whole = lines(&serde_json::json!({"items": items, "none": [], "one": [&items[0]]}));
        assert_eq!(String::from_utf8(out).expect("utf-8"), whole);
    }
}
