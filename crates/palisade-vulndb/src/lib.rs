//! Palisade's offline vulnerability database: OSV records imported into SQLite, each
//! ecosystem's version order, and matching of installed packages against the records.

pub mod cvss;
pub mod package;
pub mod version;

pub use package::{Ecosystem, Package, distro_ecosystem};

/// Severities are the workspace's (`palisade_model::Severity`); a vulnerability whose advisory
/// gives no score or rating has `None` ("unknown"). A CVSS base score of 0.0 rates `Info`.
pub use palisade_model::Severity;

/// Reads the ratings advisories write (`MODERATE`, `IMPORTANT`, `negligible`, CVSS `NONE`);
/// `None` for no rating (`unknown`, empty, or a word we do not know).
pub fn parse_rating(s: &str) -> Option<Severity> {
    Some(match s.trim().to_ascii_lowercase().as_str() {
        "none" | "info" => Severity::Info,
        "low" | "negligible" => Severity::Low,
        "medium" | "moderate" => Severity::Medium,
        "high" | "important" => Severity::High,
        "critical" => Severity::Critical,
        _ => return None,
    })
}

/// The name of a rating, `unknown` for none.
pub fn rating_str(s: Option<Severity>) -> &'static str {
    s.map_or("unknown", Severity::as_str)
}

/// Serde for an optional rating as a string (`"unknown"` for none), for reports and storage.
pub mod serde_rating {
    use super::{Severity, parse_rating, rating_str};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<Severity>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(rating_str(*v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Severity>, D::Error> {
        Ok(parse_rating(&String::deserialize(d)?))
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
