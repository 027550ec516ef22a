//! `palisade scan --images` end to end: workloads whose images live in a registry are read
//! offline from the OCI layout in ../shared/images (as a mirror and as an explicit source),
//! matched against the real advisories in ../shared/vulndata, and their findings reported
//! against the right workload and container, with config exemptions and exit codes.

mod images_common;

use images_common::{dir_with_db, palisade, shared};
use serde_json::Value;

const MANIFESTS: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      initContainers:
        - name: migrate
          image: registry.example.com/shop/app:bookworm-app
      containers:
        - name: web
          image: registry.example.com/shop/app:bookworm-app-whiteout
          securityContext:
            runAsUser: 1000
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
  namespace: shop
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: base
              image: registry.example.com/base/debian:bookworm-minbase
---
apiVersion: v1
kind: Pod
metadata:
  name: debug
  namespace: tools
spec:
  containers:
    - name: main
      image: ghcr.io/acme/tool:2.0
  ephemeralContainers:
    - name: probe
      image: registry.example.com/missing/thing:1.0
"#;

fn findings(report: &Value) -> &Vec<Value> {
    report["findings"].as_array().unwrap()
}

/// Findings of `check` (or, ending in `-`, of every check with that prefix) on object `name`,
/// container `container`.
fn of<'a>(report: &'a Value, check: &str, name: &str, container: &str) -> Vec<&'a Value> {
    findings(report)
        .iter()
        .filter(|f| {
            let c = f["check"].as_str().unwrap_or("");
            (c == check || check.ends_with('-') && c.starts_with(check))
                && f["object"]["name"] == name
                && f["container"] == container
        })
        .collect()
}

fn has_vuln(list: &[&Value], package_version: &str) -> bool {
    list.iter()
        .any(|f| f["message"].as_str().unwrap().contains(package_version))
}

#[test]
fn scan_images_attaches_findings_to_workloads_and_containers() {
    let (dir, db) = dir_with_db("scan-images");
    let db = db.as_str();
    let k8s = dir.join("k8s.yaml");
    std::fs::write(&k8s, MANIFESTS).unwrap();
    let config = dir.join("palisade.yaml");
    std::fs::write(
        &config,
        "exemptions:\n  - checks: [image-runs-as-root]\n    objects: [CronJob/nightly]\n    reason: batch base image, tracked in TICKET-1\n",
    )
    .unwrap();
    let layout = shared().join("images/oci");
    let source = format!("ghcr.io/acme/tool=oci:{}:bookworm-app", layout.display());
    let args = [
        "scan",
        "--config",
        config.to_str().unwrap(),
        "--format",
        "json",
        "--images",
        "--offline",
        "--db",
        db,
        "--image-mirror",
        layout.to_str().unwrap(),
        "--image-source",
        &source,
        k8s.to_str().unwrap(),
    ];
    let (code, out, err) = palisade(&args, &[]);
    // High and critical vulnerabilities (and an unreadable image) fail the default --fail-on high.
    assert_eq!(code, 1, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();

    // The init container's image: the advisories of its Python and Rust packages.
    let migrate = of(&report, "image-vulnerability-", "api", "migrate");
    for p in [
        "requests 2.19.1",
        "urllib3 1.24.1",
        "PyYAML 5.3.1",
        "smallvec 1.6.0",
    ] {
        assert!(has_vuln(&migrate, p), "{p} not reported on api/migrate");
    }
    // Severity follows the advisory: smallvec 1.6.0 (RUSTSEC-2021-0003, CVSS 9.8) is critical.
    assert!(
        migrate
            .iter()
            .any(|f| f["check"] == "image-vulnerability-critical"
                && f["severity"] == "critical"
                && f["message"].as_str().unwrap().contains("RUSTSEC-2021-0003")),
        "{migrate:#?}"
    );
    // Messages name the ids and the fixed versions, and each finding has its own fingerprint.
    let requests = migrate
        .iter()
        .find(|f| f["message"].as_str().unwrap().contains("requests 2.19.1"))
        .unwrap();
    let m = requests["message"].as_str().unwrap();
    assert!(m.contains("CVE-") && m.contains("fixed in"), "{m}");
    let mut prints: Vec<&str> = migrate
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    let n = prints.len();
    prints.sort();
    prints.dedup();
    assert_eq!(prints.len(), n, "fingerprints must be distinct");
    assert!(requests["location"]["line"].as_u64().unwrap() > 0);
    assert_eq!(requests["source"], "image");

    // The main container's image deletes /app/.env in a later layer: the secret still ships.
    let secrets = of(&report, "image-secret", "api", "web");
    assert!(
        secrets.iter().any(|f| {
            let m = f["message"].as_str().unwrap();
            m.contains("/app/.env") && m.contains("deleted by a later layer")
        }),
        "{secrets:#?}"
    );
    // runAsUser: 1000 overrides the image's root user; the init container has no override.
    assert!(of(&report, "image-runs-as-root", "api", "web").is_empty());
    assert_eq!(of(&report, "image-runs-as-root", "api", "migrate").len(), 1);
    // Vulnerabilities of the web image are reported on web, not only on migrate.
    assert!(has_vuln(
        &of(&report, "image-vulnerability-", "api", "web"),
        "requests 2.19.1"
    ));

    // An explicit --image-source (a REF without tag covers every tag).
    assert!(has_vuln(
        &of(&report, "image-vulnerability-", "debug", "main"),
        "smallvec 1.6.0"
    ));
    // An image found nowhere, offline: one error finding naming it, the rest still scanned.
    let missing = of(&report, "image-scan-error", "debug", "probe");
    assert_eq!(missing.len(), 1, "{missing:#?}");
    let m = missing[0]["message"].as_str().unwrap();
    assert!(
        m.contains("registry.example.com/missing/thing:1.0") && m.contains("offline"),
        "{m}"
    );
    assert_eq!(
        missing[0]["location"]["path"],
        "/spec/ephemeralContainers/0/image"
    );

    // The config exemption covers the CronJob's root finding: kept, not counted.
    assert!(of(&report, "image-runs-as-root", "nightly", "base").is_empty());
    assert!(
        report["exempted"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["check"] == "image-runs-as-root" && f["object"]["name"] == "nightly")
    );

    // --only-fixed drops vulnerabilities without a fix; disabling the critical rule (and the
    // scan error) in config lets the run pass --fail-on critical.
    let mut only_fixed = args.to_vec();
    only_fixed.insert(1, "--only-fixed");
    let (_, out, _) = palisade(&only_fixed, &[]);
    let fixed: Value = serde_json::from_str(&out).unwrap();
    assert!(
        findings(&fixed)
            .iter()
            .filter(|f| f["check"]
                .as_str()
                .unwrap()
                .starts_with("image-vulnerability-"))
            .all(|f| f["message"].as_str().unwrap().contains("fixed in"))
    );
    std::fs::write(
        &config,
        "checks:\n  disable: [image-vulnerability-critical, image-scan-error]\n",
    )
    .unwrap();
    let mut critical = args.to_vec();
    critical.extend(["--fail-on", "critical"]);
    let (code, _, err) = palisade(&critical, &[]);
    assert_eq!(code, 0, "{err}");

    // No database: one warning, secrets and configuration are still reported.
    let (code, out, err) = palisade(
        &[
            "scan",
            "--no-config",
            "--format",
            "json",
            "--images",
            "--offline",
            "--image-mirror",
            layout.to_str().unwrap(),
            k8s.to_str().unwrap(),
        ],
        &[("PALISADE_DB", dir.join("absent.sqlite3").to_str().unwrap())],
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(err.matches("no vulnerability database").count(), 1, "{err}");
    let r: Value = serde_json::from_str(&out).unwrap();
    assert!(!of(&r, "image-secret", "api", "web").is_empty());
    assert!(of(&r, "image-vulnerability-", "api", "migrate").is_empty());

    // Usage errors: a malformed mapping, an --image-mirror that is no layout, flags without --images.
    for bad in [
        vec!["scan", "--images", "--image-source", "nonsense", "."],
        vec!["scan", "--images", "--image-mirror", db, "."],
        vec!["scan", "--offline", "."],
    ] {
        let (code, _, err) = palisade(&bad, &[]);
        assert_eq!(code, 2, "{bad:?}: {err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
