//! The `scan --images` evaluator inside the engine: workloads whose images are found in the
//! shared OCI layout used as an offline mirror, matched against the real advisories.

mod common;

use common::{advisory_db, shared};
use palisade_engine::{Config, Date, Engine, Scan};
use palisade_image::{Resolver, ScanOptions, WorkloadImages, WorkloadImagesOptions};

const WHITEOUT_DIGEST: &str =
    "sha256:c1698ec3271c6517a463f547fd291a60424f97ff6d7f69bdd9a335c5c859e3d7";

fn manifests() -> String {
    format!(
        r#"apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: db, namespace: data}}
spec:
  template:
    spec:
      securityContext: {{runAsNonRoot: true}}
      initContainers:
        - name: init
          image: mirror.example.com/app:bookworm-app
      containers:
        - name: main
          image: mirror.example.com/app:bookworm-app
---
apiVersion: v1
kind: Pod
metadata: {{name: pinned}}
spec:
  containers:
    - name: c
      image: other.example.com/team/whatever:v9@{WHITEOUT_DIGEST}
    - name: gone
      image: mirror.example.com/app:no-such-tag
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: not-a-workload}}
data: {{image: mirror.example.com/app:no-such-tag}}
"#
    )
}

fn scan(only_fixed: bool) -> Scan {
    let mut resolver = Resolver::new(true);
    resolver.add_mirror(&shared().join("images/oci")).unwrap();
    let images = WorkloadImages::new(WorkloadImagesOptions {
        scan: ScanOptions {
            db: Some(advisory_db()),
            ..Default::default()
        },
        resolver,
        only_fixed,
    })
    .unwrap();
    let engine = Engine::new(&Config::default(), vec![Box::new(images)], Date::today()).unwrap();
    let loaded = palisade_model::load_bytes(
        manifests().as_bytes(),
        "k8s.yaml",
        &palisade_model::LoadOptions::default(),
    );
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    engine.run(loaded.objects, Vec::new(), Vec::new())
}

/// (rule, object, container, message) of the image findings.
fn image_findings(s: &Scan) -> Vec<(String, String, String, String)> {
    s.findings
        .iter()
        .filter(|f| s.rule(f).id.starts_with("image-"))
        .map(|f| {
            (
                s.rule(f).id.clone(),
                s.object(f).name().to_string(),
                f.container().unwrap_or("").to_string(),
                f.message().to_string(),
            )
        })
        .collect()
}

#[test]
fn findings_land_on_each_container_of_each_workload() {
    let s = scan(false);
    let all = image_findings(&s);
    let on = |obj: &str, c: &str, rule: &str| {
        all.iter()
            .filter(|f| f.1 == obj && f.2 == c && f.0.starts_with(rule))
            .collect::<Vec<_>>()
    };
    // The same image in an init and a regular container: the same findings on both.
    let init = on("db", "init", "image-vulnerability-");
    let main = on("db", "main", "image-vulnerability-");
    assert_eq!(init.len(), main.len());
    for p in [
        "PyPI requests 2.19.1",
        "PyPI urllib3 1.24.1",
        "PyPI PyYAML 5.3.1",
        "crates.io smallvec 1.6.0",
    ] {
        assert!(init.iter().any(|f| f.3.contains(p)), "{p}: {init:#?}");
    }
    // The rule follows the rating: RUSTSEC-2021-0003 carries CVSS 9.8; the PYSEC record of
    // CVE-2020-14343 carries no rating at all.
    let find = |id: &str| init.iter().find(|f| f.3.contains(id)).unwrap();
    let smallvec = find("RUSTSEC-2021-0003");
    assert_eq!(smallvec.0, "image-vulnerability-critical");
    assert!(smallvec.3.contains("CVSS 9.8") && smallvec.3.contains("fixed in 1.6.1"));
    let pyyaml = find("CVE-2020-14343");
    assert_eq!(pyyaml.0, "image-vulnerability-unrated");
    assert!(pyyaml.3.contains("PyYAML 5.3.1") && pyyaml.3.contains("fixed in 5.4"));
    // runAsNonRoot without runAsUser on a root image: the kubelet would refuse to start it.
    let root = on("db", "main", "image-runs-as-root");
    assert_eq!(root.len(), 1);
    assert!(root[0].3.contains("refuse to start"), "{}", root[0].3);
    // A digest pin resolves to the mirror entry with that digest, whatever the name says; the
    // secret of the deleted file is reported.
    let secrets = on("pinned", "c", "image-secret");
    assert!(
        secrets
            .iter()
            .any(|f| f.3.contains("/app/.env") && f.3.contains("deleted by a later layer")),
        "{secrets:#?}"
    );
    let errors = on("pinned", "gone", "image-scan-error");
    assert_eq!(errors.len(), 1);
    assert!(errors[0].3.contains("no-such-tag"), "{}", errors[0].3);
    // Only workloads carry image findings.
    assert!(all.iter().all(|f| f.1 != "not-a-workload"));
    // Fingerprints stay distinct however many vulnerabilities one container has.
    let mut prints: Vec<u64> = s.findings.iter().map(|f| s.fingerprint(f)).collect();
    let n = prints.len();
    prints.sort();
    prints.dedup();
    assert_eq!(prints.len(), n);
    // Severities follow the rule.
    for f in &s.findings {
        assert_eq!(f.severity, s.rule(f).severity);
    }
}

#[test]
fn only_fixed_keeps_vulnerabilities_with_a_fix() {
    let all = image_findings(&scan(false));
    let fixed = image_findings(&scan(true));
    let vulns = |v: &[(String, String, String, String)]| {
        v.iter()
            .filter(|f| f.0.starts_with("image-vulnerability-"))
            .count()
    };
    assert!(vulns(&fixed) > 0);
    assert!(
        fixed
            .iter()
            .filter(|f| f.0.starts_with("image-vulnerability-"))
            .all(|f| f.3.contains("fixed in"))
    );
    let unfixed = all
        .iter()
        .filter(|f| f.0.starts_with("image-vulnerability-") && f.3.contains("no fix yet"))
        .count();
    assert_eq!(vulns(&all) - unfixed, vulns(&fixed));
}
