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

// Spare strings, per thread. A large scan builds a message and a path for each of its hundreds
// of thousands of findings, and the engine copies both out at once (into the text buffer its
// findings share): handing the strings back here and building the next ones in them spares a
// `malloc` and a `free` per string.
thread_local! {
    static SPARE: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// An empty string with room for `len` bytes, a spare one (see `recycle`) when there is one.
pub fn string_with_capacity(len: usize) -> String {
    let spare = SPARE.with(|s| s.try_borrow_mut().ok().and_then(|mut s| s.pop()));
    match spare {
        Some(s) if s.capacity() >= len => s,
        // Too small: `reserve` would `realloc`, which copies the whole old block though the
        // string is empty. A fresh one is cheaper; the spare goes back to the allocator.
        _ => String::with_capacity(len),
    }
}

/// Keeps `s` for `string_with_capacity` on this thread; a few hundred at most, none large.
pub fn recycle(mut s: String) {
    const KEEP: usize = 256;
    const LARGEST: usize = 1024;
    if s.capacity() == 0 || s.capacity() > LARGEST {
        return;
    }
    s.clear();
    SPARE.with(|spare| {
        if let Ok(mut spare) = spare.try_borrow_mut()
            && spare.len() < KEEP
        {
            spare.push(s);
        }
    });
}

impl Diagnostic {
    /// Hands the message and path back for reuse (see `recycle`), once copied out.
    pub fn recycle(self) {
        recycle(self.message);
        recycle(self.path);
    }
}
