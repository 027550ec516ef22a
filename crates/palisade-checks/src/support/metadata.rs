//! Labels and annotations: required keys with value patterns, and Kubernetes' syntax rules.

use crate::support::pod::pod_of;
use crate::support::workloads::{describe, field_diag};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Diagnostic, Node, Object};
use regex::Regex;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// Compiles a user pattern as a full match, caching it: checks run per object, patterns
/// come from config and are few. `None` for an invalid pattern.
pub fn full_match(pattern: &str) -> Option<Regex> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    // A poisoned lock only means another thread panicked mid-insert; the map is still usable.
    let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
    // Looked up before inserting: a key is only allocated the first time.
    if let Some(r) = map.get(pattern) {
        return r.clone();
    }
    map.entry(pattern.to_string())
        .or_insert_with(|| Regex::new(&format!("^(?:{pattern})$")).ok())
        .clone()
}

/// Workloads must carry the metadata keys of the `required` parameter (an object mapping each
/// key to a value pattern; an empty pattern accepts any non-empty value).
pub struct RequiredMetadata {
    pub meta: &'static CheckMeta,
    /// `labels` or `annotations`.
    pub field: &'static str,
}

impl Check for RequiredMetadata {
    fn meta(&self) -> &'static CheckMeta {
        self.meta
    }

    fn pods_only(&self) -> bool {
        true
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        if pod_of(obj, ctx).is_none() {
            return;
        }
        let Some(required) = ctx.param("required").and_then(|v| v.as_object()) else {
            return;
        };
        let word = self.field.trim_end_matches('s');
        let values = obj.metadata().get(self.field).unwrap_or(Node::null());
        for (key, pattern) in required {
            let pattern = pattern.as_str().unwrap_or("");
            let value = values.get(key).and_then(Node::as_str).unwrap_or("");
            let msg = if value.is_empty() {
                format!("{} has no {word} `{key}`", describe(obj))
            } else if pattern.is_empty() {
                continue;
            } else {
                match full_match(pattern) {
                    Some(re) if re.is_match(value) => continue,
                    Some(_) => format!(
                        "{} has {word} {key}={value}, which does not match `{pattern}`",
                        describe(obj)
                    ),
                    None => format!(
                        "the pattern `{pattern}` configured for {word} `{key}` is not a valid regular expression"
                    ),
                }
            };
            out.push(field_diag(obj, &["metadata", self.field, key], msg));
        }
    }
}

/// Why `value` is not a valid label value, if it is not: at most 63 characters, empty or
/// alphanumeric at both ends, only `[-_.A-Za-z0-9]` in between.
pub fn label_value_problem(value: &str) -> Option<&'static str> {
    if value.len() > 63 {
        return Some("is longer than 63 characters");
    }
    if value.is_empty() {
        return None;
    }
    let ok_inner = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if !value.chars().all(ok_inner) {
        return Some("may only contain letters, digits, '-', '_' and '.'");
    }
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !alnum(value.chars().next()) || !alnum(value.chars().last()) {
        return Some("must begin and end with a letter or digit");
    }
    None
}

/// Why `key` is not a valid label key, if it is not: an optional DNS-subdomain prefix (at
/// most 253 characters) and `/`, then a name of at most 63 characters.
pub fn label_key_problem(key: &str) -> Option<&'static str> {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(p) = prefix {
        let dns_ok = !p.is_empty()
            && p.len() <= 253
            && p.split('.').all(|part| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    && !part.starts_with('-')
                    && !part.ends_with('-')
            });
        if !dns_ok {
            return Some("has a prefix that is not a lowercase DNS subdomain");
        }
    }
    if name.is_empty() {
        return Some("has an empty name");
    }
    label_value_problem(name).map(|_| "has a name that is not 1-63 letters, digits, '-', '_' or '.' starting and ending alphanumeric")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_syntax() {
        assert_eq!(label_value_problem(""), None);
        assert_eq!(label_value_problem("v1.2_3-a"), None);
        assert!(label_value_problem("-a").is_some());
        assert!(label_value_problem("a b").is_some());
        assert!(label_value_problem(&"a".repeat(64)).is_some());
        assert_eq!(label_key_problem("app.kubernetes.io/name"), None);
        assert_eq!(label_key_problem("tier"), None);
        assert!(label_key_problem("Example.com/x").is_some());
        assert!(label_key_problem("a/").is_some());
        assert!(full_match("[a-z]+@x\\.com").is_some_and(|r| r.is_match("me@x.com")));
        assert!(full_match("[a-z]+").is_some_and(|r| !r.is_match("ab1")));
        assert!(full_match("(").is_none());
    }
}
