//! Parity with Polaris, kube-linter, kube-score and Checkov, measured on their own fixtures in
//! `../shared/corpora/` (see each folder's `SOURCE.md`). A tool check maps to ours through the
//! `aliases` of our checks (`polaris:<id>`, `kube-linter:<name>`, `kube-score:<test id>`,
//! `checkov:CKV_K8S_nn`); when several of ours carry the same alias (finer-grained checks), the
//! tool check "fires" when any of them does. Each suite prints a table, the disagreements and
//! the tool checks we do not map; the agreement of each suite is guarded by a floor.
//! Run with `cargo test -p palisade-checks --test parity -- --nocapture` to see the tables.
//! `docs/parity.md` explains the disagreements.

use palisade_checks::{Check, Ctx, default_params, rules};
use palisade_model::{CustomWorkloads, Index, LoadOptions, Object, load_bytes};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Agreement floors, in whole percent: the rates measured when this test was written, rounded
/// down. Raise them when a fix raises the rate; never lower them to make the test pass.
const FLOOR_POLARIS: u32 = 97;
const FLOOR_KUBE_LINTER: u32 = 95;
const FLOOR_KUBE_SCORE: u32 = 95;
const FLOOR_CHECKOV: u32 = 92;

fn corpora() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora")
}

/// Our checks that carry the alias `tool:id`.
fn mapped(tool: &str, id: &str) -> Vec<&'static dyn Check> {
    let alias = format!("{tool}:{id}");
    rules::ALL
        .iter()
        .copied()
        .filter(|c| c.meta().aliases.contains(&alias.as_str()))
        .collect()
}

/// Loads files together (they are one scan's context). Objects kubectl would refuse are input
/// errors and are skipped, as in a scan, while the rest of the file is still checked; a file
/// that yields no object at all is returned as text so that it shows up as a disagreement
/// instead of aborting the whole measurement.
fn load(files: &[PathBuf]) -> Result<Vec<Object>, String> {
    let mut objects = Vec::new();
    for f in files {
        let bytes = std::fs::read(f).map_err(|e| format!("{}: {e}", f.display()))?;
        let out = load_bytes(&bytes, &f.display().to_string(), &LoadOptions::default());
        if out.objects.is_empty()
            && let Some(e) = out.errors.first()
        {
            return Err(format!("input error: {}", e.message));
        }
        objects.extend(out.objects);
    }
    Ok(objects)
}

/// Diagnostics per object (same order as `objects`) from all of `checks`, default parameters.
fn run(checks: &[&'static dyn Check], objects: &[Object]) -> Vec<usize> {
    let custom = CustomWorkloads::default();
    let index = Index::new(objects, &custom);
    let mut counts = vec![0; objects.len()];
    for check in checks {
        let params = default_params(check.meta());
        let ctx = Ctx::new(&index, &params);
        for (obj, n) in objects.iter().zip(counts.iter_mut()) {
            let mut diags = Vec::new();
            check.run(obj, &ctx, &mut diags);
            *n += diags.len();
        }
    }
    counts
}

fn fires(counts: &[usize]) -> &'static str {
    if counts.iter().any(|&n| n > 0) {
        "fail"
    } else {
        "pass"
    }
}

struct Case {
    check: String,
    fixture: String,
    expected: String,
    got: String,
}

#[derive(Default)]
struct Suite {
    cases: Vec<Case>,
    /// Tool checks (or tests) with no Palisade check, and why.
    not_mapped: BTreeSet<String>,
}

impl Suite {
    fn case(&mut self, check: &str, fixture: &str, expected: &str, got: &str) {
        self.cases.push(Case {
            check: check.to_string(),
            fixture: fixture.to_string(),
            expected: expected.to_string(),
            got: got.to_string(),
        });
    }

    fn agreeing(&self) -> usize {
        self.cases.iter().filter(|c| c.expected == c.got).count()
    }

    /// Agreement in percent, rounded down (0 when nothing was mapped).
    fn percent(&self) -> u32 {
        if self.cases.is_empty() {
            return 0;
        }
        u32::try_from(self.agreeing() * 100 / self.cases.len()).unwrap_or(0)
    }

    fn report(&self, name: &str) -> String {
        let mut per_check: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        for c in &self.cases {
            let e = per_check.entry(&c.check).or_default();
            e.0 += 1;
            e.1 += usize::from(c.expected == c.got);
        }
        let mut s = format!(
            "\n## {name}: {} mapped cases, {} agree, {:.1}%\n\n| tool check | our checks | cases | agree |\n|---|---|---|---|\n",
            self.cases.len(),
            self.agreeing(),
            if self.cases.is_empty() {
                0.0
            } else {
                self.agreeing() as f64 * 100.0 / self.cases.len() as f64
            }
        );
        let tool = match name {
            "Polaris" => "polaris",
            "kube-linter" => "kube-linter",
            "kube-score" => "kube-score",
            _ => "checkov",
        };
        for (check, (n, ok)) in &per_check {
            let ours: Vec<&str> = mapped(tool, check).iter().map(|c| c.meta().id).collect();
            s += &format!("| {check} | {} | {n} | {ok} |\n", ours.join(", "));
        }
        s += "\ndisagreements (check, fixture, expected, got):\n";
        for c in self.cases.iter().filter(|c| c.expected != c.got) {
            s += &format!(
                "  {} | {} | {} | {}\n",
                c.check, c.fixture, c.expected, c.got
            );
        }
        s += &format!("not mapped ({}):\n", self.not_mapped.len());
        for n in &self.not_mapped {
            s += &format!("  {n}\n");
        }
        s
    }
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A suite's folder and the entries of its `expected.json` under `key`.
fn expected_entries(suite: &str, key: &str) -> (PathBuf, Vec<Value>) {
    let base = corpora().join(suite);
    let mut expected = read_json(&base.join("expected.json"));
    let entries = match expected.get_mut(key).map(Value::take) {
        Some(Value::Array(a)) => a,
        _ => panic!("{suite}/expected.json has no `{key}` list"),
    };
    (base, entries)
}

fn str_list(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Polaris: `test/checks/<check>/success*.yaml` must not fire, `failure*.yaml` must fire.
fn polaris() -> Suite {
    let root = corpora().join("polaris/test/checks");
    let mut suite = Suite::default();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let check = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let ours = mapped("polaris", check);
        if ours.is_empty() {
            suite.not_mapped.insert(check.to_string());
            continue;
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.sort();
        for f in files {
            let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let expected = if name.starts_with("success") {
                "pass"
            } else if name.starts_with("failure") {
                "fail"
            } else {
                continue; // mutated*.yaml (fix output) and check.yaml (custom check definition)
            };
            let got = match load(std::slice::from_ref(&f)) {
                Ok(objects) => fires(&run(&ours, &objects)).to_string(),
                Err(e) => e,
            };
            suite.case(check, name, expected, &got);
        }
    }
    suite
        .not_mapped
        .insert("webhook_cases/* (whole default configuration, not one check)".into());
    suite
}

/// kube-linter: per `--include` test, the report count, each expected report's kind (and name
/// when the format shows it) and every `dont-fire*` object staying silent.
fn kube_linter() -> Suite {
    let (base, entries) = expected_entries("kube-linter", "tests");
    let mut suite = Suite::default();
    for test in &entries {
        let name = test["name"].as_str().unwrap_or_default();
        let include = str_list(&test["include"]);
        let (Some(file), [check]) = (test["file"].as_str(), include.as_slice()) else {
            suite
                .not_mapped
                .insert(format!("test {name} (CLI-flag or custom-config test)"));
            continue;
        };
        let ours = mapped("kube-linter", check);
        if ours.is_empty() {
            suite.not_mapped.insert(check.to_string());
            continue;
        }
        let objects = match load(&[base.join(file)]) {
            Ok(o) => o,
            Err(e) => {
                suite.case(check, file, "loaded", &e);
                continue;
            }
        };
        let counts = run(&ours, &objects);
        if let Some(want) = test["report_count"].as_u64() {
            let got: usize = counts.iter().sum();
            suite.case(
                check,
                file,
                &format!("{want} reports"),
                &format!("{got} reports"),
            );
        }
        // Expected reports consume our diagnostics by (kind, name).
        let mut left = counts.clone();
        for report in test["reports"].as_array().into_iter().flatten() {
            let text = report["expected"].as_str().unwrap_or_default();
            let format = report["format"].as_str().unwrap_or_default();
            let head = text.split_once(':').map_or(text, |(h, _)| h);
            let (kind, obj_name) = if format.starts_with("{kind} {name}") {
                head.split_once(' ')
                    .map_or((head, None), |(k, n)| (k, Some(n)))
            } else {
                (head, None)
            };
            let hit = objects.iter().zip(left.iter_mut()).find(|(o, n)| {
                **n > 0 && o.kind() == kind && obj_name.is_none_or(|want| o.name() == want)
            });
            let got = match hit {
                Some((_, n)) => {
                    *n -= 1;
                    "reported"
                }
                None => "not reported",
            };
            let label = obj_name.map_or(kind.to_string(), |n| format!("{kind} {n}"));
            suite.case(check, &format!("{file} report {label}"), "reported", got);
        }
        for (obj, n) in objects.iter().zip(&counts) {
            if obj.name().starts_with("dont-fire") {
                suite.case(
                    check,
                    &format!("{file} {} {}", obj.kind(), obj.name()),
                    "silent",
                    if *n == 0 { "silent" } else { "fired" },
                );
            }
        }
    }
    suite
}

/// kube-score's record check names are the titles of its test ids (`Pod NetworkPolicy` ->
/// `pod-networkpolicy`); the README's table lists the ids.
fn kube_score_id(name: &str, known: &BTreeSet<String>) -> Option<String> {
    let id = name.to_lowercase().replace(' ', "-");
    known.contains(&id).then_some(id)
}

/// Run configuration kube-score tests use that only selects what runs (we run the mapped check
/// directly); any other setting (versions, thresholds, ignore lists) has no Palisade equivalent
/// in this harness, so such records are reported as not run.
fn kube_score_config_is_neutral(record: &Value) -> bool {
    if !record["checks_config"].is_null() {
        return false;
    }
    let Some(rc) = record["run_config"].as_str() else {
        return true;
    };
    if record["expect_skipped"].as_bool() == Some(true) {
        return false; // skipped because of the configuration, not the manifest
    }
    let body = rc
        .trim_start_matches("&config.RunConfiguration{")
        .trim_end_matches('}');
    body.split(',')
        .filter_map(|kv| kv.split_once(':').map(|(k, _)| k.trim()))
        .all(|k| k == "EnabledOptionalTests" || k == "UseOptionalChecksAnnotation")
}

/// kube-score: grade 10/7 = pass, 5/1 = fail, 0 or skipped = not applicable (must not fire).
fn kube_score() -> Suite {
    let base = corpora().join("kube-score");
    let readme = std::fs::read_to_string(base.join("README_CHECKS.md")).unwrap_or_default();
    let known: BTreeSet<String> = readme
        .lines()
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.split(" |").next())
        .map(str::to_string)
        .collect();
    let (_, records) = expected_entries("kube-score", "records");
    let mut suite = Suite::default();
    for record in &records {
        let name = record["check"].as_str().unwrap_or_default();
        let test = record["test"].as_str().unwrap_or_default();
        let Some(id) = kube_score_id(name, &known) else {
            suite.not_mapped.insert(format!("{name} (no test id)"));
            continue;
        };
        let ours = mapped("kube-score", &id);
        if ours.is_empty() {
            suite.not_mapped.insert(id);
            continue;
        }
        if !kube_score_config_is_neutral(record) {
            suite.not_mapped.insert(format!(
                "{id}: {test} (depends on kube-score run configuration)"
            ));
            continue;
        }
        let expected = if record["expect_skipped"].as_bool() == Some(true) {
            "pass"
        } else {
            match record["expected_grade"].as_u64() {
                Some(10 | 7 | 0) => "pass",
                Some(5 | 1) => "fail",
                _ => continue,
            }
        };
        let files: Vec<&str> = str_list(&record["files"]);
        let paths: Vec<PathBuf> = files
            .iter()
            .map(|f| base.join("score/testdata").join(f))
            .collect();
        let got = match load(&paths) {
            Ok(objects) => fires(&run(&ours, &objects)).to_string(),
            Err(e) => e,
        };
        suite.case(
            &id,
            &format!("{test} ({})", files.join(" ")),
            expected,
            &got,
        );
    }
    suite
}

/// Checkov's expected label of a file, from its name (`-PASSED`, `-failed-1`, ...).
fn checkov_label(file: &Value) -> Option<&'static str> {
    let label = file["label"].as_str().map(str::to_ascii_uppercase);
    let name = file["file"]
        .as_str()
        .unwrap_or_default()
        .to_ascii_uppercase();
    let l = label.as_deref().unwrap_or(&name);
    match (l.contains("FAILED"), l.contains("PASSED")) {
        (true, false) => Some("fail"),
        (false, true) => Some("pass"),
        _ => None,
    }
}

/// Checkov: per listed resource (`Kind.namespace.name`) when the test names them; else per
/// labelled file when the directory belongs to this check; else the number of failed resources.
fn checkov() -> Suite {
    let (base, entries) = expected_entries("checkov-k8s", "records");
    let mut suite = Suite::default();
    for record in &entries {
        let id = record["check_id"].as_str().unwrap_or_default();
        let dir = record["dir"].as_str().unwrap_or_default();
        let ours = mapped("checkov", id);
        if ours.is_empty() {
            suite.not_mapped.insert(format!(
                "{id} {}",
                record["check_name"].as_str().unwrap_or_default()
            ));
            continue;
        }
        let dir_path = base.join("tests/kubernetes/checks").join(dir);
        let files: Vec<&Value> = record["files"].as_array().into_iter().flatten().collect();
        let passing = str_list(&record["passing_resources"]);
        let failing = str_list(&record["failing_resources"]);
        let module = record["check_module"].as_str().unwrap_or_default();
        let paths: Vec<PathBuf> = files
            .iter()
            .filter_map(|f| f["file"].as_str())
            .map(|f| dir_path.join(f))
            .collect();
        if !passing.is_empty() || !failing.is_empty() {
            let (objects, counts) = match load(&paths) {
                Ok(o) => {
                    let c = run(&ours, &o);
                    (o, c)
                }
                Err(e) => {
                    suite.case(id, dir, "loaded", &e);
                    continue;
                }
            };
            for (list, want) in [(&passing, "pass"), (&failing, "fail")] {
                for res in list.iter() {
                    let found = objects.iter().zip(&counts).find(|(o, _)| {
                        format!(
                            "{}.{}.{}",
                            o.kind(),
                            o.namespace().unwrap_or("default"),
                            o.name()
                        ) == *res
                    });
                    let got = match found {
                        Some((_, 0)) => "pass",
                        Some(_) => "fail",
                        None => "not found",
                    };
                    suite.case(id, &format!("{dir}/{res}"), want, got);
                }
            }
        } else if dir.strip_prefix("example_") == Some(module) {
            for f in &files {
                let (Some(name), Some(want)) = (f["file"].as_str(), checkov_label(f)) else {
                    continue;
                };
                let got = match load(&[dir_path.join(name)]) {
                    Ok(objects) => fires(&run(&ours, &objects)).to_string(),
                    Err(e) => e,
                };
                suite.case(id, &format!("{dir}/{name}"), want, &got);
            }
        } else if let Some(want) = record["expected_failed"].as_u64() {
            // A directory shared by several checks: its file labels belong to another check.
            let got = match load(&paths) {
                Ok(objects) => {
                    let n = run(&ours, &objects).iter().filter(|&&n| n > 0).count();
                    format!("{n} failed resources")
                }
                Err(e) => e,
            };
            suite.case(id, dir, &format!("{want} failed resources"), &got);
        }
    }
    suite
}

fn guard(name: &str, suite: &Suite, floor: u32) -> Option<String> {
    println!("{}", suite.report(name));
    (suite.percent() < floor).then(|| {
        format!(
            "{name}: agreement {}% fell below the floor {floor}%",
            suite.percent()
        )
    })
}

#[test]
fn agreement_with_other_tools_does_not_fall() {
    let failures: Vec<String> = [
        guard("Polaris", &polaris(), FLOOR_POLARIS),
        guard("kube-linter", &kube_linter(), FLOOR_KUBE_LINTER),
        guard("kube-score", &kube_score(), FLOOR_KUBE_SCORE),
        guard("Checkov", &checkov(), FLOOR_CHECKOV),
    ]
    .into_iter()
    .flatten()
    .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The mapping tables at the end of docs/parity.md, generated from the aliases.
fn mapping_tables() -> String {
    let mut out = String::new();
    for (heading, tool) in [
        ("Polaris", "polaris"),
        ("kube-linter", "kube-linter"),
        ("kube-score", "kube-score"),
        ("Checkov", "checkov"),
    ] {
        let mut rows: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for c in rules::ALL {
            for a in c.meta().aliases {
                if let Some(id) = a.strip_prefix(tool).and_then(|r| r.strip_prefix(':')) {
                    rows.entry(id).or_default().push(c.meta().id);
                }
            }
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!(
            "### {heading}\n\n| {tool} check | Palisade check(s) |\n|---|---|\n"
        ));
        for (id, ours) in rows {
            out.push_str(&format!("| `{id}` | {} |\n", ours.join(", ")));
        }
    }
    out
}

/// docs/parity.md's mapping tables must match the aliases in the code; on a difference the
/// test prints the tables to paste in.
#[test]
fn docs_mapping_tables_match_the_aliases() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/parity.md"))
            .expect("docs/parity.md");
    let start = doc.find("### Polaris").expect("a `### Polaris` section");
    let want = mapping_tables();
    assert!(
        doc[start..] == want,
        "docs/parity.md's mapping tables (from `### Polaris` to the end) differ from the aliases \
         in the code; replace them with:\n\n{want}"
    );
}
