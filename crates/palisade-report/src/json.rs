//! The JSON report; its schema is documented in docs/json-report.md.

use crate::Options;
use palisade_engine::{Finding, Scan};
use palisade_model::LoadError;
use serde_json::{Value, json};

pub const SCHEMA_VERSION: &str = "palisade.dev/report/v1";

pub(crate) fn finding(scan: &Scan, f: &Finding) -> Value {
    let r = scan.rule(f);
    let o = scan.object(f);
    let mut v = json!({
        "check": r.id,
        "title": r.title,
        "severity": f.severity,
        "category": r.category,
        "source": r.source,
        "message": f.message,
        "object": {
            "apiVersion": o.id.api_version.as_str(),
            "kind": o.kind(),
            "namespace": o.effective_namespace(),
            "name": o.name(),
        },
        "location": location(o, f),
        "container": f.container.as_deref(),
        "owner": scan.owner(f),
        "fingerprint": f.fingerprint_hex(),
        "remediation": r.remediation,
    });
    if let Some(e) = &f.exemption {
        v["exemption"] = json!(e);
    }
    v
}

pub(crate) fn location(o: &palisade_model::Object, f: &Finding) -> Value {
    json!({
        "file": o.source.display_file(),
        "line": f.pos.is_known().then_some(f.pos.line),
        "column": f.pos.is_known().then_some(f.pos.col),
        "document": o.source.doc,
        "rendered": o.source.template.is_some().then(|| o.source.file.as_ref()),
        "path": (!f.path.is_empty()).then_some(f.path.as_str()),
    })
}

pub(crate) fn load_error(e: &LoadError) -> Value {
    json!({
        "file": e.file.as_ref(),
        "line": e.pos.filter(|p| p.is_known()).map(|p| p.line),
        "column": e.pos.filter(|p| p.is_known()).map(|p| p.col),
        "document": e.doc,
        "message": e.message,
    })
}

pub fn to_json(scan: &Scan, opts: &Options) -> Value {
    let by_sev: serde_json::Map<String, Value> = scan
        .counts()
        .iter()
        .map(|(s, n)| (s.to_string(), json!(n)))
        .collect();
    json!({
        "schema": SCHEMA_VERSION,
        "tool": {"name": "palisade", "version": opts.tool_version},
        "summary": {
            "objects": scan.objects.len(),
            "findings": scan.findings.len(),
            "bySeverity": by_sev,
            "score": scan.score(),
            "failOn": opts.fail_on,
            "failed": scan.count_at_least(opts.fail_on) > 0,
            "exempted": scan.exempted.len(),
            "inputErrors": scan.input_errors.len(),
        },
        "findings": scan.findings.iter().map(|f| finding(scan, f)).collect::<Vec<_>>(),
        "objects": scan.objects.iter().enumerate().map(|(i, o)| json!({
            "apiVersion": o.id.api_version.as_str(),
            "kind": o.kind(),
            "namespace": o.effective_namespace(),
            "name": o.name(),
            "file": o.source.display_file(),
            "owner": scan.owners[i].as_ref(),
            "score": scan.scores[i],
        })).collect::<Vec<_>>(),
        "exempted": scan.exempted.iter().map(|f| finding(scan, f)).collect::<Vec<_>>(),
        "expiredExemptions": scan.expired_exemptions,
        "inputErrors": scan.input_errors.iter().map(load_error).collect::<Vec<_>>(),
        "warnings": scan.warnings.iter().map(load_error).collect::<Vec<_>>(),
    })
}
