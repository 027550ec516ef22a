//! CEL string and bytes literals, decoded by the language definition (cel 0.13's lexer gets
//! `\?`, `\X..`, raw and triple-quoted bytes wrong). `extract` swaps each literal for a
//! placeholder identifier; `substitute` puts the decoded value back into the parsed tree.

use crate::cel::CelError;
use kube_cel::cel::common::ast::{Expr, IdedExpr, LiteralValue};

pub enum Lit {
    Str(String),
    Bytes(Vec<u8>),
}

const PREFIX: &str = "__pal_lit";

fn err(pos: usize, src: &str, message: String) -> CelError {
    let before = &src[..pos.min(src.len())];
    CelError {
        line: before.matches('\n').count() as u32 + 1,
        col: (before.len() - before.rfind('\n').map(|i| i + 1).unwrap_or(0)) as u32 + 1,
        message,
    }
}

/// Replaces every string/bytes literal by `__pal_litN`.
pub fn extract(src: &str) -> Result<(String, Vec<Lit>), CelError> {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut lits = Vec::new();
    let mut i = 0;
    let mut last = 0;
    while i < b.len() {
        let c = b[i];
        // Back-quoted field names (`a.`b-c``) are not literals.
        if c == b'`' {
            i += 1;
            while i < b.len() && b[i] != b'`' {
                i += 1;
            }
            i += 1;
            continue;
        }
        if c.is_ascii_alphanumeric() || c == b'_' {
            // A prefix (r, b, rb, br in any case) directly before a quote starts a literal.
            let st = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            let word = src[st..i].to_ascii_lowercase();
            let is_prefix = matches!(word.as_str(), "r" | "b" | "rb" | "br");
            let prev_dot = st > 0 && b[st - 1] == b'.';
            if is_prefix && !prev_dot && i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let (lit, end) = literal(src, i, word.contains('r'), word.contains('b'))?;
                out.push_str(&src[last..st]);
                out.push_str(&format!("{PREFIX}{}", lits.len()));
                lits.push(lit);
                i = end;
                last = end;
            }
            continue;
        }
        if c == b'"' || c == b'\'' {
            let (lit, end) = literal(src, i, false, false)?;
            out.push_str(&src[last..i]);
            out.push_str(&format!("{PREFIX}{}", lits.len()));
            lits.push(lit);
            i = end;
            last = end;
            continue;
        }
        i += 1;
    }
    out.push_str(&src[last..]);
    Ok((out, lits))
}

/// Decodes the literal whose opening quote is at `start`; returns it and the index after it.
fn literal(src: &str, start: usize, raw: bool, bytes: bool) -> Result<(Lit, usize), CelError> {
    let b = src.as_bytes();
    let q = b[start];
    let triple = b.len() >= start + 3 && b[start + 1] == q && b[start + 2] == q;
    let mut i = start + if triple { 3 } else { 1 };
    let mut buf: Vec<u8> = Vec::new();
    let push_char = |buf: &mut Vec<u8>, c: u32, at: usize| -> Result<(), CelError> {
        if bytes && c <= 0xff && !raw {
            buf.push(c as u8);
            return Ok(());
        }
        let ch = char::from_u32(c)
            .ok_or_else(|| err(at, src, format!("invalid code point \\u{c:x} in literal")))?;
        let mut tmp = [0u8; 4];
        buf.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
        Ok(())
    };
    loop {
        if i >= b.len() {
            return Err(err(start, src, "unterminated string literal".into()));
        }
        if triple {
            if b.len() >= i + 3 && b[i] == q && b[i + 1] == q && b[i + 2] == q {
                i += 3;
                break;
            }
        } else if b[i] == q {
            i += 1;
            break;
        } else if b[i] == b'\n' {
            return Err(err(
                i,
                src,
                "newline in a single-quoted literal; use triple quotes".into(),
            ));
        }
        if b[i] == b'\\' && !raw {
            let at = i;
            let e = *b
                .get(i + 1)
                .ok_or_else(|| err(at, src, "unterminated escape".into()))?;
            i += 2;
            let simple = match e {
                b'\\' => Some(b'\\'),
                b'?' => Some(b'?'),
                b'"' => Some(b'"'),
                b'\'' => Some(b'\''),
                b'`' => Some(b'`'),
                b'a' => Some(7),
                b'b' => Some(8),
                b'f' => Some(12),
                b'n' => Some(b'\n'),
                b'r' => Some(b'\r'),
                b't' => Some(b'\t'),
                b'v' => Some(11),
                _ => None,
            };
            if let Some(c) = simple {
                buf.push(c);
                continue;
            }
            let (digits, radix) = match e {
                b'x' | b'X' => (2, 16),
                b'u' if !bytes => (4, 16),
                b'U' if !bytes => (8, 16),
                b'0'..=b'3' => {
                    i -= 1;
                    (3, 8)
                }
                _ => return Err(err(at, src, format!("invalid escape `\\{}`", e as char))),
            };
            let text = src
                .get(i..i + digits)
                .ok_or_else(|| err(at, src, "short escape".into()))?;
            let v = u32::from_str_radix(text, radix)
                .map_err(|_| err(at, src, format!("invalid escape `\\{}{text}`", e as char)))?;
            i += digits;
            if (0xD800..0xE000).contains(&v) {
                return Err(err(at, src, "surrogate code point in literal".into()));
            }
            push_char(&mut buf, v, at)?;
            continue;
        }
        buf.push(b[i]);
        i += 1;
    }
    let lit = if bytes {
        Lit::Bytes(buf)
    } else {
        Lit::Str(
            String::from_utf8(buf)
                .map_err(|_| err(start, src, "string literal is not valid UTF-8".into()))?,
        )
    };
    Ok((lit, i))
}

/// Puts decoded literals back in place of their placeholders.
pub fn substitute(e: IdedExpr, lits: &[Lit]) -> IdedExpr {
    if lits.is_empty() {
        return e;
    }
    map_idents(e, &|name| {
        let n: usize = name.strip_prefix(PREFIX)?.parse().ok()?;
        Some(match lits.get(n)? {
            Lit::Str(s) => Expr::Literal(LiteralValue::String(s.as_str().into())),
            Lit::Bytes(b) => Expr::Literal(LiteralValue::Bytes(b.clone().into())),
        })
    })
}

/// Rebuilds `e` with identifiers replaced where `f` says so.
pub fn map_idents(e: IdedExpr, f: &dyn Fn(&str) -> Option<Expr>) -> IdedExpr {
    use kube_cel::cel::common::ast::EntryExpr;
    let id = e.id;
    let expr = match e.expr {
        Expr::Ident(n) => f(&n).unwrap_or(Expr::Ident(n)),
        Expr::Call(mut c) => {
            c.target = c.target.map(|t| Box::new(map_idents(*t, f)));
            c.args = c.args.into_iter().map(|a| map_idents(a, f)).collect();
            Expr::Call(c)
        }
        Expr::Select(mut s) => {
            s.operand = Box::new(map_idents(*s.operand, f));
            Expr::Select(s)
        }
        Expr::List(mut l) => {
            l.elements = l.elements.into_iter().map(|a| map_idents(a, f)).collect();
            Expr::List(l)
        }
        Expr::Map(mut m) => {
            for entry in &mut m.entries {
                if let EntryExpr::MapEntry(me) = &mut entry.expr {
                    me.key = map_idents(std::mem::take(&mut me.key), f);
                    me.value = map_idents(std::mem::take(&mut me.value), f);
                }
            }
            Expr::Map(m)
        }
        Expr::Struct(mut s) => {
            for entry in &mut s.entries {
                if let EntryExpr::StructField(sf) = &mut entry.expr {
                    sf.value = map_idents(std::mem::take(&mut sf.value), f);
                }
            }
            Expr::Struct(s)
        }
        Expr::Comprehension(c) => {
            let mut c = *c;
            c.iter_range = map_idents(c.iter_range, f);
            c.accu_init = map_idents(c.accu_init, f);
            c.loop_cond = map_idents(c.loop_cond, f);
            c.loop_step = map_idents(c.loop_step, f);
            c.result = map_idents(c.result, f);
            Expr::Comprehension(Box::new(c))
        }
        other => other,
    };
    IdedExpr { id, expr }
}
