//! Container image references (`[registry/]repository[:tag][@digest]`), parsed the way the
//! container runtimes (distribution/reference) read them.

use std::borrow::Cow;

/// The registry images without an explicit registry come from.
pub const DOCKER_HUB: &str = "docker.io";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef<'a> {
    pub raw: &'a str,
    /// Normalised registry host (`docker.io` when none is written; `index.docker.io` and
    /// `registry-1.docker.io` read as `docker.io`), lower case.
    pub registry: Cow<'a, str>,
    /// Whether the reference names its registry.
    pub registry_explicit: bool,
    /// Repository path; Docker Hub's official images get their implicit `library/` prefix.
    pub repository: Cow<'a, str>,
    pub tag: Option<&'a str>,
    /// `algorithm:hex`, e.g. `sha256:…`.
    pub digest: Option<&'a str>,
}

impl ImageRef<'_> {
    /// Parses a reference. `None` for an empty reference or one without a repository.
    pub fn parse(raw: &str) -> Option<ImageRef<'_>> {
        let s = raw.trim();
        if s.is_empty() || s.chars().any(char::is_whitespace) {
            return None;
        }
        let (name_tag, digest) = match s.split_once('@') {
            Some((n, d)) => (n, Some(d).filter(|d| !d.is_empty())),
            None => (s, None),
        };
        // A tag is the text after the last ':' that comes after the last '/'; a ':' before
        // it belongs to a registry port (`registry:5000/app`).
        let last_slash = name_tag.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match name_tag[last_slash..].rfind(':') {
            Some(i) => {
                let at = last_slash + i;
                (
                    &name_tag[..at],
                    Some(&name_tag[at + 1..]).filter(|t| !t.is_empty()),
                )
            }
            None => (name_tag, None),
        };
        let (registry, registry_explicit, path): (Cow<str>, bool, &str) = match name.split_once('/')
        {
            Some((first, rest))
                if first.contains(['.', ':'])
                    || first == "localhost"
                    || first.chars().any(|c| c.is_ascii_uppercase()) =>
            {
                let reg = if first.chars().any(|c| c.is_ascii_uppercase()) {
                    Cow::Owned(first.to_ascii_lowercase())
                } else {
                    Cow::Borrowed(first)
                };
                (reg, true, rest)
            }
            _ => (Cow::Borrowed(DOCKER_HUB), false, name),
        };
        if path.is_empty() {
            return None;
        }
        let registry = match &*registry {
            "index.docker.io" | "registry-1.docker.io" => Cow::Borrowed(DOCKER_HUB),
            _ => registry,
        };
        let repository = if registry == DOCKER_HUB && !path.contains('/') {
            Cow::Owned(format!("library/{path}"))
        } else {
            Cow::Borrowed(path)
        };
        Some(ImageRef {
            raw,
            registry,
            registry_explicit,
            repository,
            tag,
            digest,
        })
    }

    /// Whether the image matches a registry pattern: `registry`, `*.registry.suffix`, or
    /// `registry/path/prefix` (whole path segments only: `ghcr.io/acme` matches
    /// `ghcr.io/acme/app` but not `ghcr.io/acme-evil/app`).
    pub fn matches(&self, pattern: &str) -> bool {
        let pattern = pattern.trim().trim_end_matches('/');
        let (reg_pat, path_pat) = match pattern.split_once('/') {
            Some((r, p)) => (r, Some(p)),
            None => (pattern, None),
        };
        let reg_pat = reg_pat.to_ascii_lowercase();
        let reg_pat = match reg_pat.as_str() {
            "index.docker.io" | "registry-1.docker.io" => DOCKER_HUB.to_string(),
            _ => reg_pat,
        };
        let reg_ok = match reg_pat.strip_prefix("*.") {
            Some(suffix) => self
                .registry
                .strip_suffix(suffix)
                .is_some_and(|head| head.ends_with('.') && head.len() > 1),
            None => *self.registry == *reg_pat,
        };
        reg_ok
            && path_pat.is_none_or(|p| {
                self.repository == p
                    || self
                        .repository
                        .strip_prefix(p)
                        .is_some_and(|rest| rest.starts_with('/'))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> ImageRef<'_> {
        ImageRef::parse(s).expect("valid")
    }

    #[test]
    fn parses_references() {
        let r = p("nginx");
        assert_eq!(
            (&*r.registry, &*r.repository, r.tag, r.digest),
            ("docker.io", "library/nginx", None, None)
        );
        let r = p("nginx:1.27");
        assert_eq!(r.tag, Some("1.27"));
        let r = p("registry:5000/team/app");
        assert_eq!(
            (&*r.registry, &*r.repository, r.tag),
            ("registry:5000", "team/app", None)
        );
        let r = p("localhost/app:dev");
        assert_eq!((&*r.registry, r.tag), ("localhost", Some("dev")));
        let r = p("ghcr.io/acme/app:v1@sha256:abcd");
        assert_eq!(
            (&*r.registry, &*r.repository, r.tag, r.digest),
            ("ghcr.io", "acme/app", Some("v1"), Some("sha256:abcd"))
        );
        let r = p("acme/app@sha256:abcd");
        assert_eq!(
            (&*r.registry, &*r.repository, r.tag, r.digest),
            ("docker.io", "acme/app", None, Some("sha256:abcd"))
        );
        let r = p("index.docker.io/library/redis:7");
        assert_eq!(
            (&*r.registry, &*r.repository),
            ("docker.io", "library/redis")
        );
        assert!(ImageRef::parse("").is_none());
        assert!(ImageRef::parse("  ").is_none());
        assert!(ImageRef::parse("ghcr.io/").is_none());
        assert_eq!(p("app:").tag, None);
    }

    #[test]
    fn matches_patterns() {
        let r = p("ghcr.io/acme/app:v1");
        assert!(r.matches("ghcr.io"));
        assert!(r.matches("ghcr.io/acme"));
        assert!(r.matches("ghcr.io/acme/"));
        assert!(!r.matches("ghcr.io/acm"));
        assert!(!r.matches("docker.io"));
        assert!(p("nginx").matches("docker.io"));
        assert!(p("nginx").matches("docker.io/library"));
        assert!(p("123.dkr.ecr.eu-west-1.amazonaws.com/app").matches("*.amazonaws.com"));
        assert!(!p("amazonaws.com/app").matches("*.amazonaws.com"));
        assert!(!p("evilamazonaws.com/app").matches("*.amazonaws.com"));
    }
}
