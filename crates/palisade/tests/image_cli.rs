//! `palisade image` end to end: the binary scans a real image against real advisories imported
//! with `palisade db import`, writes an SBOM and applies the vulnerability gate.

mod images_common;

use images_common::{dir_with_db, shared};

fn palisade(args: &[&str]) -> (i32, String, String) {
    images_common::palisade(args, &[])
}

#[test]
fn image_scan_sbom_and_gate() {
    let (dir, db) = dir_with_db("image-cli");
    let db = db.as_str();
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
