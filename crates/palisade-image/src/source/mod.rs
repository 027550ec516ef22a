//! Image sources: registries, OCI layouts (directories and archives), docker-save archives and
//! unpacked root filesystems. Each resolves a reference to a config and a list of layer blobs
//! that are streamed later, one at a time.

pub mod archive;
pub mod docker;
pub mod oci;
pub mod registry;

use crate::error::{Error, Result};
use serde::Deserialize;
use sha2::{Digest as _, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::str::FromStr;

pub const MT_OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const MT_OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const MT_DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const MT_DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// Manifests and configs are small; anything larger is refused.
pub const MAX_JSON: u64 = 8 << 20;

/// `os/arch[/variant]`, as in `--platform linux/arm64/v8`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

impl Default for Platform {
    fn default() -> Self {
        Platform {
            os: "linux".into(),
            architecture: "amd64".into(),
            variant: None,
        }
    }
}

impl FromStr for Platform {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let parts: Vec<&str> = s.split('/').collect();
        match parts.as_slice() {
            [os, arch] if !os.is_empty() && !arch.is_empty() => Ok(Platform {
                os: os.to_string(),
                architecture: arch.to_string(),
                variant: None,
            }),
            [os, arch, v] if !os.is_empty() && !arch.is_empty() && !v.is_empty() => Ok(Platform {
                os: os.to_string(),
                architecture: arch.to_string(),
                variant: Some(v.to_string()),
            }),
            _ => Err(Error::format(
                format!("platform `{s}`"),
                "expected OS/ARCH[/VARIANT], for example linux/amd64 or linux/arm64/v8",
            )),
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        self.variant.as_ref().map_or(Ok(()), |v| write!(f, "/{v}"))
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct DescPlatform {
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub variant: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    #[serde(default)]
    pub media_type: String,
    pub digest: String,
    #[serde(default)]
    pub size: u64,
    #[serde(default)]
    pub platform: Option<DescPlatform>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

/// An image index / manifest list, or an image manifest: both parse into this.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestDoc {
    #[serde(default)]
    pub media_type: Option<String>,
    #[serde(default)]
    pub manifests: Option<Vec<Descriptor>>,
    #[serde(default)]
    pub config: Option<Descriptor>,
    #[serde(default)]
    pub layers: Option<Vec<Descriptor>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ContainerConfig {
    #[serde(rename = "User", default)]
    pub user: Option<String>,
    #[serde(rename = "Env", default)]
    pub env: Option<Vec<String>>,
    #[serde(rename = "Cmd", default)]
    pub cmd: Option<Vec<String>>,
    #[serde(rename = "Entrypoint", default)]
    pub entrypoint: Option<Vec<String>>,
    #[serde(rename = "WorkingDir", default)]
    pub working_dir: Option<String>,
    #[serde(rename = "Labels", default)]
    pub labels: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct History {
    #[serde(default)]
    pub created_by: Option<String>,
    #[serde(default)]
    pub empty_layer: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RootFs {
    #[serde(default)]
    pub diff_ids: Vec<String>,
}

/// The image configuration (OCI and Docker share these fields).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ImageConfig {
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub variant: Option<String>,
    #[serde(default)]
    pub config: Option<ContainerConfig>,
    #[serde(default)]
    pub rootfs: RootFs,
    #[serde(default)]
    pub history: Vec<History>,
}

impl ImageConfig {
    pub fn parse(bytes: &[u8], what: &str) -> Result<Self> {
        serde_json::from_slice(bytes)
            .map_err(|e| Error::format(what, format!("invalid image config: {e}")))
    }

    pub fn env(&self) -> &[String] {
        self.config
            .as_ref()
            .and_then(|c| c.env.as_deref())
            .unwrap_or(&[])
    }

    pub fn user(&self) -> Option<&str> {
        self.config
            .as_ref()
            .and_then(|c| c.user.as_deref())
            .filter(|u| !u.is_empty())
    }

    /// `created_by` of each non-empty layer, in layer order.
    pub fn layer_history(&self) -> Vec<Option<String>> {
        self.history
            .iter()
            .filter(|h| !h.empty_layer)
            .map(|h| h.created_by.clone())
            .collect()
    }
}

/// One layer to stream.
#[derive(Debug, Clone)]
pub struct Layer {
    /// Digest of the blob as stored (compressed), or the diff ID for uncompressed archives.
    pub digest: String,
    pub media_type: String,
    pub size: Option<u64>,
    /// Where the blob lives inside the source (archive member, file path); for messages.
    pub location: String,
}

/// Opens layer blobs of a resolved image.
pub trait Blobs: Send + Sync {
    fn open(&self, layer: &Layer) -> Result<Box<dyn Read + Send + '_>>;
}

/// An image reference resolved to its config and layers.
pub struct Resolved {
    pub name: String,
    pub manifest_digest: Option<String>,
    pub config_digest: Option<String>,
    pub config: ImageConfig,
    pub layers: Vec<Layer>,
    pub blobs: Box<dyn Blobs>,
}

/// The `sha256:<hex>` digest of bytes.
pub fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(bytes)))
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Checks `bytes` against a `sha256:` digest (other algorithms are not verified).
pub fn verify_bytes(digest: &str, bytes: &[u8]) -> Result<()> {
    if digest.starts_with("sha256:") {
        let computed = sha256_digest(bytes);
        if computed != digest {
            return Err(Error::Digest {
                digest: digest.to_string(),
                computed,
            });
        }
    }
    Ok(())
}

/// Hashes what flows through it and fails at end of stream if the digest does not match.
pub struct VerifyingReader<R> {
    inner: R,
    hasher: Option<Sha256>,
    expected: String,
}

impl<R: Read> VerifyingReader<R> {
    pub fn new(inner: R, expected: &str) -> Self {
        VerifyingReader {
            inner,
            hasher: expected.starts_with("sha256:").then(Sha256::new),
            expected: expected.to_string(),
        }
    }
}

impl<R: Read> Read for VerifyingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(h) = &mut self.hasher {
            if n == 0 && !buf.is_empty() {
                let computed = format!("sha256:{}", hex(&h.clone().finalize()));
                self.hasher = None;
                if computed != self.expected {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        Error::Digest {
                            digest: self.expected.clone(),
                            computed,
                        },
                    ));
                }
            } else {
                h.update(&buf[..n]);
            }
        }
        Ok(n)
    }
}

pub fn parse_manifest(bytes: &[u8], what: &str) -> Result<ManifestDoc> {
    serde_json::from_slice(bytes)
        .map_err(|e| Error::format(what, format!("invalid manifest or index: {e}")))
}

impl ManifestDoc {
    pub fn is_index(&self) -> bool {
        self.manifests.is_some()
            && self.config.is_none()
            && !matches!(
                self.media_type.as_deref(),
                Some(MT_OCI_MANIFEST | MT_DOCKER_MANIFEST)
            )
    }
}

/// Picks the manifest for `platform` from an index (exact variant match preferred).
pub fn pick_platform<'a>(
    manifests: &'a [Descriptor],
    platform: &Platform,
    what: &str,
) -> Result<&'a Descriptor> {
    let candidates: Vec<&Descriptor> = manifests
        .iter()
        .filter(|d| {
            d.platform
                .as_ref()
                .is_some_and(|p| p.os == platform.os && p.architecture == platform.architecture)
        })
        .collect();
    let exact = candidates.iter().find(|d| {
        d.platform.as_ref().and_then(|p| p.variant.as_deref()) == platform.variant.as_deref()
    });
    if let Some(d) = exact.or(candidates.first()) {
        return Ok(d);
    }
    // Single-manifest indexes without platform information (OCI layouts) are unambiguous.
    let plain: Vec<&Descriptor> = manifests.iter().filter(|d| d.platform.is_none()).collect();
    if let [only] = plain.as_slice() {
        return Ok(only);
    }
    let available: Vec<String> = manifests
        .iter()
        .filter_map(|d| d.platform.as_ref())
        .map(|p| match &p.variant {
            Some(v) => format!("{}/{}/{v}", p.os, p.architecture),
            None => format!("{}/{}", p.os, p.architecture),
        })
        .collect();
    Err(Error::format(
        what,
        format!(
            "no manifest for platform {platform}; available: {} (choose one with --platform)",
            if available.is_empty() {
                "none".to_string()
            } else {
                available.join(", ")
            }
        ),
    ))
}

/// Follows indexes down to an image manifest, then reads its config. `fetch` returns a blob's
/// bytes (already verified against its digest).
pub fn resolve_manifest(
    fetch: &dyn Fn(&Descriptor) -> Result<Vec<u8>>,
    mut doc: ManifestDoc,
    mut digest: Option<String>,
    platform: &Platform,
    what: &str,
) -> Result<(ManifestDoc, Option<String>, Vec<u8>, String)> {
    for _ in 0..4 {
        if doc.is_index() {
            let list = doc.manifests.clone().unwrap_or_default();
            let d = pick_platform(&list, platform, what)?;
            let bytes = fetch(d)?;
            doc = parse_manifest(&bytes, &format!("{what} manifest {}", d.digest))?;
            digest = Some(d.digest.clone());
            continue;
        }
        let Some(cfg) = doc.config.clone() else {
            return Err(Error::format(
                what,
                "manifest has no config (is this a schema 1 manifest? those are not supported)",
            ));
        };
        let bytes = fetch(&cfg)?;
        return Ok((doc, digest, bytes, cfg.digest));
    }
    Err(Error::format(what, "indexes nested more than 4 deep"))
}

/// Builds the layer list of an image manifest.
pub fn manifest_layers(doc: &ManifestDoc, location: impl Fn(&Descriptor) -> String) -> Vec<Layer> {
    doc.layers
        .as_deref()
        .unwrap_or(&[])
        .iter()
        .map(|d| Layer {
            digest: d.digest.clone(),
            media_type: d.media_type.clone(),
            size: Some(d.size),
            location: location(d),
        })
        .collect()
}

/// Reads at most `limit` bytes; more is an error naming `what`.
pub fn read_limited(mut r: impl Read, limit: u64, what: &str) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    (&mut r)
        .take(limit + 1)
        .read_to_end(&mut buf)
        .map_err(|e| Error::format(what, e.to_string()))?;
    if buf.len() as u64 > limit {
        return Err(Error::Limit {
            what: what.to_string(),
            reason: format!("larger than {limit} bytes"),
        });
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_parse() {
        let p: Platform = "linux/arm64/v8".parse().unwrap();
        assert_eq!(p.variant.as_deref(), Some("v8"));
        assert_eq!(p.to_string(), "linux/arm64/v8");
        assert!("linux".parse::<Platform>().is_err());
        assert_eq!(Platform::default().to_string(), "linux/amd64");
    }

    #[test]
    fn picks_platform_from_index() {
        let idx: ManifestDoc = serde_json::from_str(
            r#"{"manifests":[
              {"digest":"sha256:a","platform":{"os":"linux","architecture":"arm64","variant":"v8"}},
              {"digest":"sha256:b","platform":{"os":"linux","architecture":"amd64"}}]}"#,
        )
        .unwrap();
        assert!(idx.is_index());
        let list = idx.manifests.unwrap();
        assert_eq!(
            pick_platform(&list, &Platform::default(), "x")
                .unwrap()
                .digest,
            "sha256:b"
        );
        let arm: Platform = "linux/arm64/v8".parse().unwrap();
        assert_eq!(pick_platform(&list, &arm, "x").unwrap().digest, "sha256:a");
        let err = pick_platform(&list, &"linux/s390x".parse().unwrap(), "x")
            .unwrap_err()
            .to_string();
        assert!(err.contains("linux/arm64/v8, linux/amd64"), "{err}");
    }

    #[test]
    fn verifying_reader_detects_tampering() {
        let good = sha256_digest(b"hello");
        let mut out = Vec::new();
        VerifyingReader::new(&b"hello"[..], &good)
            .read_to_end(&mut out)
            .unwrap();
        let mut out = Vec::new();
        assert!(
            VerifyingReader::new(&b"hellO"[..], &good)
                .read_to_end(&mut out)
                .is_err()
        );
    }
}
