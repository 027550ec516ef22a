//! What the end-to-end tests share: running the real `palisade` binary from the repository root.
// Each test binary uses a different part of this module.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (where `examples/`, `deploy/` and `docs/` are).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `palisade`, run from the repository root.
pub fn command() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_palisade"));
    c.current_dir(root());
    c
}

/// Runs `palisade ARGS` to completion.
pub fn palisade(args: &[&str]) -> Output {
    command().args(args).output().expect("run palisade")
}

/// `palisade scan --format json ARGS`: the exit code and the report.
pub fn scan_json(args: &[&str]) -> (i32, serde_json::Value) {
    let mut a = vec!["scan", "--format", "json"];
    a.extend_from_slice(args);
    let out = palisade(&a);
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}):\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

/// A fresh temporary directory for this test process.
pub fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("palisade-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("tmp dir");
    d
}

/// CI sets `PALISADE_REQUIRE_TOOLS`: then a missing helm or kubectl fails the tests that need
/// them instead of skipping them.
pub fn tools_required() -> bool {
    std::env::var_os("PALISADE_REQUIRE_TOOLS").is_some()
}
