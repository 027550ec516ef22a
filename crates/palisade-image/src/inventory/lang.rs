//! Language packages from metadata files: Python (`*.dist-info/METADATA`, `*.egg-info`), Node
//! (`node_modules/**/package.json`, `package-lock.json`) and Rust (`Cargo.lock`).

use palisade_vulndb::{Ecosystem, Package};

/// Parses one kept file by its name; problems become warnings, never errors.
pub fn parse(path: &str, data: &[u8], warnings: &mut Vec<String>) -> Vec<Package> {
    let (dir, base) = path.rsplit_once('/').unwrap_or(("", path));
    let text = String::from_utf8_lossy(data);
    let res = if base == "METADATA" && dir.ends_with(".dist-info")
        || base == "PKG-INFO"
        || base.ends_with(".egg-info")
    {
        Ok(python(&text).into_iter().collect())
    } else if base == "package.json" {
        node_package(&text)
    } else if base == "package-lock.json" {
        package_lock(&text)
    } else if base == "Cargo.lock" {
        cargo_lock(&text)
    } else {
        Ok(Vec::new())
    };
    res.unwrap_or_else(|e| {
        warnings.push(format!("/{path}: {e}"));
        Vec::new()
    })
}

/// Python core metadata: `Name:` and `Version:` headers.
pub fn python(text: &str) -> Option<Package> {
    let mut name = None;
    let mut version = None;
    for line in text.lines() {
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Name:") {
            name.get_or_insert_with(|| v.trim().to_string());
        } else if let Some(v) = line.strip_prefix("Version:") {
            version.get_or_insert_with(|| v.trim().to_string());
        }
    }
    match (name, version) {
        (Some(n), Some(v)) if !n.is_empty() && !v.is_empty() => {
            Some(Package::new(Ecosystem::PyPI, n, v))
        }
        _ => None,
    }
}

fn json(text: &str) -> Result<serde_json::Value, String> {
    serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))
}

/// An installed Node package's `package.json`.
pub fn node_package(text: &str) -> Result<Vec<Package>, String> {
    let v = json(text)?;
    let name = v.get("name").and_then(|n| n.as_str());
    let version = v.get("version").and_then(|n| n.as_str());
    Ok(match (name, version) {
        (Some(n), Some(ver)) if !n.is_empty() && !ver.is_empty() => {
            vec![Package::new(Ecosystem::Npm, n, ver)]
        }
        _ => Vec::new(),
    })
}

/// `package-lock.json` v1 (`dependencies`, nested) and v2/v3 (`packages` keyed by path).
pub fn package_lock(text: &str) -> Result<Vec<Package>, String> {
    let v = json(text)?;
    let mut out = Vec::new();
    if let Some(pkgs) = v.get("packages").and_then(|p| p.as_object()) {
        for (key, entry) in pkgs {
            let Some(idx) = key.rfind("node_modules/") else {
                continue;
            };
            if entry.get("link").and_then(|l| l.as_bool()) == Some(true) {
                continue;
            }
            let name = entry
                .get("name")
                .and_then(|n| n.as_str())
                .unwrap_or(&key[idx + "node_modules/".len()..]);
            if let Some(ver) = entry.get("version").and_then(|x| x.as_str()) {
                out.push(Package::new(Ecosystem::Npm, name, ver));
            }
        }
        return Ok(out);
    }
    fn walk(
        deps: &serde_json::Map<String, serde_json::Value>,
        out: &mut Vec<Package>,
        depth: usize,
    ) {
        if depth > 64 {
            return;
        }
        for (name, entry) in deps {
            if let Some(ver) = entry.get("version").and_then(|x| x.as_str())
                && !ver.starts_with("file:")
                && !ver.starts_with("link:")
            {
                out.push(Package::new(Ecosystem::Npm, name, ver));
            }
            if let Some(sub) = entry.get("dependencies").and_then(|d| d.as_object()) {
                walk(sub, out, depth + 1);
            }
        }
    }
    if let Some(deps) = v.get("dependencies").and_then(|d| d.as_object()) {
        walk(deps, &mut out, 0);
    }
    Ok(out)
}

#[derive(serde::Deserialize)]
struct CargoLock {
    #[serde(default)]
    package: Vec<CargoLockPackage>,
}

#[derive(serde::Deserialize)]
struct CargoLockPackage {
    name: String,
    version: String,
    #[serde(default)]
    source: Option<String>,
}

/// `Cargo.lock`: registry packages only (workspace members and path crates are not on crates.io).
pub fn cargo_lock(text: &str) -> Result<Vec<Package>, String> {
    let lock: CargoLock = toml::from_str(text).map_err(|e| format!("invalid Cargo.lock: {e}"))?;
    Ok(lock
        .package
        .into_iter()
        .filter(|p| {
            p.source
                .as_deref()
                .is_some_and(|s| s.starts_with("registry+") || s.starts_with("sparse+"))
        })
        .map(|p| Package::new(Ecosystem::CratesIo, p.name, p.version))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_metadata() {
        let p =
            python("Metadata-Version: 2.1\nName: PyYAML\nVersion: 5.3.1\n\nName: ignored-body\n")
                .unwrap();
        assert_eq!((p.name.as_str(), p.version.as_str()), ("PyYAML", "5.3.1"));
        assert_eq!(p.purl, "pkg:pypi/pyyaml@5.3.1");
        assert!(python("Name: x\n").is_none());
    }

    #[test]
    fn lockfile_versions() {
        let v3 = r#"{"lockfileVersion":3,"packages":{"":{"name":"app"},
            "node_modules/lodash":{"version":"4.17.15"},
            "node_modules/a/node_modules/@scope/b":{"version":"1.0.0"},
            "node_modules/linked":{"link":true}}}"#;
        let mut names: Vec<String> = package_lock(v3)
            .unwrap()
            .into_iter()
            .map(|p| format!("{}@{}", p.name, p.version))
            .collect();
        names.sort();
        assert_eq!(names, ["@scope/b@1.0.0", "lodash@4.17.15"]);
        let v1 = r#"{"lockfileVersion":1,"dependencies":{"a":{"version":"1.0.0","dependencies":{"b":{"version":"2.0.0"}}}}}"#;
        assert_eq!(package_lock(v1).unwrap().len(), 2);
        assert!(package_lock("{").is_err());
    }

    #[test]
    fn cargo_lock_registry_only() {
        let l = "version = 4\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"smallvec\"\nversion = \"1.6.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";
        let p = cargo_lock(l).unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].purl, "pkg:cargo/smallvec@1.6.0");
    }
}
