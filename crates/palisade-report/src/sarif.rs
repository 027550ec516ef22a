//! SARIF 2.1.0, as GitHub code scanning and other viewers read it, validated against the
//! official schema in the tests. The run's header is built as JSON values (it is small); the
//! results are serialized on all cores, one per line, and streamed: a large scan has hundreds of
//! thousands (building them all as one JSON tree took 2 GB and 4 s for 152,222 findings).

use crate::Options;
use palisade_engine::{Finding, Scan};
use palisade_model::Severity;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::Write as _;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` (0–10) so code scanning sorts security findings.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

pub fn write(scan: &Scan, opts: &Options, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    // Only rules that have results (or exempted results) are listed, to keep files small.
    let used = scan.used_rules();
    let rule_index: HashMap<u32, usize> = used.iter().enumerate().map(|(i, r)| (*r, i)).collect();
    let rules: Vec<Value> = used
        .iter()
        .map(|&r| {
            let r = &scan.rules[r as usize];
            let refs = r.references.join("\n- ");
            json!({
                "id": r.id,
                "name": r.id,
                "shortDescription": {"text": r.title},
                "fullDescription": {"text": r.rationale},
                "help": {
                    "text": format!("{}\n\nRemediation: {}", r.rationale, r.remediation),
                    "markdown": format!("{}\n\n**Remediation.** {}{}", r.rationale, r.remediation,
                        if refs.is_empty() { String::new() } else { format!("\n\n**References**\n- {refs}") }),
                },
                "defaultConfiguration": {"level": level(r.severity)},
                "properties": {
                    "category": r.category,
                    "tags": [r.category.as_str(), "kubernetes"],
                    "security-severity": security_severity(r.severity),
                },
            })
        })
        .collect();
    let result = |f: &Finding| {
        let o = scan.object(f);
        let mut region = json!({});
        if f.pos.is_known() {
            region = json!({"startLine": f.pos.line, "startColumn": f.pos.col.max(1)});
        }
        let mut phys =
            json!({"artifactLocation": {"uri": o.source.display_file().trim_start_matches("./")}});
        if f.pos.is_known() {
            phys["region"] = region;
        }
        let mut r = json!({
            "ruleId": scan.rule(f).id,
            "ruleIndex": rule_index.get(&f.rule).copied().unwrap_or(0),
            "level": level(f.severity),
            "message": {"text": format!("{} ({})", f.message(), o.id)},
            "locations": [{
                "physicalLocation": phys,
                "logicalLocations": [{"fullyQualifiedName": o.id.to_string(), "kind": "resource"}],
            }],
            "partialFingerprints": {"palisadeFingerprint/v1": scan.fingerprint_hex(f)},
            "properties": {"owner": scan.owner(f), "severity": f.severity, "container": f.container()},
        });
        if let Some(e) = &f.exemption {
            r["suppressions"] = json!([{
                "kind": if e.origin.starts_with("annotation") { "inSource" } else { "external" },
                "justification": e.reason,
            }]);
        }
        r
    };
    let tool = json!({"driver": {
        "name": "palisade",
        "version": opts.tool_version,
        "informationUri": "https://github.com/palisade-dev/palisade",
        "rules": rules,
    }});
    let invocations = json!([{
        "executionSuccessful": scan.input_errors.is_empty(),
        "toolExecutionNotifications": scan.input_errors.iter().map(|e| json!({
            "level": "error",
            "message": {"text": e.to_string()},
        })).collect::<Vec<_>>(),
    }]);
    let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
    w.write_all(
        b"{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n  \"version\": \"2.1.0\",\n  \"runs\": [\n    {\n      \"tool\": ",
    )?;
    serde_json::to_writer(&mut w, &tool)?;
    w.write_all(b",\n      \"invocations\": ")?;
    serde_json::to_writer(&mut w, &invocations)?;
    w.write_all(b",\n      \"results\": [")?;
    let all: Vec<&Finding> = scan.findings.iter().chain(&scan.exempted).collect();
    crate::write_in_order(&mut w, &all, 600, |_: &mut (), buf, i, f| {
        buf.extend_from_slice(if i == 0 {
            b"\n        "
        } else {
            b",\n        "
        });
        serde_json::to_writer(&mut *buf, &result(f)).map_err(std::io::Error::other)
    })?;
    w.write_all(b"\n      ]\n    }\n  ]\n}\n")?;
    w.flush()
}
