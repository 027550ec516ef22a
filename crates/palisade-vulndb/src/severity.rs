//! Severity of a record: CVSS vectors scored by [`crate::cvss`], else the advisory's own rating.

use crate::osv::SeverityEntry;
use crate::{Severity, cvss, parse_rating};

/// The assessed severity of an advisory.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// `None` when the advisory gives no score or rating.
    pub severity: Option<Severity>,
    pub score: Option<f64>,
    pub vector: Option<String>,
}

impl Assessment {
    pub const UNKNOWN: Assessment = Assessment {
        severity: None,
        score: None,
        vector: None,
    };
}

/// Prefers a CVSS v4.0 vector, then v3.x, then a textual rating (`severity[].type` `Ubuntu`,
/// or `database_specific.severity` as GitHub advisories write it).
pub fn assess(
    entries: &[SeverityEntry],
    database_specific: Option<&serde_json::Value>,
) -> Assessment {
    let mut best: Option<(u8, cvss::Cvss)> = None;
    for e in entries {
        let rank = match e.kind.as_str() {
            "CVSS_V4" => 2,
            "CVSS_V3" => 1,
            _ => continue,
        };
        if let Ok(c) = cvss::score(&e.score)
            && best.as_ref().is_none_or(|(r, _)| rank > *r)
        {
            best = Some((rank, c));
        }
    }
    if let Some((_, c)) = best {
        return Assessment {
            severity: Some(cvss::rating(c.base_score)),
            score: Some(c.base_score),
            vector: Some(c.vector),
        };
    }
    for e in entries {
        if let Some(s) = parse_rating(&e.score) {
            return Assessment {
                severity: Some(s),
                score: None,
                vector: None,
            };
        }
    }
    let word = database_specific
        .and_then(|d| d.get("severity"))
        .and_then(|s| s.as_str());
    if let Some(s) = word.and_then(parse_rating) {
        return Assessment {
            severity: Some(s),
            score: None,
            vector: None,
        };
    }
    // RustSec keeps its vector in database_specific.cvss.
    let vector = database_specific
        .and_then(|d| d.get("cvss"))
        .and_then(|s| s.as_str());
    if let Some(Ok(c)) = vector.map(cvss::score) {
        return Assessment {
            severity: Some(cvss::rating(c.base_score)),
            score: Some(c.base_score),
            vector: Some(c.vector),
        };
    }
    Assessment::UNKNOWN
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: &str, score: &str) -> SeverityEntry {
        SeverityEntry {
            kind: kind.into(),
            score: score.into(),
        }
    }

    #[test]
    fn prefers_v4_then_v3_then_words() {
        let v3 = entry("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
        let v4 = entry(
            "CVSS_V4",
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        );
        let a = assess(&[v3.clone(), v4], None);
        assert_eq!(a.score, Some(9.3));
        assert_eq!(a.severity, Some(Severity::Critical));
        assert_eq!(assess(&[v3], None).score, Some(9.8));
        let ds = serde_json::json!({"severity": "MODERATE"});
        assert_eq!(assess(&[], Some(&ds)).severity, Some(Severity::Medium));
        assert_eq!(
            assess(&[entry("Ubuntu", "high")], None).severity,
            Some(Severity::High)
        );
        assert_eq!(
            assess(&[entry("CVSS_V3", "garbage")], None),
            Assessment::UNKNOWN
        );
    }
}
