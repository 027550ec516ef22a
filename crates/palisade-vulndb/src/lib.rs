//! Palisade's offline vulnerability database: OSV records imported into SQLite, each
//! ecosystem's version order, and matching of installed packages against the records.

pub mod cvss;
pub mod package;
pub mod version;

pub use package::{Ecosystem, Package, distro_ecosystem};

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Severity of a vulnerability: the CVSS rating of its base score, or the advisory's own rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// No score and no rating in the advisory.
    Unknown,
    None,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Unknown => "unknown",
            Severity::None => "none",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    /// Accepts the CVSS ratings and the words advisories use (`MODERATE`, `IMPORTANT`).
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "unknown" | "" => Severity::Unknown,
            "none" => Severity::None,
            "low" | "negligible" => Severity::Low,
            "medium" | "moderate" => Severity::Medium,
            "high" | "important" => Severity::High,
            "critical" => Severity::Critical,
            other => {
                return Err(format!(
                    "unknown severity `{other}`: use low, medium, high or critical"
                ));
            }
        })
    }
}

pub mod db;
pub mod matcher;
pub mod osv;
pub mod severity;
pub mod update;

pub use db::{DbError, ImportProblem, ImportReport, Status, VulnDb, default_path};
pub use matcher::Match;

#[cfg(test)]
mod tests {
    #[test]
    fn database_handle_can_be_shared_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<crate::VulnDb>();
        assert_send_sync::<crate::Match>();
    }
}
