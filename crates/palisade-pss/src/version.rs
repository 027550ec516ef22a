//! Levels and versions of the Pod Security Standards, parsed as `k8s.io/pod-security-admission/api` does.

use std::fmt;
use std::str::FromStr;

/// The newest Kubernetes minor version this build knows. Newer versions are evaluated as `latest`
/// (as the admission controller does for versions newer than itself) with a note saying so.
pub const NEWEST_KNOWN_MINOR: u32 = 37;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Privileged,
    Baseline,
    Restricted,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Privileged => "privileged",
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = String;
    /// Exact, lower-case names only, as the namespace labels require.
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "privileged" => Ok(Level::Privileged),
            "baseline" => Ok(Level::Baseline),
            "restricted" => Ok(Level::Restricted),
            _ => Err(format!(
                "invalid level `{s}`: must be one of privileged, baseline, restricted"
            )),
        }
    }
}

/// `latest` or `v1.<minor>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Version {
    Latest,
    V1(u32),
}

impl Version {
    /// The minor version whose rules apply; `latest` and versions newer than this build are the
    /// newest known.
    pub fn effective_minor(self) -> u32 {
        match self {
            Version::Latest => NEWEST_KNOWN_MINOR,
            Version::V1(m) => m.min(NEWEST_KNOWN_MINOR),
        }
    }
    /// True for `v1.x` newer than this build knows: evaluated as `latest`.
    pub fn is_future(self) -> bool {
        matches!(self, Version::V1(m) if m > NEWEST_KNOWN_MINOR)
    }
    /// A note for users when the version is evaluated as another one.
    pub fn note(self) -> Option<String> {
        self.is_future().then(|| {
            format!(
                "version {self} is newer than v1.{NEWEST_KNOWN_MINOR}, the newest this build knows; \
                 evaluated as latest, as the admission controller does"
            )
        })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::Latest => f.write_str("latest"),
            Version::V1(m) => write!(f, "v1.{m}"),
        }
    }
}

impl FromStr for Version {
    type Err = String;
    /// `latest` or `v1.<minor>` without leading zeros, as `api.ParseVersion` (`^v1\.(0|[1-9][0-9]*)$`).
    fn from_str(s: &str) -> Result<Self, String> {
        if s == "latest" {
            return Ok(Version::Latest);
        }
        let bad = || format!("invalid version `{s}`: must be \"latest\" or \"v1.x\" (e.g. v1.30)");
        let minor = s.strip_prefix("v1.").ok_or_else(bad)?;
        let digits_ok = !minor.is_empty()
            && minor.bytes().all(|b| b.is_ascii_digit())
            && (minor == "0" || !minor.starts_with('0'));
        if !digits_ok {
            return Err(bad());
        }
        minor.parse::<u32>().map(Version::V1).map_err(|_| bad())
    }
}

/// A level at a version, written `restricted:v1.30` (the form the admission controller prints).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LevelVersion {
    pub level: Level,
    pub version: Version,
}

impl LevelVersion {
    pub const fn new(level: Level, version: Version) -> Self {
        LevelVersion { level, version }
    }
}

impl fmt::Display for LevelVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.level, self.version)
    }
}

impl FromStr for LevelVersion {
    type Err = String;
    /// `LEVEL` (meaning `LEVEL:latest`) or `LEVEL:VERSION`.
    fn from_str(s: &str) -> Result<Self, String> {
        let (l, v) = match s.split_once(':') {
            Some((l, v)) => (l, v.parse()?),
            None => (s, Version::Latest),
        };
        Ok(LevelVersion::new(l.parse()?, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_versions_like_the_api() {
        assert_eq!("latest".parse(), Ok(Version::Latest));
        assert_eq!("v1.0".parse(), Ok(Version::V1(0)));
        assert_eq!("v1.30".parse(), Ok(Version::V1(30)));
        for bad in [
            "banana", "v2.0", "v1.030", "v1.", "1.30", "v1.3x", "", "v1.-1", "Latest",
        ] {
            let e = bad.parse::<Version>().unwrap_err();
            assert!(e.contains("must be \"latest\" or \"v1.x\""), "{bad}: {e}");
        }
        let future: Version = "v1.99".parse().unwrap();
        assert!(future.is_future());
        assert_eq!(future.effective_minor(), NEWEST_KNOWN_MINOR);
        assert!(future.note().unwrap().contains("evaluated as latest"));
        assert!(Version::V1(30).note().is_none());
    }

    #[test]
    fn parses_level_versions() {
        let lv: LevelVersion = "restricted:v1.30".parse().unwrap();
        assert_eq!(lv, LevelVersion::new(Level::Restricted, Version::V1(30)));
        assert_eq!(lv.to_string(), "restricted:v1.30");
        assert_eq!(
            "baseline".parse::<LevelVersion>().unwrap().to_string(),
            "baseline:latest"
        );
        assert!("Restricted".parse::<LevelVersion>().is_err());
        assert!("restricted:banana".parse::<LevelVersion>().is_err());
    }
}
