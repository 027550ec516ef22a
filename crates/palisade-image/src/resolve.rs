//! Where the images named in workloads are read from: an explicit source per reference, OCI
//! layouts that mirror registries (offline), else the registry itself unless offline.

use crate::error::{Error, Result};
use crate::reference::{ImageRef, RegistryRef};
use crate::source::oci;
use std::path::{Path, PathBuf};

/// An OCI layout used as a mirror: its index entries by reference name and digest.
#[derive(Debug, Clone)]
struct Mirror {
    path: PathBuf,
    /// (reference name, manifest or index digest).
    entries: Vec<(Option<String>, String)>,
}

/// Maps image references, as written in workloads, to the source they are read from.
#[derive(Debug, Clone, Default)]
pub struct Resolver {
    /// `(reference, source)`: the reference (compared after Docker's normalisation, so `nginx`
    /// and `docker.io/library/nginx` are one) is read from the source (`oci:DIR:TAG`,
    /// `docker-archive:FILE`, `dir:ROOTFS` or another registry reference).
    sources: Vec<(RegistryRef, ImageRef)>,
    mirrors: Vec<Mirror>,
    /// Never contact a registry: references found in no source or mirror are errors.
    pub offline: bool,
}

impl Resolver {
    pub fn new(offline: bool) -> Self {
        Resolver {
            offline,
            ..Default::default()
        }
    }

    /// Adds `REF=SOURCE`, e.g. `registry.example.com/team/api:1.4=oci:./layout:api`.
    pub fn add_source(&mut self, spec: &str) -> Result<()> {
        let bad = |reason: &str| Error::Reference {
            reference: spec.to_string(),
            reason: reason.to_string(),
        };
        let (reference, source) = spec
            .split_once('=')
            .filter(|(r, s)| !r.is_empty() && !s.is_empty())
            .ok_or_else(|| bad("write it as REF=SOURCE, e.g. nginx:1.27=oci:./layout:nginx"))?;
        let reference = RegistryRef::parse(reference)?;
        let source = ImageRef::parse(source)?;
        self.sources.push((reference, source));
        Ok(())
    }

    /// Adds an OCI layout (directory or archive) whose images are found by their reference
    /// name (`org.opencontainers.image.ref.name`): the full reference, or just the tag as
    /// `skopeo copy docker://REF oci:DIR:TAG` writes it. A reference pinned by digest only
    /// matches an entry with that digest.
    pub fn add_mirror(&mut self, path: &Path) -> Result<()> {
        let entries = oci::index_entries(path)?
            .iter()
            .map(|d| (oci::ref_name(d).map(String::from), d.digest.clone()))
            .collect();
        self.mirrors.push(Mirror {
            path: path.to_path_buf(),
            entries,
        });
        Ok(())
    }

    /// Where to read `image` (a workload's `image:` field) from.
    pub fn resolve(&self, image: &str) -> Result<ImageRef> {
        let wanted = RegistryRef::parse(image)?;
        if let Some((_, s)) = self.sources.iter().find(|(r, _)| same_image(r, &wanted)) {
            return Ok(s.clone());
        }
        for m in &self.mirrors {
            if let Some(digest) = m.find(image, &wanted) {
                return Ok(ImageRef::OciLayout {
                    path: m.path.clone(),
                    tag: Some(digest.to_string()),
                });
            }
        }
        if self.offline {
            return Err(Error::NotFound(format!(
                "{image} (offline: no --image-source names it and no --image-mirror holds it)"
            )));
        }
        Ok(ImageRef::Registry(wanted))
    }
}

/// Equal after normalisation; a mapping without tag or digest stands for every tag.
fn same_image(mapping: &RegistryRef, wanted: &RegistryRef) -> bool {
    mapping.registry == wanted.registry
        && mapping.repository == wanted.repository
        && match (&mapping.tag, &mapping.digest) {
            (None, None) => true,
            _ => mapping.tag == wanted.tag && mapping.digest == wanted.digest,
        }
}

impl Mirror {
    fn find(&self, written: &str, wanted: &RegistryRef) -> Option<&str> {
        if let Some(d) = &wanted.digest {
            return self
                .entries
                .iter()
                .find(|(_, digest)| digest == d)
                .map(|(_, digest)| digest.as_str());
        }
        let full = self.entries.iter().find(|(name, _)| {
            name.as_deref()
                .is_some_and(|n| n == written || RegistryRef::parse(n).is_ok_and(|r| r == *wanted))
        });
        // A tag-only name (no `/` or `:`) stands for the repository the mirror was made for.
        let tag = wanted.tag.as_deref().unwrap_or("latest");
        let by_tag = || {
            self.entries
                .iter()
                .find(|(name, _)| name.as_deref().is_some_and(|n| n == tag))
        };
        full.or_else(by_tag).map(|(_, digest)| digest.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mirror(entries: &[(&str, &str)]) -> Resolver {
        let mut r = Resolver::new(true);
        r.mirrors.push(Mirror {
            path: "/m".into(),
            entries: entries
                .iter()
                .map(|(n, d)| (Some(n.to_string()), d.to_string()))
                .collect(),
        });
        r
    }

    fn tag_of(r: ImageRef) -> Option<String> {
        match r {
            ImageRef::OciLayout { tag, .. } => tag,
            other => panic!("not a layout: {other}"),
        }
    }

    #[test]
    fn mirrors_match_full_names_then_tags() {
        let d = format!("sha256:{}", "b".repeat(64));
        let r = mirror(&[
            ("docker.io/library/nginx:1.27", "sha256:n"),
            ("bookworm-app", "sha256:a"),
            ("latest", "sha256:l"),
            ("pinned", &d),
        ]);
        assert_eq!(
            tag_of(r.resolve("nginx:1.27").unwrap()).unwrap(),
            "sha256:n"
        );
        assert_eq!(
            tag_of(
                r.resolve("registry.example.com/team/app:bookworm-app")
                    .unwrap()
            )
            .unwrap(),
            "sha256:a"
        );
        assert_eq!(tag_of(r.resolve("busybox").unwrap()).unwrap(), "sha256:l");
        assert_eq!(
            tag_of(r.resolve(&format!("x/y:other@{d}")).unwrap()).unwrap(),
            d
        );
        // Pinned to a digest the mirror does not hold: not found, even if the tag exists.
        let other = format!("sha256:{}", "c".repeat(64));
        let e = r.resolve(&format!("x/y:bookworm-app@{other}")).unwrap_err();
        assert!(e.to_string().contains("offline"), "{e}");
        assert!(r.resolve("nginx:1.26").is_err());
        assert!(r.resolve("Not A Ref").is_err());
    }

    #[test]
    fn explicit_sources_win_and_normalise() {
        let mut r = mirror(&[("1.0", "sha256:m")]);
        r.add_source("nginx:1.0=oci:/elsewhere:web").unwrap();
        r.add_source("registry.example.com/team/api=docker-archive:/api.tar")
            .unwrap();
        assert_eq!(
            r.resolve("docker.io/library/nginx:1.0").unwrap(),
            ImageRef::OciLayout {
                path: "/elsewhere".into(),
                tag: Some("web".into())
            }
        );
        assert!(matches!(
            r.resolve("registry.example.com/team/api:9").unwrap(),
            ImageRef::DockerArchive { .. }
        ));
        assert!(r.add_source("nginx").is_err());
        assert!(r.add_source("=oci:/x").is_err());
        let online = Resolver::new(false);
        assert!(matches!(
            online.resolve("nginx").unwrap(),
            ImageRef::Registry(_)
        ));
    }
}
