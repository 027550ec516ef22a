//! Recognising secrets by name (env vars, ConfigMap keys) and by content (private keys,
//! credentials in URLs, cloud access keys).

use crate::Param;
use palisade_model::Node;
use std::borrow::Cow;

/// Names that are secrets whatever their value, as `*` globs (case-insensitive).
pub const SENSITIVE_NAMES: Param = Param {
    name: "sensitive-names",
    description: "Names (case-insensitive globs, `*` for any run of characters) that hold \
        secrets: `*password*`-style patterns and well-known cloud credential variables.",
    default: r#"["*password*", "*passwd*", "*secret*", "*token*", "*bearer*", "*api_key*", "*apikey*", "*private_key*", "AWS_SECRET_ACCESS_KEY", "GOOGLE_APPLICATION_CREDENTIALS", "AZURE_*KEY", "OCI_CLI_KEY_CONTENT"]"#,
};

/// Names matching these globs are never reported (e.g. `*_FILE`, which points to a mounted
/// secret rather than holding one).
pub const ALLOWED_NAMES: Param = Param {
    name: "allowed-names",
    description: "Names (case-insensitive globs) never reported, such as variables that hold \
        the path of a mounted secret file.",
    default: r#"["*_FILE", "*_PATH", "*_DIR"]"#,
};

/// Glob match with `*` only, ASCII case-insensitive; no allocation, as it runs for every
/// environment variable and ConfigMap key of a scan.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    // `*word*`, most of the default patterns: a substring search, without backtracking.
    if let Some(word) = pattern.strip_prefix('*').and_then(|r| r.strip_suffix('*'))
        && !word.contains('*')
    {
        let w = word.as_bytes();
        return w.is_empty() || t.windows(w.len()).any(|x| x.eq_ignore_ascii_case(w));
    }
    backtrack(p, t)
}

/// Any `*` glob, ASCII case-insensitive.
fn backtrack(p: &[u8], t: &[u8]) -> bool {
    // Iterative wildcard matching with backtracking to the last `*`.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] != b'*' && p[pi].eq_ignore_ascii_case(&t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// Whether `name` looks like it holds a secret under the given patterns.
pub fn sensitive_name<S: AsRef<str>, A: AsRef<str>>(
    name: &str,
    sensitive: impl IntoIterator<Item = S>,
    allowed: impl IntoIterator<Item = A>,
) -> bool {
    sensitive.into_iter().any(|p| glob_match(p.as_ref(), name))
        && !allowed.into_iter().any(|p| glob_match(p.as_ref(), name))
}

/// What kind of secret a value contains, if it visibly holds one.
pub fn secret_in_value(value: &str) -> Option<&'static str> {
    if value.contains("-----BEGIN") && value.contains("PRIVATE KEY-----") {
        return Some("a private key");
    }
    if url_with_password(value) {
        return Some("a URL with an embedded password");
    }
    if aws_access_key_id(value) {
        return Some("an AWS access key id");
    }
    None
}

/// `scheme://user:password@host`, with a non-empty password that is not a `$(VAR)` reference.
fn url_with_password(value: &str) -> bool {
    value.match_indices("://").any(|(i, _)| {
        let rest = &value[i + 3..];
        let authority = rest
            .split(|c: char| c == '/' || c.is_whitespace() || c == '?' || c == '#')
            .next()
            .unwrap_or("");
        match authority.rsplit_once('@') {
            Some((userinfo, host)) => {
                !host.is_empty()
                    && userinfo
                        .split_once(':')
                        .is_some_and(|(_, pw)| !pw.is_empty() && !pw.starts_with("$("))
            }
            None => false,
        }
    })
}

/// `AKIA` or `ASIA` followed by 16 upper-case letters or digits, as a whole word.
fn aws_access_key_id(value: &str) -> bool {
    value.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
        w.len() == 20
            && (w.starts_with("AKIA") || w.starts_with("ASIA"))
            && w[4..]
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    })
}

/// A scalar as Kubernetes reads it into a string (numbers and booleans as written), borrowed
/// when it already is one.
pub fn scalar(node: &Node) -> Option<Cow<'_, str>> {
    match node.as_str() {
        Some(s) => Some(Cow::Borrowed(s)),
        None if node.is_null() => None,
        None => node.scalar_text().map(Cow::Owned),
    }
}

/// A value that points to where a secret lives rather than holding one: an absolute path
/// (`/run/secrets/db`) or a URL without a password (`https://auth.example.com/token`). Only
/// used for name-based matches: `OAUTH_TOKEN_URL` is not a token.
pub fn points_elsewhere(value: &str) -> bool {
    let v = value.trim();
    let single_word = !v.is_empty() && !v.contains(char::is_whitespace);
    single_word && (v.starts_with('/') || (v.contains("://") && !url_with_password(v)))
}

/// A value that only references other variables (`$(DB_PASSWORD)`) holds no secret itself.
pub fn only_references(value: &str) -> bool {
    let mut rest = value.trim();
    if rest.is_empty() {
        return false;
    }
    while let Some(r) = rest.strip_prefix("$(") {
        match r.find(')') {
            Some(end) => rest = r[end + 1..].trim_start(),
            None => return false,
        }
    }
    rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substring_globs_match_as_backtracking_does() {
        for p in ["*password*", "*PassWord*", "**", "*a*", "*_*", "*secret*"] {
            for t in [
                "",
                "a",
                "DB_PASSWORD",
                "password",
                "passwor",
                "MY_SECRET_X",
                "x_y",
            ] {
                let expected = backtrack(p.as_bytes(), t.as_bytes());
                assert_eq!(glob_match(p, t), expected, "{p} on {t}");
            }
        }
    }

    #[test]
    fn globs() {
        assert!(glob_match("*password*", "DB_PASSWORD"));
        assert!(glob_match("AZURE_*KEY", "azure_storage_key"));
        assert!(glob_match("*_FILE", "DB_PASSWORD_FILE"));
        assert!(!glob_match("*token*", "TOKE"));
        assert!(sensitive_name("API_TOKEN", ["*token*"], ["*_FILE"]));
        assert!(!sensitive_name("API_TOKEN_FILE", ["*token*"], ["*_FILE"]));
    }

    #[test]
    fn values() {
        assert_eq!(
            secret_in_value("-----BEGIN RSA PRIVATE KEY-----\nMIIE"),
            Some("a private key")
        );
        assert!(secret_in_value("postgres://app:s3cret@db:5432/shop").is_some());
        assert!(secret_in_value("postgres://app@db:5432/shop").is_none());
        assert!(secret_in_value("postgres://app:$(DB_PASSWORD)@db/shop").is_none());
        assert!(secret_in_value("key=AKIAIOSFODNN7EXAMPLE").is_some());
        assert!(secret_in_value("https://example.com/a:b@c").is_none());
        assert!(only_references("$(A)$(B)"));
        assert!(points_elsewhere("https://auth.example.com/oauth/token"));
        assert!(points_elsewhere("/run/secrets/api-token"));
        assert!(!points_elsewhere("https://u:p@auth.example.com/"));
        assert!(!points_elsewhere("abc123"));
        assert!(!only_references("x$(A)"));
    }
}
