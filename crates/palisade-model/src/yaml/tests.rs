use super::*;
use crate::node::Value;

fn limits() -> Limits {
    Limits {
        max_depth: 64,
        max_alias_nodes: 1000,
    }
}

fn docs(s: &str) -> Vec<DocEvent> {
    let mut v = Vec::new();
    parse_stream(s, false, limits(), 0, |e| v.push(e));
    v
}

/// The only document of `s`, or the first error.
fn one(s: &str) -> Result<Node, String> {
    for e in docs(s) {
        match e {
            DocEvent::Doc(_, n) => return Ok(n),
            DocEvent::Error(_, i) | DocEvent::Fatal(_, i) => return Err(i.message),
            DocEvent::Warning(..) => {}
        }
    }
    Err("no document".into())
}

fn warnings(s: &str) -> Vec<String> {
    docs(s)
        .into_iter()
        .filter_map(|e| match e {
            DocEvent::Warning(_, i) => Some(format!("{}: {}", i.pos, i.message)),
            _ => None,
        })
        .collect()
}

#[derive(Debug)]
enum Exp {
    N,
    B(bool),
    I(i64),
    F(f64),
    S(&'static str),
    E(&'static str),
}
use Exp::*;

/// Plain and tagged scalars as values, and what `kubectl label --local -f FILE x=y -o json`
/// (kubectl 1.32) printed for `data: {v: SCALAR}`.
const VALUES: &[(&str, Exp)] = &[
    (".inf", E("json: unsupported value: +Inf")),
    (".NaN", E("json: unsupported value: NaN")),
    ("-.Inf", E("json: unsupported value: -Inf")),
    ("+.inf", E("json: unsupported value: +Inf")),
    ("y", B(true)),
    ("Y", B(true)),
    ("yes", B(true)),
    ("Yes", B(true)),
    ("YES", B(true)),
    ("n", B(false)),
    ("N", B(false)),
    ("no", B(false)),
    ("No", B(false)),
    ("NO", B(false)),
    ("true", B(true)),
    ("True", B(true)),
    ("TRUE", B(true)),
    ("false", B(false)),
    ("False", B(false)),
    ("FALSE", B(false)),
    ("on", B(true)),
    ("On", B(true)),
    ("ON", B(true)),
    ("off", B(false)),
    ("Off", B(false)),
    ("OFF", B(false)),
    ("yEs", S("yEs")),
    ("tRue", S("tRue")),
    ("~", N),
    ("null", N),
    ("Null", N),
    ("NULL", N),
    ("nULL", S("nULL")),
    ("", N),
    ("0644", I(420)),
    ("-0644", I(-420)),
    ("0o644", I(420)),
    ("0O17", I(15)),
    ("0x1F", I(31)),
    ("0X1f", I(31)),
    ("-0x10", I(-16)),
    ("+0x10", I(16)),
    ("0b101", I(5)),
    ("0B11", I(3)),
    ("-0b101", I(-5)),
    ("1_000", I(1000)),
    ("1__0_", I(10)),
    ("+12", I(12)),
    ("-12", I(-12)),
    ("+0", I(0)),
    ("-0", I(0)),
    ("0", I(0)),
    ("00", I(0)),
    ("08", I(8)),
    ("09", I(9)),
    ("1.5", F(1.5)),
    (".5", F(0.5)),
    ("-.5", F(-0.5)),
    ("+.5", F(0.5)),
    ("1e3", I(1000)),
    ("1E3", I(1000)),
    ("1e+3", I(1000)),
    ("1e-3", F(0.001)),
    ("1.", I(1)),
    ("1.e3", I(1000)),
    (".e3", S(".e3")),
    (".", S(".")),
    ("1e400", S("1e400")),
    ("-1e400", S("-1e400")),
    ("1e-400", I(0)),
    ("12345678901234567890", F(1.2345678901234567e+19)),
    ("-12345678901234567890", F(-1.2345678901234567e+19)),
    ("9223372036854775807", I(9223372036854775807)),
    ("9223372036854775808", F(9.223372036854776e+18)),
    ("-9223372036854775808", I(-9223372036854775808)),
    ("-9223372036854775809", F(-9.223372036854776e+18)),
    ("18446744073709551616", F(1.8446744073709552e+19)),
    ("1e21", F(1e+21)),
    ("1e20", F(1e+20)),
    ("1.0", I(1)),
    ("-0.0", I(0)),
    ("0.000001", F(1e-06)),
    ("0.0000001", F(1e-07)),
    ("1:20", S("1:20")),
    ("2001-12-14", S("2001-12-14")),
    (
        "2001-12-14T21:59:43.10-05:00",
        S("2001-12-14T21:59:43.10-05:00"),
    ),
    ("1_000.5", F(1000.5)),
    ("0x_1F", I(31)),
    ("0xG", S("0xG")),
    ("1,000", S("1,000")),
    ("'quoted'", S("quoted")),
    ("\"0644\"", S("0644")),
    ("'yes'", S("yes")),
    ("!!str 123", S("123")),
    ("!!str yes", S("yes")),
    ("!!int \"12\"", I(12)),
    ("!!int 0x10", I(16)),
    ("!!float 1", I(1)),
    ("!!float \"2\"", I(2)),
    ("!!bool \"yes\"", B(true)),
    ("!!null \"\"", N),
    ("! 12", S("12")),
    ("!custom 12", S("12")),
    ("!!binary aGVsbG8=", S("hello")),
    ("+", S("+")),
    (".5.5", S(".5.5")),
    ("1e", S("1e")),
    ("0.1", F(0.1)),
    ("1.23456789012345678901", F(1.2345678901234567)),
    ("100000000000000000000000", F(1e+23)),
];

/// The same scalars as keys (`data: {SCALAR: v}`): the key kubectl printed, or its error.
const KEYS: &[(&str, Result<&str, &str>)] = &[
    (".inf", Ok(".inf")),
    (".NaN", Ok(".nan")),
    ("-.Inf", Ok("-.inf")),
    ("+.inf", Ok(".inf")),
    ("y", Ok("true")),
    ("Y", Ok("true")),
    ("yes", Ok("true")),
    ("Yes", Ok("true")),
    ("YES", Ok("true")),
    ("n", Ok("false")),
    ("N", Ok("false")),
    ("no", Ok("false")),
    ("No", Ok("false")),
    ("NO", Ok("false")),
    ("true", Ok("true")),
    ("True", Ok("true")),
    ("TRUE", Ok("true")),
    ("false", Ok("false")),
    ("False", Ok("false")),
    ("FALSE", Ok("false")),
    ("on", Ok("true")),
    ("On", Ok("true")),
    ("ON", Ok("true")),
    ("off", Ok("false")),
    ("Off", Ok("false")),
    ("OFF", Ok("false")),
    ("yEs", Ok("yEs")),
    ("tRue", Ok("tRue")),
    (
        "~",
        Err("unsupported map key of type: %!s(<nil>), key: <nil>, value: \"v\""),
    ),
    (
        "null",
        Err("unsupported map key of type: %!s(<nil>), key: <nil>, value: \"v\""),
    ),
    (
        "Null",
        Err("unsupported map key of type: %!s(<nil>), key: <nil>, value: \"v\""),
    ),
    (
        "NULL",
        Err("unsupported map key of type: %!s(<nil>), key: <nil>, value: \"v\""),
    ),
    ("nULL", Ok("nULL")),
    ("0644", Ok("420")),
    ("-0644", Ok("-420")),
    ("0o644", Ok("420")),
    ("0O17", Ok("15")),
    ("0x1F", Ok("31")),
    ("0X1f", Ok("31")),
    ("-0x10", Ok("-16")),
    ("+0x10", Ok("16")),
    ("0b101", Ok("5")),
    ("0B11", Ok("3")),
    ("-0b101", Ok("-5")),
    ("1_000", Ok("1000")),
    ("1__0_", Ok("10")),
    ("+12", Ok("12")),
    ("-12", Ok("-12")),
    ("+0", Ok("0")),
    ("-0", Ok("0")),
    ("0", Ok("0")),
    ("00", Ok("0")),
    ("08", Ok("8")),
    ("09", Ok("9")),
    ("1.5", Ok("1.5")),
    (".5", Ok("0.5")),
    ("-.5", Ok("-0.5")),
    ("+.5", Ok("0.5")),
    ("1e3", Ok("1000")),
    ("1E3", Ok("1000")),
    ("1e+3", Ok("1000")),
    ("1e-3", Ok("0.001")),
    ("1.", Ok("1")),
    ("1.e3", Ok("1000")),
    (".e3", Ok(".e3")),
    (".", Ok(".")),
    ("1e400", Ok("1e400")),
    ("-1e400", Ok("-1e400")),
    ("1e-400", Ok("0")),
    (
        "12345678901234567890",
        Err("unsupported map key of type: uint64, key: 0xab54a98ceb1f0ad2, value: \"v\""),
    ),
    ("-12345678901234567890", Ok("-1.2345679e+19")),
    ("9223372036854775807", Ok("9223372036854775807")),
    (
        "9223372036854775808",
        Err("unsupported map key of type: uint64, key: 0x8000000000000000, value: \"v\""),
    ),
    ("-9223372036854775808", Ok("-9223372036854775808")),
    ("-9223372036854775809", Ok("-9.223372e+18")),
    ("18446744073709551616", Ok("1.8446744e+19")),
    ("1e21", Ok("1e+21")),
    ("1e20", Ok("1e+20")),
    ("1.0", Ok("1")),
    ("-0.0", Ok("-0")),
    ("0.000001", Ok("1e-06")),
    ("0.0000001", Ok("1e-07")),
    ("1:20", Ok("1:20")),
    ("2001-12-14", Ok("2001-12-14")),
    (
        "2001-12-14T21:59:43.10-05:00",
        Ok("2001-12-14T21:59:43.10-05:00"),
    ),
    ("1_000.5", Ok("1000.5")),
    ("0x_1F", Ok("31")),
    ("0xG", Ok("0xG")),
    ("1,000", Ok("1,000")),
    ("'quoted'", Ok("quoted")),
    ("\"0644\"", Ok("0644")),
    ("'yes'", Ok("yes")),
    ("!!str 123", Ok("123")),
    ("!!str yes", Ok("yes")),
    ("!!int \"12\"", Ok("12")),
    ("!!int 0x10", Ok("16")),
    ("!!float 1", Ok("1")),
    ("!!float \"2\"", Ok("2")),
    ("!!bool \"yes\"", Ok("true")),
    (
        "!!null \"\"",
        Err("unsupported map key of type: %!s(<nil>), key: <nil>, value: \"v\""),
    ),
    ("! 12", Ok("12")),
    ("!custom 12", Ok("12")),
    ("!!binary aGVsbG8=", Ok("hello")),
    ("+", Ok("+")),
    (".5.5", Ok(".5.5")),
    ("1e", Ok("1e")),
    ("0.1", Ok("0.1")),
    ("1.23456789012345678901", Ok("1.2345679")),
    ("100000000000000000000000", Ok("1e+23")),
];

#[test]
fn scalars_resolve_as_kubectl_reads_them() {
    for (src, exp) in VALUES {
        let doc = format!("data:\n  v: {src}\n");
        let got = one(&doc).map(|n| n.path(&["data", "v"]).cloned().map(|n| n.value));
        let ok = match (exp, &got) {
            (N, Ok(Some(Value::Null))) => true,
            (B(b), Ok(Some(Value::Bool(x)))) => b == x,
            (I(i), Ok(Some(Value::Int(x)))) => i == x,
            (F(f), Ok(Some(Value::Float(x)))) => f == x,
            (S(s), Ok(Some(Value::Str(x)))) => s == x,
            (E(e), Err(m)) => m.starts_with(e),
            _ => false,
        };
        assert!(ok, "`{src}`: expected {exp:?}, got {got:?}");
    }
}

#[test]
fn keys_are_stringified_as_kubectl_does() {
    for (src, exp) in KEYS {
        let doc = format!("data:\n  {src}: v\n");
        let got = one(&doc).map(|n| {
            n.get("data")
                .and_then(Node::as_map)
                .map(|m| m.entries[0].key.to_string())
        });
        match (exp, &got) {
            (Ok(k), Ok(Some(g))) => assert_eq!(k, g, "key `{src}`"),
            (Err(e), Err(m)) => {
                let prefix = e.split(',').next().unwrap_or(e);
                let prefix = prefix.split(" %!s").next().unwrap_or(prefix);
                assert!(m.starts_with(prefix), "key `{src}`: `{m}` vs kubectl `{e}`")
            }
            _ => panic!("key `{src}`: expected {exp:?}, got {got:?}"),
        }
    }
}

#[test]
fn empty_documents_are_skipped() {
    let d = docs("---\n---\n# c\n---\n~\n---\na: 1\n");
    assert_eq!(d.len(), 1);
    assert!(matches!(&d[0], DocEvent::Doc(3, n) if n.get("a").and_then(Node::as_i64) == Some(1)));
}

#[test]
fn surprising_keys_warn_and_quoted_keys_do_not() {
    assert_eq!(
        warnings("on: 1\n\"off\": 2\n0644: 3\n1: 4\nnormal: 5\n"),
        [
            "1:1: key `on` is read as `true` by kubectl (YAML 1.1 boolean); quote it to keep `on`",
            "3:1: key `0644` is read as `420` by kubectl (YAML 1.1 number); quote it to keep `0644`",
        ]
    );
}

#[test]
fn go_float32_formatting_of_keys() {
    use super::resolve::go_format_float32_g as g;
    assert_eq!(g(1.5), "1.5");
    assert_eq!(g(1000.0), "1000");
    assert_eq!(g(100000.0), "100000");
    assert_eq!(g(1_000_000.0), "1e+06");
    assert_eq!(g(0.0001), "0.0001");
    assert_eq!(g(0.00001), "1e-05");
    assert_eq!(g(-123456789.0), "-1.2345679e+08");
    assert_eq!(g(-0.0), "-0");
    assert_eq!(g(f64::NEG_INFINITY), "-.inf");
}
