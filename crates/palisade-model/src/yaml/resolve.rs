//! Scalar resolution as kubectl does it: go-yaml v2's `resolve()` (YAML 1.1) followed by
//! sigs.k8s.io/yaml's conversion to JSON and apimachinery's JSON number decoding.

use crate::node::{Str, Value};

/// What go-yaml v2 resolves a scalar to, before the JSON round trip.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Scalar<'a> {
    Null,
    Bool(bool),
    Int(i64),
    /// Fits `u64` but not `i64`.
    Uint(u64),
    Float(f64),
    Str(&'a str),
}

/// The explicit tag of a scalar, reduced to what resolution needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TagKind {
    /// No tag: plain scalars resolve implicitly, quoted ones are strings.
    None,
    Str,
    Int,
    Float,
    Bool,
    Null,
    Timestamp,
    Binary,
    /// `!!merge` (only meaningful on `<<` keys).
    Merge,
    /// Any other tag (`!foo`, `!!map`, ...): go-yaml keeps the text as a string.
    Other,
}

impl TagKind {
    pub(crate) fn from_core_suffix(suffix: &str) -> TagKind {
        match suffix {
            "str" => TagKind::Str,
            "int" => TagKind::Int,
            "float" => TagKind::Float,
            "bool" => TagKind::Bool,
            "null" => TagKind::Null,
            "timestamp" => TagKind::Timestamp,
            "binary" => TagKind::Binary,
            "merge" => TagKind::Merge,
            _ => TagKind::Other,
        }
    }
    fn short(self) -> &'static str {
        match self {
            TagKind::Str | TagKind::None | TagKind::Other | TagKind::Merge => "!!str",
            TagKind::Int => "!!int",
            TagKind::Float => "!!float",
            TagKind::Bool => "!!bool",
            TagKind::Null => "!!null",
            TagKind::Timestamp => "!!timestamp",
            TagKind::Binary => "!!binary",
        }
    }
}

/// A byte's class in go-yaml's `resolveTable`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Hint {
    None,
    Sign,
    Digit,
    InMap,
    Dot,
}

fn hint(s: &str) -> Hint {
    match s.as_bytes().first() {
        None => Hint::InMap,
        Some(b'+' | b'-') => Hint::Sign,
        Some(b'0'..=b'9') => Hint::Digit,
        Some(b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~') => {
            Hint::InMap
        }
        Some(b'.') => Hint::Dot,
        Some(_) => Hint::None,
    }
}

/// go-yaml v2's `resolveMap`.
fn lookup(s: &str) -> Option<Scalar<'static>> {
    Some(match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Scalar::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Scalar::Bool(false)
        }
        "" | "~" | "null" | "Null" | "NULL" => Scalar::Null,
        ".nan" | ".NaN" | ".NAN" => Scalar::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Scalar::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Scalar::Float(f64::NEG_INFINITY),
        _ => return None,
    })
}

/// Splits Go's base prefix off (`strconv.ParseInt(s, 0, ..)` rules): returns (radix, digits).
fn go_radix(s: &str) -> (u32, &str) {
    let b = s.as_bytes();
    if b.len() >= 2 && b[0] == b'0' {
        match b[1] {
            b'x' | b'X' => return (16, &s[2..]),
            b'b' | b'B' => return (2, &s[2..]),
            b'o' | b'O' => return (8, &s[2..]),
            _ => return (8, &s[1..]),
        }
    }
    (10, s)
}

/// `strconv.ParseUint(s, 0, 64)` on a string without underscores.
fn go_parse_uint(s: &str) -> Option<u64> {
    let (radix, digits) = go_radix(s);
    if digits.is_empty() || !digits.bytes().all(|c| (c as char).is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// `strconv.ParseInt(s, 0, 64)` on a string without underscores.
fn go_parse_int(s: &str) -> Option<i64> {
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let u = go_parse_uint(rest)?;
    if neg {
        if u <= i64::MAX as u64 + 1 {
            Some((u as i128).wrapping_neg() as i64)
        } else {
            None
        }
    } else {
        i64::try_from(u).ok()
    }
}

/// go-yaml's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// `strconv.ParseFloat(s, 64)` on a string already known to be a plain decimal float; Go
/// reports overflow to infinity as an error, which makes go-yaml fall back to a string.
fn go_parse_float(s: &str) -> Option<f64> {
    let f: f64 = s.parse().ok()?;
    f.is_finite().then_some(f)
}

/// go-yaml v2's implicit resolution of an untagged plain scalar.
pub(crate) fn implicit(s: &str) -> Scalar<'_> {
    let h = hint(s);
    if h == Hint::None {
        return Scalar::Str(s);
    }
    if let Some(v) = lookup(s) {
        return v;
    }
    match h {
        Hint::Dot => {
            if yaml_style_float(s)
                && let Some(f) = go_parse_float(s)
            {
                return Scalar::Float(f);
            }
        }
        Hint::Digit | Hint::Sign => {
            // Timestamps resolve to their text for `interface{}` targets, and no timestamp
            // parses as a number, so they need no case of their own.
            let owned;
            let plain = if s.contains('_') {
                owned = s.replace('_', "");
                owned.as_str()
            } else {
                s
            };
            if let Some(i) = go_parse_int(plain) {
                return Scalar::Int(i);
            }
            if let Some(u) = go_parse_uint(plain) {
                return Scalar::Uint(u);
            }
            if yaml_style_float(plain)
                && let Some(f) = go_parse_float(plain)
            {
                return Scalar::Float(f);
            }
            // go-yaml's separate `0b`/`-0b` cases are covered by Go's base-0 parsing above.
        }
        Hint::InMap | Hint::None => {}
    }
    Scalar::Str(s)
}

/// Resolves a scalar with its tag and style. `plain` is true for an untagged plain scalar (or
/// one tagged `!`). Errors carry go-yaml's wording.
pub(crate) fn resolve(text: &str, plain: bool, tag: TagKind) -> Result<Scalar<'_>, String> {
    match tag {
        TagKind::None if plain => Ok(implicit(text)),
        TagKind::None | TagKind::Str | TagKind::Other | TagKind::Merge | TagKind::Binary => {
            Ok(Scalar::Str(text))
        }
        want => {
            let got = implicit(text);
            let ok = matches!(
                (want, &got),
                (TagKind::Int, Scalar::Int(_) | Scalar::Uint(_))
                    | (TagKind::Float, Scalar::Float(_))
                    | (TagKind::Bool, Scalar::Bool(_))
                    | (TagKind::Null, Scalar::Null)
            );
            if ok {
                return Ok(got);
            }
            match (want, got) {
                (TagKind::Float, Scalar::Int(i)) => Ok(Scalar::Float(i as f64)),
                (TagKind::Float, Scalar::Uint(u)) => Ok(Scalar::Float(u as f64)),
                // A timestamp-looking string stays text, as go-yaml does for `interface{}`.
                (TagKind::Timestamp, Scalar::Str(s)) if looks_like_timestamp(s) => {
                    Ok(Scalar::Str(s))
                }
                (want, got) => Err(format!(
                    "cannot decode {} `{}` as a {}",
                    short_of(&got),
                    text,
                    want.short()
                )),
            }
        }
    }
}

fn short_of(s: &Scalar) -> &'static str {
    match s {
        Scalar::Null => "!!null",
        Scalar::Bool(_) => "!!bool",
        Scalar::Int(_) | Scalar::Uint(_) => "!!int",
        Scalar::Float(_) => "!!float",
        Scalar::Str(_) => "!!str",
    }
}

/// go-yaml's quick check before its timestamp formats: `YYYY-`.
fn looks_like_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() > 5 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-'
}

/// The value kubectl ends up with after sigs.k8s.io/yaml turns the scalar into JSON and
/// apimachinery decodes that JSON: integral floats below 1e21 print without an exponent and
/// come back as integers; unsigned values beyond `i64` come back as floats; infinities and NaN
/// fail (`json: unsupported value`).
pub(crate) fn to_value(s: Scalar<'_>) -> Result<Value, String> {
    Ok(match s {
        Scalar::Null => Value::Null,
        Scalar::Bool(b) => Value::Bool(b),
        Scalar::Int(i) => Value::Int(i),
        Scalar::Uint(u) => Value::Float(u as f64),
        Scalar::Float(f) => return float_value(f),
        Scalar::Str(s) => Value::Str(Str::from(s)),
    })
}

pub(crate) fn float_value(f: f64) -> Result<Value, String> {
    if !f.is_finite() {
        let shown = if f.is_nan() {
            "NaN"
        } else if f > 0.0 {
            "+Inf"
        } else {
            "-Inf"
        };
        return Err(format!(
            "json: unsupported value: {shown} (kubectl cannot convert .inf/.nan to JSON; quote it if it is meant as text)"
        ));
    }
    // Go's encoder prints |f| < 1e21 as its shortest digits padded with zeros, without an
    // exponent; apimachinery reads that back as an integer when it fits i64. Rust's `Display`
    // prints the same digits.
    if f.fract() == 0.0
        && f.abs() < 1e21
        && let Ok(i) = format!("{f}").parse::<i64>()
    {
        return Ok(Value::Int(i));
    }
    Ok(Value::Float(f))
}

/// A mapping key as sigs.k8s.io/yaml stringifies it; `Err` for keys it refuses.
pub(crate) fn key_string(s: Scalar<'_>) -> Result<Str, String> {
    Ok(match s {
        Scalar::Str(s) => Str::from(s),
        Scalar::Bool(true) => Str::const_new("true"),
        Scalar::Bool(false) => Str::const_new("false"),
        Scalar::Int(i) => Str::from(i.to_string()),
        Scalar::Float(f) => Str::from(go_format_float32_g(f)),
        Scalar::Null => {
            return Err(
                "unsupported map key of type: <nil> (a null key, e.g. `~:` or `null:`)".into(),
            );
        }
        Scalar::Uint(u) => {
            return Err(format!("unsupported map key of type: uint64, key: {u}"));
        }
    })
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)` with go-yaml's names for infinities and NaN.
pub(crate) fn go_format_float32_g(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    let v = f as f32;
    if v.is_infinite() {
        return if v > 0.0 {
            ".inf".into()
        } else {
            "-.inf".into()
        };
    }
    if v == 0.0 {
        return if v.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    // Shortest round-trip digits, from Rust's exponent form `d.ddde<x>`.
    let e = format!("{v:e}");
    let Some((mant, exp)) = e.split_once('e') else {
        return e;
    };
    let exp: i32 = exp.parse().unwrap_or(0);
    // With shortest formatting Go switches to %e when exp < -4 || exp >= 6.
    if !(-4..6).contains(&exp) {
        return go_exp(mant, exp);
    }
    let (neg, digits) = match mant.strip_prefix('-') {
        Some(m) => (true, m.replace('.', "")),
        None => (false, mant.replace('.', "")),
    };
    let nd = digits.len() as i32;
    let dp = exp + 1;
    let mut out = String::with_capacity(16);
    if neg {
        out.push('-');
    }
    if dp <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-dp) as usize));
        out.push_str(&digits);
    } else if dp >= nd {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (dp - nd) as usize));
    } else {
        out.push_str(&digits[..dp as usize]);
        out.push('.');
        out.push_str(&digits[dp as usize..]);
    }
    out
}

/// Go's %e layout: mantissa, `e`, sign, at least two exponent digits.
fn go_exp(mant: &str, exp: i32) -> String {
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mant}e{sign}{:02}", exp.abs())
}

/// How a plain scalar resolved in a way a reader may not expect (YAML 1.1 rules that YAML 1.2
/// tools and most editors do not apply), for a warning.
pub(crate) fn surprise(text: &str, s: &Scalar<'_>) -> Option<String> {
    match s {
        Scalar::Bool(b) if !matches!(text.as_bytes().first(), Some(b't' | b'T' | b'f' | b'F')) => {
            Some(format!("the boolean `{b}`"))
        }
        Scalar::Int(i) if is_legacy_octal(text) => Some(format!("the octal number {i}")),
        Scalar::Uint(_) => {
            Some("a floating-point number (too large for an integer, precision is lost)".into())
        }
        _ => None,
    }
}

fn is_legacy_octal(text: &str) -> bool {
    let t = text.trim_start_matches(['+', '-']);
    let b = t.as_bytes();
    b.len() > 1 && b[0] == b'0' && b[1].is_ascii_digit() && t.bytes().any(|c| c != b'0')
}
