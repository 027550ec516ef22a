//! Runs every Pod Security Admission fixture in `shared/corpora/pod-security-admission`:
//! `<level>/v1.<minor>/<pass|fail>/<check><n>.yaml` must be allowed (pass) or denied (fail) at
//! `<level>:v1.<minor>`. Prints `N passed, M failed` with a breakdown by check and asserts 100%.

use palisade_model::{CustomWorkloads, LoadOptions, load_bytes};
use palisade_pss::{Decoded, LevelVersion};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpora/pod-security-admission/test/testdata")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "yaml") {
            out.push(p);
        }
    }
}

/// `capabilities_baseline` from `capabilities_baseline3.yaml`.
fn check_of(file: &str) -> &str {
    file.trim_end_matches(".yaml")
        .trim_end_matches(|c: char| c.is_ascii_digit())
}

#[test]
fn every_fixture_gets_kubernetes_verdict() {
    let root = corpus();
    let mut all = Vec::new();
    files(&root, &mut all);
    all.sort();
    assert!(
        all.len() > 2000,
        "expected the fixture corpus at {}, found {} files",
        root.display(),
        all.len()
    );

    let mut by_check: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    let mut failures = Vec::new();
    for path in &all {
        let rel = path.strip_prefix(&root).unwrap_or(path);
        let parts: Vec<&str> = rel.iter().filter_map(|s| s.to_str()).collect();
        let [level, version, outcome, file] = parts[..] else {
            failures.push(format!("{}: unexpected layout", rel.display()));
            continue;
        };
        let policy: LevelVersion = format!("{level}:{version}")
            .parse()
            .expect("path names a level and version");
        let bytes = std::fs::read(path).expect("fixture readable");
        let loaded = load_bytes(&bytes, &rel.display().to_string(), &LoadOptions::default());
        assert!(
            loaded.errors.is_empty(),
            "{}: {:?}",
            rel.display(),
            loaded.errors
        );
        assert_eq!(loaded.objects.len(), 1, "{}", rel.display());
        let decoded = Decoded::of(&loaded.objects[0], &CustomWorkloads::default()).expect("a Pod");
        // Upstream fixtures are valid pods: no errors, and no unknown-field warnings either.
        assert!(
            decoded.problems.is_empty(),
            "{}: {:?}",
            rel.display(),
            decoded.problems
        );
        let eval = decoded.evaluate(policy);
        let ok = eval.allowed() == (outcome == "pass");
        let entry = by_check.entry(check_of(file).to_string()).or_default();
        if ok {
            entry.0 += 1;
        } else {
            entry.1 += 1;
            failures.push(format!(
                "{}: expected {outcome}, got {}",
                rel.display(),
                if eval.allowed() {
                    "allowed".to_string()
                } else {
                    eval.message()
                }
            ));
        }
    }
    let passed: u32 = by_check.values().map(|v| v.0).sum();
    let failed: u32 = by_check.values().map(|v| v.1).sum();
    println!("{passed} passed, {failed} failed");
    for (check, (p, f)) in &by_check {
        println!("  {check:<32} {p:>4} passed {f:>4} failed");
    }
    for f in failures.iter().take(50) {
        println!("FAIL {f}");
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures disagree with Kubernetes",
        failures.len(),
        all.len()
    );
}
