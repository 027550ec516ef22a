//! The JSON report; its schema is documented in docs/json-report.md. Serialized straight from
//! borrowed structs (no intermediate `serde_json::Value` tree): building that tree for a large
//! scan cost more time and memory than the scan itself.

use crate::Options;
use palisade_engine::{Finding, RuleSource, Scan};
use palisade_model::{Category, LoadError, Object, Severity};
use serde::Serialize;
use std::io::Write as _;

pub const SCHEMA_VERSION: &str = "palisade.dev/report/v1";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FindingOut<'a> {
    check: &'a str,
    title: &'a str,
    severity: Severity,
    category: Category,
    source: RuleSource,
    cross_object: bool,
    message: &'a str,
    object: ObjectRefOut<'a>,
    location: LocationOut<'a>,
    container: Option<&'a str>,
    owner: &'a str,
    fingerprint: String,
    remediation: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    exemption: Option<&'a palisade_engine::ExemptionUse>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ObjectRefOut<'a> {
    api_version: &'a str,
    kind: &'a str,
    namespace: Option<&'a str>,
    name: &'a str,
}

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

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

/// Serializes the items of an iterator as a JSON list without collecting them first.
struct List<I>(std::cell::Cell<Option<I>>);

impl<I: Iterator<Item = T>, T: Serialize> Serialize for List<I> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.take() {
            Some(it) => s.collect_seq(it),
            None => s.collect_seq(std::iter::empty::<T>()),
        }
    }
}

fn list<I: Iterator>(it: I) -> List<I> {
    List(std::cell::Cell::new(Some(it)))
}

#[derive(Serialize)]
#[serde(
    rename_all = "camelCase",
    bound(
        serialize = "List<F>: Serialize, List<O>: Serialize, List<E>: Serialize, \
                       List<I>: Serialize, List<W>: Serialize"
    )
)]
struct Report<'a, F, O, E, I, W> {
    schema: &'static str,
    tool: Tool<'a>,
    summary: Summary,
    findings: List<F>,
    objects: List<O>,
    exempted: List<E>,
    expired_exemptions: &'a [palisade_engine::ExpiredExemption],
    input_errors: List<I>,
    warnings: List<W>,
}

fn finding<'a>(scan: &'a Scan, f: &'a Finding) -> FindingOut<'a> {
    let r = scan.rule(f);
    let o = scan.object(f);
    FindingOut {
        check: &r.id,
        title: &r.title,
        severity: f.severity,
        category: r.category,
        source: r.source,
        cross_object: r.cross_object,
        message: &f.message,
        object: ObjectRefOut {
            api_version: o.id.api_version.as_str(),
            kind: o.kind(),
            namespace: o.effective_namespace(),
            name: o.name(),
        },
        location: location(o, f),
        container: f.container.as_deref(),
        owner: scan.owner(f),
        fingerprint: f.fingerprint_hex(),
        remediation: &r.remediation,
        exemption: f.exemption.as_deref(),
    }
}

fn location<'a>(o: &'a Object, f: &'a Finding) -> LocationOut<'a> {
    LocationOut {
        file: o.source.display_file(),
        line: f.pos.is_known().then_some(f.pos.line),
        column: f.pos.is_known().then_some(f.pos.col),
        document: o.source.doc,
        rendered: o.source.template.is_some().then(|| o.source.file.as_ref()),
        path: (!f.path.is_empty()).then_some(f.path.as_str()),
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

/// Writes the report, pretty-printed, followed by a newline.
pub fn write(scan: &Scan, opts: &Options, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let report = Report {
        schema: SCHEMA_VERSION,
        tool: Tool {
            name: "palisade",
            version: opts.tool_version,
        },
        summary: Summary {
            objects: scan.objects.len(),
            findings: scan.findings.len(),
            by_severity: scan
                .counts()
                .iter()
                .map(|(s, n)| (s.to_string(), *n))
                .collect(),
            score: scan.score(),
            fail_on: opts.fail_on,
            failed: scan.count_at_least(opts.fail_on) > 0,
            exempted: scan.exempted.len(),
            input_errors: scan.input_errors.len(),
        },
        findings: list(scan.findings.iter().map(|f| finding(scan, f))),
        objects: list(scan.objects.iter().enumerate().map(|(i, o)| ObjectOut {
            api_version: o.id.api_version.as_str(),
            kind: o.kind(),
            namespace: o.effective_namespace(),
            name: o.name(),
            file: o.source.display_file(),
            owner: scan.owners[i].as_ref(),
            score: scan.scores[i],
        })),
        exempted: list(scan.exempted.iter().map(|f| finding(scan, f))),
        expired_exemptions: &scan.expired_exemptions,
        input_errors: list(scan.input_errors.iter().map(load_error)),
        warnings: list(scan.warnings.iter().map(load_error)),
    };
    let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
    let mut ser = serde_json::Serializer::with_formatter(&mut w, Lines::default());
    report.serialize(&mut ser).map_err(std::io::Error::other)?;
    w.write_all(b"\n")?;
    w.flush()
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
}
