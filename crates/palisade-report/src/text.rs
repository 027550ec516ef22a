//! The default report: a rustc-style snippet per finding, then a summary.

use crate::{Options, grouped};
use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
use palisade_engine::{Finding, Scan};
use palisade_model::Severity;
use std::fmt::Write;

fn level(s: Severity) -> Level<'static> {
    match s {
        Severity::Critical | Severity::High => Level::ERROR,
        Severity::Medium => Level::WARNING,
        Severity::Low => Level::NOTE,
        Severity::Info => Level::INFO,
    }
}

/// The line at `line` (1-based) and the byte range of the token at `col` (1-based, counting
/// characters) within it.
fn locate(text: &str, line: u32, col: u32) -> Option<(usize, usize, &str)> {
    for (n, l) in (1u32..).zip(text.split_inclusive('\n')) {
        if n == line {
            let body = l.trim_end_matches(['\n', '\r']);
            let off: usize = body
                .char_indices()
                .nth(col.saturating_sub(1) as usize)
                .map(|(i, _)| i)
                .unwrap_or(0);
            let rest = &body[off..];
            let len = rest
                .find(|c: char| c == ':' || c.is_whitespace())
                .filter(|&i| i > 0)
                .unwrap_or(rest.len())
                .max(1)
                .min(rest.len().max(1));
            let end = (off + len).min(body.len().max(off));
            return Some((off, end.max(off), body));
        }
    }
    None
}

fn snippet_for(scan: &Scan, opts: &Options, f: &Finding, renderer: &Renderer) -> String {
    let r = scan.rule(f);
    let o = scan.object(f);
    let file = o.source.display_file();
    let title = format!("{} [{}]", r.title, r.id);
    let text = opts
        .texts
        .get(&(o.source.file.clone(), Some(o.source.doc)))
        .or_else(|| opts.texts.get(&(o.source.file.clone(), None)));
    let mut ctx = format!("{} · owner {}", o.id, scan.owner(f));
    if let Some(c) = f.container() {
        let _ = write!(ctx, " · container {c}");
    }
    let fix = format!("fix: {}", r.remediation);
    match text.and_then(|t| locate(t, f.pos.line, f.pos.col)) {
        Some((off, end, body)) if f.pos.is_known() => {
            let snippet = Snippet::source(body)
                .line_start(f.pos.line as usize)
                .path(file)
                .annotation(AnnotationKind::Primary.span(off..end).label(f.message()));
            let g = level(f.severity)
                .primary_title(&title)
                .element(snippet)
                .element(Level::NOTE.message(&ctx))
                .element(Level::HELP.message(&fix));
            renderer.render(&[g])
        }
        _ => {
            let loc = if f.pos.is_known() {
                format!("{}:{}:{}: {}", file, f.pos.line, f.pos.col, f.message())
            } else {
                format!("{}: {}", file, f.message())
            };
            let g = level(f.severity)
                .primary_title(&title)
                .element(Level::NOTE.message(&loc))
                .element(Level::NOTE.message(&ctx))
                .element(Level::HELP.message(&fix));
            renderer.render(&[g])
        }
    }
}

pub fn render(scan: &Scan, opts: &Options) -> String {
    let renderer = if opts.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for (_, list) in grouped(scan, opts.group_by, &scan.findings) {
        for f in list {
            let _ = writeln!(out, "{}\n", snippet_for(scan, opts, f, &renderer));
        }
    }
    for e in &scan.input_errors {
        let _ = writeln!(out, "error: {e}");
    }
    for w in &scan.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    if !scan.input_errors.is_empty() || !scan.warnings.is_empty() {
        out.push('\n');
    }
    summary(&mut out, scan, opts);
    out
}

fn summary(out: &mut String, scan: &Scan, opts: &Options) {
    let _ = writeln!(out, "Summary");
    let _ = writeln!(out, "  objects scanned   {}", scan.objects.len());
    let counts: Vec<String> = scan
        .counts()
        .iter()
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    let _ = writeln!(
        out,
        "  findings          {} ({})",
        scan.findings.len(),
        counts.join(", ")
    );
    let _ = writeln!(out, "  score             {}/100", scan.score());
    let groups = grouped(scan, opts.group_by, &scan.findings);
    if !groups.is_empty() {
        let w = groups
            .iter()
            .map(|(g, _)| g.len())
            .max()
            .unwrap_or(0)
            .clamp(5, 60);
        let _ = writeln!(
            out,
            "\n  {:<w$}  findings  worst",
            format!("by {}", opts.group_by.label())
        );
        let mut rows: Vec<_> = groups
            .iter()
            .map(|(g, l)| (g, l.len(), l.iter().map(|f| f.severity).max()))
            .collect();
        rows.sort_by(|a, b| b.2.cmp(&a.2).then(b.1.cmp(&a.1)).then(a.0.cmp(b.0)));
        for (g, n, worst) in rows {
            let _ = writeln!(
                out,
                "  {:<w$}  {:>8}  {}",
                g,
                n,
                worst.map(|s| s.as_str()).unwrap_or("")
            );
        }
    }
    if !scan.exempted.is_empty() {
        let _ = writeln!(out, "\n  exempted ({}):", scan.exempted.len());
        for f in &scan.exempted {
            if let Some(e) = &f.exemption {
                let _ = writeln!(
                    out,
                    "    {} {} — {}{} [{}]",
                    scan.rule(f).id,
                    scan.object(f).id,
                    e.reason,
                    e.expires
                        .as_deref()
                        .map(|d| format!(" (until {d})"))
                        .unwrap_or_default(),
                    e.origin
                );
            }
        }
    }
    for e in &scan.expired_exemptions {
        let _ = writeln!(
            out,
            "\n  warning: exemption {} expired on {} and no longer applies ({})",
            e.origin, e.expired, e.reason
        );
    }
    if !scan.input_errors.is_empty() {
        let _ = writeln!(
            out,
            "\n  {} input(s) could not be read; see the errors above",
            scan.input_errors.len()
        );
    }
    let failing = scan.count_at_least(opts.fail_on);
    let _ = writeln!(
        out,
        "\n  {} finding(s) at or above --fail-on {}",
        failing, opts.fail_on
    );
}
