//! `palisade db update`: downloads the per-ecosystem OSV zips and imports them. Never used by
//! tests against the network; the loopback test serves a zip itself.

use crate::db::{DbError, ImportReport, VulnDb};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where the OSV project publishes `<ecosystem>/all.zip`.
pub const DEFAULT_MIRROR: &str = "https://osv-vulnerabilities.storage.googleapis.com";

/// Ecosystems updated when none are configured and the database is empty.
pub const DEFAULT_ECOSYSTEMS: &[&str] = &[
    "PyPI",
    "npm",
    "crates.io",
    "Go",
    "Maven",
    "Debian",
    "Ubuntu",
    "Alpine",
    "Rocky Linux",
    "AlmaLinux",
];

/// Largest archive accepted (the biggest OSV zips are a few hundred MB).
const MAX_DOWNLOAD: u64 = 4 << 30;

#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error(
        "downloading {url}: {message} (check the network, or import a downloaded zip with `palisade db import`)"
    )]
    Download { url: String, message: String },
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Per-ecosystem result of an update.
#[derive(Debug)]
pub struct Updated {
    pub ecosystem: String,
    pub bytes: u64,
    pub report: ImportReport,
}

fn url_for(mirror: &str, ecosystem: &str) -> String {
    let mut enc = String::new();
    for b in ecosystem.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~' | b':') {
            enc.push(b as char);
        } else {
            enc.push_str(&format!("%{b:02X}"));
        }
    }
    format!("{}/{enc}/all.zip", mirror.trim_end_matches('/'))
}

/// Downloads `<mirror>/<ecosystem>/all.zip` for each ecosystem into `work_dir` and imports it.
/// `progress` is told about each step. Stops at the first failed download.
pub fn update(
    db: &VulnDb,
    ecosystems: &[String],
    mirror: &str,
    work_dir: &Path,
    mut progress: impl FnMut(&str),
) -> Result<Vec<Updated>, UpdateError> {
    std::fs::create_dir_all(work_dir).map_err(|e| UpdateError::Io {
        path: work_dir.display().to_string(),
        message: e.to_string(),
    })?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(std::time::Duration::from_secs(20)))
        .timeout_global(Some(std::time::Duration::from_secs(1800)))
        .build()
        .into();
    let mut out = Vec::new();
    for eco in ecosystems {
        let url = url_for(mirror, eco);
        progress(&format!("downloading {url}"));
        let file: PathBuf = work_dir.join(format!(
            "osv-{}-download.zip",
            eco.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
        ));
        let fail = |message: String| UpdateError::Download {
            url: url.clone(),
            message,
        };
        let resp = agent.get(&url).call().map_err(|e| fail(e.to_string()))?;
        let mut reader = resp
            .into_body()
            .into_with_config()
            .limit(MAX_DOWNLOAD)
            .reader();
        let io = |e: std::io::Error| UpdateError::Io {
            path: file.display().to_string(),
            message: e.to_string(),
        };
        let mut f = std::fs::File::create(&file).map_err(io)?;
        let bytes = std::io::copy(&mut reader, &mut f).map_err(|e| fail(e.to_string()))?;
        f.flush().map_err(io)?;
        drop(f);
        progress(&format!("importing {eco} ({:.1} MB)", bytes as f64 / 1e6));
        let report = db.import(std::slice::from_ref(&file));
        let _ = std::fs::remove_file(&file);
        out.push(Updated {
            ecosystem: eco.clone(),
            bytes,
            report: report?,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    #[test]
    fn urls() {
        assert_eq!(
            url_for("https://m/", "Rocky Linux"),
            "https://m/Rocky%20Linux/all.zip"
        );
        assert_eq!(
            url_for("https://m", "crates.io"),
            "https://m/crates.io/all.zip"
        );
    }

    /// Serves one zip over HTTP on loopback and updates from it.
    #[test]
    fn update_from_a_loopback_mirror() {
        let mut zip_bytes = Vec::new();
        {
            let mut z = zip::ZipWriter::new(std::io::Cursor::new(&mut zip_bytes));
            z.start_file(
                "RUSTSEC-9999-0001.json",
                zip::write::SimpleFileOptions::default(),
            )
            .expect("entry");
            z.write_all(br#"{"id":"RUSTSEC-9999-0001","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"crates.io","name":"demo"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.0"}]}]}]}"#).expect("write");
            z.finish().expect("finish");
        }
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("addr");
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().expect("accept");
            let mut buf = [0u8; 4096];
            let n = s.read(&mut buf).expect("read request");
            let req = String::from_utf8_lossy(&buf[..n]).to_string();
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                zip_bytes.len()
            );
            s.write_all(head.as_bytes()).expect("write");
            s.write_all(&zip_bytes).expect("write");
            req
        });
        let dir = tempfile::tempdir().expect("temp dir");
        let db = VulnDb::open(dir.path().join("v.db")).expect("open");
        let mut steps = Vec::new();
        let got = update(
            &db,
            &["crates.io".to_string()],
            &format!("http://{addr}"),
            dir.path(),
            |s| steps.push(s.to_string()),
        )
        .expect("update");
        let req = server.join().expect("server thread");
        assert!(req.starts_with("GET /crates.io/all.zip "), "{req}");
        assert_eq!(got[0].report.inserted, 1);
        assert_eq!(steps.len(), 2);
        let ms = db
            .match_packages(&[crate::Package::new(
                crate::Ecosystem::CratesIo,
                "demo",
                "0.9.0",
            )])
            .expect("match");
        assert_eq!(ms[0].id, "RUSTSEC-9999-0001");
        // The downloaded file is removed after import.
        assert!(std::fs::read_dir(dir.path()).expect("ls").all(|e| {
            !e.expect("entry")
                .path()
                .to_string_lossy()
                .ends_with("-download.zip")
        }));
    }

    #[test]
    fn download_errors_name_the_url() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = VulnDb::open(dir.path().join("v.db")).expect("open");
        // A loopback port with nothing listening.
        let port = TcpListener::bind("127.0.0.1:0")
            .expect("bind")
            .local_addr()
            .expect("addr")
            .port();
        let e = update(
            &db,
            &["npm".to_string()],
            &format!("http://127.0.0.1:{port}"),
            dir.path(),
            |_| {},
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains(&format!("http://127.0.0.1:{port}/npm/all.zip")),
            "{e}"
        );
    }
}
