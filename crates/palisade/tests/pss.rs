//! `palisade pss`: verdicts, formats and exit codes, driving the real binary.

use std::io::Write;
use std::process::{Command, Output, Stdio};

const MANIFESTS: &str = r#"apiVersion: v1
kind: Namespace
metadata:
  name: prod
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: v1.30
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: prod
spec:
  containers:
  - name: app
    image: nginx
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ok
spec:
  template:
    spec:
      containers:
      - name: app
        image: nginx
"#;

fn palisade(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("palisade runs");
    if let Some(s) = stdin {
        child
            .stdin
            .take()
            .expect("piped")
            .write_all(s.as_bytes())
            .expect("stdin written");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("palisade finishes")
}

fn temp_file(name: &str, body: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("palisade-pss-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join(name);
    std::fs::write(&p, body).expect("temp file");
    p
}

fn run_file(policy: &str, name: &str, body: &str) -> (Option<i32>, String) {
    let f = temp_file(name, body);
    let out = palisade(&["pss", policy, f.to_str().expect("utf-8 path")], None);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn namespace_labels_and_default_give_the_cluster_verdict() {
    let (code, text) = run_file("baseline", "m.yaml", MANIFESTS);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("DENIED   Pod prod/web"), "{text}");
    assert!(
        text.contains("violates PodSecurity \"restricted:v1.30\": allowPrivilegeEscalation != false (container \"app\" must set securityContext.allowPrivilegeEscalation=false)"),
        "{text}"
    );
    assert!(
        text.contains("m.yaml:16:"),
        "diagnostics carry positions: {text}"
    );
    assert!(text.contains("ALLOWED  Deployment ok"), "{text}");
    assert!(text.contains("2 evaluated: 1 allowed, 1 denied"), "{text}");

    // Without the labels, baseline allows both.
    let f = temp_file("m2.yaml", MANIFESTS);
    let out = palisade(
        &[
            "pss",
            "baseline:v1.30",
            "--ignore-namespace-labels",
            f.to_str().expect("utf-8 path"),
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn json_from_stdin_and_future_versions() {
    let out = palisade(
        &[
            "pss",
            "restricted:v1.99",
            "--ignore-namespace-labels",
            "--format",
            "json",
            "-",
        ],
        Some(MANIFESTS),
    );
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    assert!(
        v["note"]
            .as_str()
            .expect("a note")
            .contains("evaluated as latest")
    );
    let objects = v["objects"].as_array().expect("objects");
    assert_eq!(objects.len(), 2);
    assert_eq!(objects[1]["verdict"], "denied");
    let checks: Vec<_> = objects[1]["forbidden"]
        .as_array()
        .expect("forbidden")
        .iter()
        .map(|f| f["check"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        checks,
        [
            "allowPrivilegeEscalation",
            "capabilities_restricted",
            "runAsNonRoot",
            "seccompProfile_restricted"
        ]
    );
    assert_eq!(
        objects[1]["forbidden"][0]["locations"][0]["path"],
        "/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation"
    );
}

#[test]
fn usage_errors_exit_2() {
    for bad in ["banana", "restricted:banana", "restricted:v2.0"] {
        let out = palisade(&["pss", bad, "-"], Some(""));
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("invalid"),
            "{bad}"
        );
    }
    let out = palisade(&["pss", "baseline", "/nonexistent/palisade/pss.yaml"], None);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn invalid_objects_are_reported_not_panicked_on() {
    let body = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  securityContext:\n    runAsNonRot: true\n  containers: []\n";
    let (code, text) = run_file("baseline", "bad.yaml", body);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("INVALID  Pod x"), "{text}");
    assert!(
        text.contains("bad.yaml:7:5: spec.securityContext.runAsNonRot: unknown field"),
        "{text}"
    );
    assert!(text.contains("at least one container"), "{text}");
    assert!(
        text.contains("1 evaluated: 0 allowed, 0 denied, 1 invalid"),
        "{text}"
    );
}

#[test]
fn unparsable_input_exits_3() {
    let cases = [
        (
            "broken.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata: [unclosed\n",
        ),
        (
            "typed.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: t\nspec:\n  hostNetwork: \"true\"\n  containers:\n  - name: c\n    image: x\n",
        ),
    ];
    for (name, body) in cases {
        let (code, text) = run_file("baseline", name, body);
        assert_eq!(code, Some(3), "{text}");
        assert!(text.contains("error: ") && text.contains(name), "{text}");
    }
}
