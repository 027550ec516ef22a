//! `docker save` archives: `manifest.json` lists each image's config and layer members. The
//! legacy layout stores `<id>/layer.tar` (often symlinks to shared tars); newer Docker writes an
//! OCI layout whose `manifest.json` points into `blobs/sha256/`.

use super::archive::TarIndex;
use super::{
    Blobs, ImageConfig, Layer, MAX_JSON, Platform, Resolved, VerifyingReader, read_limited,
};
use crate::error::{Error, Result};
use serde::Deserialize;
use std::io::Read;
use std::path::Path;

#[derive(Debug, Deserialize)]
struct SaveEntry {
    #[serde(rename = "Config")]
    config: String,
    #[serde(rename = "RepoTags", default)]
    repo_tags: Option<Vec<String>>,
    #[serde(rename = "Layers", default)]
    layers: Vec<String>,
}

struct ArchiveBlobs(TarIndex);

impl Blobs for ArchiveBlobs {
    fn open(&self, layer: &Layer) -> Result<Box<dyn Read + Send + '_>> {
        let r = self.0.open_member(&layer.location)?;
        Ok(Box::new(VerifyingReader::new(
            std::io::BufReader::with_capacity(256 << 10, r),
            &layer.digest,
        )))
    }
}

pub fn open(path: &Path, tag: Option<&str>, platform: &Platform) -> Result<Resolved> {
    if !path.is_file() {
        return Err(Error::NotFound(format!(
            "{} (no such docker-archive file)",
            path.display()
        )));
    }
    let index = TarIndex::open(path)?;
    let what = path.display().to_string();
    if !index.contains("manifest.json") {
        // An OCI layout archived without Docker's manifest.json.
        if index.contains("index.json") {
            return super::oci::resolve_in_store(
                super::oci::LayoutStore::Archive(index),
                tag,
                platform,
            );
        }
        return Err(Error::format(
            &what,
            "not a docker-save archive: manifest.json is missing",
        ));
    }
    let bytes = index.read_member("manifest.json", MAX_JSON)?;
    let entries: Vec<SaveEntry> = serde_json::from_slice(&bytes)
        .map_err(|e| Error::format(format!("{what}: manifest.json"), e.to_string()))?;
    let entry = match tag {
        Some(t) => entries.iter().find(|e| {
            e.repo_tags
                .iter()
                .flatten()
                .any(|rt| rt == t || rt.rsplit_once(':').is_some_and(|(_, tag)| tag == t))
        }),
        None if entries.len() == 1 => entries.first(),
        None => None,
    }
    .ok_or_else(|| {
        let tags: Vec<&str> = entries
            .iter()
            .flat_map(|e| e.repo_tags.iter().flatten())
            .map(String::as_str)
            .collect();
        Error::format(
            &what,
            format!(
                "{}; available: {} (name one as docker-archive:{what}:REPO:TAG)",
                tag.map_or("the archive holds several images".to_string(), |t| format!(
                    "no image tagged `{t}`"
                )),
                tags.join(", ")
            ),
        )
    })?;
    let config_bytes = read_limited(
        index.open_member(&entry.config)?,
        MAX_JSON,
        &format!("{what}: {}", entry.config),
    )?;
    let config_digest = super::sha256_digest(&config_bytes);
    let config = ImageConfig::parse(&config_bytes, &format!("{what}: {}", entry.config))?;
    let mut layers = Vec::new();
    for (i, member) in entry.layers.iter().enumerate() {
        // OCI-style members are named by their digest; legacy layer.tar members are the
        // uncompressed layer, so their digest is the diff ID from the config.
        let digest = match member
            .strip_prefix("blobs/")
            .and_then(|r| r.split_once('/'))
        {
            Some((alg, hex)) => format!("{alg}:{hex}"),
            None => config.rootfs.diff_ids.get(i).cloned().ok_or_else(|| {
                Error::format(
                    &what,
                    format!(
                        "layer {member} has no diff ID in the config (config lists {})",
                        config.rootfs.diff_ids.len()
                    ),
                )
            })?,
        };
        layers.push(Layer {
            digest,
            media_type: String::new(),
            size: None,
            location: member.clone(),
        });
    }
    let name = match entry.repo_tags.as_ref().and_then(|t| t.first()) {
        Some(t) => format!("docker-archive:{what}:{t}"),
        None => format!("docker-archive:{what}"),
    };
    Ok(Resolved {
        name,
        manifest_digest: None,
        config_digest: Some(config_digest),
        config,
        layers,
        blobs: Box::new(ArchiveBlobs(index)),
    })
}
