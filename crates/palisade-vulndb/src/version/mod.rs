//! Version orders of the ecosystems Palisade matches: each parses a version once into a
//! comparable value, so ranges can be parsed once and cached.

pub mod apk;
pub mod maven;

use std::cmp::Ordering;
use std::str::FromStr;

/// A version order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    Dpkg,
    Apk,
    Rpm,
    Pep440,
    /// npm and crates.io: SemVer 2.0 precedence (build metadata ignored).
    Semver,
    /// Go modules: SemVer with a leading `v`, pseudo-versions, `+incompatible`, and the
    /// toolchain's `go1.21rc2` style for the standard library.
    Go,
    Maven,
    /// Unknown ecosystems: numeric-aware comparison of dot-separated parts.
    Generic,
}

impl Scheme {
    /// The order used by an OSV ecosystem (`Debian:12`, `PyPI`, `Rocky Linux:9`, ...).
    pub fn for_osv(ecosystem: &str) -> Scheme {
        let base = ecosystem.split(':').next().unwrap_or(ecosystem);
        match base {
            "Debian" | "Ubuntu" => Scheme::Dpkg,
            "Alpine" | "Wolfi" | "Chainguard" | "Alpaquita" | "BellSoft Hardened Containers" => {
                Scheme::Apk
            }
            "Red Hat" | "Rocky Linux" | "AlmaLinux" | "SUSE" | "openSUSE" | "Mariner"
            | "Azure Linux" | "openEuler" | "Photon OS" | "Amazon Linux" | "Oracle Linux" => {
                Scheme::Rpm
            }
            "PyPI" => Scheme::Pep440,
            "npm" | "crates.io" => Scheme::Semver,
            "Go" => Scheme::Go,
            "Maven" => Scheme::Maven,
            _ => Scheme::Generic,
        }
    }

    /// Parses a version; `None` when it is not valid in this order.
    pub fn parse(self, s: &str) -> Option<Version> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        Some(match self {
            Scheme::Dpkg => Version::Dpkg(debversion::Version::from_str(s).ok()?),
            Scheme::Apk => {
                if !apk::valid(s) {
                    return None;
                }
                Version::Apk(s.to_string())
            }
            Scheme::Rpm => {
                let (e, v, r) = rpm_version::Evr::parse_values(s);
                if v.is_empty() || !e.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                Version::Rpm(e.to_string(), v.to_string(), r.to_string())
            }
            Scheme::Pep440 => Version::Pep440(pep440_rs::Version::from_str(s).ok()?),
            Scheme::Semver => {
                let t = s
                    .strip_prefix('v')
                    .or_else(|| s.strip_prefix('='))
                    .unwrap_or(s);
                Version::Semver(semver::Version::parse(t).ok()?)
            }
            Scheme::Go => Version::Semver(go_semver(s)?),
            Scheme::Maven => Version::Maven(maven::MavenVersion::parse(s)),
            Scheme::Generic => Version::Generic(s.to_string()),
        })
    }

    /// Compares two version strings; `None` when either does not parse.
    pub fn compare(self, a: &str, b: &str) -> Option<Ordering> {
        self.parse(a)?.compare(&self.parse(b)?)
    }
}

/// A parsed version of some [`Scheme`].
#[derive(Debug, Clone)]
pub enum Version {
    Dpkg(debversion::Version),
    Apk(String),
    /// epoch, version, release
    Rpm(String, String, String),
    Pep440(pep440_rs::Version),
    Semver(semver::Version),
    Maven(maven::MavenVersion),
    Generic(String),
}

impl Version {
    /// Compares two versions of the same scheme; `None` across schemes.
    pub fn compare(&self, other: &Version) -> Option<Ordering> {
        Some(match (self, other) {
            (Version::Dpkg(a), Version::Dpkg(b)) => a.cmp(b),
            (Version::Apk(a), Version::Apk(b)) => apk::compare(a, b),
            (Version::Rpm(ae, av, ar), Version::Rpm(be, bv, br)) => {
                let a = rpm_version::Evr::new(ae.as_str(), av.as_str(), ar.as_str());
                let b = rpm_version::Evr::new(be.as_str(), bv.as_str(), br.as_str());
                a.cmp(&b)
            }
            (Version::Pep440(a), Version::Pep440(b)) => a.cmp(b),
            (Version::Semver(a), Version::Semver(b)) => a.cmp_precedence(b),
            (Version::Maven(a), Version::Maven(b)) => a.cmp(b),
            (Version::Generic(a), Version::Generic(b)) => generic_compare(a, b),
            _ => return None,
        })
    }
}

/// Go module and toolchain versions as SemVer: `v1.2.3`, `v0.0.0-2021...-abcdef` (a pre-release),
/// `v2.0.0+incompatible` (build metadata, ignored in precedence), `go1.21rc2`, `1.21`.
fn go_semver(s: &str) -> Option<semver::Version> {
    let t = s
        .strip_prefix("go")
        .or_else(|| s.strip_prefix('v'))
        .unwrap_or(s);
    if let Ok(v) = semver::Version::parse(t) {
        return Some(v);
    }
    // Toolchain style: 1.21, 1.21.3, 1.21rc2, 1.21beta1 (pre-release of x.y.0).
    let split = t.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(t.len());
    let (nums, pre) = t.split_at(split);
    let mut parts = nums.split('.');
    let major: u64 = parts.next()?.parse().ok()?;
    let minor: u64 = parts.next().unwrap_or("0").parse().ok()?;
    let patch: u64 = parts.next().unwrap_or("0").parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    let mut v = semver::Version::new(major, minor, patch);
    if !pre.is_empty() {
        let kind = pre.trim_end_matches(|c: char| c.is_ascii_digit());
        let n = &pre[kind.len()..];
        let p = if n.is_empty() {
            kind.to_string()
        } else {
            format!("{kind}.{n}")
        };
        v.pre = semver::Prerelease::new(&p).ok()?;
    }
    Some(v)
}

/// Dot/dash-separated parts, numeric ones compared as numbers, others lexically.
fn generic_compare(a: &str, b: &str) -> Ordering {
    let split =
        |s: &str| -> Vec<String> { s.split(['.', '-', '_', '+']).map(str::to_string).collect() };
    let (pa, pb) = (split(a), split(b));
    for i in 0..pa.len().max(pb.len()) {
        let x = pa.get(i).map(String::as_str).unwrap_or("0");
        let y = pb.get(i).map(String::as_str).unwrap_or("0");
        let o = match (x.parse::<u128>(), y.parse::<u128>()) {
            (Ok(m), Ok(n)) => m.cmp(&n),
            _ => x.cmp(y),
        };
        if o.is_ne() {
            return o;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    fn check(scheme: Scheme, cases: &[(&str, &str, Ordering)]) {
        for (a, b, want) in cases {
            assert_eq!(scheme.compare(a, b), Some(*want), "{scheme:?}: {a} vs {b}");
            assert_eq!(
                scheme.compare(b, a),
                Some(want.reverse()),
                "{scheme:?}: {b} vs {a}"
            );
        }
    }

    #[test]
    fn dpkg() {
        check(
            Scheme::Dpkg,
            &[
                ("1.0-1", "1.0-2", Less),
                ("1:1.0-1", "2.0-1", Greater), // epoch wins
                ("0:1.0-1", "1.0-1", Equal),
                ("1.0~rc1-1", "1.0-1", Less), // tilde sorts before everything
                ("1.0~~a", "1.0~", Less),
                ("1.0-1+b1", "1.0-1", Greater), // binNMU
                ("1.0-1+b1", "1.0-2", Less),
                ("3.0.11-1~deb12u2", "3.0.11-1", Less), // stable security update
                ("3.0.11-1~deb12u2", "3.0.11-1~deb12u1", Greater),
                ("2.36.1-8+deb12u1", "2.36.1-8", Greater),
                ("1.2.3", "1.2.3-0", Equal),
                ("1.10", "1.9", Greater),
                ("1.0a", "1.0+", Less), // letters sort before non-letters
                ("7.88.1-10+deb12u5", "7.88.1-10+deb12u12", Less),
            ],
        );
        assert!(Scheme::Dpkg.parse("not a version!").is_none());
    }

    #[test]
    fn rpm() {
        check(
            Scheme::Rpm,
            &[
                ("1:3.0.7-24.el9", "3.0.7-25.el9", Greater),
                ("3.0.7-24.el9", "3.0.7-25.el9", Less),
                ("3.0.7-25.el9_3", "3.0.7-25.el9", Greater),
                ("1.0~rc1-1", "1.0-1", Less),
                ("1.0^20230101-1", "1.0-1", Greater),
                ("1.0^git1-1", "1.0.1-1", Less),
                ("1.0a-1", "1.0-1", Greater),
                ("1.10-1", "1.9-1", Greater),
                ("0:1.0-1", "1.0-1", Equal),
                ("2.fc38", "2.fc38", Equal),
            ],
        );
    }

    #[test]
    fn pep440() {
        check(
            Scheme::Pep440,
            &[
                ("2.19.1", "2.20.0", Less),
                ("1.0", "1.0.0", Equal),
                ("1.0a1", "1.0", Less),
                ("1.0rc1", "1.0", Less),
                ("1.0.post1", "1.0", Greater),
                ("1.0.dev1", "1.0a1", Less),
                ("1!0.1", "2.0", Greater), // epoch
                ("1.0+local", "1.0", Greater),
                ("5.4b1", "5.4", Less),
            ],
        );
    }

    #[test]
    fn semver_npm_cargo() {
        check(
            Scheme::Semver,
            &[
                ("1.6.0", "1.6.1", Less),
                ("1.0.0-alpha", "1.0.0", Less),
                ("1.0.0-alpha.1", "1.0.0-alpha.beta", Less),
                ("1.0.0-rc.1", "1.0.0-rc.11", Less),
                ("1.0.0+build", "1.0.0", Equal),
                ("v4.17.15", "4.17.21", Less),
            ],
        );
        assert!(Scheme::Semver.parse("1.2").is_none());
    }

    #[test]
    fn go() {
        check(
            Scheme::Go,
            &[
                ("v0.0.0-20210101000000-abcdef123456", "v0.0.1", Less),
                (
                    "v0.0.0-20210101000000-abcdef123456",
                    "v0.0.0-20220101000000-abcdef123456",
                    Less,
                ),
                ("v1.2.4-0.20210101000000-abcdef123456", "v1.2.3", Greater), // pseudo after v1.2.3
                ("v2.0.0+incompatible", "v2.0.0", Equal),
                ("v2.1.0+incompatible", "v2.0.0", Greater),
                ("go1.21rc2", "1.21.0", Less),
                ("go1.21.3", "1.21.4", Less),
                ("1.18.0-0", "go1.18", Less),
                ("go1.21", "1.21.0", Equal),
            ],
        );
    }

    #[test]
    fn generic() {
        assert_eq!(generic_compare("1.10", "1.9"), Greater);
        assert_eq!(generic_compare("1.0", "1"), Equal);
        assert_eq!(generic_compare("1.0b", "1.0a"), Greater);
    }

    #[test]
    fn schemes_of_ecosystems() {
        assert_eq!(Scheme::for_osv("Debian:12"), Scheme::Dpkg);
        assert_eq!(Scheme::for_osv("Alpine:v3.20"), Scheme::Apk);
        assert_eq!(Scheme::for_osv("Rocky Linux:9"), Scheme::Rpm);
        assert_eq!(
            Scheme::for_osv("Red Hat:enterprise_linux:9::appstream"),
            Scheme::Rpm
        );
        assert_eq!(Scheme::for_osv("crates.io"), Scheme::Semver);
        assert_eq!(Scheme::for_osv("Packagist"), Scheme::Generic);
        assert!(
            Scheme::Dpkg
                .parse("1.0")
                .unwrap()
                .compare(&Scheme::Apk.parse("1.0").unwrap())
                .is_none()
        );
    }
}
