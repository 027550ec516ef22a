//! Image references: where an image comes from (`oci:`, `docker-archive:`, `dir:` or a registry).

use crate::error::{Error, Result};
use std::fmt;
use std::path::PathBuf;

/// Docker Hub's name in references and its API host.
pub const DOCKER_HUB: &str = "docker.io";
const DOCKER_HUB_API: &str = "registry-1.docker.io";

/// A registry reference `[registry/]repository[:tag][@digest]`, normalised as Docker does.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RegistryRef {
    /// Registry host as written (`docker.io` when omitted).
    pub registry: String,
    /// Repository path (`library/nginx` for `nginx`).
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl RegistryRef {
    pub fn parse(s: &str) -> Result<Self> {
        let bad = |reason: &str| Error::Reference {
            reference: s.to_string(),
            reason: reason.to_string(),
        };
        if s.is_empty() || s.chars().any(|c| c.is_whitespace()) {
            return Err(bad("empty or contains whitespace"));
        }
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => {
                let valid = d.split_once(':').is_some_and(|(alg, hex)| {
                    !alg.is_empty() && hex.len() >= 32 && hex.bytes().all(|b| b.is_ascii_hexdigit())
                });
                if !valid {
                    return Err(bad("digest must look like sha256:<64 hex digits>"));
                }
                (r, Some(d.to_string()))
            }
            None => (s, None),
        };
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (
                &rest[..last_slash + i],
                Some(rest[last_slash + i + 1..].to_string()),
            ),
            None => (rest, None),
        };
        if let Some(t) = &tag
            && (t.is_empty()
                || t.len() > 128
                || !t
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')))
        {
            return Err(bad(
                "tag may contain only letters, digits, `_`, `.` and `-` (at most 128)",
            ));
        }
        let (registry, repository) = match name.split_once('/') {
            Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => {
                (first.to_string(), rest.to_string())
            }
            _ => (DOCKER_HUB.to_string(), name.to_string()),
        };
        if repository.is_empty()
            || !repository.bytes().all(|b| {
                b.is_ascii_lowercase()
                    || b.is_ascii_digit()
                    || matches!(b, b'/' | b'.' | b'_' | b'-')
            })
        {
            return Err(bad(
                "repository must be lowercase letters, digits and `/._-`",
            ));
        }
        let repository = if registry == DOCKER_HUB && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        Ok(RegistryRef {
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// The host the distribution API is served on.
    pub fn api_host(&self) -> &str {
        if self.registry == DOCKER_HUB || self.registry == "index.docker.io" {
            DOCKER_HUB_API
        } else {
            &self.registry
        }
    }

    /// The tag or digest to ask the registry for (a digest wins; `latest` when neither is given).
    pub fn reference(&self) -> &str {
        self.digest
            .as_deref()
            .or(self.tag.as_deref())
            .unwrap_or("latest")
    }
}

impl fmt::Display for RegistryRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

/// Where an image is read from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ImageRef {
    Registry(RegistryRef),
    /// `oci:DIR[:tag]` — an OCI layout directory, or a tar archive of one.
    OciLayout {
        path: PathBuf,
        tag: Option<String>,
    },
    /// `docker-archive:FILE[:repo:tag]` — a `docker save` tarball.
    DockerArchive {
        path: PathBuf,
        tag: Option<String>,
    },
    /// `dir:ROOTFS` — an unpacked root filesystem.
    Dir(PathBuf),
}

impl ImageRef {
    pub fn parse(s: &str) -> Result<Self> {
        if let Some(rest) = s
            .strip_prefix("oci:")
            .or_else(|| s.strip_prefix("oci-archive:"))
        {
            let (path, tag) = split_path_tag(rest);
            return Ok(ImageRef::OciLayout { path, tag });
        }
        if let Some(rest) = s.strip_prefix("docker-archive:") {
            let (path, tag) = split_path_tag(rest);
            return Ok(ImageRef::DockerArchive { path, tag });
        }
        if let Some(rest) = s.strip_prefix("dir:") {
            if rest.is_empty() {
                return Err(Error::Reference {
                    reference: s.to_string(),
                    reason: "dir: needs a path to a root filesystem".into(),
                });
            }
            return Ok(ImageRef::Dir(PathBuf::from(rest)));
        }
        let r = s.strip_prefix("docker://").unwrap_or(s);
        RegistryRef::parse(r).map(ImageRef::Registry)
    }
}

/// `PATH[:TAG]`: the tag is what follows the first `:` after which the path part exists on disk,
/// so paths that contain `:` still work; otherwise the last `:` splits.
fn split_path_tag(s: &str) -> (PathBuf, Option<String>) {
    if std::path::Path::new(s).exists() {
        return (PathBuf::from(s), None);
    }
    for (i, _) in s.match_indices(':') {
        if std::path::Path::new(&s[..i]).exists() {
            return (PathBuf::from(&s[..i]), Some(s[i + 1..].to_string()));
        }
    }
    match s.split_once(':') {
        Some((p, t)) => (PathBuf::from(p), Some(t.to_string())),
        None => (PathBuf::from(s), None),
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImageRef::Registry(r) => write!(f, "{r}"),
            ImageRef::OciLayout { path, tag } => {
                write!(f, "oci:{}", path.display())?;
                tag.as_ref().map_or(Ok(()), |t| write!(f, ":{t}"))
            }
            ImageRef::DockerArchive { path, tag } => {
                write!(f, "docker-archive:{}", path.display())?;
                tag.as_ref().map_or(Ok(()), |t| write!(f, ":{t}"))
            }
            ImageRef::Dir(p) => write!(f, "dir:{}", p.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_hub_short_names() {
        let r = RegistryRef::parse("nginx").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str()),
            ("docker.io", "library/nginx")
        );
        assert_eq!(r.reference(), "latest");
        assert_eq!(r.api_host(), "registry-1.docker.io");
    }

    #[test]
    fn registry_with_port_tag_and_digest() {
        let d = format!("sha256:{}", "a".repeat(64));
        let r = RegistryRef::parse(&format!("localhost:5000/team/api:1.4.2@{d}")).unwrap();
        assert_eq!(r.registry, "localhost:5000");
        assert_eq!(r.repository, "team/api");
        assert_eq!(r.tag.as_deref(), Some("1.4.2"));
        assert_eq!(r.reference(), d);
        let r = RegistryRef::parse("registry.example.com/team/api").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.tag.as_deref()),
            ("registry.example.com", None)
        );
    }

    #[test]
    fn rejects_bad_references() {
        for bad in ["", "UPPER/case", "a b", "x@sha256:zz", "repo:bad/tag:"] {
            assert!(RegistryRef::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn source_prefixes() {
        assert_eq!(
            ImageRef::parse("oci:/nonexistent/layout:app").unwrap(),
            ImageRef::OciLayout {
                path: "/nonexistent/layout".into(),
                tag: Some("app".into())
            }
        );
        assert!(matches!(
            ImageRef::parse("dir:/x").unwrap(),
            ImageRef::Dir(_)
        ));
        assert!(matches!(
            ImageRef::parse("docker-archive:/x.tar").unwrap(),
            ImageRef::DockerArchive { tag: None, .. }
        ));
        assert!(matches!(
            ImageRef::parse("docker://alpine:3.20").unwrap(),
            ImageRef::Registry(_)
        ));
    }
}
