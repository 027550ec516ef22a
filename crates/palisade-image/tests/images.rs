//! End-to-end scans of the real test images in `shared/images` against the real advisories in
//! `shared/vulndata`.

mod common;

use common::{advisory_db, oci, shared};
use palisade_image::{Ecosystem, ImageReport, ScanOptions, Scanner};
use std::sync::Arc;

fn scanner(with_db: bool) -> Scanner {
    Scanner::new(ScanOptions {
        db: with_db.then(advisory_db),
        ..Default::default()
    })
    .unwrap()
}

fn pkg<'a>(r: &'a ImageReport, eco: Ecosystem, name: &str) -> &'a palisade_image::Package {
    r.packages
        .iter()
        .find(|p| p.ecosystem == eco && p.name == name)
        .unwrap_or_else(|| panic!("{name} ({eco}) not found"))
}

fn vuln_ids(r: &ImageReport, name: &str) -> Vec<String> {
    r.vulnerabilities
        .iter()
        .filter(|v| v.package == name)
        .flat_map(|v| std::iter::once(v.id.clone()).chain(v.aliases.iter().cloned()))
        .collect()
}

fn bookworm_app() -> Arc<ImageReport> {
    static R: std::sync::OnceLock<Arc<ImageReport>> = std::sync::OnceLock::new();
    R.get_or_init(|| scanner(true).scan(&oci("bookworm-app")).unwrap())
        .clone()
}

#[test]
fn bookworm_app_inventory_with_layers() {
    let r = bookworm_app();
    assert_eq!(
        r.os.as_ref()
            .map(|o| (o.id.as_str(), o.version_id.as_str())),
        Some(("debian", "12"))
    );
    assert_eq!(r.layers.len(), 2);
    let (base, app) = (&r.layers[0].digest, &r.layers[1].digest);
    let debs: Vec<_> = r
        .packages
        .iter()
        .filter(|p| p.ecosystem == Ecosystem::Dpkg)
        .collect();
    assert_eq!(debs.len(), 88);
    assert!(debs.iter().all(|p| p.layer_digest.as_ref() == Some(base)));
    assert_eq!(
        pkg(&r, Ecosystem::Dpkg, "libc6").source_name.as_deref(),
        Some("glibc")
    );
    for (name, version) in [
        ("requests", "2.19.1"),
        ("urllib3", "1.24.1"),
        ("PyYAML", "5.3.1"),
        ("Jinja2", "2.10"),
    ] {
        let p = pkg(&r, Ecosystem::PyPI, name);
        assert_eq!(p.version, version);
        assert_eq!(p.layer_digest.as_ref(), Some(app));
        assert!(
            p.file_path.as_deref().unwrap().ends_with("/METADATA"),
            "{:?}",
            p.file_path
        );
    }
    assert_eq!(pkg(&r, Ecosystem::Npm, "lodash").version, "4.17.15");
    assert_eq!(pkg(&r, Ecosystem::Npm, "minimist").version, "1.2.0");
    assert_eq!(pkg(&r, Ecosystem::Npm, "express").version, "4.17.1");
    let npm = r
        .packages
        .iter()
        .filter(|p| p.ecosystem == Ecosystem::Npm)
        .count();
    assert_eq!(npm, 52, "npm packages");
    let smallvec = pkg(&r, Ecosystem::CratesIo, "smallvec");
    assert_eq!(
        (smallvec.version.as_str(), smallvec.file_path.as_deref()),
        ("1.6.0", Some("/app/rustsvc/Cargo.lock"))
    );
    assert_eq!(smallvec.purl, "pkg:cargo/smallvec@1.6.0");
    assert_eq!(pkg(&r, Ecosystem::CratesIo, "time").version, "0.1.43");
}

#[test]
fn bookworm_app_known_vulnerabilities() {
    let r = bookworm_app();
    // Advisories published for these versions (ids from the PyPA and RustSec databases).
    let requests = vuln_ids(&r, "requests");
    assert!(
        requests
            .iter()
            .any(|i| i == "PYSEC-2018-28" || i == "CVE-2018-18074"),
        "{requests:?}"
    );
    let urllib3 = vuln_ids(&r, "urllib3");
    assert!(urllib3.iter().any(|i| i == "CVE-2019-11324"), "{urllib3:?}");
    let pyyaml = vuln_ids(&r, "PyYAML");
    assert!(pyyaml.iter().any(|i| i == "CVE-2020-14343"), "{pyyaml:?}");
    let smallvec = vuln_ids(&r, "smallvec");
    assert!(
        smallvec.iter().any(|i| i == "RUSTSEC-2021-0003"),
        "{smallvec:?}"
    );
    let v = r
        .vulnerabilities
        .iter()
        .find(|v| v.package == "smallvec")
        .unwrap();
    assert!(v.has_fix(), "smallvec has fixed versions: {v:?}");
    assert_eq!(v.file_path.as_deref(), Some("/app/rustsvc/Cargo.lock"));
    // Vulnerabilities are reported once, with all their ids.
    let mut keys: Vec<_> = r
        .vulnerabilities
        .iter()
        .map(|v| (v.package.clone(), v.id.clone()))
        .collect();
    let n = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), n);
    // No OS package is matched against upstream (language) advisories.
    assert!(r.vulnerabilities.iter().all(|v| !v.ecosystem.is_os()));
}

#[test]
fn bookworm_app_secrets_and_config() {
    let r = bookworm_app();
    let found = |rule: &str, path: &str| {
        r.secrets
            .iter()
            .find(|s| s.rule_id == rule && s.path == path)
    };
    let gh = found("github-pat", "/app/config.yaml").expect("github token");
    assert_eq!(gh.line, 2);
    assert_eq!(gh.layer_digest, r.layers[1].digest);
    assert!(!gh.redacted.contains("PKdJLFuSL8yEDKpEZaS6Uvnd0HW9DpvHKCVS"));
    assert!(
        found("private-key", "/app/id_rsa").is_some(),
        "{:#?}",
        r.secrets
    );
    assert!(
        r.secrets.iter().any(|s| s.path == "/app/.env"),
        "{:#?}",
        r.secrets
    );
    assert!(r.secrets.iter().all(|s| s.in_final_filesystem));
    let ids: Vec<&str> = r.config_findings.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["image-runs-as-root"]);
}

#[test]
fn secret_deleted_in_a_later_layer_is_found() {
    let r = scanner(false).scan(&oci("bookworm-app-whiteout")).unwrap();
    assert_eq!(r.layers.len(), 3);
    let env: Vec<_> = r.secrets.iter().filter(|s| s.path == "/app/.env").collect();
    assert!(!env.is_empty(), "{:#?}", r.secrets);
    for s in env {
        assert_eq!(s.layer_digest, r.layers[1].digest);
        assert!(
            !s.in_final_filesystem,
            "the .env secret survives only in layer 2"
        );
    }
    // The other secrets are still in the final filesystem.
    assert!(
        r.secrets
            .iter()
            .any(|s| s.path == "/app/config.yaml" && s.in_final_filesystem)
    );
}

#[test]
fn rocky_rpm_fixture_from_layout_archive_and_dir() {
    let s = scanner(false);
    let images = shared().join("images");
    let sources = [
        oci("rocky9-rpm-fixture"),
        format!(
            "docker-archive:{}",
            images.join("rocky9-rpm-fixture.docker.tar").display()
        ),
        format!("dir:{}", images.join("rootfs/rocky9-rpm-fixture").display()),
    ];
    for src in sources {
        let r = s.scan(&src).unwrap();
        let os = r.os.as_ref().expect("os-release");
        assert_eq!(os.id, "rocky", "{src}");
        let rpms: Vec<_> = r
            .packages
            .iter()
            .filter(|p| p.ecosystem == Ecosystem::Rpm)
            .collect();
        assert_eq!(rpms.len(), 5, "{src}: {rpms:?}");
        let ssl = pkg(&r, Ecosystem::Rpm, "openssl-libs");
        assert_eq!(ssl.version, "1:3.0.7-24.el9");
        assert_eq!(ssl.source_name.as_deref(), Some("openssl"));
        assert!(ssl.purl.contains("epoch=1"), "{}", ssl.purl);
        assert_eq!(ssl.distro.as_deref(), Some("Rocky Linux:9"));
    }
}

#[test]
fn alpine_apk_from_docker_archive_and_layout() {
    let s = scanner(false);
    let images = shared().join("images");
    for src in [
        format!(
            "docker-archive:{}",
            images.join("alpine320-handmade.docker.tar").display()
        ),
        oci("alpine320-apk-fixture"),
        format!(
            "dir:{}",
            images.join("rootfs/alpine320-apk-fixture").display()
        ),
    ] {
        let r = s.scan(&src).unwrap();
        let apks: Vec<_> = r
            .packages
            .iter()
            .filter(|p| p.ecosystem == Ecosystem::Apk)
            .collect();
        assert_eq!(apks.len(), 14, "{src}");
        let ssl = pkg(&r, Ecosystem::Apk, "libssl3");
        assert_eq!(ssl.source_name.as_deref(), Some("openssl"));
        assert_eq!(ssl.distro.as_deref(), Some("Alpine:v3.20"), "{src}");
        assert!(
            ssl.purl.starts_with("pkg:apk/alpine/libssl3@"),
            "{}",
            ssl.purl
        );
    }
}

#[test]
fn results_are_cached_by_digest() {
    let s = scanner(false);
    let a = s.scan(&oci("rocky9-rpm-fixture")).unwrap();
    let b = s.scan(&oci("rocky9-rpm-fixture")).unwrap();
    assert!(Arc::ptr_eq(&a, &b));
    assert!(a.digest().unwrap().starts_with("sha256:"));
}

#[test]
fn clear_errors_for_bad_sources() {
    let s = scanner(false);
    let err = s.scan(&oci("no-such-tag")).unwrap_err().to_string();
    assert!(
        err.contains("no image tagged `no-such-tag`") && err.contains("bookworm-app"),
        "{err}"
    );
    let err = s.scan("dir:/nonexistent/rootfs").unwrap_err().to_string();
    assert!(err.contains("no such root filesystem"), "{err}");
    let err = s
        .scan(&format!("oci:{}", shared().join("images/oci").display()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("holds 5 images"), "{err}");
}
