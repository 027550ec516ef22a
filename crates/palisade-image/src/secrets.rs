//! Secret detection with rules in the gitleaks TOML format (regex, keyword prefilter, entropy,
//! allowlists). The default rule set is gitleaks' own (MIT), bundled as data in
//! `data/gitleaks.toml`; another file in the same format can be loaded instead.

use crate::error::{Error, Result};
use aho_corasick::AhoCorasick;
use regex::bytes::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

const GITLEAKS_RULES: &str = include_str!("../data/gitleaks.toml");
const PALISADE_RULES: &str = include_str!("../data/palisade-secrets.toml");

#[derive(Debug, Deserialize)]
struct RawConfig {
    #[serde(default)]
    allowlist: Option<RawAllow>,
    #[serde(default)]
    allowlists: Vec<RawAllow>,
    #[serde(default)]
    rules: Vec<RawRule>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRule {
    id: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    regex: Option<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    entropy: Option<f64>,
    #[serde(default)]
    secret_group: Option<usize>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    allowlists: Vec<RawAllow>,
    #[serde(default)]
    allowlist: Option<RawAllow>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawAllow {
    #[serde(default)]
    condition: Option<String>,
    #[serde(default)]
    regex_target: Option<String>,
    #[serde(default)]
    regexes: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    stopwords: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    Secret,
    Match,
    Line,
}

#[derive(Debug)]
struct Allow {
    and: bool,
    target: Target,
    regexes: Vec<Regex>,
    paths: Vec<Regex>,
    stopwords: Vec<String>,
}

#[derive(Debug)]
struct Rule {
    id: String,
    description: String,
    regex: Option<Regex>,
    path: Option<Regex>,
    entropy: Option<f64>,
    secret_group: usize,
    keywords: Vec<usize>,
    allows: Vec<Allow>,
}

/// A compiled rule set.
#[derive(Debug)]
pub struct Rules {
    rules: Vec<Rule>,
    global: Vec<Allow>,
    keywords: AhoCorasick,
    /// Rules without keywords run on every file.
    always: Vec<usize>,
    /// keyword index → rules that list it.
    by_keyword: Vec<Vec<usize>>,
}

/// One secret found in a file or in the image config.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecretFinding {
    pub rule_id: String,
    pub description: String,
    /// Digest of the layer holding the file; `config` for the image configuration.
    pub layer_digest: String,
    pub path: String,
    pub line: usize,
    /// The matched text with the secret itself masked.
    pub redacted: String,
    /// False when a later layer deleted or replaced the file (it still ships in the image).
    pub in_final_filesystem: bool,
}

/// Go's RE2 takes a `{` that does not start a repetition (`{n}`, `{n,}`, `{n,m}`) literally;
/// Rust's regex does not, so such braces are escaped.
pub fn go_regex_to_rust(p: &str) -> String {
    let b = p.as_bytes();
    let mut out = String::with_capacity(p.len() + 8);
    let mut i = 0;
    let mut in_class = false;
    while i < b.len() {
        let c = b[i];
        if c == b'\\' && i + 1 < b.len() {
            // Copy the escape and the (possibly multi-byte) character after it.
            let next = p[i + 1..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&p[i..i + 1 + next]);
            i += 1 + next;
            continue;
        }
        if in_class {
            if c == b']' {
                in_class = false;
            }
        } else if c == b'[' {
            in_class = true;
            out.push('[');
            i += 1;
            // A `]` (or `^]`) right after the opening bracket is a literal member.
            if b.get(i) == Some(&b'^') {
                out.push('^');
                i += 1;
            }
            if b.get(i) == Some(&b']') {
                out.push(']');
                i += 1;
            }
            continue;
        } else if c == b'{' {
            let rest = &p[i + 1..];
            let close = rest.find('}');
            let valid = close.is_some_and(|end| {
                let inner = &rest[..end];
                let (lo, hi) = inner.split_once(',').unwrap_or((inner, "0"));
                !lo.is_empty()
                    && lo.bytes().all(|d| d.is_ascii_digit())
                    && hi.bytes().all(|d| d.is_ascii_digit())
            }) && !out.is_empty()
                && !out.ends_with('(')
                && !out.ends_with('|');
            if !valid {
                out.push_str("\\{");
                i += 1;
                continue;
            }
        }
        let ch = p[i..].chars().next().unwrap_or('\0');
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

fn compile(pattern: &str, what: &str) -> Result<Regex> {
    RegexBuilder::new(&go_regex_to_rust(pattern))
        .unicode(false)
        .size_limit(64 << 20)
        .dfa_size_limit(64 << 20)
        .build()
        .map_err(|e| Error::format(what, format!("invalid regex: {e}")))
}

fn compile_allow(a: RawAllow, what: &str) -> Result<Allow> {
    let target = match a.regex_target.as_deref() {
        None | Some("secret") => Target::Secret,
        Some("match") => Target::Match,
        Some("line") => Target::Line,
        Some(other) => {
            return Err(Error::format(
                what,
                format!("unknown regexTarget `{other}`"),
            ));
        }
    };
    Ok(Allow {
        and: a
            .condition
            .as_deref()
            .is_some_and(|c| c.eq_ignore_ascii_case("and")),
        target,
        regexes: a
            .regexes
            .iter()
            .map(|r| compile(r, what))
            .collect::<Result<_>>()?,
        paths: a
            .paths
            .iter()
            .map(|r| compile(r, what))
            .collect::<Result<_>>()?,
        stopwords: a.stopwords.iter().map(|s| s.to_ascii_lowercase()).collect(),
    })
}

impl Allow {
    fn allows(&self, path: &str, secret: &[u8], matched: &[u8], line: &[u8]) -> bool {
        let target = match self.target {
            Target::Secret => secret,
            Target::Match => matched,
            Target::Line => line,
        };
        let lower = secret.to_ascii_lowercase();
        let checks = [
            (!self.paths.is_empty())
                .then(|| self.paths.iter().any(|r| r.is_match(path.as_bytes()))),
            (!self.regexes.is_empty()).then(|| self.regexes.iter().any(|r| r.is_match(target))),
            (!self.stopwords.is_empty()).then(|| {
                self.stopwords
                    .iter()
                    .any(|w| contains(&lower, w.as_bytes()))
            }),
        ];
        let mut present = checks.iter().flatten();
        if self.and {
            checks.iter().flatten().count() > 0 && present.all(|c| *c)
        } else {
            present.any(|c| *c)
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// Shannon entropy in bits per byte.
pub fn entropy(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for b in s {
        counts[*b as usize] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|c| **c > 0)
        .map(|c| {
            let p = *c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// Masks all but the first few characters of the secret.
fn redact(secret: &str) -> String {
    let keep = if secret.len() >= 16 { 4 } else { 0 };
    let head: String = secret.chars().take(keep).collect();
    format!("{head}{}", "*".repeat(8))
}

impl Rules {
    /// The bundled rule set (gitleaks' rules plus Palisade's additions), compiled once.
    pub fn default_rules() -> Result<&'static Rules> {
        static RULES: OnceLock<std::result::Result<Rules, String>> = OnceLock::new();
        RULES
            .get_or_init(|| {
                Rules::from_tomls(&[
                    (GITLEAKS_RULES, "bundled gitleaks.toml"),
                    (PALISADE_RULES, "bundled palisade-secrets.toml"),
                ])
                .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|e| Error::format("bundled gitleaks.toml", e.clone()))
    }

    pub fn from_file(path: &std::path::Path) -> Result<Rules> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Rules::from_toml(&text, &path.display().to_string())
    }

    /// Compiles a rule set in the gitleaks TOML format.
    pub fn from_toml(text: &str, what: &str) -> Result<Rules> {
        Rules::from_tomls(&[(text, what)])
    }

    /// Compiles several rule files into one set (rules and global allowlists are concatenated).
    pub fn from_tomls(files: &[(&str, &str)]) -> Result<Rules> {
        let mut global = Vec::new();
        let mut all = Vec::new();
        for (text, what) in files {
            let raw: RawConfig =
                toml::from_str(text).map_err(|e| Error::format(*what, e.to_string()))?;
            for a in raw.allowlist.into_iter().chain(raw.allowlists) {
                global.push(compile_allow(a, &format!("{what}: global allowlist"))?);
            }
            all.extend(raw.rules.into_iter().map(|r| (r, *what)));
        }
        let names = files.iter().map(|(_, w)| *w).collect::<Vec<_>>().join(", ");
        let mut keyword_list: Vec<String> = Vec::new();
        let mut rules = Vec::new();
        for (r, what) in all {
            let w = format!("{what}: rule {}", r.id);
            if r.regex.is_none() && r.path.is_none() {
                return Err(Error::format(w, "a rule needs a regex or a path"));
            }
            let keywords = r
                .keywords
                .iter()
                .map(|k| {
                    let k = k.to_ascii_lowercase();
                    match keyword_list.iter().position(|x| *x == k) {
                        Some(i) => i,
                        None => {
                            keyword_list.push(k);
                            keyword_list.len() - 1
                        }
                    }
                })
                .collect();
            let mut allows = Vec::new();
            for a in r.allowlist.into_iter().chain(r.allowlists) {
                allows.push(compile_allow(a, &w)?);
            }
            rules.push(Rule {
                regex: r.regex.as_deref().map(|p| compile(p, &w)).transpose()?,
                path: r.path.as_deref().map(|p| compile(p, &w)).transpose()?,
                id: r.id,
                description: r.description,
                entropy: r.entropy,
                secret_group: r.secret_group.unwrap_or(0),
                keywords,
                allows,
            });
        }
        let keywords =
            AhoCorasick::new(&keyword_list).map_err(|e| Error::format(&names, e.to_string()))?;
        let mut by_keyword = vec![Vec::new(); keyword_list.len()];
        let mut always = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            if r.keywords.is_empty() {
                always.push(i);
            }
            for k in &r.keywords {
                by_keyword[*k].push(i);
            }
        }
        Ok(Rules {
            rules,
            global,
            keywords,
            always,
            by_keyword,
        })
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// True when the global allowlist excludes the path (vendored dependencies, images, ...).
    pub fn path_allowed(&self, path: &str) -> bool {
        self.global
            .iter()
            .any(|a| !a.and && a.paths.iter().any(|r| r.is_match(path.as_bytes())))
    }

    /// Scans a file's contents; binaries (a NUL byte in the first 8 KiB) are skipped.
    pub fn scan_file(&self, content: &[u8], path: &str, layer_digest: &str) -> Vec<SecretFinding> {
        if content[..content.len().min(8192)].contains(&0) {
            return Vec::new();
        }
        self.scan(content, path, layer_digest)
    }

    /// Scans text; `path` is what path allowlists and path rules see.
    pub fn scan(&self, content: &[u8], path: &str, layer_digest: &str) -> Vec<SecretFinding> {
        let lower = content.to_ascii_lowercase();
        let mut candidates: Vec<usize> = self.always.clone();
        for m in self.keywords.find_overlapping_iter(&lower) {
            candidates.extend(&self.by_keyword[m.pattern().as_usize()]);
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut out = Vec::new();
        for i in candidates {
            let rule = &self.rules[i];
            if let Some(p) = &rule.path
                && !p.is_match(path.as_bytes())
            {
                continue;
            }
            let Some(re) = &rule.regex else {
                // A path-only rule: the file itself is the secret.
                out.push(self.finding(rule, layer_digest, path, 1, "(file)".into()));
                continue;
            };
            for caps in re.captures_iter(content) {
                let Some(whole) = caps.get(0) else { continue };
                let secret_m = if rule.secret_group > 0 {
                    caps.get(rule.secret_group)
                } else {
                    caps.iter()
                        .skip(1)
                        .flatten()
                        .find(|m| !m.as_bytes().is_empty())
                }
                .unwrap_or(whole);
                let secret = secret_m.as_bytes();
                if let Some(min) = rule.entropy
                    && entropy(secret) <= min
                {
                    continue;
                }
                let line_start = content[..whole.start()]
                    .iter()
                    .rposition(|b| *b == b'\n')
                    .map_or(0, |p| p + 1);
                let line_end = content[whole.end()..]
                    .iter()
                    .position(|b| *b == b'\n')
                    .map_or(content.len(), |p| whole.end() + p);
                let line = &content[line_start..line_end];
                let allowed = |a: &Allow| a.allows(path, secret, whole.as_bytes(), line);
                if rule.allows.iter().any(allowed)
                    || self.global.iter().any(|a| {
                        (!a.regexes.is_empty() || !a.stopwords.is_empty())
                            && a.allows_secret(secret)
                    })
                {
                    continue;
                }
                let line_no = content[..secret_m.start()]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count()
                    + 1;
                let secret_str = String::from_utf8_lossy(secret);
                let matched = String::from_utf8_lossy(whole.as_bytes());
                let mut red = matched.replace(secret_str.as_ref(), &redact(&secret_str));
                if red.len() > 120 {
                    let cut = (0..=120)
                        .rev()
                        .find(|i| red.is_char_boundary(*i))
                        .unwrap_or(0);
                    red.truncate(cut);
                    red.push('…');
                }
                out.push(self.finding(rule, layer_digest, path, line_no, red.trim().to_string()));
            }
        }
        // As gitleaks does: a generic rule's finding is dropped where a specific rule found the
        // same line.
        let specific: Vec<usize> = out
            .iter()
            .filter(|f| !f.rule_id.starts_with("generic"))
            .map(|f| f.line)
            .collect();
        out.retain(|f| !f.rule_id.starts_with("generic") || !specific.contains(&f.line));
        out
    }

    fn finding(
        &self,
        rule: &Rule,
        layer: &str,
        path: &str,
        line: usize,
        redacted: String,
    ) -> SecretFinding {
        SecretFinding {
            rule_id: rule.id.clone(),
            description: rule.description.clone(),
            layer_digest: layer.to_string(),
            path: path.to_string(),
            line,
            redacted,
            in_final_filesystem: true,
        }
    }
}

impl Allow {
    /// Global allowlist regexes and stopwords apply to the secret.
    fn allows_secret(&self, secret: &[u8]) -> bool {
        let lower = secret.to_ascii_lowercase();
        self.regexes.iter().any(|r| r.is_match(secret))
            || self
                .stopwords
                .iter()
                .any(|w| contains(&lower, w.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> &'static Rules {
        Rules::default_rules().unwrap()
    }

    #[test]
    fn bundled_rules_compile() {
        assert!(rules().len() > 200, "{}", rules().len());
    }

    #[test]
    fn finds_github_token_with_line_and_redaction() {
        let body = b"github:\n  token: ghp_PKdJLFuSL8yEDKpEZaS6Uvnd0HW9DpvHKCVS\n";
        let f = rules().scan(body, "app/config.yaml", "sha256:l1");
        let gh = f
            .iter()
            .find(|f| f.rule_id == "github-pat")
            .expect("github-pat");
        assert_eq!(gh.line, 2);
        assert!(
            !gh.redacted.contains("PKdJLFuSL8yEDKpEZaS6Uvnd0HW9DpvHKCVS"),
            "{}",
            gh.redacted
        );
        assert!(gh.redacted.starts_with("ghp_"), "{}", gh.redacted);
    }

    #[test]
    fn private_key_spans_lines() {
        let key = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDbWjwu6bhxXqkD".repeat(3)
        );
        let f = rules().scan(key.as_bytes(), "app/id_rsa", "sha256:l1");
        assert!(
            f.iter().any(|f| f.rule_id == "private-key" && f.line == 1),
            "{f:?}"
        );
    }

    #[test]
    fn allowlists_and_entropy_suppress() {
        // The rule's own allowlist: AWS documentation keys end in EXAMPLE.
        let f = rules().scan(b"id = AKIAIOSFODNN7EXAMPLE\n", "x.txt", "l");
        assert!(!f.iter().any(|f| f.rule_id == "aws-access-token"), "{f:?}");
        let f = rules().scan(b"id = AKIAZ7Q3LMRT5XW2PKNB\n", "x.txt", "l");
        assert!(f.iter().any(|f| f.rule_id == "aws-access-token"), "{f:?}");
        // Low entropy: not a secret.
        let f = rules().scan(b"password = aaaaaaaaaaaaaaaa\n", "x.txt", "l");
        assert!(f.is_empty(), "{f:?}");
        // Global path allowlist.
        assert!(rules().path_allowed("usr/lib/node_modules/x/index.js"));
        assert!(!rules().path_allowed("app/config.yaml"));
    }

    #[test]
    fn custom_rules_with_and_condition() {
        let r = Rules::from_toml(
            r#"
[[rules]]
id = "t"
regex = '''tok_[a-z0-9]{8}'''
keywords = ["tok_"]
[[rules.allowlists]]
condition = "AND"
paths = ['''test''']
regexes = ['''tok_0''']
"#,
            "inline",
        )
        .unwrap();
        assert_eq!(r.scan(b"tok_0abcdefg", "test/a", "l").len(), 0);
        assert_eq!(r.scan(b"tok_0abcdefg", "src/a", "l").len(), 1);
        assert_eq!(r.scan(b"tok_1abcdefg", "test/a", "l").len(), 1);
        assert_eq!(r.scan(b"nothing here", "src/a", "l").len(), 0);
        assert!(Rules::from_toml("[[rules]]\nid='x'\n", "inline").is_err());
    }

    #[test]
    fn go_braces_become_literal() {
        assert_eq!(
            go_regex_to_rust(r"^\$(?:\d+|{\d+})$"),
            r"^\$(?:\d+|\{\d+})$"
        );
        assert_eq!(go_regex_to_rust(r"a{2,3}[{]\{"), r"a{2,3}[{]\{");
        assert_eq!(go_regex_to_rust(r"^\{\{[ \t]*x}}$"), r"^\{\{[ \t]*x}}$");
        assert_eq!(go_regex_to_rust(r"x{,3}"), r"x\{,3}");
    }

    #[test]
    fn entropy_values() {
        assert_eq!(entropy(b"aaaa"), 0.0);
        assert!((entropy(b"ab") - 1.0).abs() < 1e-9);
    }
}
