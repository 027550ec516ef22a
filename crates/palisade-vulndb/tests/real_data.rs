//! Imports all of ../shared/vulndata (real PyPI, crates.io and Go advisories) and checks
//! known matches and non-matches.

use palisade_vulndb::{Ecosystem, Match, Package, Severity, VulnDb};
use std::path::PathBuf;
use std::sync::OnceLock;

fn vulndata() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vulndata")
}

struct Shared {
    _dir: tempfile::TempDir,
    db: VulnDb,
}

fn db() -> &'static VulnDb {
    static DB: OnceLock<Shared> = OnceLock::new();
    &DB.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = VulnDb::open(dir.path().join("v.db")).expect("open");
        let r = db.import(&[vulndata()]).expect("import");
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        Shared { _dir: dir, db }
    })
    .db
}

fn matches(eco: Ecosystem, name: &str, version: &str) -> Vec<Match> {
    db().match_packages(&[Package::new(eco, name, version)])
        .expect("match")
}

fn ids(ms: &[Match]) -> Vec<String> {
    ms.iter()
        .flat_map(|m| std::iter::once(m.id.clone()).chain(m.aliases.iter().cloned()))
        .collect()
}

#[test]
fn status_counts_every_ecosystem() {
    let st = db().status().expect("status");
    assert!(st.ecosystems["PyPI"] >= 2600, "{:?}", st.ecosystems);
    assert!(st.ecosystems["crates.io"] >= 1100, "{:?}", st.ecosystems);
    assert!(st.ecosystems["Go"] >= 4000, "{:?}", st.ecosystems);
    assert!(st.records >= 2661 + 1206 + 4291 - 10);
    assert!(st.withdrawn >= 3);
    assert!(st.newest_modified.is_some());
}

#[test]
fn requests_2_19_1() {
    let ms = matches(Ecosystem::PyPI, "requests", "2.19.1");
    let all = ids(&ms);
    assert!(all.contains(&"CVE-2018-18074".to_string()), "{all:?}");
    let m = ms
        .iter()
        .find(|m| m.id == "PYSEC-2018-28")
        .expect("PYSEC-2018-28");
    assert_eq!(m.fixed, vec!["2.20.0"]);
    assert!(m.aliases.contains(&"CVE-2018-18074".to_string()));
    // Fixed there: nothing older than 2.20 applies to 2.31.0 (PYSEC-2023-74 is fixed in 2.31.0).
    let later = ids(&matches(Ecosystem::PyPI, "requests", "2.31.0"));
    assert!(!later.contains(&"CVE-2018-18074".to_string()));
    assert!(!later.contains(&"PYSEC-2023-74".to_string()));
}

#[test]
fn urllib3_and_pyyaml() {
    let u = ids(&matches(Ecosystem::PyPI, "urllib3", "1.24.1"));
    assert!(u.contains(&"CVE-2019-11324".to_string()), "{u:?}");
    // PEP 503 names: the distribution is `PyYAML`, the advisories say `pyyaml`.
    let y = matches(Ecosystem::PyPI, "PyYAML", "5.3.1");
    let m = y
        .iter()
        .find(|m| m.id == "PYSEC-2021-142")
        .expect("PYSEC-2021-142");
    assert_eq!(m.fixed, vec!["5.4"]);
    assert!(
        !ids(&matches(Ecosystem::PyPI, "PyYAML", "5.4")).contains(&"PYSEC-2021-142".to_string())
    );
    assert!(matches(Ecosystem::PyPI, "PyYAML", "6.0.1").is_empty());
}

#[test]
fn last_affected_is_inclusive() {
    assert!(
        ids(&matches(Ecosystem::PyPI, "py", "1.11.0")).contains(&"PYSEC-2022-42969".to_string())
    );
}

#[test]
fn smallvec_and_time() {
    let ms = matches(Ecosystem::CratesIo, "smallvec", "1.6.0");
    let m = ms
        .iter()
        .find(|m| m.id == "RUSTSEC-2021-0003")
        .expect("RUSTSEC-2021-0003");
    assert_eq!(m.fixed, vec!["1.6.1"]);
    assert_eq!(m.severity, Some(Severity::Critical));
    assert_eq!(m.score, Some(9.8));
    assert!(m.aliases.contains(&"CVE-2021-25900".to_string()));
    assert!(
        !ids(&matches(Ecosystem::CratesIo, "smallvec", "1.6.1"))
            .contains(&"RUSTSEC-2021-0003".to_string())
    );
    // Second interval of the same range: 0.6.3 ≤ v < 0.6.14.
    let old = matches(Ecosystem::CratesIo, "smallvec", "0.6.10");
    assert_eq!(
        old.iter()
            .find(|m| m.id == "RUSTSEC-2021-0003")
            .map(|m| m.fixed.clone()),
        Some(vec!["0.6.14".to_string()])
    );
    assert!(
        ids(&matches(Ecosystem::CratesIo, "time", "0.1.43"))
            .contains(&"RUSTSEC-2020-0071".to_string())
    );
}

#[test]
fn withdrawn_records_are_skipped() {
    // RUSTSEC-2020-0053 (dirs) is withdrawn.
    assert!(
        !ids(&matches(Ecosystem::CratesIo, "dirs", "1.0.0"))
            .contains(&"RUSTSEC-2020-0053".to_string())
    );
}

#[test]
fn go_modules_and_pseudo_versions() {
    let ms = matches(
        Ecosystem::Go,
        "golang.org/x/sys",
        "v0.0.0-20220408201424-a24fb2fb8a0f",
    );
    assert!(
        ids(&ms).contains(&"GO-2022-0493".to_string()),
        "{:?}",
        ids(&ms)
    );
    let fixed = matches(
        Ecosystem::Go,
        "golang.org/x/sys",
        "v0.0.0-20220412211240-33da011f77ad",
    );
    assert!(!ids(&fixed).contains(&"GO-2022-0493".to_string()));
    // The standard library, as the Go toolchain names its versions.
    assert!(
        ids(&matches(Ecosystem::Go, "stdlib", "go1.17.9")).contains(&"GO-2022-0493".to_string())
    );
    assert!(
        !ids(&matches(Ecosystem::Go, "stdlib", "go1.17.10")).contains(&"GO-2022-0493".to_string())
    );
    assert!(
        ids(&matches(Ecosystem::Go, "stdlib", "go1.18.1")).contains(&"GO-2022-0493".to_string())
    );
}

#[test]
fn reimport_is_idempotent() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = VulnDb::open(dir.path().join("v.db")).expect("open");
    let part = vulndata().join("rustsec");
    let first = db.import(std::slice::from_ref(&part)).expect("import");
    assert!(first.inserted > 1000);
    let before = db.status().expect("status");
    let second = db.import(&[part]).expect("import");
    assert_eq!((second.inserted, second.updated), (0, 0));
    assert_eq!(second.unchanged, first.inserted);
    assert_eq!(db.status().expect("status").ecosystems, before.ecosystems);
}
