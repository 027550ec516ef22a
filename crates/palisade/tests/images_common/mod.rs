//! Shared by the image tests (`image_cli`, `scan_images`): the binary, the shared test data, and
//! a vulnerability database imported from the real advisories with `palisade db import`.

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

/// Runs the binary: (exit code, stdout, stderr).
pub fn palisade(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A fresh temporary directory named after the test, and in it `db.sqlite3` holding the PyPI
/// and crates.io advisories of ../shared/vulndata.
pub fn dir_with_db(name: &str) -> (PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("palisade-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("db.sqlite3").to_str().unwrap().to_string();
    let v = shared().join("vulndata");
    let (code, _, err) = palisade(
        &[
            "db",
            "import",
            "--db",
            &db,
            v.join("pypa/vulns").to_str().unwrap(),
            v.join("rustsec/crates").to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    (dir, db)
}
