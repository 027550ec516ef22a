//! JUnit XML: one test suite per object, one failing test case per finding, so CI systems show
//! each object as a test.

use crate::Options;
use palisade_engine::Scan;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

pub fn render(scan: &Scan, opts: &Options) -> String {
    let mut report = Report::new("palisade");
    let mut by_object: Vec<Vec<&palisade_engine::Finding>> = vec![Vec::new(); scan.objects.len()];
    for f in &scan.findings {
        by_object[f.object as usize].push(f);
    }
    for (i, o) in scan.objects.iter().enumerate() {
        let mut suite = TestSuite::new(format!("{} ({})", o.id, o.source.display_file()));
        if by_object[i].is_empty() {
            suite.add_test_case(TestCase::new("all checks", TestCaseStatus::success()));
        }
        for f in &by_object[i] {
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
        report.add_test_suite(suite);
    }
    for e in &scan.input_errors {
        let mut suite = TestSuite::new(format!("input {}", e.file));
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
        status.set_message(e.to_string());
        suite.add_test_case(TestCase::new("load", status));
        report.add_test_suite(suite);
    }
    report.to_string().unwrap_or_default()
}
