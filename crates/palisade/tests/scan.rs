//! End-to-end tests of `palisade scan`: the real binary on real files, charts and overlays.

mod common;

use common::{command, palisade, root, scan_json, tmp, tools_required};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

fn data(p: &str) -> String {
    format!("crates/palisade/tests/data/{p}")
}

fn checks_of(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["check"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

#[test]
fn insecure_example_fails_with_the_expected_findings() {
    let (code, v) = scan_json(&["examples/insecure"]);
    assert_eq!(code, 1, "{v}");
    let checks = checks_of(&v);
    for want in ["run-as-non-root", "privileged-container", "host-network"] {
        assert!(
            checks.iter().any(|c| c == want),
            "missing {want} in {checks:?}"
        );
    }
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "run-as-non-root")
        .unwrap();
    assert_eq!(f["location"]["file"], "examples/insecure/app.yaml");
    assert!(f["location"]["line"].as_u64().unwrap() > 10);
    assert_eq!(f["object"]["kind"], "Deployment");
    assert_eq!(f["container"], "web");
    assert_eq!(
        f["owner"], "storefront-team",
        "owner from .palisade.yaml path rule"
    );
    assert_eq!(f["fingerprint"].as_str().unwrap().len(), 16);
    // What the check is, once in `rules` for every check with findings.
    assert_eq!(v["schema"], "palisade.dev/report/v2");
    let rule = &v["rules"]["run-as-non-root"];
    assert!(
        rule["title"].as_str().unwrap().contains("non-root"),
        "{rule}"
    );
    assert!(!rule["remediation"].as_str().unwrap().is_empty(), "{rule}");
    assert_eq!(rule["crossObject"], false);
    assert_eq!(rule["category"], "security");
    let rules: std::collections::BTreeSet<&str> = v["rules"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    let with_findings: std::collections::BTreeSet<&str> = ["findings", "exempted"]
        .iter()
        .flat_map(|l| v[l].as_array().unwrap())
        .map(|f| f["check"].as_str().unwrap())
        .collect();
    assert_eq!(rules, with_findings, "one entry per check with findings");
    let deploy = v["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == "Deployment")
        .unwrap();
    assert_eq!(deploy["score"], 0, "{deploy}");
    assert!(
        v["summary"]["score"].as_u64().unwrap() < 80,
        "{}",
        v["summary"]
    );
}

#[test]
fn hardened_example_passes() {
    let out = palisade(&["scan", "examples/hardened"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("Summary"), "{text}");
}

#[test]
fn text_report_shows_snippet_title_remediation_and_owner() {
    let out = palisade(&["scan", "--color", "never", "examples/insecure"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("examples/insecure/app.yaml:"), "{text}");
    assert!(text.contains("[run-as-non-root]"), "{text}");
    assert!(text.contains("owner storefront-team"), "{text}");
    assert!(text.contains("fix: "), "{text}");
    assert!(text.contains('^'), "a marked snippet line: {text}");
    assert!(!text.contains('\u{1b}'), "no colour when not a terminal");
}

#[test]
fn stdin_and_lists_are_read() {
    let list = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n  spec:\n    hostPID: true\n    containers: [{name: c, image: busybox:1.36}]\n";
    let mut child = command()
        .args(["scan", "--format", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(list.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["objects"], 1);
    assert!(checks_of(&v).iter().any(|c| c == "host-pid"), "{v}");
    let f = &v["findings"][0];
    assert_eq!(f["location"]["file"], "<stdin>");
}

#[test]
fn bad_inputs_are_reported_and_the_rest_scanned() {
    let d = tmp("bad");
    std::fs::write(d.join("good.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostIPC: true\n  containers: [{name: c, image: x:1}]\n").unwrap();
    std::fs::write(
        d.join("broken.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: [unclosed\n",
    )
    .unwrap();
    std::fs::write(d.join("binary.yaml"), [0u8, 159, 146, 150, 0, 1]).unwrap();
    let (code, v) = scan_json(&[d.to_str().unwrap(), "/nonexistent/file.yaml"]);
    assert_eq!(code, 3, "{v}");
    assert_eq!(v["summary"]["objects"], 1);
    let errs = v["inputErrors"].as_array().unwrap();
    assert!(errs.len() >= 3, "{errs:?}");
    assert!(
        errs.iter()
            .any(|e| e["file"].as_str().unwrap().ends_with("broken.yaml") && e["line"].is_u64()),
        "{errs:?}"
    );
    assert!(
        errs.iter().any(|e| e["file"] == "/nonexistent/file.yaml"),
        "{errs:?}"
    );
    assert!(checks_of(&v).iter().any(|c| c == "host-ipc"));
}

#[test]
fn bad_config_exits_2_naming_file_and_line() {
    let d = tmp("badcfg");
    std::fs::write(
        d.join(".palisade.yaml"),
        "checks:\n  disable: [a]\n  severty: {}\n",
    )
    .unwrap();
    std::fs::write(
        d.join("p.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
    )
    .unwrap();
    let out = palisade(&["scan", d.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(".palisade.yaml") && err.contains("severty") && err.contains('3'),
        "{err}"
    );
}

#[test]
fn exemptions_by_config_annotation_and_expiry() {
    let d = tmp("exempt");
    std::fs::write(
        d.join(".palisade.yaml"),
        "exemptions:\n  - checks: [host-network]\n    objects: [\"Pod/net-*\"]\n    reason: node agent\n    expires: 2999-01-01\n  - checks: [host-pid]\n    reason: old exemption\n    expires: 2020-01-01\n",
    )
    .unwrap();
    std::fs::write(
        d.join("pods.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: net-agent}\nspec:\n  hostNetwork: true\n  hostPID: true\n  containers: [{name: c, image: x:1}]\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: ipc\n  annotations:\n    palisade.dev/exempt: host-ipc\n    palisade.dev/exempt-reason: shared memory with the sidecar\nspec:\n  hostIPC: true\n  containers: [{name: c, image: x:1}]\n",
    )
    .unwrap();
    let (_, v) = scan_json(&[d.to_str().unwrap()]);
    let checks = checks_of(&v);
    assert!(!checks.contains(&"host-network".to_string()), "{checks:?}");
    assert!(!checks.contains(&"host-ipc".to_string()), "{checks:?}");
    assert!(
        checks.contains(&"host-pid".to_string()),
        "expired exemption must not apply: {checks:?}"
    );
    let ex = v["exempted"].as_array().unwrap();
    assert!(
        ex.iter().any(|f| f["check"] == "host-network"
            && f["exemption"]["reason"] == "node agent"
            && f["exemption"]["expires"] == "2999-01-01"),
        "{ex:?}"
    );
    assert!(
        ex.iter().any(|f| f["check"] == "host-ipc"
            && f["exemption"]["reason"] == "shared memory with the sidecar"),
        "{ex:?}"
    );
    let expired = v["expiredExemptions"].as_array().unwrap();
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0]["expired"], "2020-01-01");
}

#[test]
fn fingerprints_survive_reformatting_and_reordering() {
    let d = tmp("fp");
    std::fs::write(d.join("a.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: one}\nspec:\n  hostPID: true\n  containers: [{name: c, image: x:1}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: two}\nspec:\n  hostIPC: true\n  containers: [{name: c, image: x:1}]\n").unwrap();
    let e = tmp("fp2");
    std::fs::write(e.join("b.yaml"), "# reordered and reformatted\napiVersion: v1\nkind: Pod\nmetadata:\n  name: two\nspec:\n  containers:\n    - image: x:1\n      name: c\n  hostIPC: true\n---\nkind: Pod\napiVersion: v1\nspec:\n  hostPID: true\n  containers:\n  - {image: 'x:1', name: c}\nmetadata:\n  name: one\n").unwrap();
    let fps = |p: &Path| {
        let (_, v) = scan_json(&["--no-config", p.to_str().unwrap()]);
        let mut f: Vec<String> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| format!("{} {}", f["check"], f["fingerprint"]))
            .collect();
        f.sort();
        f
    };
    let (a, b) = (fps(&d), fps(&e));
    assert!(!a.is_empty());
    assert_eq!(a, b);
}

#[test]
fn outputs_sarif_junit_markdown_at_once_and_sarif_is_valid() {
    let d = tmp("out");
    let sarif = d.join("p.sarif");
    let junit = d.join("p.xml");
    let md = d.join("p.md");
    let out = palisade(&[
        "scan",
        "examples/insecure",
        "--output",
        &format!("sarif={}", sarif.display()),
        "--output",
        &format!("junit={}", junit.display()),
        "--output",
        &format!("markdown={}", md.display()),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    let schema: serde_json::Value = serde_json::from_str(include_str!(
        "../../palisade-report/tests/schemas/sarif-schema-2.1.0.json"
    ))
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&s)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "SARIF invalid: {errors:?}");
    let results = s["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    // Exempted findings are results with a suppression; the rules listed are those with results.
    assert!(
        results
            .iter()
            .any(|r| r["suppressions"][0]["justification"].is_string()),
        "{results:?}"
    );
    let rules = s["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    for r in results {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"], "{r}");
    }
    // A scan without findings is a valid SARIF file too.
    let clean = d.join("clean.yaml");
    std::fs::write(
        &clean,
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: x}\n",
    )
    .unwrap();
    let empty = palisade(&[
        "scan",
        "--no-config",
        "--format",
        "sarif",
        clean.to_str().unwrap(),
    ]);
    let e: serde_json::Value = serde_json::from_slice(&empty.stdout).expect("SARIF is JSON");
    assert!(validator.iter_errors(&e).next().is_none(), "{e}");
    assert_eq!(
        e["runs"][0]["results"].as_array().map(Vec::len),
        Some(0),
        "{e}"
    );
    assert!(results[0]["partialFingerprints"]["palisadeFingerprint/v1"].is_string());
    assert!(results[0]["locations"][0]["physicalLocation"]["region"]["startLine"].is_u64());
    let x = std::fs::read_to_string(&junit).unwrap();
    assert!(x.contains("<testsuites") && x.contains("<failure"), "{x}");
    let m = std::fs::read_to_string(&md).unwrap();
    assert!(
        m.contains("Palisade") && m.contains("| `run-as-non-root` |"),
        "{m}"
    );
}

#[test]
fn group_by_owner_in_summary() {
    let out = palisade(&[
        "scan",
        "--group-by",
        "owner",
        "--color",
        "never",
        "examples/insecure",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("by owner"), "{text}");
    assert!(text.contains("storefront-team"), "{text}");
}

#[test]
fn helm_chart_findings_name_the_template() {
    if !have("helm") && std::env::var_os("PALISADE_HELM").is_none() {
        assert!(
            !tools_required(),
            "helm is required (PALISADE_REQUIRE_TOOLS) but not found"
        );
        eprintln!("skipped: helm not installed");
        return;
    }
    let (code, v) = scan_json(&["--no-config", &data("chart/web")]);
    assert_eq!(code, 1, "{v}");
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "run-as-non-root")
        .expect("run-as-non-root");
    assert_eq!(f["location"]["file"], "web/templates/deployment.yaml");
    assert_eq!(f["object"]["name"], "release-name-web");
    // --set reaches helm: with runAsNonRoot=true the finding goes away.
    let (_, v) = scan_json(&[
        "--no-config",
        &data("chart/web"),
        "--set",
        "runAsNonRoot=true",
    ]);
    assert!(!checks_of(&v).iter().any(|c| c == "run-as-non-root"), "{v}");
}

#[test]
fn missing_helm_is_a_clear_error_and_others_still_scan() {
    let out = command()
        .env("PALISADE_HELM", "/nonexistent/helm")
        .args([
            "scan",
            "--format",
            "json",
            "--no-config",
            &data("chart/web"),
            "examples/insecure",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["summary"]["objects"].as_u64().unwrap() > 3);
    let e = &v["inputErrors"][0];
    assert!(e["message"].as_str().unwrap().contains("helm"), "{e}");
}

#[test]
fn kustomize_overlay_is_rendered() {
    if !have("kubectl") && std::env::var_os("PALISADE_KUBECTL").is_none() {
        assert!(
            !tools_required(),
            "kubectl is required (PALISADE_REQUIRE_TOOLS) but not found"
        );
        eprintln!("skipped: kubectl not installed");
        return;
    }
    let (_, v) = scan_json(&["--no-config", &data("kustomize/overlays/prod")]);
    assert_eq!(v["summary"]["objects"], 1, "{v}");
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "host-network")
        .expect("host-network from the overlay patch");
    assert_eq!(f["object"]["namespace"], "prod");
    assert_eq!(f["location"]["file"], data("kustomize/overlays/prod"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(
        palisade(&["scan", "--format", "xml", "."]).status.code(),
        Some(2)
    );
    assert_eq!(
        palisade(&["scan", "--fail-on", "severe", "."])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        palisade(&["scan", "--output", "sarif", "."]).status.code(),
        Some(2)
    );
    assert_eq!(palisade(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn checks_list_and_explain() {
    let out = palisade(&["checks", "list", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v.as_array().unwrap().len() >= 100,
        "catalogue has {} checks",
        v.as_array().unwrap().len()
    );
    let out = palisade(&["checks", "explain", "run-as-non-root"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Containers must run as a non-root user")
    );
    assert_eq!(
        palisade(&["checks", "explain", "nope"]).status.code(),
        Some(2)
    );
}

#[test]
fn docs_checks_md_matches_the_code() {
    let out = palisade(&["checks", "docs"]);
    let want = String::from_utf8_lossy(&out.stdout);
    let have = std::fs::read_to_string(root().join("docs/checks.md")).unwrap_or_default();
    assert!(
        want == have,
        "docs/checks.md is out of date: run `cargo run -p palisade -- checks docs > docs/checks.md`"
    );
}

#[test]
fn pss_profile_and_policies_run_in_scan() {
    let d = tmp("pss-policy");
    let pod = d.join("pod.yaml");
    std::fs::write(&pod, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    image: nginx:1.27\n").unwrap();
    let (_, v) = scan_json(&[
        "--no-config",
        "--pss",
        "restricted:v1.30",
        pod.to_str().unwrap(),
    ]);
    let pss: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["source"] == "pss")
        .collect();
    assert!(
        pss.iter()
            .any(|f| f["check"] == "pss-allow-privilege-escalation"
                && f["message"].as_str().unwrap().contains(
                    "container \"app\" must set securityContext.allowPrivilegeEscalation=false"
                )),
        "{pss:?}"
    );
    assert!(
        pss.iter()
            .all(|f| f["location"]["line"].as_u64().unwrap() >= 5),
        "{pss:?}"
    );

    let g = root().join("../shared/corpora/gatekeeper-library/library/general/requiredlabels");
    let sample = g.join("samples/all-must-have-owner/constraint.yaml");
    let (_, v) = scan_json(&[
        "--no-config",
        "--policy",
        g.join("template.yaml").to_str().unwrap(),
        "--policy",
        sample.to_str().unwrap(),
        "examples/insecure",
    ]);
    let pol: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["source"] == "policy")
        .collect();
    assert!(
        pol.iter()
            .any(|f| f["check"] == "all-must-have-owner" && f["severity"] == "high"),
        "{pol:?}"
    );
    assert!(
        v["inputErrors"].as_array().unwrap().is_empty(),
        "{}",
        v["inputErrors"]
    );
    // A constraint for an unknown template is an input error naming the file; the rest still runs.
    let bad = d.join("bad-constraint.yaml");
    std::fs::write(&bad, "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sNoSuchTemplate\nmetadata: {name: nope}\nspec: {}\n").unwrap();
    let (code, v) = scan_json(&[
        "--no-config",
        "--policy",
        bad.to_str().unwrap(),
        "examples/insecure",
    ]);
    assert_eq!(code, 3, "{}", v["inputErrors"]);
    assert!(
        v["inputErrors"][0]["file"]
            .as_str()
            .unwrap()
            .contains("bad-constraint.yaml"),
        "{}",
        v["inputErrors"]
    );
    assert!(v["summary"]["findings"].as_u64().unwrap() > 5);
}
