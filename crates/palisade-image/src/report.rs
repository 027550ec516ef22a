//! Image reports for people and tools: text, JSON, SARIF 2.1.0, JUnit XML and Markdown (the
//! formats of `palisade_report::Format`), and the `--fail-on-vuln` gate. Images are not
//! Kubernetes objects, so their reports have their own layout; `palisade scan --images` reports
//! image findings through palisade-report like every other finding.

use crate::ImageReport;
use crate::inventory::kind;
use palisade_model::Severity;
use palisade_vulndb::rating_str;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt::Write as _;

pub use palisade_report::Format;

/// `--fail-on-vuln SEVERITY [--only-fixed]`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Gate {
    pub fail_on: Option<Severity>,
    pub only_fixed: bool,
}

impl Gate {
    /// Vulnerabilities that break the gate.
    pub fn failures<'a>(&self, r: &'a ImageReport) -> Vec<&'a crate::VulnFinding> {
        let Some(min) = self.fail_on else {
            return Vec::new();
        };
        r.vulnerabilities
            .iter()
            .filter(|v| v.severity >= Some(min) && (!self.only_fixed || v.has_fix()))
            .collect()
    }
}

pub fn render(reports: &[&ImageReport], format: Format) -> String {
    match format {
        Format::Text => reports
            .iter()
            .map(|r| text(r))
            .collect::<Vec<_>>()
            .join("\n"),
        Format::Json => {
            let v: Vec<&ImageReport> = reports.to_vec();
            serde_json::to_string_pretty(&json!({"images": v})).unwrap_or_default() + "\n"
        }
        Format::Sarif => serde_json::to_string_pretty(&sarif(reports)).unwrap_or_default() + "\n",
        Format::Junit => junit(reports),
        Format::Markdown => reports
            .iter()
            .map(|r| markdown(r))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

fn short(d: &str) -> &str {
    let hex = d.split_once(':').map_or(d, |(_, h)| h);
    &hex[..hex.len().min(12)]
}

fn counts(r: &ImageReport) -> String {
    let mut by: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &r.packages {
        *by.entry(kind(p)).or_default() += 1;
    }
    by.iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Severities in report order; `None` (unrated) last.
const VULN_SEVERITIES: [Option<Severity>; 6] = [
    Some(Severity::Critical),
    Some(Severity::High),
    Some(Severity::Medium),
    Some(Severity::Low),
    Some(Severity::Info),
    None,
];

fn vuln_level(s: Option<Severity>) -> &'static str {
    s.map_or("warning", sarif_level)
}

fn sev_counts(r: &ImageReport) -> String {
    VULN_SEVERITIES
        .iter()
        .map(|s| {
            (
                s,
                r.vulnerabilities
                    .iter()
                    .filter(|v| v.severity == *s)
                    .count(),
            )
        })
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{} {n}", rating_str(*s)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn sorted_vulns(r: &ImageReport) -> Vec<&crate::VulnFinding> {
    let mut v: Vec<_> = r.vulnerabilities.iter().collect();
    v.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.package.cmp(&b.package))
            .then(a.id.cmp(&b.id))
    });
    v
}

fn text(r: &ImageReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "Image {}", r.name);
    if let Some(d) = r.digest() {
        let _ = writeln!(s, "  digest    {d}");
    }
    if !r.platform.is_empty() {
        let _ = writeln!(s, "  platform  {}", r.platform);
    }
    if let Some(os) = &r.os {
        let _ = writeln!(s, "  os        {}", os.display());
    }
    let _ = writeln!(s, "  layers    {}", r.layers.len());
    let _ = writeln!(s, "  packages  {} ({})", r.packages.len(), counts(r));
    let _ = writeln!(
        s,
        "\nVulnerabilities: {}{}",
        r.vulnerabilities.len(),
        if r.vulnerabilities.is_empty() {
            String::new()
        } else {
            format!(" ({})", sev_counts(r))
        }
    );
    for v in sorted_vulns(r) {
        let aliases = if v.aliases.is_empty() {
            String::new()
        } else {
            format!(" ({})", v.aliases.join(", "))
        };
        let fix = if v.has_fix() {
            format!("fixed in {}", v.fixed_versions.join(", "))
        } else {
            "no fix".into()
        };
        let _ = writeln!(
            s,
            "  {:<8} {}{aliases}  {} {} → {fix}",
            rating_str(v.severity).to_uppercase(),
            v.id,
            v.package,
            v.version
        );
        if let Some(f) = &v.file_path {
            let _ = writeln!(
                s,
                "           {f}{}",
                v.layer_digest
                    .as_deref()
                    .map(|l| format!(" (layer {})", short(l)))
                    .unwrap_or_default()
            );
        }
    }
    let _ = writeln!(s, "\nSecrets: {}", r.secrets.len());
    for f in &r.secrets {
        let gone = if f.in_final_filesystem {
            ""
        } else {
            " [deleted by a later layer, still in the image]"
        };
        let _ = writeln!(
            s,
            "  {}:{}  {}  {}  (layer {}){gone}",
            f.path,
            f.line,
            f.rule_id,
            f.redacted,
            short(&f.layer_digest)
        );
    }
    let _ = writeln!(s, "\nConfiguration: {}", r.config_findings.len());
    for c in &r.config_findings {
        let _ = writeln!(
            s,
            "  {:<8} {}  {}",
            c.severity.as_str().to_uppercase(),
            c.id,
            c.message
        );
    }
    if !r.warnings.is_empty() {
        let _ = writeln!(s, "\nWarnings: {}", r.warnings.len());
        for w in &r.warnings {
            let _ = writeln!(s, "  {w}");
        }
    }
    s
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn markdown(r: &ImageReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "## Image `{}`\n", r.name);
    let _ = writeln!(s, "| | |\n|---|---|");
    let _ = writeln!(s, "| digest | `{}` |", r.digest().unwrap_or("-"));
    if let Some(os) = &r.os {
        let _ = writeln!(s, "| os | {} |", md_escape(&os.display()));
    }
    let _ = writeln!(s, "| packages | {} ({}) |", r.packages.len(), counts(r));
    let _ = writeln!(s, "| vulnerabilities | {} |", r.vulnerabilities.len());
    let _ = writeln!(s, "| secrets | {} |", r.secrets.len());
    if !r.vulnerabilities.is_empty() {
        let _ = writeln!(
            s,
            "\n### Vulnerabilities\n\n| severity | id | package | version | fixed in | location |\n|---|---|---|---|---|---|"
        );
        for v in sorted_vulns(r) {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} |",
                rating_str(v.severity),
                md_escape(
                    &std::iter::once(v.id.clone())
                        .chain(v.aliases.iter().cloned())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                md_escape(&v.package),
                md_escape(&v.version),
                md_escape(&v.fixed_versions.join(", ")),
                md_escape(v.file_path.as_deref().unwrap_or(""))
            );
        }
    }
    if !r.secrets.is_empty() {
        let _ = writeln!(
            s,
            "\n### Secrets\n\n| rule | path | line | layer | match |\n|---|---|---|---|---|"
        );
        for f in &r.secrets {
            let _ = writeln!(
                s,
                "| {} | {}{} | {} | `{}` | `{}` |",
                f.rule_id,
                md_escape(&f.path),
                if f.in_final_filesystem {
                    ""
                } else {
                    " (deleted later)"
                },
                f.line,
                short(&f.layer_digest),
                md_escape(&f.redacted)
            );
        }
    }
    if !r.config_findings.is_empty() {
        let _ = writeln!(
            s,
            "\n### Configuration\n\n| severity | id | message |\n|---|---|---|"
        );
        for c in &r.config_findings {
            let _ = writeln!(
                s,
                "| {} | {} | {} |",
                c.severity,
                c.id,
                md_escape(&c.message)
            );
        }
    }
    s
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

fn sarif(reports: &[&ImageReport]) -> Value {
    let mut rules: BTreeMap<String, Value> = BTreeMap::new();
    let mut results = Vec::new();
    let loc = |image: &str, path: Option<&str>| {
        json!([{
            "physicalLocation": {"artifactLocation": {"uri": path.unwrap_or("/").trim_start_matches('/'), "uriBaseId": "IMAGE"}},
            "logicalLocations": [{"name": image, "kind": "image"}],
        }])
    };
    for r in reports {
        for v in &r.vulnerabilities {
            rules.entry(v.id.clone()).or_insert_with(|| json!({"id": v.id, "shortDescription": {"text": if v.summary.is_empty() { v.id.clone() } else { v.summary.clone() }}, "helpUri": format!("https://osv.dev/vulnerability/{}", v.id)}));
            let fix = if v.has_fix() {
                format!("; fixed in {}", v.fixed_versions.join(", "))
            } else {
                String::new()
            };
            results.push(json!({
                "ruleId": v.id,
                "level": vuln_level(v.severity),
                "message": {"text": format!("{} {} is affected by {} ({}){fix}", v.package, v.version, v.id, rating_str(v.severity))},
                "locations": loc(&r.name, v.file_path.as_deref()),
                "properties": {"image": r.name, "purl": v.purl, "layer": v.layer_digest, "severity": rating_str(v.severity), "aliases": v.aliases},
            }));
        }
        for f in &r.secrets {
            rules.entry(f.rule_id.clone()).or_insert_with(
                || json!({"id": f.rule_id, "shortDescription": {"text": f.description}}),
            );
            let mut l = loc(&r.name, Some(&f.path));
            l[0]["physicalLocation"]["region"] = json!({"startLine": f.line.max(1)});
            results.push(json!({
                "ruleId": f.rule_id,
                "level": "error",
                "message": {"text": format!("secret ({}) in {} line {}: {}", f.rule_id, f.path, f.line, f.redacted)},
                "locations": l,
                "properties": {"image": r.name, "layer": f.layer_digest, "inFinalFilesystem": f.in_final_filesystem},
            }));
        }
        for c in &r.config_findings {
            rules.entry(c.id.clone()).or_insert_with(
                || json!({"id": c.id, "shortDescription": {"text": c.remediation}}),
            );
            results.push(json!({
                "ruleId": c.id,
                "level": sarif_level(c.severity),
                "message": {"text": c.message},
                "locations": loc(&r.name, None),
                "properties": {"image": r.name, "severity": c.severity.as_str()},
            }));
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "palisade", "version": env!("CARGO_PKG_VERSION"), "informationUri": "https://github.com/palisade-dev/palisade", "rules": rules.into_values().collect::<Vec<_>>()}},
            "results": results,
        }],
    })
}

fn failure(kind: &str, message: String) -> TestCaseStatus {
    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
    status.set_type(kind.to_string());
    status.set_message(message);
    status
}

fn junit(reports: &[&ImageReport]) -> String {
    let mut out = Report::new("palisade image");
    for r in reports {
        let mut suite = TestSuite::new(r.name.clone());
        let mut case = |name: String, status: TestCaseStatus| {
            let mut c = TestCase::new(name, status);
            c.set_classname(r.name.clone());
            suite.add_test_case(c);
        };
        let mut any = false;
        for v in sorted_vulns(r) {
            let fix = if v.has_fix() {
                format!("fixed in {}", v.fixed_versions.join(", "))
            } else {
                "no fix".into()
            };
            let sev = rating_str(v.severity);
            case(
                format!("{} {}@{}", v.id, v.package, v.version),
                failure(sev, format!("{sev} {} {}: {fix}", v.package, v.version)),
            );
            any = true;
        }
        for f in &r.secrets {
            case(
                format!("secret {} {}:{}", f.rule_id, f.path, f.line),
                failure("secret", f.redacted.clone()),
            );
            any = true;
        }
        for c in &r.config_findings {
            case(
                c.id.clone(),
                failure(c.severity.as_str(), c.message.clone()),
            );
            any = true;
        }
        if !any {
            case("no findings".into(), TestCaseStatus::success());
        }
        out.add_test_suite(suite);
    }
    out.to_string().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ConfigFinding, SecretFinding, VulnFinding};
    use palisade_vulndb::{Ecosystem, Package};

    fn vuln(id: &str, sev: Severity, fixed: &[&str]) -> VulnFinding {
        VulnFinding {
            id: id.into(),
            aliases: vec![format!("CVE-{id}")],
            summary: "bad <thing> & more".into(),
            severity: Some(sev),
            cvss_score: Some(7.5),
            fixed_versions: fixed.iter().map(|s| s.to_string()).collect(),
            package: "requests".into(),
            version: "2.19.1".into(),
            ecosystem: Ecosystem::PyPI,
            purl: "pkg:pypi/requests@2.19.1".into(),
            layer_digest: Some("sha256:abcdef0123456789".into()),
            file_path: Some("/usr/lib/x/METADATA".into()),
        }
    }

    fn report() -> ImageReport {
        ImageReport {
            reference: "oci:x:y".into(),
            name: "oci:x:y".into(),
            manifest_digest: Some("sha256:1234".into()),
            config_digest: None,
            platform: "linux/amd64".into(),
            os: None,
            layers: Vec::new(),
            packages: vec![Package::new(Ecosystem::PyPI, "requests", "2.19.1")],
            vulnerabilities: vec![
                vuln("A", Severity::High, &["2.20.0"]),
                vuln("B", Severity::Critical, &[]),
            ],
            secrets: vec![SecretFinding {
                rule_id: "github-pat".into(),
                description: "GitHub token".into(),
                layer_digest: "sha256:abcdef0123456789".into(),
                path: "/app/config.yaml".into(),
                line: 2,
                redacted: "ghp_********".into(),
                in_final_filesystem: false,
            }],
            config_findings: vec![ConfigFinding {
                id: "image-runs-as-root".into(),
                severity: Severity::Medium,
                message: "root".into(),
                remediation: "add USER".into(),
            }],
            warnings: Vec::new(),
        }
    }

    #[test]
    fn gate_counts_severity_and_fixes() {
        let r = report();
        let gate = |s, only_fixed| {
            Gate {
                fail_on: Some(s),
                only_fixed,
            }
            .failures(&r)
            .len()
        };
        assert_eq!(gate(Severity::High, false), 2);
        assert_eq!(gate(Severity::Critical, false), 1);
        assert_eq!(gate(Severity::High, true), 1);
        assert_eq!(gate(Severity::Critical, true), 0);
        assert_eq!(Gate::default().failures(&r).len(), 0);
    }

    #[test]
    fn every_format_renders_the_findings() {
        let r = report();
        let text = render(&[&r], Format::Text);
        assert!(
            text.contains("CRITICAL")
                && text.contains("fixed in 2.20.0")
                && text.contains("deleted by a later layer"),
            "{text}"
        );
        let json: Value = serde_json::from_str(&render(&[&r], Format::Json)).unwrap();
        assert_eq!(
            json["images"][0]["vulnerabilities"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        let sarif: Value = serde_json::from_str(&render(&[&r], Format::Sarif)).unwrap();
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 4);
        assert_eq!(results[0]["level"], "error");
        assert_eq!(
            results[2]["locations"][0]["physicalLocation"]["region"]["startLine"],
            2
        );
        let junit = render(&[&r], Format::Junit);
        assert!(
            junit.contains("tests=\"4\" skipped=\"0\" failures=\"4\""),
            "{junit}"
        );
        assert!(!junit.contains("<thing>"));
        let md = render(&[&r], Format::Markdown);
        assert!(md.contains("| critical | B, CVE-B | requests |"), "{md}");
        assert_eq!("md".parse::<Format>().unwrap(), Format::Markdown);
        assert!("xml".parse::<Format>().is_err());
    }
}
