//! JUnit XML: one test suite per object, one failing test case per finding, so CI systems show
//! each object as a test.
//!
//! quick-junit builds a whole report before writing it, which for a large scan (150,000
//! findings, each carrying its remediation) took seconds and hundreds of MB. So each object's
//! suite is serialized on its own by quick-junit (its escaping and sanitizing kept), on all
//! cores, and streamed between a header and footer written from the totals: byte for byte the
//! report quick-junit would write for all suites at once (a test pins it).

use crate::Options;
use palisade_engine::{Finding, Scan};
use palisade_model::LoadError;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::io::Write as _;

/// The suite of object `i`, whose findings are `findings`.
fn object_suite(scan: &Scan, opts: &Options, i: usize, findings: &[&Finding]) -> TestSuite {
    let o = &scan.objects[i];
    let mut suite = TestSuite::new(format!("{} ({})", o.id, o.source.display_file()));
    if findings.is_empty() {
        suite.add_test_case(TestCase::new("all checks", TestCaseStatus::success()));
    }
    for f in findings {
        let r = scan.rule(f);
        let failing = f.severity >= opts.fail_on;
        let mut status = if failing {
            TestCaseStatus::non_success(NonSuccessKind::Failure)
        } else {
            TestCaseStatus::skipped()
        };
        status.set_message(f.message().to_string());
        status.set_type(f.severity.as_str());
        status.set_description(format!(
            "{}:{}: [{}] {}\n{}\nowner: {}",
            o.source.display_file(),
            f.pos.line,
            f.severity,
            f.message(),
            r.remediation,
            scan.owner(f)
        ));
        let name = match f.container() {
            Some(c) => format!("{} [{c}]", r.id),
            None => r.id.clone(),
        };
        let mut case = TestCase::new(name, status);
        case.set_classname(r.category.as_str());
        suite.add_test_case(case);
    }
    suite
}

fn input_error_suite(e: &LoadError) -> TestSuite {
    let mut suite = TestSuite::new(format!("input {}", e.file));
    let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
    status.set_message(e.to_string());
    suite.add_test_case(TestCase::new("load", status));
    suite
}

/// The findings of each object, in report order.
fn by_object(scan: &Scan) -> Vec<Vec<&Finding>> {
    let mut by_object: Vec<Vec<&Finding>> = vec![Vec::new(); scan.objects.len()];
    for f in &scan.findings {
        by_object[f.object as usize].push(f);
    }
    by_object
}

/// What quick-junit writes for a report holding `suites` with the given totals, split where
/// the suites end: (the declaration, root start tag and suites; the root end tag).
fn frame(totals: &Report, suites: Vec<TestSuite>) -> (Vec<u8>, Vec<u8>) {
    let mut report = Report::new("palisade");
    report.add_test_suites(suites);
    report.tests = totals.tests;
    report.skipped = totals.skipped;
    report.failures = totals.failures;
    report.errors = totals.errors;
    let mut out = Vec::new();
    // Serializing into a Vec fails only on I/O errors, which a Vec has none of.
    let _ = report.serialize(&mut out);
    let end = out
        .windows(b"\n</testsuites>".len())
        .rposition(|w| w == b"\n</testsuites>")
        .unwrap_or(out.len());
    let footer = out.split_off(end);
    (out, footer)
}

/// One suite as it appears inside the full report (a newline, then the indented suite).
fn suite_bytes(suite: TestSuite) -> Vec<u8> {
    let (mut out, _) = frame(&Report::new("palisade"), vec![suite]);
    // Drop the declaration and the root start tag: each ends at its first `>`, since quick-xml
    // escapes `>` in attribute values.
    let head = out
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == b'>')
        .nth(1)
        .map_or(0, |(i, _)| i + 1);
    out.drain(..head);
    out
}

pub fn write(scan: &Scan, opts: &Options, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let by_object = by_object(scan);
    let mut totals = Report::new("palisade");
    for list in &by_object {
        let failing = list.iter().filter(|f| f.severity >= opts.fail_on).count();
        totals.tests += list.len().max(1);
        totals.failures += failing;
        totals.skipped += list.len() - failing;
    }
    totals.tests += scan.input_errors.len();
    totals.errors += scan.input_errors.len();
    let (header, footer) = frame(&totals, Vec::new());
    let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
    w.write_all(&header)?;
    let objects: Vec<usize> = (0..scan.objects.len()).collect();
    crate::write_in_order(&mut w, &objects, 2048, |_: &mut (), buf, _, &i| {
        buf.extend_from_slice(&suite_bytes(object_suite(scan, opts, i, &by_object[i])));
        Ok(())
    })?;
    for e in &scan.input_errors {
        w.write_all(&suite_bytes(input_error_suite(e)))?;
    }
    w.write_all(&footer)?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The report as quick-junit writes it in one piece.
    fn whole(scan: &Scan, opts: &Options) -> String {
        let mut report = Report::new("palisade");
        for (i, list) in by_object(scan).iter().enumerate() {
            report.add_test_suite(object_suite(scan, opts, i, list));
        }
        for e in &scan.input_errors {
            report.add_test_suite(input_error_suite(e));
        }
        report.to_string().expect("serializes")
    }

    #[test]
    fn streamed_suites_read_as_the_whole_report() {
        // Passing and failing objects, findings below and above the threshold, text needing
        // escaping and sanitizing, an input error, and more objects than one chunk.
        let mut yaml = String::new();
        for i in 0..700 {
            let image = if i % 3 == 0 {
                "nginx@sha256:abc"
            } else {
                "nginx:latest"
            };
            yaml.push_str(&format!(
                "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: \"p{i}<&'\\\"\\u0001\"\n  labels: {{owner: \"a>b\"}}\nspec:\n  containers:\n    - name: c\n      image: {image}\n"
            ));
            if i % 7 == 0 {
                yaml.push_str(&format!(
                    "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm{i}\n"
                ));
            }
        }
        let loaded = palisade_model::load_bytes(yaml.as_bytes(), "a&b.yaml", &Default::default());
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
        let error = LoadError {
            file: "bad<file>.yaml".into(),
            pos: None,
            doc: None,
            message: "not YAML & not JSON".into(),
        };
        let scan = crate::test_scan(loaded.objects, vec![error]);
        let texts = Default::default();
        let opts = Options {
            texts: &texts,
            group_by: Default::default(),
            fail_on: palisade_model::Severity::High,
            color: false,
            tool_version: "test",
        };
        assert!(scan.findings.iter().any(|f| f.severity >= opts.fail_on));
        assert!(scan.findings.iter().any(|f| f.severity < opts.fail_on));
        let mut streamed = Vec::new();
        write(&scan, &opts, &mut streamed).expect("writes");
        let streamed = String::from_utf8(streamed).expect("utf-8");
        assert_eq!(streamed, whole(&scan, &opts));
        assert!(streamed.contains("&lt;&amp;&apos;&quot;") && !streamed.contains('\u{1}'));
    }
}
