//! Container image scanning for Palisade: sources (registries, OCI layouts, docker-save archives,
//! root filesystems), package inventory with layer attribution, SBOMs (CycloneDX 1.5, SPDX 2.3),
//! secrets in every layer, image configuration findings and known vulnerabilities (through
//! `palisade-vulndb`).
//!
//! ```no_run
//! let opts = palisade_image::ScanOptions::default();
//! let report = palisade_image::scan_image("oci:./layout:app", &opts)?;
//! println!("{} packages", report.packages.len());
//! # Ok::<(), palisade_image::Error>(())
//! ```

pub mod config;
pub mod error;
pub mod evaluator;
pub mod fs;
pub mod inventory;
pub mod layers;
pub mod reference;
pub mod report;
pub mod resolve;
pub mod sbom;
pub mod secrets;
pub mod source;
pub mod vulns;

pub use config::ConfigFinding;
pub use error::{Error, Result};
pub use evaluator::{WorkloadImages, WorkloadImagesOptions};
pub use inventory::{Inventory, OsRelease};
pub use layers::Limits;
pub use palisade_vulndb::{Ecosystem, Package, default_path as default_db_path};
pub use reference::{ImageRef, RegistryRef};
pub use resolve::Resolver;
pub use secrets::{Rules, SecretFinding};
pub use source::Platform;
pub use source::registry::RegistryOptions;
pub use vulns::VulnFinding;

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

/// What to scan for and how.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Platform picked from multi-arch indexes (default linux/amd64).
    pub platform: Platform,
    pub limits: Limits,
    pub registry: RegistryOptions,
    /// Search layers and the config for secrets.
    pub secrets: bool,
    /// A gitleaks-format rule file replacing the bundled rules.
    pub secret_rules: Option<PathBuf>,
    /// Vulnerability database (SQLite, from `palisade db import`); `None` skips matching.
    pub db: Option<PathBuf>,
    /// Allowed registries (`host` or `host/path`); empty means any.
    pub allowed_registries: Vec<String>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            platform: Platform::default(),
            limits: Limits::default(),
            registry: RegistryOptions::default(),
            secrets: true,
            secret_rules: None,
            db: None,
            allowed_registries: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LayerInfo {
    pub digest: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

/// Everything known about one image.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImageReport {
    /// The reference as given.
    pub reference: String,
    /// The resolved name (source and tag).
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_digest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_digest: Option<String>,
    /// `os/arch[/variant]` from the image config.
    pub platform: String,
    pub os: Option<OsRelease>,
    pub layers: Vec<LayerInfo>,
    pub packages: Vec<Package>,
    pub vulnerabilities: Vec<VulnFinding>,
    pub secrets: Vec<SecretFinding>,
    pub config_findings: Vec<ConfigFinding>,
    /// Things skipped or not understood (never silently dropped).
    pub warnings: Vec<String>,
}

impl ImageReport {
    /// The digest results are cached under: manifest, else config digest.
    pub fn digest(&self) -> Option<&str> {
        self.manifest_digest
            .as_deref()
            .or(self.config_digest.as_deref())
    }
}

/// The vulnerability database to use: `explicit` if given, else the default one when it exists.
/// `Err` is the warning to show when there is none (vulnerabilities are then not checked).
pub fn choose_db(explicit: Option<PathBuf>) -> std::result::Result<PathBuf, String> {
    if let Some(p) = explicit {
        return Ok(p);
    }
    let p = default_db_path();
    if p.is_file() {
        Ok(p)
    } else {
        Err(format!(
            "no vulnerability database at {}; vulnerabilities are not checked (run `palisade db import PATH...` or pass --db)",
            p.display()
        ))
    }
}

/// Scans images, each digest once.
pub struct Scanner {
    opts: ScanOptions,
    db: Option<palisade_vulndb::VulnDb>,
    rules: Option<Arc<Rules>>,
    custom_rules: bool,
    cache: Mutex<HashMap<String, Arc<ImageReport>>>,
}

impl Scanner {
    pub fn new(opts: ScanOptions) -> Result<Self> {
        let (rules, custom_rules) = match (&opts.secrets, &opts.secret_rules) {
            (false, _) => (None, false),
            (true, Some(p)) => (Some(Arc::new(Rules::from_file(p)?)), true),
            (true, None) => (None, false),
        };
        if opts.secrets && !custom_rules {
            Rules::default_rules()?;
        }
        let db = match &opts.db {
            Some(p) => {
                if !p.is_file() {
                    return Err(Error::Database(format!(
                        "{}: no such database; create it with `palisade db import PATH...`",
                        p.display()
                    )));
                }
                Some(palisade_vulndb::VulnDb::open(p).map_err(|e| Error::Database(e.to_string()))?)
            }
            None => None,
        };
        Ok(Scanner {
            opts,
            db,
            rules,
            custom_rules,
            cache: Mutex::new(HashMap::new()),
        })
    }

    fn rules(&self) -> Option<&Rules> {
        if !self.opts.secrets {
            return None;
        }
        if self.custom_rules {
            return self.rules.as_deref();
        }
        Rules::default_rules().ok()
    }

    /// Scans one image reference (`oci:`, `docker-archive:`, `dir:` or a registry reference).
    pub fn scan(&self, reference: &str) -> Result<Arc<ImageReport>> {
        self.scan_ref(reference, &ImageRef::parse(reference)?)
    }

    /// Scans `r`, reporting it under the name `reference` (e.g. the workload's `image:` when
    /// `r` is the mirror it was found in).
    pub fn scan_ref(&self, reference: &str, r: &ImageRef) -> Result<Arc<ImageReport>> {
        let resolved = match r {
            ImageRef::Registry(rr) => {
                source::registry::open(rr, &self.opts.platform, &self.opts.registry)?
            }
            ImageRef::OciLayout { path, tag } => {
                source::oci::open(path, tag.as_deref(), &self.opts.platform)?
            }
            ImageRef::DockerArchive { path, tag } => {
                source::docker::open(path, tag.as_deref(), &self.opts.platform)?
            }
            ImageRef::Dir(path) => return self.scan_dir(reference, r, path).map(Arc::new),
        };
        let key = resolved
            .manifest_digest
            .clone()
            .or(resolved.config_digest.clone());
        if let Some(k) = &key
            && let Some(hit) = self.cache.lock().ok().and_then(|c| c.get(k).cloned())
        {
            return Ok(hit);
        }
        let report = Arc::new(self.scan_resolved(reference, r, resolved)?);
        if let (Some(k), Ok(mut c)) = (key, self.cache.lock()) {
            c.insert(k, report.clone());
        }
        Ok(report)
    }

    fn scan_resolved(
        &self,
        reference: &str,
        r: &ImageRef,
        resolved: source::Resolved,
    ) -> Result<ImageReport> {
        let rules = self.rules();
        let mut col = layers::Collector::new(&self.opts.limits, rules);
        for (i, layer) in resolved.layers.iter().enumerate() {
            let blob = resolved.blobs.open(layer)?;
            col.layer(i, &layer.digest, blob)?;
        }
        let digests: Vec<String> = resolved.layers.iter().map(|l| l.digest.clone()).collect();
        let history = resolved.config.layer_history();
        let layer_info = resolved
            .layers
            .iter()
            .enumerate()
            .map(|(i, l)| LayerInfo {
                digest: l.digest.clone(),
                created_by: history.get(i).cloned().flatten(),
                size: l.size,
            })
            .collect();
        let c = &resolved.config;
        let platform = match &c.variant {
            Some(v) => format!("{}/{}/{v}", c.os, c.architecture),
            None => format!("{}/{}", c.os, c.architecture),
        };
        let config_findings = config::check(r, c, rules, &self.opts.allowed_registries);
        self.finish(
            reference,
            resolved.name,
            resolved.manifest_digest,
            resolved.config_digest,
            platform,
            layer_info,
            col,
            &digests,
            config_findings,
        )
    }

    fn scan_dir(
        &self,
        reference: &str,
        r: &ImageRef,
        path: &std::path::Path,
    ) -> Result<ImageReport> {
        if !path.is_dir() {
            return Err(Error::NotFound(format!(
                "{} (no such root filesystem directory)",
                path.display()
            )));
        }
        let mut col = layers::Collector::new(&self.opts.limits, self.rules());
        col.dir(path)?;
        let name = r.to_string();
        self.finish(
            reference,
            name,
            None,
            None,
            String::new(),
            Vec::new(),
            col,
            &[],
            Vec::new(),
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn finish(
        &self,
        reference: &str,
        name: String,
        manifest_digest: Option<String>,
        config_digest: Option<String>,
        platform: String,
        layers: Vec<LayerInfo>,
        col: layers::Collector<'_>,
        digests: &[String],
        config_findings: Vec<ConfigFinding>,
    ) -> Result<ImageReport> {
        let layers::Collector {
            fs,
            mut secrets,
            mut warnings,
            ..
        } = col;
        let inv = inventory::catalogue(&fs, digests, &mut warnings);
        // A secret whose file a later layer deleted or replaced still ships in the image.
        for s in &mut secrets {
            let final_layer = fs.get(&s.path).map(|n| n.layer);
            let idx = digests.iter().position(|d| *d == s.layer_digest);
            s.in_final_filesystem =
                digests.is_empty() || (final_layer.is_some() && final_layer == idx);
            s.path = format!("/{}", s.path);
        }
        let vulnerabilities = match &self.db {
            Some(db) => vulns::match_packages(db, &inv.packages)?,
            None => Vec::new(),
        };
        Ok(ImageReport {
            reference: reference.to_string(),
            name,
            manifest_digest,
            config_digest,
            platform,
            os: inv.os,
            layers,
            packages: inv.packages,
            vulnerabilities,
            secrets,
            config_findings,
            warnings,
        })
    }
}

/// Scans one image with a process-wide cache keyed by digest and options, so `palisade scan
/// --images` scans each image once however many workloads use it.
pub fn scan_image(reference: &str, opts: &ScanOptions) -> Result<Arc<ImageReport>> {
    type Cache = Mutex<Vec<(String, Arc<Scanner>)>>;
    static SCANNERS: OnceLock<Cache> = OnceLock::new();
    let key = format!("{:?}", opts);
    let scanners = SCANNERS.get_or_init(|| Mutex::new(Vec::new()));
    let scanner = {
        let mut list = scanners
            .lock()
            .map_err(|_| Error::format("image scanner cache", "poisoned lock"))?;
        match list.iter().find(|(k, _)| *k == key) {
            Some((_, s)) => s.clone(),
            None => {
                let s = Arc::new(Scanner::new(opts.clone())?);
                list.push((key, s.clone()));
                s
            }
        }
    };
    scanner.scan(reference)
}
