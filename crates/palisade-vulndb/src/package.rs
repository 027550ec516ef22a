//! The package type shared with the image inventory (`palisade-image`) and the matcher.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The packaging system a package comes from; it decides the version order and, for OS
/// packages, that matching goes only against the distro's own advisories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Ecosystem {
    /// dpkg packages (Debian, Ubuntu); matched by source package against `Debian:12` etc.
    Dpkg,
    /// apk packages (Alpine, Wolfi); matched by origin against `Alpine:v3.20` etc.
    Apk,
    /// rpm packages (RHEL, Rocky, Alma, SUSE, Mariner); matched against the distro's records.
    Rpm,
    #[serde(rename = "PyPI")]
    PyPI,
    #[serde(rename = "npm")]
    Npm,
    #[serde(rename = "crates.io")]
    CratesIo,
    Go,
    Maven,
}

impl Ecosystem {
    /// True for OS packages, which are matched only against their distro's records.
    pub fn is_os(self) -> bool {
        matches!(self, Ecosystem::Dpkg | Ecosystem::Apk | Ecosystem::Rpm)
    }

    /// The OSV ecosystem name for language ecosystems; `None` for OS packages, whose OSV
    /// ecosystem is the distro release (`Package::distro`).
    pub fn osv_name(self) -> Option<&'static str> {
        Some(match self {
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Npm => "npm",
            Ecosystem::CratesIo => "crates.io",
            Ecosystem::Go => "Go",
            Ecosystem::Maven => "Maven",
            Ecosystem::Dpkg | Ecosystem::Apk | Ecosystem::Rpm => return None,
        })
    }

    /// The package-URL type (https://github.com/package-url/purl-spec).
    pub fn purl_type(self) -> &'static str {
        match self {
            Ecosystem::Dpkg => "deb",
            Ecosystem::Apk => "apk",
            Ecosystem::Rpm => "rpm",
            Ecosystem::PyPI => "pypi",
            Ecosystem::Npm => "npm",
            Ecosystem::CratesIo => "cargo",
            Ecosystem::Go => "golang",
            Ecosystem::Maven => "maven",
        }
    }
}

impl Ecosystem {
    /// The ecosystem and distro release of an OSV ecosystem name: `PyPI` → (PyPI, None),
    /// `Debian:12` → (Dpkg, Some("Debian:12")). `None` for ecosystems Palisade does not match.
    pub fn from_osv(ecosystem: &str) -> Option<(Ecosystem, Option<String>)> {
        use crate::version::Scheme;
        let lang = match ecosystem {
            "PyPI" => Some(Ecosystem::PyPI),
            "npm" => Some(Ecosystem::Npm),
            "crates.io" => Some(Ecosystem::CratesIo),
            "Go" => Some(Ecosystem::Go),
            "Maven" => Some(Ecosystem::Maven),
            _ => None,
        };
        if let Some(e) = lang {
            return Some((e, None));
        }
        let os = match Scheme::for_osv(ecosystem) {
            Scheme::Dpkg => Ecosystem::Dpkg,
            Scheme::Apk => Ecosystem::Apk,
            Scheme::Rpm => Ecosystem::Rpm,
            _ => return None,
        };
        Some((os, Some(ecosystem.to_string())))
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Ecosystem::Dpkg => "dpkg",
            Ecosystem::Apk => "apk",
            Ecosystem::Rpm => "rpm",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Npm => "npm",
            Ecosystem::CratesIo => "crates.io",
            Ecosystem::Go => "Go",
            Ecosystem::Maven => "Maven",
        })
    }
}

/// One installed package, as found by the inventory and as matched against the database.
///
/// Versions are written as the package manager prints them: dpkg and rpm with the epoch as
/// `E:` when it is not zero (`1:3.0.7-24.el9`), apk with its `-rN` revision, Go with its
/// leading `v`, Maven `groupId:artifactId` as the name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Package {
    pub ecosystem: Ecosystem,
    /// Binary package name (OS), distribution name (PyPI), module path (Go),
    /// `groupId:artifactId` (Maven).
    pub name: String,
    pub version: String,
    /// Source package (dpkg `Source:`), origin (apk `o:`) or source rpm name; OS advisories
    /// are keyed by it. `None` when it equals `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_name: Option<String>,
    /// Source version when it differs from the binary one (dpkg `Source: foo (1.2-3)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_version: Option<String>,
    /// OSV ecosystem of the distro release for OS packages (`Debian:12`, `Alpine:v3.20`,
    /// `Rocky Linux:9`); see [`distro_ecosystem`]. `None` for language packages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distro: Option<String>,
    /// Package URL; filled by the inventory (see [`Package::default_purl`]).
    #[serde(default)]
    pub purl: String,
    /// Opaque to this crate: digest of the layer that added the package.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer_digest: Option<String>,
    /// Opaque to this crate: the file the package was found in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_path: Option<String>,
}

impl Package {
    /// A package with no source, distro or location; `purl` is filled with the default.
    pub fn new(ecosystem: Ecosystem, name: impl Into<String>, version: impl Into<String>) -> Self {
        let mut p = Package {
            ecosystem,
            name: name.into(),
            version: version.into(),
            source_name: None,
            source_version: None,
            distro: None,
            purl: String::new(),
            layer_digest: None,
            file_path: None,
        };
        p.purl = p.default_purl();
        p
    }

    /// Sets the distro release (OSV ecosystem such as `Debian:12`) and refreshes the purl.
    pub fn with_distro(mut self, distro: impl Into<String>) -> Self {
        self.distro = Some(distro.into());
        self.purl = self.default_purl();
        self
    }

    /// Sets the source (dpkg), origin (apk) or source rpm name and refreshes the purl.
    pub fn with_source(mut self, name: impl Into<String>, version: Option<String>) -> Self {
        let name = name.into();
        self.source_name = (name != self.name).then_some(name);
        self.source_version = version.filter(|v| *v != self.version);
        self.purl = self.default_purl();
        self
    }

    /// The name OS advisories are keyed by: the source/origin name, else the binary name.
    pub fn advisory_name(&self) -> &str {
        self.source_name.as_deref().unwrap_or(&self.name)
    }

    /// The version compared against OS advisories: the source version when known.
    pub fn advisory_version(&self) -> &str {
        self.source_version.as_deref().unwrap_or(&self.version)
    }

    /// A package URL built from the fields (no qualifiers the inventory alone knows, such as arch).
    pub fn default_purl(&self) -> String {
        let ty = self.ecosystem.purl_type();
        let (namespace, name) = match self.ecosystem {
            Ecosystem::Dpkg | Ecosystem::Apk | Ecosystem::Rpm => {
                let ns = self
                    .distro
                    .as_deref()
                    .map(|d| d.split(':').next().unwrap_or(d).to_ascii_lowercase())
                    .map(|d| d.replace(' ', ""));
                (ns, self.name.clone())
            }
            Ecosystem::Maven => match self.name.split_once(':') {
                Some((g, a)) => (Some(g.to_string()), a.to_string()),
                None => (None, self.name.clone()),
            },
            Ecosystem::Npm if self.name.starts_with('@') => match self.name.split_once('/') {
                Some((scope, n)) => (Some(scope.to_string()), n.to_string()),
                None => (None, self.name.clone()),
            },
            Ecosystem::Go => match self.name.rsplit_once('/') {
                Some((ns, n)) => (Some(ns.to_string()), n.to_string()),
                None => (None, self.name.clone()),
            },
            Ecosystem::PyPI => (None, self.name.to_ascii_lowercase().replace('_', "-")),
            _ => (None, self.name.clone()),
        };
        let mut out = format!("pkg:{ty}/");
        if let Some(ns) = namespace {
            for seg in ns.split('/') {
                out.push_str(&purl_escape(seg));
                out.push('/');
            }
        }
        out.push_str(&purl_escape(&name));
        out.push('@');
        out.push_str(&purl_escape(&self.version));
        let mut quals = Vec::new();
        if let Some(d) = &self.distro
            && self.ecosystem.is_os()
        {
            quals.push(format!(
                "distro={}",
                purl_escape(&d.to_ascii_lowercase().replace(' ', "-"))
            ));
        }
        if let Some(src) = &self.source_name
            && self.ecosystem == Ecosystem::Dpkg
        {
            quals.push(format!("upstream={}", purl_escape(src)));
        }
        if !quals.is_empty() {
            out.push('?');
            out.push_str(&quals.join("&"));
        }
        out
    }
}

fn purl_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~') {
            out.push(b as char);
        } else if b == b':' {
            // Allowed unescaped in purl versions (epochs) and names.
            out.push(':');
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The OSV ecosystem of a distro release from `/etc/os-release` (`ID`, `VERSION_ID`):
/// `debian`,`12` → `Debian:12`; `alpine`,`3.20.3` → `Alpine:v3.20`; `rocky`,`9.3` →
/// `Rocky Linux:9`. `None` when the distro has no OSV ecosystem we know of.
pub fn distro_ecosystem(os_id: &str, version_id: &str) -> Option<String> {
    let major = version_id.split('.').next().unwrap_or(version_id);
    let major_minor = {
        let mut it = version_id.split('.');
        match (it.next(), it.next()) {
            (Some(a), Some(b)) => format!("{a}.{b}"),
            _ => version_id.to_string(),
        }
    };
    let v = |s: &str| !s.is_empty();
    Some(match os_id {
        "debian" if v(major) => format!("Debian:{major}"),
        "ubuntu" if v(version_id) => {
            // Ubuntu LTS releases are even years' April releases; OSV tags them `:LTS`.
            let lts = version_id.ends_with(".04")
                && version_id[..2].parse::<u32>().is_ok_and(|y| y % 2 == 0);
            if lts {
                format!("Ubuntu:{version_id}:LTS")
            } else {
                format!("Ubuntu:{version_id}")
            }
        }
        "alpine" if v(major) => format!("Alpine:v{major_minor}"),
        "rocky" if v(major) => format!("Rocky Linux:{major}"),
        "almalinux" if v(major) => format!("AlmaLinux:{major}"),
        "rhel" if v(major) => format!("Red Hat:enterprise_linux:{major}"),
        "mariner" if v(version_id) => format!("Mariner:{version_id}"),
        "azurelinux" if v(version_id) => format!("Azure Linux:{version_id}"),
        "opensuse-leap" if v(version_id) => format!("openSUSE:Leap {version_id}"),
        "wolfi" => "Wolfi".to_string(),
        "chainguard" => "Chainguard".to_string(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distro_ecosystems() {
        assert_eq!(
            distro_ecosystem("debian", "12").as_deref(),
            Some("Debian:12")
        );
        assert_eq!(
            distro_ecosystem("alpine", "3.20.0").as_deref(),
            Some("Alpine:v3.20")
        );
        assert_eq!(
            distro_ecosystem("rocky", "9.3").as_deref(),
            Some("Rocky Linux:9")
        );
        assert_eq!(
            distro_ecosystem("ubuntu", "22.04").as_deref(),
            Some("Ubuntu:22.04:LTS")
        );
        assert_eq!(
            distro_ecosystem("ubuntu", "23.10").as_deref(),
            Some("Ubuntu:23.10")
        );
        assert_eq!(distro_ecosystem("gentoo", "2.17"), None);
        assert_eq!(distro_ecosystem("debian", ""), None);
    }

    #[test]
    fn from_osv_names() {
        assert_eq!(
            Ecosystem::from_osv("crates.io"),
            Some((Ecosystem::CratesIo, None))
        );
        assert_eq!(
            Ecosystem::from_osv("Alpine:v3.20"),
            Some((Ecosystem::Apk, Some("Alpine:v3.20".into())))
        );
        assert_eq!(Ecosystem::from_osv("Packagist"), None);
    }

    #[test]
    fn purls() {
        let p = Package::new(Ecosystem::PyPI, "PyYAML", "5.3.1");
        assert_eq!(p.purl, "pkg:pypi/pyyaml@5.3.1");
        let p = Package::new(Ecosystem::Npm, "@babel/core", "7.0.0");
        assert_eq!(p.purl, "pkg:npm/%40babel/core@7.0.0");
        let p = Package::new(Ecosystem::Go, "golang.org/x/net", "v0.1.0");
        assert_eq!(p.purl, "pkg:golang/golang.org/x/net@v0.1.0");
        let p = Package::new(
            Ecosystem::Maven,
            "org.apache.logging.log4j:log4j-core",
            "2.14.1",
        );
        assert_eq!(
            p.purl,
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
        );
        let p = Package::new(Ecosystem::Dpkg, "libssl3", "3.0.11-1~deb12u2")
            .with_distro("Debian:12")
            .with_source("openssl", None);
        assert_eq!(
            p.purl,
            "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?distro=debian:12&upstream=openssl"
        );
        assert_eq!(p.advisory_name(), "openssl");
        assert_eq!(p.advisory_version(), "3.0.11-1~deb12u2");
    }

    #[test]
    fn source_equal_to_binary_is_dropped() {
        let p = Package::new(Ecosystem::Apk, "musl", "1.2.5-r0")
            .with_source("musl", Some("1.2.5-r0".into()));
        assert_eq!(p.source_name, None);
        assert_eq!(p.source_version, None);
        assert_eq!(p.advisory_name(), "musl");
    }
}
