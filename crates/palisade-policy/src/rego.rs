//! Rego through regorus, with source rewrites for the places where regorus departs from OPA.
//! Every rewrite keeps line numbers unchanged, so errors still point into the user's text.
//!
//! - A line that starts with `(` continues the previous line's reference as a call in regorus
//!   (`x := input.a⏎(b - c) > 0`); OPA ends the expression at the newline. We end it with `;`.
//! - v0 rules with several bodies (`p { a } { b }`) are refused by regorus; OPA reads them as
//!   `p { a }` and `p { b }`. We repeat the head.

use palisade_model::{Node, Value as NV};
use regorus::Value;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// Wall-clock limit for one Rego evaluation; regorus checks it cooperatively.
pub const EVAL_TIME_LIMIT: Duration = Duration::from_secs(2);

#[derive(Clone, Copy, PartialEq)]
enum Tok {
    Code,
    Str,
    Raw,
    Comment,
}

/// Byte-level scan of Rego source that knows about strings and comments.
struct Scan<'a> {
    src: &'a [u8],
}

impl<'a> Scan<'a> {
    /// Classifies each byte (code, string, raw string, comment).
    fn classes(&self) -> Vec<Tok> {
        let mut out = Vec::with_capacity(self.src.len());
        let mut state = Tok::Code;
        let mut escape = false;
        for &b in self.src {
            let cls = match state {
                Tok::Code => match b {
                    b'"' => {
                        state = Tok::Str;
                        Tok::Str
                    }
                    b'`' => {
                        state = Tok::Raw;
                        Tok::Raw
                    }
                    b'#' => {
                        state = Tok::Comment;
                        Tok::Comment
                    }
                    _ => Tok::Code,
                },
                Tok::Str => {
                    if escape {
                        escape = false;
                    } else if b == b'\\' {
                        escape = true;
                    } else if b == b'"' {
                        state = Tok::Code;
                    }
                    Tok::Str
                }
                Tok::Raw => {
                    if b == b'`' {
                        state = Tok::Code;
                    }
                    Tok::Raw
                }
                Tok::Comment => {
                    if b == b'\n' {
                        state = Tok::Code;
                        Tok::Code
                    } else {
                        Tok::Comment
                    }
                }
            };
            out.push(cls);
        }
        out
    }
}

/// Applies both rewrites. `v0` enables the multi-body rewrite (v1 has no such syntax).
pub fn preprocess(src: &str, v0: bool) -> String {
    let s = end_lines_before_paren(src);
    if v0 { split_multi_body(&s) } else { s }
}

fn end_lines_before_paren(src: &str) -> String {
    let bytes = src.as_bytes();
    let classes = Scan { src: bytes }.classes();
    // Bracket stack at the start of each line, and the last code byte of each line.
    let mut stack: Vec<u8> = Vec::new();
    let mut out = String::with_capacity(src.len() + 8);
    let mut line_start = 0;
    // (index in `out` just after the last code byte of the previous significant line, that byte)
    let mut prev_end: Option<(usize, u8)> = None;
    let mut i = 0;
    while i <= bytes.len() {
        if i == bytes.len() || bytes[i] == b'\n' {
            let line = &src[line_start..i];
            let first = line
                .bytes()
                .enumerate()
                .find(|(_, b)| !b.is_ascii_whitespace())
                .map(|(k, b)| (line_start + k, b));
            let at_body = stack.last() == Some(&b'{');
            if let (Some((fi, b'(')), Some((pos, last)), true) = (first, prev_end, at_body)
                && classes[fi] == Tok::Code
                && (last.is_ascii_alphanumeric()
                    || matches!(last, b'_' | b']' | b')' | b'"' | b'`'))
            {
                out.insert(pos, ';');
            }
            // Track brackets over this line and remember its last code byte.
            let mut last_code = None;
            for k in line_start..i {
                if classes[k] == Tok::Code && !bytes[k].is_ascii_whitespace() {
                    match bytes[k] {
                        b'{' | b'[' | b'(' => stack.push(bytes[k]),
                        b'}' | b']' | b')' => {
                            stack.pop();
                        }
                        _ => {}
                    }
                    last_code = Some(k);
                } else if matches!(classes[k], Tok::Str | Tok::Raw) {
                    last_code = Some(k);
                }
            }
            let out_line_start = out.len();
            out.push_str(line);
            if let Some(k) = last_code {
                prev_end = Some((out_line_start + (k - line_start) + 1, bytes[k]));
            }
            if i < bytes.len() {
                out.push('\n');
            }
            line_start = i + 1;
        }
        i += 1;
    }
    out
}

fn split_multi_body(src: &str) -> String {
    let bytes = src.as_bytes();
    let classes = Scan { src: bytes }.classes();
    let mut inserts: Vec<(usize, String)> = Vec::new();
    let mut depth = 0usize;
    let mut stmt_start: Option<usize> = None;
    let mut head: Option<String> = None;
    let mut at_line_start = true;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' {
            at_line_start = true;
            i += 1;
            continue;
        }
        if classes[i] != Tok::Code || b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if depth == 0 && at_line_start && (b.is_ascii_alphabetic() || b == b'_') {
            let word: String = src[i..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if word != "else" {
                stmt_start = Some(i);
                head = None;
            }
        }
        at_line_start = false;
        match b {
            b'{' | b'[' | b'(' => {
                if b == b'{' && depth == 0 {
                    match (&head, stmt_start) {
                        (None, Some(s)) => {
                            let h = src[s..i].trim_end();
                            // `p = {...} { ... }`: the first braces are a value, not a body.
                            let is_value = h.ends_with('=') || h.ends_with(":=");
                            head = Some(if is_value {
                                String::new()
                            } else {
                                h.to_string()
                            });
                        }
                        (Some(h), _) if !h.is_empty() && ends_body_before(bytes, &classes, i) => {
                            inserts.push((i, format!("{h} ")));
                        }
                        _ => {}
                    }
                }
                depth += 1;
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    let mut out =
        String::with_capacity(src.len() + inserts.iter().map(|x| x.1.len()).sum::<usize>());
    let mut last = 0;
    for (at, text) in inserts {
        out.push_str(&src[last..at]);
        out.push_str(&text);
        last = at;
    }
    out.push_str(&src[last..]);
    out
}

/// Whether the code just before `i` (skipping blanks and comments) is a closing `}`.
fn ends_body_before(bytes: &[u8], classes: &[Tok], i: usize) -> bool {
    let mut k = i;
    while k > 0 {
        k -= 1;
        if classes[k] == Tok::Code && !bytes[k].is_ascii_whitespace() {
            return bytes[k] == b'}';
        }
    }
    false
}

/// Converts a tree to a regorus value.
pub fn node_to_value(n: &Node) -> Value {
    match &n.value {
        NV::Null => Value::Null,
        NV::Bool(b) => Value::Bool(*b),
        NV::Int(i) => Value::from(*i),
        NV::Float(f) => Value::from(*f),
        NV::Str(s) => Value::String(Arc::from(s.as_str())),
        NV::Seq(items) => Value::from(items.iter().map(node_to_value).collect::<Vec<_>>()),
        NV::Map(m) => Value::from(
            m.iter()
                .map(|(k, v)| (Value::String(Arc::from(k)), node_to_value(v)))
                .collect::<BTreeMap<_, _>>(),
        ),
    }
}

/// A string key for building objects.
pub fn key(s: &str) -> Value {
    Value::String(Arc::from(s))
}

/// Parses the location out of a regorus error ("file:line:col: ...").
pub fn error_line(message: &str, file_label: &str) -> Option<(u32, u32)> {
    let rest = message.split(file_label).nth(1)?;
    let mut parts = rest.trim_start_matches(':').split(':');
    let line = parts.next()?.trim().parse().ok()?;
    let col = parts
        .next()
        .and_then(|c| c.split_whitespace().next())
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Some((line, col))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paren_lines_end_the_previous_expression() {
        let src = "package p\nv[x] {\n  a := input.x\n  (a - 1) > 0\n  x := a\n}\n";
        let out = preprocess(src, true);
        assert!(out.contains("a := input.x;\n  (a - 1)"), "{out}");
        assert_eq!(out.lines().count(), src.lines().count());
        // Inside a call or array the line continues.
        let src = "package p\nv {\n  count([1,\n  (2)]) > 0\n}\n";
        assert_eq!(preprocess(src, true), src);
    }

    #[test]
    fn multi_body_rules_repeat_the_head() {
        let src = "package p\nv[x] {\n  x := 1\n} {\n  x := 2\n}\nq = {\"a\": 1} { true }\n";
        let out = preprocess(src, true);
        assert!(out.contains("} v[x] {"), "{out}");
        assert!(out.contains("q = {\"a\": 1} { true }"), "{out}");
        let mut e = regorus::Engine::new();
        e.set_rego_v0(true);
        e.add_policy("t.rego".into(), out).unwrap();
        let v = e.eval_rule("data.p.v".into()).unwrap();
        assert_eq!(
            v.to_json_str().unwrap().replace(char::is_whitespace, ""),
            "[1,2]"
        );
    }

    #[test]
    fn error_locations() {
        assert_eq!(
            error_line("error: t.rego:12:5: bad", "t.rego"),
            Some((12, 5))
        );
    }
}
