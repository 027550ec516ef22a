//! `palisade image` end to end: the binary scans a real image against real advisories imported
//! with `palisade db import`, writes an SBOM and applies the vulnerability gate.

use std::path::{Path, PathBuf};
use std::process::Command;

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

fn palisade(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn image_scan_sbom_and_gate() {
    let dir = std::env::temp_dir().join(format!("palisade-image-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("db.sqlite3");
    let db = db.to_str().unwrap();
    let v = shared().join("vulndata");
    let (code, _, err) = palisade(&[
        "db",
        "import",
        "--db",
        db,
        v.join("pypa/vulns").to_str().unwrap(),
        v.join("rustsec/crates").to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let image = format!("oci:{}:bookworm-app", shared().join("images/oci").display());
    let sbom = dir.join("app.spdx.json");
    let sbom_arg = format!("sbom={}", sbom.display());
    let (code, out, err) = palisade(&[
        "image", "--db", db, "--format", "json", "--sbom", "spdx", "--output", &sbom_arg, &image,
    ]);
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        report["images"][0]["packages"].as_array().unwrap().len(),
        150
    );
    assert!(
        report["images"][0]["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["package"] == "smallvec")
    );
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sbom).unwrap()).unwrap();
    assert_eq!(doc["spdxVersion"], "SPDX-2.3");
    // The gate: vulnerabilities at or above high fail the run with exit code 1.
    let (code, out, err) = palisade(&[
        "image",
        "--db",
        db,
        "--no-secrets",
        "--fail-on-vuln",
        "high",
        &image,
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("failing"), "{err}");
    assert!(
        out.contains("Vulnerabilities:") && out.contains("smallvec"),
        "{out}"
    );
    // Usage errors exit with 2.
    let (code, _, err) = palisade(&["image", "--output", "nonsense", &image]);
    assert_eq!(code, 2, "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
