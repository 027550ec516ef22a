//! What installs the admission webhook (deploy/): the plain manifests and the Helm chart pass
//! Palisade's own checks with the default config and the Pod Security Standards their namespace
//! enforces, ship a config the engine accepts, render the same webhook as each other, and keep the
//! webhook configurations' safety properties (v1 reviews, no side effects, a timeout, a failure
//! policy, kube-system and Palisade's namespace left out).

mod common;

use common::{palisade, root, scan_json, tools_required};
use palisade_model::{LoadOptions, load_bytes};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const MANIFESTS: &str = "deploy/manifests";
const CHART: &str = "deploy/helm/palisade";
/// The caBundle placeholder of the plain manifests (not base64, so applying it unedited fails).
const CA_PLACEHOLDER: &str = "REPLACE_WITH_BASE64_CA_BUNDLE";

/// Asserts a clean report: exit 0, objects scanned, no findings (exempted ones included), no
/// input errors.
fn assert_clean(what: &str, args: &[&str], min_objects: u64) {
    let (code, v) = scan_json(args);
    let findings: Vec<String> = v["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    format!(
                        "{} {}/{}: {}",
                        f["check"].as_str().unwrap_or(""),
                        f["object"]["kind"].as_str().unwrap_or(""),
                        f["object"]["name"].as_str().unwrap_or(""),
                        f["message"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert!(
        findings.is_empty(),
        "{what}: findings:\n{}",
        findings.join("\n")
    );
    assert_eq!(code, 0, "{what}: exit code; report: {v}");
    let errors = v["inputErrors"].as_array().map_or(0, Vec::len);
    assert_eq!(errors, 0, "{what}: input errors: {}", v["inputErrors"]);
    let objects = v["summary"]["objects"].as_u64().unwrap_or(0);
    assert!(
        objects >= min_objects,
        "{what}: only {objects} objects scanned, expected at least {min_objects}"
    );
}

/// The helm binary the scan would use (PALISADE_HELM or `helm` on PATH), or `None` (skipping)
/// when there is none and the tools are not required.
fn helm() -> Option<String> {
    let bin = std::env::var("PALISADE_HELM").unwrap_or_else(|_| "helm".to_string());
    let found = Command::new(&bin)
        .arg("version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        assert!(
            !tools_required(),
            "helm is required (PALISADE_REQUIRE_TOOLS) but not found"
        );
        eprintln!("skipped: helm not installed");
        return None;
    }
    Some(bin)
}

/// `helm template RELEASE CHART -n palisade-system ARGS`, as JSON objects.
fn helm_template(helm: &str, args: &[&str]) -> Vec<Value> {
    let out = Command::new(helm)
        .current_dir(root())
        .args([
            "template",
            "palisade",
            CHART,
            "--namespace",
            "palisade-system",
        ])
        .args(args)
        .output()
        .expect("run helm");
    assert!(
        out.status.success(),
        "helm template {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    objects(&out.stdout, "helm template")
}

fn objects(bytes: &[u8], name: &str) -> Vec<Value> {
    let loaded = load_bytes(bytes, name, &LoadOptions::default());
    assert!(loaded.errors.is_empty(), "{name}: {:?}", loaded.errors);
    loaded.objects.iter().map(|o| o.root.to_json()).collect()
}

/// Every object of the plain manifests (cert-manager ones included), with their files.
fn manifest_objects() -> Vec<Value> {
    let mut files = Vec::new();
    for dir in [MANIFESTS, "deploy/manifests/cert-manager"] {
        for e in std::fs::read_dir(root().join(dir)).expect("deploy/manifests") {
            let p = e.expect("dir entry").path();
            if p.extension().is_some_and(|x| x == "yaml") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
        .iter()
        .flat_map(|p| {
            objects(
                &std::fs::read(p).expect("read manifest"),
                &p.display().to_string(),
            )
        })
        .collect()
}

fn find<'a>(objs: &'a [Value], kind: &str) -> Vec<&'a Value> {
    objs.iter().filter(|o| o["kind"] == kind).collect()
}

fn one<'a>(objs: &'a [Value], kind: &str) -> &'a Value {
    let found = find(objs, kind);
    assert_eq!(found.len(), 1, "exactly one {kind}");
    found[0]
}

/// The safety properties of both webhook configurations; `exclude` are the namespaces that must
/// never be sent to the webhook.
fn assert_webhook_configs(objs: &[Value], exclude: &[&str], paths: &[&str]) {
    let mut seen = Vec::new();
    for kind in [
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
    ] {
        let cfg = one(objs, kind);
        let hooks = cfg["webhooks"].as_array().expect("webhooks");
        assert!(!hooks.is_empty(), "{kind}: no webhooks");
        for h in hooks {
            let name = h["name"].as_str().unwrap_or("");
            assert_eq!(
                h["admissionReviewVersions"],
                serde_json::json!(["v1"]),
                "{name}"
            );
            assert_eq!(h["sideEffects"], "None", "{name}");
            let t = h["timeoutSeconds"].as_u64().expect("timeoutSeconds set");
            assert!((1..=30).contains(&t), "{name}: timeoutSeconds {t}");
            assert!(
                matches!(h["failurePolicy"].as_str(), Some("Ignore" | "Fail")),
                "{name}: failurePolicy {}",
                h["failurePolicy"]
            );
            let excluded = h["namespaceSelector"]["matchExpressions"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|e| e["key"] == "kubernetes.io/metadata.name" && e["operator"] == "NotIn")
                .unwrap_or_else(|| panic!("{name}: no kubernetes.io/metadata.name NotIn"));
            for ns in exclude {
                assert!(
                    excluded["values"]
                        .as_array()
                        .is_some_and(|v| v.iter().any(|x| x == ns)),
                    "{name}: {ns} is not excluded: {excluded}"
                );
            }
            let svc = &h["clientConfig"]["service"];
            assert_eq!(svc["name"], "palisade-webhook", "{name}");
            assert_eq!(svc["namespace"], "palisade-system", "{name}");
            assert_eq!(svc["port"], 443, "{name}");
            seen.push(svc["path"].as_str().unwrap_or("").to_string());
            let rules = h["rules"].as_array().expect("rules");
            assert!(
                rules.iter().any(|r| r["resources"]
                    .as_array()
                    .is_some_and(|v| v.iter().any(|x| x == "pods"))),
                "{name}: pods are not sent"
            );
        }
    }
    seen.sort();
    assert_eq!(seen, paths);
}

/// The `.palisade.yaml` the ConfigMap ships, written to a file.
fn shipped_config(objs: &[Value], tag: &str) -> PathBuf {
    let cm = find(objs, "ConfigMap")
        .into_iter()
        .find(|c| c["data"].get(".palisade.yaml").is_some())
        .expect("a ConfigMap with .palisade.yaml");
    let text = cm["data"][".palisade.yaml"].as_str().expect("config text");
    let dir = std::env::temp_dir().join(format!("palisade-deploy-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let p = dir.join(".palisade.yaml");
    std::fs::write(&p, text).expect("write config");
    p
}

/// The engine accepts the shipped config (unknown keys would exit 2), and it is the one
/// that judges: the insecure example fails (1) under it.
fn assert_config_loads(cfg: &Path) {
    let cfg = cfg.to_str().expect("utf-8 temp path");
    let out = palisade(&[
        "scan",
        "--config",
        cfg,
        "--format",
        "json",
        "examples/insecure",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "config {cfg}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json report");
    // pss.profile of the shipped config is in force: Pod Security findings appear.
    let pss = v["findings"].as_array().is_some_and(|a| {
        a.iter()
            .any(|f| f["check"].as_str().unwrap_or("").starts_with("pss-"))
    });
    assert!(pss, "no Pod Security findings under {cfg}");
}

#[test]
fn manifests_pass_their_own_checks() {
    assert_clean("deploy/manifests", &["--no-config", MANIFESTS], 15);
    // The namespace enforces restricted: the webhook pods must meet it.
    assert_clean(
        "deploy/manifests --pss restricted",
        &["--no-config", "--pss", "restricted", MANIFESTS],
        15,
    );
}

#[test]
fn manifests_are_a_safe_webhook() {
    let objs = manifest_objects();
    assert_webhook_configs(
        &objs,
        &["kube-system", "palisade-system"],
        &["/mutate", "/validate"],
    );
    for kind in [
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
    ] {
        let cfg = one(&objs, kind);
        for h in cfg["webhooks"].as_array().into_iter().flatten() {
            assert_eq!(h["clientConfig"]["caBundle"], CA_PLACEHOLDER);
        }
        assert_eq!(
            cfg["metadata"]["annotations"]["cert-manager.io/inject-ca-from"],
            "palisade-system/palisade-webhook"
        );
    }
    // The cert-manager Certificate names the Service and writes the Secret the pods mount.
    let cert = find(&objs, "Certificate")
        .into_iter()
        .find(|c| c["metadata"]["name"] == "palisade-webhook")
        .expect("serving Certificate");
    assert_eq!(cert["spec"]["secretName"], "palisade-webhook-tls");
    assert!(cert["spec"]["dnsNames"].as_array().is_some_and(|d| {
        d.iter()
            .any(|n| n == "palisade-webhook.palisade-system.svc")
    }));
    let ns = one(&objs, "Namespace");
    assert_eq!(
        ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"],
        "restricted"
    );
    assert_config_loads(&shipped_config(&objs, "manifests"));
}

#[test]
fn chart_passes_its_own_checks() {
    if helm().is_none() {
        return;
    }
    assert_clean("chart", &["--no-config", CHART], 10);
    assert_clean(
        "chart --pss restricted",
        &["--no-config", "--pss", "restricted", CHART],
        10,
    );
    // The other modes render clean objects too.
    for set in [
        "certManager.enabled=true",
        "webhook.denyOn=none,webhook.failurePolicy=Fail,webhook.mutating.enabled=false",
        "networkPolicy.ingressFrom[0].ipBlock.cidr=10.0.0.0/24,replicaCount=3",
    ] {
        assert_clean(
            &format!("chart --set {set}"),
            &["--no-config", CHART, "--set", set],
            9,
        );
    }
}

#[test]
fn chart_renders_the_manifests_webhook() {
    let Some(helm) = helm() else { return };
    let chart = helm_template(&helm, &["--set", &format!("tls.caBundle={CA_PLACEHOLDER}")]);
    let plain = manifest_objects();
    assert_webhook_configs(
        &chart,
        &["kube-system", "palisade-system"],
        &["/mutate", "/validate"],
    );
    // Same objects (by kind and name), apart from the namespace, which the chart leaves to
    // `helm install -n`, and cert-manager's, which the chart only renders when asked.
    let names = |objs: &[Value], skip: &[&str]| {
        let mut v: Vec<String> = objs
            .iter()
            .filter(|o| !skip.iter().any(|k| o["kind"] == *k))
            .map(|o| {
                format!(
                    "{}/{}",
                    o["kind"].as_str().unwrap_or(""),
                    o["metadata"]["name"]
                )
            })
            .collect();
        v.sort();
        v
    };
    let cm = ["Namespace", "Certificate", "Issuer"];
    assert_eq!(names(&chart, &cm), names(&plain, &cm));
    // The same webhooks, containers, pod security context and volumes.
    for kind in [
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
    ] {
        assert_eq!(
            one(&chart, kind)["webhooks"],
            one(&plain, kind)["webhooks"],
            "{kind}"
        );
    }
    let (c, p) = (
        &one(&chart, "Deployment")["spec"],
        &one(&plain, "Deployment")["spec"],
    );
    assert_eq!(c["replicas"], p["replicas"]);
    for key in [
        "containers",
        "securityContext",
        "volumes",
        "automountServiceAccountToken",
        "serviceAccountName",
    ] {
        assert_eq!(
            c["template"]["spec"][key], p["template"]["spec"][key],
            "Deployment pod spec `{key}`"
        );
    }
    // cert-manager mode renders the same Certificate and Issuers as the optional manifest.
    let chart_cm = helm_template(&helm, &["--set", "certManager.enabled=true"]);
    assert_eq!(
        names(&chart_cm, &[])
            .into_iter()
            .filter(|n| n.starts_with("Certificate/") || n.starts_with("Issuer/"))
            .collect::<Vec<_>>(),
        names(&plain, &[])
            .into_iter()
            .filter(|n| n.starts_with("Certificate/") || n.starts_with("Issuer/"))
            .collect::<Vec<_>>()
    );
    for kind in [
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
    ] {
        let cfg = one(&chart_cm, kind);
        assert_eq!(
            cfg["metadata"]["annotations"]["cert-manager.io/inject-ca-from"],
            "palisade-system/palisade-webhook"
        );
        assert!(cfg["webhooks"][0]["clientConfig"].get("caBundle").is_none());
    }
}

#[test]
fn chart_values_reach_the_objects() {
    let Some(helm) = helm() else { return };
    let objs = helm_template(
        &helm,
        &[
            "--set",
            "webhook.denyOn=none,webhook.failurePolicy=Fail,webhook.timeoutSeconds=8,replicaCount=3",
            "--set",
            "webhook.excludeNamespaces={kube-system,monitoring},pss.profile=baseline:v1.30",
            "--set",
            "webhook.mutating.enabled=false,image.digest=sha256:abc",
            "--set-string",
            "policies.required-labels\\.yaml=kind: K8sRequiredLabels",
        ],
    );
    assert_webhook_configs_partial(&objs);
    let dep = one(&objs, "Deployment");
    assert_eq!(dep["spec"]["replicas"], 3);
    let c = &dep["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(c["image"], "ghcr.io/palisade-dev/palisade:0.1.0@sha256:abc");
    assert!(
        c["args"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x == "--request-timeout=7")),
        "{}",
        c["args"]
    );
    let cfg_path = shipped_config(&objs, "chart-values");
    let cfg = std::fs::read_to_string(&cfg_path).expect("config");
    assert!(cfg.contains("denyOn: none"), "{cfg}");
    assert!(cfg.contains("profile: baseline:v1.30"), "{cfg}");
    assert_config_loads(&cfg_path);
    let policies = find(&objs, "ConfigMap")
        .into_iter()
        .find(|c| c["metadata"]["name"] == "palisade-webhook-policies")
        .expect("policies ConfigMap");
    assert!(policies["data"]["required-labels.yaml"].is_string());
}

/// With failurePolicy Fail, no mutating webhook, a longer timeout and `monitoring` excluded.
fn assert_webhook_configs_partial(objs: &[Value]) {
    assert!(find(objs, "MutatingWebhookConfiguration").is_empty());
    let h = &one(objs, "ValidatingWebhookConfiguration")["webhooks"][0];
    assert_eq!(h["failurePolicy"], "Fail");
    assert_eq!(h["timeoutSeconds"], 8);
    assert_eq!(
        h["namespaceSelector"]["matchExpressions"][0]["values"],
        serde_json::json!(["kube-system", "monitoring", "palisade-system"])
    );
}

/// kubectl reads every object (offline: `kubectl label --local` parses the files as `apply`
/// would without contacting a server; schema validation needs a cluster).
#[test]
fn kubectl_reads_every_manifest() {
    let found = Command::new("kubectl")
        .args(["version", "--client"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        assert!(
            !tools_required(),
            "kubectl is required (PALISADE_REQUIRE_TOOLS) but not found"
        );
        eprintln!("skipped: kubectl not installed");
        return;
    }
    let out = Command::new("kubectl")
        .current_dir(root())
        .args(["label", "--local", "-R", "-f", "deploy/manifests"])
        .args(["palisade.dev/test=1", "-o", "name"])
        .output()
        .expect("run kubectl");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let names = String::from_utf8_lossy(&out.stdout);
    assert_eq!(names.lines().count(), manifest_objects().len(), "{names}");
    assert!(names.contains("validatingwebhookconfiguration"), "{names}");
}
