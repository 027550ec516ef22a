//! Conformance: every suite of the Gatekeeper library, run as `gator verify` does, twice
//! (Rego only, and CEL preferred where a template has K8sNativeValidation).

use palisade_policy::EngineChoice;
use palisade_policy::suite::{CaseResult, run_path};
use std::path::PathBuf;

fn library() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpora/gatekeeper-library/library")
}

fn run(choice: EngineChoice, label: &str, target: f64) {
    let dir = library();
    assert!(
        dir.is_dir(),
        "the corpus is missing at {} (shared/ must sit beside the repository)",
        dir.display()
    );
    let results: Vec<CaseResult> = run_path(&dir, choice)
        .into_iter()
        .filter(|r| !r.skipped)
        .collect();
    let failed: Vec<&CaseResult> = results.iter().filter(|r| r.failure.is_some()).collect();
    for f in &failed {
        println!(
            "FAIL {}\n     {}",
            f.name,
            f.failure.as_deref().unwrap_or("")
        );
    }
    let passed = results.len() - failed.len();
    let rate = 100.0 * passed as f64 / results.len().max(1) as f64;
    println!(
        "gatekeeper-library ({label}): {passed}/{} cases pass ({rate:.1}%)",
        results.len()
    );
    assert!(
        results.len() > 100,
        "too few cases found: {}",
        results.len()
    );
    assert!(
        rate >= target,
        "{label}: pass rate {rate:.1}% is below the {target}% target"
    );
}

#[test]
fn gatekeeper_library_rego() {
    run(EngineChoice::RegoOnly, "Rego only", 98.0);
}

#[test]
fn gatekeeper_library_cel_preferred() {
    run(EngineChoice::CelPreferred, "CEL preferred", 95.0);
}
