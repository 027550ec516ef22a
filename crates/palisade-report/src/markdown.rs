//! Markdown for pull-request comments: a summary, the findings at or above `--fail-on` first,
//! the rest folded.

use crate::{Options, grouped};
use palisade_engine::{Finding, Scan};
use palisade_model::Severity;
use std::fmt::Write;

const MAX_ROWS: usize = 200;

fn icon(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "🔴",
        Severity::High => "🟠",
        Severity::Medium => "🟡",
        Severity::Low => "🔵",
        Severity::Info => "⚪",
    }
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn table(out: &mut String, scan: &Scan, list: &[&Finding]) {
    let _ = writeln!(
        out,
        "| | check | object | location | message | owner |\n|---|---|---|---|---|---|"
    );
    for f in list.iter().take(MAX_ROWS) {
        let o = scan.object(f);
        let _ = writeln!(
            out,
            "| {} {} | `{}` | {} | `{}:{}` | {} | {} |",
            icon(f.severity),
            f.severity,
            scan.rule(f).id,
            cell(&o.id.to_string()),
            o.source.display_file(),
            f.pos.line,
            cell(f.message()),
            cell(scan.owner(f)),
        );
    }
    if list.len() > MAX_ROWS {
        let _ = writeln!(
            out,
            "\n…and {} more (see the full report).",
            list.len() - MAX_ROWS
        );
    }
}

pub fn render(scan: &Scan, opts: &Options) -> String {
    let mut out = String::new();
    let failing = scan.count_at_least(opts.fail_on);
    let _ = writeln!(
        out,
        "## {} Palisade: {} finding{} in {} object{} — score {}/100\n",
        if failing > 0 { "❌" } else { "✅" },
        scan.findings.len(),
        if scan.findings.len() == 1 { "" } else { "s" },
        scan.objects.len(),
        if scan.objects.len() == 1 { "" } else { "s" },
        scan.score()
    );
    let counts: Vec<String> = scan
        .counts()
        .iter()
        .map(|(s, n)| format!("{} {s}: **{n}**", icon(*s)))
        .collect();
    let _ = writeln!(out, "{}\n", counts.join(" · "));
    let _ = writeln!(
        out,
        "{} at or above `{}` (the build {}).\n",
        failing,
        opts.fail_on,
        if failing > 0 { "fails" } else { "passes" }
    );
    let (hi, lo): (Vec<&Finding>, Vec<&Finding>) = scan
        .findings
        .iter()
        .partition(|f| f.severity >= opts.fail_on);
    if !hi.is_empty() {
        for (g, list) in grouped(scan, opts.group_by, hi.iter().copied()) {
            let _ = writeln!(out, "### {}: {}\n", opts.group_by.label(), g);
            table(&mut out, scan, &list);
            out.push('\n');
        }
    }
    if !lo.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>{} below `{}`</summary>\n",
            lo.len(),
            opts.fail_on
        );
        table(&mut out, scan, &lo);
        let _ = writeln!(out, "\n</details>\n");
    }
    if !scan.exempted.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>{} exempted</summary>\n",
            scan.exempted.len()
        );
        let _ = writeln!(
            out,
            "| check | object | reason | until | origin |\n|---|---|---|---|---|"
        );
        for f in &scan.exempted {
            if let Some(e) = &f.exemption {
                let _ = writeln!(
                    out,
                    "| `{}` | {} | {} | {} | {} |",
                    scan.rule(f).id,
                    cell(&scan.object(f).id.to_string()),
                    cell(&e.reason),
                    e.expires.as_deref().unwrap_or("—"),
                    cell(&e.origin)
                );
            }
        }
        let _ = writeln!(out, "\n</details>\n");
    }
    for e in &scan.expired_exemptions {
        let _ = writeln!(
            out,
            "> ⚠️ Exemption {} expired on {} and no longer applies ({}).",
            e.origin, e.expired, e.reason
        );
    }
    if !scan.input_errors.is_empty() {
        let _ = writeln!(out, "\n**{} input error(s):**\n", scan.input_errors.len());
        for e in &scan.input_errors {
            let _ = writeln!(out, "- `{}`", cell(&e.to_string()));
        }
    }
    out
}
