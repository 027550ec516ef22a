//! OS packages matched against small advisories written in each distro's OSV conventions
//! (tests/data/distro): source/origin names, releases, and each version order's edge cases.

use palisade_vulndb::{Ecosystem, Match, Package, Severity, VulnDb};
use std::path::PathBuf;

fn open() -> (tempfile::TempDir, VulnDb) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = VulnDb::open(dir.path().join("v.db")).expect("open");
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/distro");
    // One upstream crates.io advisory too, to show OS packages never match upstream records.
    let smallvec = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/vulndata/rustsec/crates/RUSTSEC-2021-0003.json");
    let r = db.import(&[data, smallvec]).expect("import");
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(r.inserted, 6);
    (dir, db)
}

fn deb(name: &str, source: &str, version: &str) -> Package {
    Package::new(Ecosystem::Dpkg, name, version)
        .with_distro("Debian:12")
        .with_source(source, None)
}

fn one(db: &VulnDb, p: Package) -> Vec<Match> {
    db.match_packages(&[p]).expect("match")
}

fn fixed_of(ms: &[Match], id: &str) -> Option<Vec<String>> {
    ms.iter().find(|m| m.id == id).map(|m| m.fixed.clone())
}

#[test]
fn debian_source_packages_and_releases() {
    let (_d, db) = open();
    let ms = one(&db, deb("libssl3", "openssl", "3.0.11-1~deb12u1"));
    assert_eq!(
        fixed_of(&ms, "DSA-5532-1"),
        Some(vec!["3.0.11-1~deb12u2".to_string()])
    );
    assert!(one(&db, deb("libssl3", "openssl", "3.0.11-1~deb12u2")).is_empty());
    // The binary name is not what Debian advisories are keyed by.
    assert!(
        one(
            &db,
            Package::new(Ecosystem::Dpkg, "libssl3", "3.0.0-1").with_distro("Debian:12")
        )
        .is_empty()
    );
    // Each release has its own fixed version.
    let bullseye =
        Package::new(Ecosystem::Dpkg, "openssl", "1.1.1n-0+deb11u5").with_distro("Debian:11");
    assert_eq!(
        fixed_of(&one(&db, bullseye), "DSA-5532-1"),
        Some(vec!["1.1.1w-0+deb11u1".to_string()])
    );
    // No distro release known: nothing to match against.
    assert!(one(&db, Package::new(Ecosystem::Dpkg, "openssl", "1.0-1")).is_empty());
}

#[test]
fn debian_epochs_tildes_and_binnmus() {
    let (_d, db) = open();
    let affected = |v: &str| !one(&db, deb("libexample1", "libexample", v)).is_empty();
    assert!(
        !affected("2.3-1"),
        "epoch 0 sorts before the introduced 1:2.0-1"
    );
    assert!(affected("1:2.3-1"));
    assert!(affected("1:2.4-3"));
    assert!(
        affected("1:2.4-2+b1"),
        "a binNMU of an older source is still affected"
    );
    assert!(
        affected("1:2.4-3+deb12u1~pre1"),
        "a tilde sorts before the fix"
    );
    assert!(!affected("1:2.4-3+deb12u1"));
    assert!(
        !affected("1:2.4-3+deb12u1+b1"),
        "a binNMU of the fix is fixed"
    );
    assert!(
        !affected("1:2.0-1~bpo1"),
        "a tilde sorts before the introduced version"
    );
    // The source version, when dpkg gives it, is what is compared.
    let p = Package::new(Ecosystem::Dpkg, "libexample1", "1:2.4-3+deb12u1+b2")
        .with_distro("Debian:12")
        .with_source("libexample", Some("1:2.4-3".into()));
    let ms = one(&db, p);
    assert_eq!(ms.len(), 1);
    assert_eq!(ms[0].severity, Some(Severity::Medium));
    assert_eq!(ms[0].score, Some(5.4));
}

#[test]
fn alpine_origins_and_revisions() {
    let (_d, db) = open();
    let apk = |name: &str, origin: &str, v: &str, rel: &str| {
        Package::new(Ecosystem::Apk, name, v)
            .with_distro(rel)
            .with_source(origin, None)
    };
    let ms = one(
        &db,
        apk("libcrypto3", "openssl", "3.3.1-r0", "Alpine:v3.20"),
    );
    assert_eq!(
        fixed_of(&ms, "ALPINE-CVE-2024-5535"),
        Some(vec!["3.3.1-r1".to_string()])
    );
    assert!(
        one(
            &db,
            apk("libcrypto3", "openssl", "3.3.1-r1", "Alpine:v3.20")
        )
        .is_empty()
    );
    assert!(
        !one(
            &db,
            apk("libssl3", "openssl", "3.3.1_rc1-r0", "Alpine:v3.20")
        )
        .is_empty()
    );
    let old = one(
        &db,
        apk("libcrypto3", "openssl", "3.1.5-r0", "Alpine:v3.19"),
    );
    assert_eq!(
        fixed_of(&old, "ALPINE-CVE-2024-5535"),
        Some(vec!["3.1.6-r0".to_string()])
    );
    let bb = |v: &str| one(&db, apk("busybox-binsh", "busybox", v, "Alpine:v3.20"));
    assert!(!bb("1.36.1-r28").is_empty());
    assert!(bb("1.36.1-r29").is_empty());
    let musl = |v: &str| one(&db, apk("musl", "musl", v, "Alpine:v3.20"));
    assert!(!musl("1.2.5-r0").is_empty(), "last_affected is inclusive");
    assert!(musl("1.2.5-r1").is_empty());
    assert!(musl("1.2.4-r0").is_empty(), "1.2.4 sorts before 1.2.4_git…");
    assert!(!musl("1.2.4_git20230717-r0").is_empty());
    assert_eq!(musl("1.2.5-r0")[0].fixed, Vec::<String>::new());
}

#[test]
fn rpm_epochs_and_source_rpms() {
    let (_d, db) = open();
    let rpm = |v: &str| {
        Package::new(Ecosystem::Rpm, "openssl-libs", v)
            .with_distro("Rocky Linux:9")
            .with_source("openssl", None)
    };
    let ms = one(&db, rpm("1:3.0.7-24.el9"));
    assert_eq!(ms.len(), 1);
    assert_eq!(ms[0].id, "RLSA-2024:0001");
    assert_eq!(ms[0].aliases, vec!["CVE-2023-5678"]);
    assert_eq!(ms[0].severity, Some(Severity::Medium));
    assert_eq!(ms[0].fixed, vec!["1:3.0.7-25.el9_3"]);
    assert!(one(&db, rpm("1:3.0.7-25.el9_3")).is_empty());
    assert!(one(&db, rpm("1:3.0.7-27.el9")).is_empty());
    assert!(
        !one(&db, rpm("3.0.7-27.el9")).is_empty(),
        "no epoch is epoch 0, older than 1:"
    );
    let other =
        Package::new(Ecosystem::Rpm, "openssl", "1:3.0.7-24.el9").with_distro("AlmaLinux:9");
    assert!(one(&db, other).is_empty());
}

#[test]
fn os_packages_never_match_upstream_ecosystems() {
    let (_d, db) = open();
    let p = Package::new(Ecosystem::Dpkg, "smallvec", "1.6.0").with_distro("Debian:12");
    assert!(one(&db, p).is_empty());
    let upstream = one(&db, Package::new(Ecosystem::CratesIo, "smallvec", "1.6.0"));
    assert_eq!(upstream.len(), 1);
    // And a language package never matches distro records.
    assert!(one(&db, Package::new(Ecosystem::PyPI, "openssl", "0.1")).is_empty());
}

#[test]
fn results_keep_package_indexes() {
    let (_d, db) = open();
    let pkgs = [
        deb("libssl3", "openssl", "3.0.11-1~deb12u2"),
        deb("libssl3", "openssl", "3.0.11-1~deb12u1"),
        Package::new(Ecosystem::CratesIo, "smallvec", "1.6.0"),
    ];
    let ms = db.match_packages(&pkgs).expect("match");
    let idx: Vec<usize> = ms.iter().map(|m| m.package).collect();
    assert_eq!(idx, vec![1, 2]);
}
