//! What every evaluator (built-in checks, PSS, policies, image scanner) reports.

use crate::node::{Pos, Str};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
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
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "info" => Ok(Severity::Info),
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            _ => Err(format!(
                "unknown severity `{s}`; expected one of critical, high, medium, low, info"
            )),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Security,
    Reliability,
    Efficiency,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Security => "security",
            Category::Reliability => "reliability",
            Category::Efficiency => "efficiency",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem an evaluator found in one object. The engine turns it into a `Finding` by adding
/// the check's metadata, the object, the owner, exemptions and a fingerprint.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// What is wrong, specific to this object ("container `app` runs as root").
    pub message: String,
    /// The offending line, or for a missing field the object or parent where it belongs.
    pub pos: Pos,
    /// The field path as a JSON pointer (`/spec/template/spec/containers/0/securityContext`);
    /// used for fingerprints that survive reformatting, SARIF and fixes.
    pub path: String,
    /// The container concerned, where one is.
    pub container: Option<Str>,
}

impl Diagnostic {
    pub fn new(message: impl Into<String>, pos: Pos) -> Self {
        Diagnostic {
            message: message.into(),
            pos,
            path: String::new(),
            container: None,
        }
    }
    pub fn at_path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }
    pub fn in_container(mut self, name: &str) -> Self {
        self.container = Some(name.into());
        self
    }
}
