//! The default report: a rustc-style snippet per finding, then a summary.

use crate::{Options, grouped};
use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
use palisade_engine::{Finding, Scan};
use palisade_model::Severity;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;

fn level(s: Severity) -> Level<'static> {
    match s {
        Severity::Critical | Severity::High => Level::ERROR,
        Severity::Medium => Level::WARNING,
        Severity::Low => Level::NOTE,
        Severity::Info => Level::INFO,
    }
}

/// Byte offsets where each line of a text starts, so a finding's line is found without
/// scanning the file from the top (a large scan has hundreds of findings per file).
struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .filter(|&i| i < text.len())
            .collect();
        Lines { text, starts }
    }

    /// The line at `line` (1-based) and the byte range of the token at `col` (1-based,
    /// counting characters) within it.
    fn locate(&self, line: u32, col: u32) -> Option<(usize, usize, &'t str)> {
        let start = *self.starts.get((line as usize).checked_sub(1)?)?;
        let rest = &self.text[start..];
        let body = rest[..rest.find('\n').unwrap_or(rest.len())].trim_end_matches('\r');
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
        Some((off, end.max(off), body))
    }
}

/// Line indexes of the texts findings point into, keyed by the text's address.
#[derive(Default)]
struct LineIndex<'t> {
    by_text: HashMap<usize, Lines<'t>>,
}

impl<'t> LineIndex<'t> {
    fn add(&mut self, text: &'t str) {
        self.by_text
            .entry(text.as_ptr() as usize)
            .or_insert_with(|| Lines::new(text));
    }
    fn locate(&self, text: &'t str, line: u32, col: u32) -> Option<(usize, usize, &'t str)> {
        self.by_text
            .get(&(text.as_ptr() as usize))?
            .locate(line, col)
    }
}

/// The source text a finding points into, when the loader kept it.
fn text_of<'t>(scan: &Scan, opts: &Options<'t>, f: &Finding) -> Option<&'t str> {
    let o = scan.object(f);
    let texts: &'t palisade_render::Texts = opts.texts;
    texts
        .get(&(o.source.file.clone(), Some(o.source.doc)))
        .or_else(|| texts.get(&(o.source.file.clone(), None)))
        .map(|t| t.as_ref())
}

fn snippet_for<'t>(
    scan: &Scan,
    opts: &Options<'t>,
    f: &Finding,
    renderer: &Renderer,
    lines: &LineIndex<'t>,
) -> String {
    let r = scan.rule(f);
    let o = scan.object(f);
    let file = o.source.display_file();
    let title = format!("{} [{}]", r.title, r.id);
    let text = text_of(scan, opts, f);
    let mut ctx = format!("{} · owner {}", o.id, scan.owner(f));
    if let Some(c) = f.container() {
        let _ = write!(ctx, " · container {c}");
    }
    let fix = format!("fix: {}", r.remediation);
    match text.and_then(|t| lines.locate(t, f.pos.line, f.pos.col)) {
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

/// Writes the report: one snippet per finding as it is rendered, then the summary.
pub fn write(scan: &Scan, opts: &Options, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let renderer = if opts.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
    let order: Vec<&Finding> = grouped(scan, opts.group_by, &scan.findings)
        .into_iter()
        .flat_map(|(_, list)| list)
        .collect();
    let mut lines = LineIndex::default();
    for t in opts.texts.values() {
        lines.add(t);
    }
    crate::write_in_order(&mut w, &order, 640, |_: &mut (), buf, _, f| {
        writeln!(buf, "{}\n", snippet_for(scan, opts, f, &renderer, &lines))
    })?;
    for e in &scan.input_errors {
        writeln!(w, "error: {e}")?;
    }
    for e in &scan.warnings {
        writeln!(w, "warning: {e}")?;
    }
    if !scan.input_errors.is_empty() || !scan.warnings.is_empty() {
        writeln!(w)?;
    }
    let mut out = String::new();
    summary(&mut out, scan, opts);
    w.write_all(out.as_bytes())?;
    w.flush()
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

#[cfg(test)]
mod tests {
    use super::Lines;

    #[test]
    fn locates_the_token_at_a_line_and_column() {
        let l = Lines::new("a: 1\r\n  image: nginx:1.27\n\n  é: x\nlast: y");
        assert_eq!(l.locate(1, 1), Some((0, 1, "a: 1")));
        assert_eq!(l.locate(2, 3), Some((2, 7, "  image: nginx:1.27")));
        assert_eq!(l.locate(2, 10), Some((9, 14, "  image: nginx:1.27")));
        assert_eq!(l.locate(3, 1), Some((0, 0, "")));
        // Columns count characters, offsets are bytes.
        assert_eq!(l.locate(4, 3), Some((2, 4, "  é: x")));
        assert_eq!(l.locate(5, 7), Some((6, 7, "last: y")));
        assert_eq!(l.locate(6, 1), None);
        assert_eq!(l.locate(0, 1), None);
        assert_eq!(Lines::new("").locate(1, 1), None);
    }
}
