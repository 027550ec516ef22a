//! The OS and its package databases: `/etc/os-release`, dpkg (`status`, `status.d/`), apk
//! (`installed`) and rpm (BerkeleyDB, NDB and SQLite, read by the `rpmdb` crate).

use super::add_qualifier;
use palisade_vulndb::{Ecosystem, Package};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OsRelease {
    pub id: String,
    pub version_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub version_codename: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub pretty_name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id_like: String,
}

/// Removes shell quoting from an os-release value.
fn unquote(v: &str) -> String {
    let v = v.trim();
    let inner = if v.len() >= 2
        && ((v.starts_with('"') && v.ends_with('"')) || (v.starts_with('\'') && v.ends_with('\'')))
    {
        &v[1..v.len() - 1]
    } else {
        v
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.extend(chars.next());
        } else {
            out.push(c);
        }
    }
    out
}

impl OsRelease {
    pub fn parse(text: &str) -> OsRelease {
        let mut o = OsRelease::default();
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with('#') {
                continue;
            }
            let Some((k, v)) = line.split_once('=') else {
                continue;
            };
            let v = unquote(v);
            match k.trim() {
                "ID" => o.id = v,
                "VERSION_ID" => o.version_id = v,
                "VERSION_CODENAME" => o.version_codename = v,
                "PRETTY_NAME" => o.pretty_name = v,
                "ID_LIKE" => o.id_like = v,
                _ => {}
            }
        }
        o
    }

    pub fn display(&self) -> String {
        if self.pretty_name.is_empty() {
            format!("{} {}", self.id, self.version_id)
        } else {
            self.pretty_name.clone()
        }
    }
}

/// RFC 822-style stanzas (dpkg): `Key: value` with continuation lines starting with a space.
pub fn stanzas(text: &str) -> Vec<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut cur: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(last) = cur.last_mut() {
                last.1.push('\n');
                last.1.push_str(line.trim());
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            cur.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn field<'a>(st: &'a [(String, String)], key: &str) -> Option<&'a str> {
    st.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_str())
}

fn os_package(eco: Ecosystem, name: &str, version: &str, distro: Option<&str>) -> Package {
    let p = Package::new(eco, name, version);
    match distro {
        Some(d) => p.with_distro(d),
        None => p,
    }
}

/// dpkg `status` (only packages whose status is `installed`) or a distroless `status.d` file.
pub fn dpkg(bytes: &[u8], distro: Option<&str>) -> Vec<Package> {
    let text = String::from_utf8_lossy(bytes);
    let mut out = Vec::new();
    for st in stanzas(&text) {
        let (Some(name), Some(version)) = (field(&st, "Package"), field(&st, "Version")) else {
            continue;
        };
        if let Some(status) = field(&st, "Status")
            && status.split_whitespace().nth(2) != Some("installed")
        {
            continue;
        }
        let mut p = os_package(Ecosystem::Dpkg, name, version, distro);
        if let Some(src) = field(&st, "Source") {
            let (sname, sver) = match src.split_once(' ') {
                Some((n, v)) => (
                    n,
                    Some(
                        v.trim()
                            .trim_start_matches('(')
                            .trim_end_matches(')')
                            .to_string(),
                    ),
                ),
                None => (src, None),
            };
            p = p.with_source(sname, sver);
        }
        if let Some(arch) = field(&st, "Architecture") {
            p.purl = add_qualifier(&p.purl, "arch", arch);
        }
        out.push(p);
    }
    out
}

/// apk `lib/apk/db/installed`: `P:` name, `V:` version, `o:` origin, `A:` arch.
pub fn apk(bytes: &[u8], distro: Option<&str>) -> Vec<Package> {
    let text = String::from_utf8_lossy(bytes);
    let mut out = Vec::new();
    for block in text.split("\n\n") {
        let get = |k: &str| {
            block
                .lines()
                .find_map(|l| l.strip_prefix(k).and_then(|r| r.strip_prefix(':')))
                .map(str::trim)
        };
        let (Some(name), Some(version)) = (get("P"), get("V")) else {
            continue;
        };
        let mut p = os_package(Ecosystem::Apk, name, version, distro);
        if let Some(origin) = get("o") {
            p = p.with_source(origin, None);
        }
        if let Some(arch) = get("A") {
            p.purl = add_qualifier(&p.purl, "arch", arch);
        }
        out.push(p);
    }
    out
}

/// The name of a source rpm: `openssl-3.0.7-24.el9.src.rpm` → `openssl`.
pub fn source_rpm_name(srpm: &str) -> Option<&str> {
    let base = srpm
        .strip_suffix(".src.rpm")
        .or_else(|| srpm.strip_suffix(".nosrc.rpm"))?;
    let mut parts = base.rsplitn(3, '-');
    let _release = parts.next()?;
    let _version = parts.next()?;
    parts.next()
}

/// An rpm database (any of the three formats). The `rpmdb` crate reads files, so the database
/// is written to a private temporary directory under its usual name first.
pub fn rpm(bytes: &[u8], base: &str, distro: Option<&str>) -> Result<Vec<Package>, String> {
    let dir =
        tempfile::tempdir().map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let path = dir.path().join(base);
    std::fs::write(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let pkgs =
        rpmdb::read_packages(path).map_err(|e| format!("cannot read the rpm database: {e}"))?;
    let mut out = Vec::new();
    for r in pkgs {
        if r.name == "gpg-pubkey" || r.name.is_empty() {
            continue;
        }
        let version = if r.epoch > 0 {
            format!("{}:{}-{}", r.epoch, r.version, r.release)
        } else {
            format!("{}-{}", r.version, r.release)
        };
        let mut p = os_package(Ecosystem::Rpm, &r.name, &version, distro);
        if let Some(src) = source_rpm_name(&r.source_rpm) {
            p = p.with_source(src, None);
        }
        if !r.arch.is_empty() {
            p.purl = add_qualifier(&p.purl, "arch", &r.arch);
        }
        if r.epoch > 0 {
            p.purl = add_qualifier(&p.purl, "epoch", &r.epoch.to_string());
        }
        out.push(p);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHARED: &str = "../../../shared/images";

    #[test]
    fn os_release_quotes() {
        let o = OsRelease::parse(
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n# c\n",
        );
        assert_eq!((o.id.as_str(), o.version_id.as_str()), ("debian", "12"));
        assert_eq!(o.display(), "Debian GNU/Linux 12 (bookworm)");
    }

    #[test]
    fn dpkg_status_of_bookworm() {
        let status = std::fs::read(format!("{SHARED}/dpkg/bookworm-minbase.status")).unwrap();
        let pk = dpkg(&status, Some("Debian:12"));
        assert_eq!(pk.len(), 88);
        let libc = pk.iter().find(|p| p.name == "libc6").expect("libc6");
        assert_eq!(libc.source_name.as_deref(), Some("glibc"));
        assert!(
            libc.purl.starts_with("pkg:deb/debian/libc6@"),
            "{}",
            libc.purl
        );
        assert!(libc.purl.contains("arch=amd64"), "{}", libc.purl);
        let diff = pk
            .iter()
            .find(|p| p.name == "diffutils")
            .expect("diffutils");
        assert_eq!(diff.version, "1:3.8-4");
        // An epoch survives in the version.
        assert!(
            pk.iter().any(|p| p.version.contains(':')),
            "no epoch versions"
        );
    }

    #[test]
    fn dpkg_skips_removed_and_parses_source_version() {
        let s = b"Package: a\nStatus: deinstall ok config-files\nVersion: 1\n\nPackage: libfoo1\nStatus: install ok installed\nSource: foo (2.0-1)\nVersion: 2.0-1+b1\nArchitecture: arm64\n";
        let pk = dpkg(s, None);
        assert_eq!(pk.len(), 1);
        assert_eq!(pk[0].source_name.as_deref(), Some("foo"));
        assert_eq!(pk[0].source_version.as_deref(), Some("2.0-1"));
    }

    #[test]
    fn apk_installed_of_alpine() {
        let db = std::fs::read(format!(
            "{SHARED}/rootfs/alpine320-apk-fixture/lib/apk/db/installed"
        ))
        .unwrap();
        let pk = apk(&db, Some("Alpine:v3.20"));
        assert_eq!(pk.len(), 14);
        let ssl = pk.iter().find(|p| p.name == "libssl3").expect("libssl3");
        assert_eq!(ssl.source_name.as_deref(), Some("openssl"));
        assert!(ssl.version.contains("-r"), "{}", ssl.version);
    }

    #[test]
    fn rpm_sqlite_ndb_bdb() {
        let read = |p: &str, base: &str| {
            rpm(&std::fs::read(format!("{SHARED}/{p}")).unwrap(), base, None).unwrap()
        };
        let rocky = read(
            "rootfs/rocky9-rpm-fixture/var/lib/rpm/rpmdb.sqlite",
            "rpmdb.sqlite",
        );
        assert_eq!(rocky.len(), 5);
        let ssl = rocky
            .iter()
            .find(|p| p.name == "openssl-libs")
            .expect("openssl-libs");
        assert_eq!(ssl.version, "1:3.0.7-24.el9");
        assert_eq!(ssl.source_name.as_deref(), Some("openssl"));
        assert_eq!(
            read("rpmdb/cbl-mariner-2.0/rpmdb.sqlite", "rpmdb.sqlite").len(),
            129
        );
        assert!(!read("rpmdb/sle15-bci/Packages.db", "Packages.db").is_empty());
        assert!(!read("rpmdb/libuuid/Packages", "Packages").is_empty());
    }

    #[test]
    fn srpm_names() {
        assert_eq!(
            source_rpm_name("openssl-3.0.7-24.el9.src.rpm"),
            Some("openssl")
        );
        assert_eq!(
            source_rpm_name("python3-pip-21.3.1-1.el9.src.rpm"),
            Some("python3-pip")
        );
        assert_eq!(source_rpm_name("garbage"), None);
    }
}
