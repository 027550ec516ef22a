//! Known vulnerabilities of the inventory, matched by `palisade-vulndb` (OSV semantics, each
//! ecosystem's version order, OS packages only against their distro's records).

use crate::error::{Error, Result};
use palisade_vulndb::{Ecosystem, Package, Severity, VulnDb};
use serde::{Deserialize, Serialize};

/// One vulnerability affecting one installed package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VulnFinding {
    /// Preferred identifier (the ecosystem's own database first, then GHSA, then CVE).
    pub id: String,
    /// Other identifiers of the same vulnerability.
    pub aliases: Vec<String>,
    pub summary: String,
    /// `None` when no advisory rates it (shown and serialised as `unknown`).
    #[serde(with = "palisade_vulndb::serde_rating")]
    pub severity: Option<Severity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvss_score: Option<f64>,
    /// Versions that fix it; empty when there is no fix yet.
    pub fixed_versions: Vec<String>,
    pub package: String,
    pub version: String,
    pub ecosystem: Ecosystem,
    pub purl: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer_digest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_path: Option<String>,
}

impl VulnFinding {
    pub fn has_fix(&self) -> bool {
        !self.fixed_versions.is_empty()
    }
}

/// Matches packages against an open database.
pub fn match_packages(db: &VulnDb, packages: &[Package]) -> Result<Vec<VulnFinding>> {
    let matches = db
        .match_packages(packages)
        .map_err(|e| Error::Database(e.to_string()))?;
    let mut out: Vec<VulnFinding> = matches
        .into_iter()
        .filter_map(|m| {
            let p = packages.get(m.package)?;
            Some(VulnFinding {
                id: m.id,
                aliases: m.aliases,
                summary: m.summary,
                severity: m.severity,
                cvss_score: m.score,
                fixed_versions: m.fixed,
                package: p.name.clone(),
                version: p.version.clone(),
                ecosystem: p.ecosystem,
                purl: p.purl.clone(),
                layer_digest: p.layer_digest.clone(),
                file_path: p.file_path.clone(),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.package.cmp(&b.package))
            .then_with(|| a.id.cmp(&b.id))
    });
    Ok(out)
}
