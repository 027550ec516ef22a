//! Java archives (jar, war, ear): Maven coordinates from `META-INF/maven/**/pom.properties`, else
//! from `META-INF/MANIFEST.MF`, else from the file name; nested archives are opened in memory.

use palisade_vulndb::{Ecosystem, Package};
use std::io::{Cursor, Read};

const MAX_DEPTH: usize = 4;

/// Packages in a Java archive found at `path` (image path without leading `/`).
pub fn scan(bytes: &[u8], path: &str, max_archive: u64) -> Result<Vec<Package>, String> {
    let mut out = Vec::new();
    scan_inner(bytes, &format!("/{path}"), max_archive, 0, &mut out)?;
    Ok(out)
}

fn props(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| {
            l.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        })
        .collect()
}

/// MANIFEST.MF main section; continuation lines start with one space.
fn manifest(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            break;
        }
        if let Some(cont) = line.strip_prefix(' ') {
            if let Some(last) = out.last_mut() {
                last.1.push_str(cont);
            }
        } else if let Some((k, v)) = line.split_once(':') {
            out.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    out
}

fn get<'a>(kv: &'a [(String, String)], k: &str) -> Option<&'a str> {
    kv.iter()
        .find(|(key, _)| key == k)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// `commons-lang3-3.12.0.jar` → (`commons-lang3`, `3.12.0`).
fn from_file_name(path: &str) -> Option<(String, String)> {
    let base = path.rsplit(['/', '!']).next()?;
    let stem = base.rsplit_once('.')?.0;
    let idx = stem
        .match_indices('-')
        .find(|(i, _)| stem[i + 1..].starts_with(|c: char| c.is_ascii_digit()))?
        .0;
    Some((stem[..idx].to_string(), stem[idx + 1..].to_string()))
}

fn maven(group: &str, artifact: &str, version: &str, at: &str) -> Package {
    let name = if group.is_empty() {
        artifact.to_string()
    } else {
        format!("{group}:{artifact}")
    };
    let mut p = Package::new(Ecosystem::Maven, name, version);
    p.file_path = Some(at.to_string());
    p
}

fn scan_inner(
    bytes: &[u8],
    at: &str,
    max: u64,
    depth: usize,
    out: &mut Vec<Package>,
) -> Result<(), String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| format!("not a readable Java archive: {e}"))?;
    let mut found_pom = false;
    let mut mf = None;
    let mut nested = Vec::new();
    for i in 0..zip.len() {
        let Ok(mut f) = zip.by_index(i) else { continue };
        let name = f.name().to_string();
        let read = |f: &mut zip::read::ZipFile<'_, Cursor<&[u8]>>, limit: u64| -> Option<Vec<u8>> {
            if f.size() > limit {
                return None;
            }
            let mut b = Vec::new();
            f.take(limit).read_to_end(&mut b).ok()?;
            Some(b)
        };
        if name.starts_with("META-INF/maven/") && name.ends_with("/pom.properties") {
            if let Some(b) = read(&mut f, 1 << 20) {
                let kv = props(&String::from_utf8_lossy(&b));
                if let (Some(g), Some(a), Some(v)) = (
                    get(&kv, "groupId"),
                    get(&kv, "artifactId"),
                    get(&kv, "version"),
                ) {
                    out.push(maven(g, a, v, at));
                    found_pom = true;
                }
            }
        } else if name == "META-INF/MANIFEST.MF" {
            mf = read(&mut f, 1 << 20).map(|b| manifest(&String::from_utf8_lossy(&b)));
        } else if depth < MAX_DEPTH && super::is_java_archive(&name) {
            match read(&mut f, max) {
                Some(b) => nested.push((name, b)),
                None => {
                    return Err(format!(
                        "nested archive {name} exceeds the limit of {max} bytes"
                    ));
                }
            }
        }
    }
    if !found_pom {
        let kv = mf.unwrap_or_default();
        let group = get(&kv, "Implementation-Vendor-Id").or_else(|| {
            get(&kv, "Bundle-SymbolicName").and_then(|s| s.rsplit_once('.').map(|(g, _)| g))
        });
        let artifact = get(&kv, "Implementation-Title").map(String::from);
        let version = get(&kv, "Implementation-Version")
            .or_else(|| get(&kv, "Bundle-Version"))
            .map(String::from);
        let from_name = from_file_name(at);
        let artifact = from_name.as_ref().map(|(a, _)| a.clone()).or(artifact);
        let version = version.or_else(|| from_name.map(|(_, v)| v));
        if let (Some(a), Some(v)) = (artifact, version) {
            out.push(maven(group.unwrap_or(""), &a, &v, at));
        }
    }
    for (name, b) in nested {
        if let Err(e) = scan_inner(&b, &format!("{at}!/{name}"), max, depth + 1, out) {
            // A damaged nested archive should not hide the others.
            let _ = e;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (n, b) in files {
            w.start_file(*n, opts).unwrap();
            w.write_all(b).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn war_with_nested_jars() {
        let lib = zip_of(&[(
            "META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties",
            b"groupId=org.apache.logging.log4j\nartifactId=log4j-core\nversion=2.14.1\n",
        )]);
        let manifest_only = zip_of(&[("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\r\nImplementation-Vendor-Id: com.example\r\nImplementation-Title: util\r\nImplementation-Version: 1.2\r\n\r\n")]);
        let war = zip_of(&[
            ("WEB-INF/lib/log4j-core-2.14.1.jar", &lib),
            ("WEB-INF/lib/util.jar", &manifest_only),
            ("index.html", b"<html/>"),
        ]);
        let p = scan(&war, "srv/app.war", 1 << 20).unwrap();
        let names: Vec<String> = p
            .iter()
            .map(|p| format!("{}@{}", p.name, p.version))
            .collect();
        assert!(
            names.contains(&"org.apache.logging.log4j:log4j-core@2.14.1".to_string()),
            "{names:?}"
        );
        assert!(
            names.contains(&"com.example:util@1.2".to_string()),
            "{names:?}"
        );
        let log4j = p.iter().find(|p| p.name.ends_with("log4j-core")).unwrap();
        assert_eq!(
            log4j.file_path.as_deref(),
            Some("/srv/app.war!/WEB-INF/lib/log4j-core-2.14.1.jar")
        );
        assert_eq!(
            log4j.purl,
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
        );
    }

    #[test]
    fn file_name_fallback_and_errors() {
        assert_eq!(
            from_file_name("/x/commons-lang3-3.12.0.jar"),
            Some(("commons-lang3".into(), "3.12.0".into()))
        );
        assert!(scan(b"not a zip", "a.jar", 1 << 20).is_err());
    }
}
