//! Gatekeeper `suite.yaml` suites (`test.gatekeeper.sh/v1alpha1` Suite), run as `gator verify` does.

use crate::review::{AdmissionRequest, Review};
use crate::{EngineChoice, PolicySet, read_objects};
use palisade_model::{CustomWorkloads, Index, Node, Object, Value};
use regex::Regex;
use std::path::{Path, PathBuf};

/// The outcome of one case.
#[derive(Clone, Debug)]
pub struct CaseResult {
    /// `suite file › test › case`.
    pub name: String,
    /// `None` when the case passed, else why it failed.
    pub failure: Option<String>,
    pub skipped: bool,
}

/// Finds suite files: `PATH` itself when it is a file, else every `suite.yaml`/`*.yaml` with
/// `kind: Suite` below it (hidden directories skipped).
pub fn find_suites(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_path_buf()];
    }
    crate::policy_files(path, &mut |_, _| {})
        .into_iter()
        .filter(|p| std::fs::read_to_string(p).is_ok_and(|s| is_suite_text(&s)))
        .collect()
}

fn is_suite_text(s: &str) -> bool {
    s.lines().any(|l| l.trim() == "kind: Suite") && s.contains("test.gatekeeper.sh")
}

/// Expected number of violations.
#[derive(Debug, PartialEq)]
enum Expect {
    AtLeastOne,
    None,
    Exactly(i64),
}

fn expectation(v: Option<&Node>) -> Result<Expect, String> {
    let Some(v) = v else {
        return Ok(Expect::AtLeastOne);
    };
    match &v.value {
        Value::Null => Ok(Expect::AtLeastOne),
        Value::Bool(true) => Ok(Expect::AtLeastOne),
        Value::Bool(false) => Ok(Expect::None),
        Value::Int(i) if *i >= 0 => Ok(Expect::Exactly(*i)),
        Value::Str(s) => match s.as_str() {
            "yes" | "true" => Ok(Expect::AtLeastOne),
            "no" | "false" => Ok(Expect::None),
            n => n
                .parse()
                .map(Expect::Exactly)
                .map_err(|_| format!("violations: `{n}` is not a number, yes or no")),
        },
        _ => Err(format!(
            "violations: expected a number, yes or no, got {}",
            v.type_name()
        )),
    }
}

/// Runs every suite under `path`.
pub fn run_path(path: &Path, choice: EngineChoice) -> Vec<CaseResult> {
    let mut out = Vec::new();
    for s in find_suites(path) {
        out.extend(run_suite(&s, choice));
    }
    out
}

/// Runs one suite file.
pub fn run_suite(path: &Path, choice: EngineChoice) -> Vec<CaseResult> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let label = path.display().to_string();
    let objects = match read_objects(path) {
        Ok(o) => o,
        Err(e) => return vec![fail(&label, e)],
    };
    let Some(suite) = objects.iter().find(|o| o.kind() == "Suite") else {
        return vec![fail(&label, "no `kind: Suite` document in the file".into())];
    };
    let mut out = Vec::new();
    for test in suite.root.get("tests").map(Node::items).unwrap_or(&[]) {
        let tname = test.get("name").and_then(Node::as_str).unwrap_or("test");
        let tlabel = format!("{label} › {tname}");
        let skip_test = test.get("skip").and_then(Node::as_bool) == Some(true);
        let mut policy_objects = Vec::new();
        let mut load_err = None;
        for key in ["template", "constraint"] {
            match test.get(key).and_then(Node::as_str) {
                Some(f) => match read_objects(&dir.join(f)) {
                    Ok(mut o) => policy_objects.append(&mut o),
                    Err(e) => load_err = Some(e),
                },
                None => load_err = Some(format!("the test has no `{key}`")),
            }
        }
        let (set, errors) = PolicySet::from_objects(&policy_objects, choice);
        let setup_err = load_err.or_else(|| errors.first().map(|e| e.to_string()));
        for case in test.get("cases").map(Node::items).unwrap_or(&[]) {
            let cname = case.get("name").and_then(Node::as_str).unwrap_or("case");
            let clabel = format!("{tlabel} › {cname}");
            if skip_test || case.get("skip").and_then(Node::as_bool) == Some(true) {
                out.push(CaseResult {
                    name: clabel,
                    failure: None,
                    skipped: true,
                });
                continue;
            }
            let failure = match &setup_err {
                Some(e) => Some(e.clone()),
                None => run_case(dir, case, &set).err(),
            };
            out.push(CaseResult {
                name: clabel,
                failure,
                skipped: false,
            });
        }
    }
    out
}

fn fail(name: &str, why: String) -> CaseResult {
    CaseResult {
        name: name.to_string(),
        failure: Some(why),
        skipped: false,
    }
}

fn run_case(dir: &Path, case: &Node, set: &PolicySet) -> Result<(), String> {
    let object_file = case
        .get("object")
        .and_then(Node::as_str)
        .ok_or("the case has no `object`")?;
    let mut reviewed = read_objects(&dir.join(object_file))?;
    if reviewed.len() != 1 {
        return Err(format!(
            "{object_file}: expected exactly one object, found {}",
            reviewed.len()
        ));
    }
    let mut inventory: Vec<Object> = Vec::new();
    for f in case.get("inventory").map(Node::items).unwrap_or(&[]) {
        let f = f.as_str().ok_or("inventory entries must be file names")?;
        inventory.extend(read_objects(&dir.join(f))?);
    }
    let custom = CustomWorkloads::default();
    let index = Index::new(&inventory, &custom);
    let ev = set.evaluator(&index);
    let obj = reviewed.remove(0);
    let result = if obj.kind() == "AdmissionReview" {
        let (object, req) = AdmissionRequest::from_review(&obj.root.to_json());
        let review = Review::of_request(object.as_ref(), &req);
        ev.evaluate_review(&review)
    } else {
        ev.evaluate(&obj, None)
    };
    if let Some(e) = result.errors.first() {
        return Err(format!("evaluation error: {e}"));
    }
    let messages: Vec<&str> = result.violations.iter().map(|v| v.message()).collect();
    for (i, a) in case
        .get("assertions")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        let expect = expectation(a.get("violations"))?;
        let re = match a.get("message").and_then(Node::as_str) {
            Some(m) => {
                Some(Regex::new(m).map_err(|e| format!("assertion {i}: bad message regex: {e}"))?)
            }
            None => None,
        };
        let n = messages
            .iter()
            .filter(|m| re.as_ref().is_none_or(|r| r.is_match(m)))
            .count() as i64;
        let ok = match expect {
            Expect::AtLeastOne => n > 0,
            Expect::None => n == 0,
            Expect::Exactly(k) => n == k,
        };
        if !ok {
            let want = match expect {
                Expect::AtLeastOne => "at least one".to_string(),
                Expect::None => "no".to_string(),
                Expect::Exactly(k) => k.to_string(),
            };
            let filter = re.map(|r| format!(" matching /{r}/")).unwrap_or_default();
            return Err(format!(
                "assertion {i}: expected {want} violation(s){filter}, got {n}; messages: {messages:?}"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expectations() {
        let n = |j| Node::from_json(&j);
        assert_eq!(expectation(None), Ok(Expect::AtLeastOne));
        assert_eq!(
            expectation(Some(&n(serde_json::json!("no")))),
            Ok(Expect::None)
        );
        assert_eq!(
            expectation(Some(&n(serde_json::json!(false)))),
            Ok(Expect::None)
        );
        assert_eq!(
            expectation(Some(&n(serde_json::json!(2)))),
            Ok(Expect::Exactly(2))
        );
        assert!(expectation(Some(&n(serde_json::json!("many")))).is_err());
    }
}
