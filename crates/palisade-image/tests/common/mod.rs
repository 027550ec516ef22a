//! Shared helpers of the integration tests: paths to the shared test images and a database
//! holding the real advisories, imported once per test binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

pub fn oci(tag: &str) -> String {
    format!("oci:{}:{tag}", shared().join("images/oci").display())
}

/// A database with the real PyPI, crates.io and Go advisories of `shared/vulndata`.
pub fn advisory_db() -> PathBuf {
    static DB: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vulndb.sqlite3");
        let db = palisade_vulndb::VulnDb::open(&path).unwrap();
        let v = shared().join("vulndata");
        db.import(&[
            v.join("pypa/vulns"),
            v.join("rustsec/crates"),
            v.join("govulndb/data/osv"),
        ])
        .unwrap();
        (dir, path)
    })
    .1
    .clone()
}
