//! OCI image layouts: a directory (`oci-layout`, `index.json`, `blobs/<alg>/<hex>`) or a tar
//! archive of one. Also used for the OCI-style `docker save` format.

use super::archive::TarIndex;
use super::{
    Blobs, Descriptor, ImageConfig, Layer, MAX_JSON, Platform, Resolved, VerifyingReader,
    parse_manifest, read_limited, resolve_manifest, verify_bytes,
};
use crate::error::{Error, Result};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Where the layout's files are.
pub enum LayoutStore {
    Dir(PathBuf),
    Archive(TarIndex),
}

impl LayoutStore {
    fn display(&self) -> String {
        match self {
            LayoutStore::Dir(p) => p.display().to_string(),
            LayoutStore::Archive(t) => t.path().display().to_string(),
        }
    }

    fn exists(&self, rel: &str) -> bool {
        match self {
            LayoutStore::Dir(p) => p.join(rel).is_file(),
            LayoutStore::Archive(t) => t.contains(rel),
        }
    }

    fn open(&self, rel: &str) -> Result<Box<dyn Read + Send>> {
        match self {
            LayoutStore::Dir(p) => {
                let path = p.join(rel);
                let f = std::fs::File::open(&path).map_err(|e| match e.kind() {
                    std::io::ErrorKind::NotFound => Error::NotFound(path.display().to_string()),
                    _ => Error::io(&path, e),
                })?;
                Ok(Box::new(std::io::BufReader::with_capacity(256 << 10, f)))
            }
            LayoutStore::Archive(t) => Ok(Box::new(t.open_member(rel)?)),
        }
    }

    fn read(&self, rel: &str, limit: u64) -> Result<Vec<u8>> {
        read_limited(
            self.open(rel)?,
            limit,
            &format!("{}: {rel}", self.display()),
        )
    }
}

/// The blob path of a digest, refusing anything that is not `alg:hex`.
pub fn blob_path(digest: &str) -> Result<String> {
    match digest.split_once(':') {
        Some((alg, hex))
            if !alg.is_empty()
                && alg.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'_' || b == b'.'
                })
                && !hex.is_empty()
                && hex.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            Ok(format!("blobs/{alg}/{hex}"))
        }
        _ => Err(Error::format(
            format!("digest `{digest}`"),
            "malformed digest",
        )),
    }
}

struct LayoutBlobs(LayoutStore);

impl Blobs for LayoutBlobs {
    fn open(&self, layer: &Layer) -> Result<Box<dyn Read + Send + '_>> {
        let r = self.0.open(&blob_path(&layer.digest)?)?;
        Ok(Box::new(VerifyingReader::new(r, &layer.digest)))
    }
}

/// Opens an OCI layout directory or archive and resolves `tag` (or its only image).
pub fn open(path: &Path, tag: Option<&str>, platform: &Platform) -> Result<Resolved> {
    resolve_in_store(open_store(path)?, tag, platform)
}

/// The entries of a layout's `index.json`, with their reference names (used to look images up
/// in a layout that mirrors a registry).
pub fn index_entries(path: &Path) -> Result<Vec<Descriptor>> {
    let store = open_store(path)?;
    let bytes = store.read("index.json", MAX_JSON)?;
    let index = parse_manifest(&bytes, &format!("{}/index.json", store.display()))?;
    Ok(index.manifests.unwrap_or_default())
}

/// The reference name an index entry is known by, if any.
pub fn ref_name(d: &Descriptor) -> Option<&str> {
    d.annotations
        .get("org.opencontainers.image.ref.name")
        .or_else(|| d.annotations.get("io.containerd.image.name"))
        .map(String::as_str)
}

fn open_store(path: &Path) -> Result<LayoutStore> {
    let store = if path.is_dir() {
        LayoutStore::Dir(path.to_path_buf())
    } else if path.is_file() {
        LayoutStore::Archive(TarIndex::open(path)?)
    } else {
        return Err(Error::NotFound(format!(
            "{} (no such OCI layout directory or archive)",
            path.display()
        )));
    };
    if !store.exists("index.json") {
        return Err(Error::format(
            store.display(),
            "not an OCI image layout: index.json is missing",
        ));
    }
    Ok(store)
}

pub fn resolve_in_store(
    store: LayoutStore,
    tag: Option<&str>,
    platform: &Platform,
) -> Result<Resolved> {
    let what = store.display();
    let index_bytes = store.read("index.json", MAX_JSON)?;
    let index = parse_manifest(&index_bytes, &format!("{what}/index.json"))?;
    let list = index.manifests.clone().unwrap_or_default();
    let chosen = select_tag(&list, tag, &what)?;
    let fetch = |d: &Descriptor| -> Result<Vec<u8>> {
        let b = store.read(&blob_path(&d.digest)?, MAX_JSON)?;
        verify_bytes(&d.digest, &b)?;
        Ok(b)
    };
    let top = fetch(chosen)?;
    let doc = parse_manifest(&top, &format!("{what}: {}", chosen.digest))?;
    let (manifest, digest, config_bytes, config_digest) =
        resolve_manifest(&fetch, doc, Some(chosen.digest.clone()), platform, &what)?;
    let config = ImageConfig::parse(&config_bytes, &format!("{what}: config {config_digest}"))?;
    let layers = super::manifest_layers(&manifest, |d| {
        format!("{what}/{}", blob_path(&d.digest).unwrap_or_default())
    });
    let name = match tag {
        Some(t) => format!("oci:{what}:{t}"),
        None => format!("oci:{what}"),
    };
    Ok(Resolved {
        name,
        manifest_digest: digest,
        config_digest: Some(config_digest),
        config,
        layers,
        blobs: Box::new(LayoutBlobs(store)),
    })
}

/// Finds the index entry named `tag` (`org.opencontainers.image.ref.name`, or the tag part of
/// `io.containerd.image.name`); without a tag, the only entry.
fn select_tag<'a>(list: &'a [Descriptor], tag: Option<&str>, what: &str) -> Result<&'a Descriptor> {
    let name_of = |d: &Descriptor| ref_name(d).map(String::from);
    let matches_tag = |d: &Descriptor, t: &str| {
        name_of(d).is_some_and(|n| {
            n == t || n.rsplit_once(':').is_some_and(|(_, tag)| tag == t) && !n.ends_with('/')
        }) || d.digest == t
    };
    match tag {
        Some(t) => list.iter().find(|d| matches_tag(d, t)),
        None if list.len() == 1 => list.first(),
        None => None,
    }
    .ok_or_else(|| {
        let tags: Vec<String> = list.iter().filter_map(name_of).collect();
        Error::format(
            what,
            match tag {
                Some(t) => format!("no image tagged `{t}`; available: {}", tags.join(", ")),
                None => format!(
                    "the layout holds {} images; name one as oci:{what}:TAG (available: {})",
                    list.len(),
                    tags.join(", ")
                ),
            },
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_paths_cannot_traverse() {
        assert_eq!(blob_path("sha256:abc").unwrap(), "blobs/sha256/abc");
        assert!(blob_path("sha256:../../etc/passwd").is_err());
        assert!(blob_path("../x:abc").is_err());
        assert!(blob_path("nocolon").is_err());
    }
}
