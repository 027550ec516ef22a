//! Package inventory of the merged filesystem: the OS, OS packages (dpkg, apk, rpm) and language
//! packages (Python, Node, Rust, Go, Java). Each package carries its purl, the digest of the layer
//! that added it and the file it was found in.

pub mod binary;
pub mod java;
pub mod lang;
pub mod os;

use crate::fs::{Fs, Node, NodeKind};
use palisade_vulndb::{Ecosystem, Package};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::Arc;

pub use os::OsRelease;

/// The inventory of one image.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Inventory {
    pub os: Option<OsRelease>,
    pub packages: Vec<Package>,
}

const RPM_DIRS: [&str; 3] = ["var/lib/rpm", "usr/lib/sysimage/rpm", "usr/share/rpm"];
const RPM_FILES: [&str; 3] = ["Packages", "Packages.db", "rpmdb.sqlite"];

fn split(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

/// Files whose contents the inventory reads after all layers are applied.
pub fn keep_contents(path: &str) -> bool {
    let (dir, base) = split(path);
    match path {
        "etc/os-release"
        | "usr/lib/os-release"
        | "var/lib/dpkg/status"
        | "lib/apk/db/installed"
        | "usr/lib/apk/db/installed" => return true,
        _ => {}
    }
    (dir == "var/lib/dpkg/status.d" && !base.ends_with(".md5sums"))
        || (RPM_DIRS.contains(&dir) && RPM_FILES.contains(&base))
        || (base == "METADATA" && dir.ends_with(".dist-info"))
        || (base == "PKG-INFO" && dir.ends_with(".egg-info"))
        || base.ends_with(".egg-info")
        || (base == "package.json" && dir.contains("node_modules/"))
        || base == "package-lock.json"
        || base == "Cargo.lock"
}

/// Java archives, read while streaming.
pub fn is_java_archive(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [".jar", ".war", ".ear", ".jpi", ".hpi"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// A file's packages, attributed to the earliest layer from which on each package is present
/// unchanged (databases are rewritten by every layer that installs something).
fn attributed(
    node: &Node,
    layers: &[String],
    parse: &mut dyn FnMut(&[u8]) -> Vec<Package>,
) -> Vec<Package> {
    let NodeKind::File {
        data: Some(data), ..
    } = &node.kind
    else {
        return Vec::new();
    };
    let mut versions: Vec<(usize, HashSet<(String, String)>)> = Vec::new();
    for (layer, old) in &node.history {
        let set = parse(old)
            .into_iter()
            .map(|p| (p.name, p.version))
            .collect();
        versions.push((*layer, set));
    }
    let digest = |l: usize| layers.get(l).cloned();
    parse(data)
        .into_iter()
        .map(|mut p| {
            let key = (p.name.clone(), p.version.clone());
            let mut layer = node.layer;
            for (l, set) in versions.iter().rev() {
                if set.contains(&key) {
                    layer = *l;
                } else {
                    break;
                }
            }
            p.layer_digest = digest(layer);
            p
        })
        .collect()
}

/// Catalogues the merged filesystem. `layers` are the layer digests in order.
pub fn catalogue(fs: &Fs, layers: &[String], warnings: &mut Vec<String>) -> Inventory {
    let os = ["etc/os-release", "usr/lib/os-release"]
        .iter()
        .find_map(|p| fs.read(p))
        .map(|(_, _, d)| OsRelease::parse(&String::from_utf8_lossy(d)));
    let distro = os
        .as_ref()
        .and_then(|o| palisade_vulndb::distro_ecosystem(&o.id, &o.version_id));
    let mut out: Vec<Package> = Vec::new();
    for (path, node) in fs.iter() {
        let (dir, base) = split(path);
        let shown = format!("/{path}");
        let mut found: Vec<Package> = match &node.kind {
            NodeKind::File {
                data: Some(data), ..
            } => {
                let data: &Arc<Vec<u8>> = data;
                if path == "var/lib/dpkg/status" || dir == "var/lib/dpkg/status.d" {
                    attributed(node, layers, &mut |b| os::dpkg(b, distro.as_deref()))
                } else if base == "installed" && dir.ends_with("apk/db") {
                    attributed(node, layers, &mut |b| os::apk(b, distro.as_deref()))
                } else if RPM_FILES.contains(&base) {
                    let mut err = None;
                    let pk = attributed(node, layers, &mut |b| match os::rpm(
                        b,
                        base,
                        distro.as_deref(),
                    ) {
                        Ok(p) => p,
                        Err(e) => {
                            err = Some(e);
                            Vec::new()
                        }
                    });
                    if let Some(e) = err {
                        warnings.push(format!("{shown}: {e}"));
                    }
                    pk
                } else {
                    let layer = layers.get(node.layer).cloned();
                    let mut v = lang::parse(path, data, warnings);
                    for p in &mut v {
                        p.layer_digest = layer.clone();
                    }
                    v
                }
            }
            _ => Vec::new(),
        };
        for p in &mut found {
            p.file_path.get_or_insert_with(|| shown.clone());
        }
        for p in &node.packages {
            let mut p = p.clone();
            p.layer_digest = layers.get(node.layer).cloned();
            found.push(p);
        }
        out.extend(found);
    }
    // One entry per package: installed metadata is listed before lockfiles by the path order
    // of a few well-known files, so prefer entries found in package metadata over lockfiles.
    out.sort_by_key(|p| lockfile_rank(p.file_path.as_deref().unwrap_or("")));
    let mut seen = HashSet::new();
    out.retain(|p| seen.insert((p.ecosystem, p.name.clone(), p.version.clone())));
    out.sort_by(|a, b| (a.ecosystem, &a.name, &a.version).cmp(&(b.ecosystem, &b.name, &b.version)));
    Inventory { os, packages: out }
}

fn lockfile_rank(path: &str) -> u8 {
    if path.ends_with("package-lock.json") || path.ends_with("Cargo.lock") {
        1
    } else {
        0
    }
}

/// Adds a purl qualifier, keeping qualifiers sorted as the purl spec asks.
pub fn add_qualifier(purl: &str, key: &str, value: &str) -> String {
    let (base, quals) = purl.split_once('?').unwrap_or((purl, ""));
    let mut q: Vec<String> = quals
        .split('&')
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    let enc: String = value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    q.push(format!("{key}={enc}"));
    q.sort();
    format!("{base}?{}", q.join("&"))
}

/// Ecosystem label for people (`deb`, `pypi`, ...), from the purl type.
pub fn kind(p: &Package) -> &'static str {
    match p.ecosystem {
        Ecosystem::Dpkg => "deb",
        Ecosystem::Apk => "apk",
        Ecosystem::Rpm => "rpm",
        Ecosystem::PyPI => "python",
        Ecosystem::Npm => "npm",
        Ecosystem::CratesIo => "cargo",
        Ecosystem::Go => "go",
        Ecosystem::Maven => "java",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_paths() {
        assert!(keep_contents("var/lib/dpkg/status"));
        assert!(keep_contents("var/lib/dpkg/status.d/base"));
        assert!(!keep_contents("var/lib/dpkg/status.d/base.md5sums"));
        assert!(keep_contents("usr/lib/sysimage/rpm/Packages.db"));
        assert!(keep_contents(
            "usr/lib/python3/dist-packages/a-1.0.dist-info/METADATA"
        ));
        assert!(keep_contents("app/node_modules/x/package.json"));
        assert!(!keep_contents("app/package.json"));
        assert!(keep_contents("app/rustsvc/Cargo.lock"));
        assert!(!keep_contents("etc/passwd"));
    }

    #[test]
    fn qualifiers_sorted() {
        assert_eq!(
            add_qualifier("pkg:deb/debian/bash@5.2?distro=debian-12", "arch", "amd64"),
            "pkg:deb/debian/bash@5.2?arch=amd64&distro=debian-12"
        );
        assert_eq!(
            add_qualifier("pkg:npm/x@1", "arch", "a b"),
            "pkg:npm/x@1?arch=a%20b"
        );
    }

    #[test]
    fn attribution_follows_history() {
        let mut fs = Fs::new();
        let status = |pk: &[(&str, &str)]| {
            pk.iter()
                .map(|(n, v)| format!("Package: {n}\nStatus: install ok installed\nVersion: {v}\n"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let put = |fs: &mut Fs, layer, body: String| {
            fs.insert(
                "var/lib/dpkg/status".into(),
                Node::file(layer, body.len() as u64, Some(body.into_bytes())),
            )
        };
        put(&mut fs, 0, status(&[("a", "1"), ("b", "1")]));
        put(&mut fs, 1, status(&[("a", "1"), ("b", "2"), ("c", "1")]));
        let layers = vec!["sha256:l0".to_string(), "sha256:l1".to_string()];
        let inv = catalogue(&fs, &layers, &mut Vec::new());
        let layer_of = |n: &str| {
            inv.packages
                .iter()
                .find(|p| p.name == n)
                .unwrap()
                .layer_digest
                .clone()
                .unwrap()
        };
        assert_eq!(layer_of("a"), "sha256:l0");
        assert_eq!(layer_of("b"), "sha256:l1");
        assert_eq!(layer_of("c"), "sha256:l1");
    }
}
