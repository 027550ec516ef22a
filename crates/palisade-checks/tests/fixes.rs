//! Every check's `fix` (JSON Patch) applied to its `fail.yaml` objects: the patch must apply
//! cleanly (its paths exist) and leave nothing the fix could still change, and it must remove
//! at least one diagnostic from each object it touches.

use palisade_checks::{Check, Ctx, default_params, rules};
use palisade_model::{CustomWorkloads, Index, LoadOptions, Node, Object, load_bytes};
use serde_json::Value;
use std::path::Path;

/// Splits a JSON pointer into unescaped segments.
fn segments(pointer: &str) -> Result<Vec<String>, String> {
    let rest = pointer
        .strip_prefix('/')
        .ok_or_else(|| format!("pointer `{pointer}` does not start with /"))?;
    Ok(rest
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect())
}

/// Applies one RFC 6902 `add`, `remove` or `replace` operation.
fn apply(doc: &mut Value, op: &Value) -> Result<(), String> {
    let kind = op["op"].as_str().ok_or("operation without `op`")?;
    let path = op["path"].as_str().ok_or("operation without `path`")?;
    let mut segs = segments(path)?;
    let last = segs.pop().ok_or("empty path")?;
    let mut parent = &mut *doc;
    for s in &segs {
        parent = match parent {
            Value::Object(m) => m.get_mut(s),
            Value::Array(a) => s.parse::<usize>().ok().and_then(|i| a.get_mut(i)),
            _ => None,
        }
        .ok_or_else(|| format!("{path}: `{s}` does not exist"))?;
    }
    let value = || op.get("value").cloned().ok_or(format!("{path}: no value"));
    match (parent, kind) {
        (Value::Object(m), "add") => {
            m.insert(last, value()?);
        }
        (Value::Object(m), "replace") if m.contains_key(&last) => {
            m.insert(last, value()?);
        }
        (Value::Object(m), "remove") if m.contains_key(&last) => {
            m.remove(&last);
        }
        (Value::Array(a), "add") if last == "-" => a.push(value()?),
        (Value::Array(a), "add") => {
            let i: usize = last.parse().map_err(|_| format!("{path}: bad index"))?;
            if i > a.len() {
                return Err(format!("{path}: index out of range"));
            }
            a.insert(i, value()?);
        }
        (Value::Array(a), "replace" | "remove") => {
            let i: usize = last.parse().map_err(|_| format!("{path}: bad index"))?;
            if i >= a.len() {
                return Err(format!("{path}: index out of range"));
            }
            if kind == "remove" {
                a.remove(i);
            } else {
                a[i] = value()?;
            }
        }
        _ => return Err(format!("{path}: cannot {kind} here")),
    }
    Ok(())
}

fn diagnostics(
    check: &dyn Check,
    objects: &[Object],
    i: usize,
    custom: &CustomWorkloads,
) -> (usize, Vec<Value>) {
    let index = Index::new(objects, custom);
    let params = default_params(check.meta());
    let ctx = Ctx::new(&index, &params);
    let mut d = Vec::new();
    check.run(&objects[i], &ctx, &mut d);
    (d.len(), check.fix(&objects[i], &ctx))
}

/// Every Deployment of the fixtures again as a custom workload kind (`Worker`) whose pod
/// template sits at `spec.pod.template`: findings and fixes must follow the configured path.
fn as_custom_workloads(objects: &[Object]) -> Vec<Object> {
    objects
        .iter()
        .map(|o| {
            let mut doc = o.root.to_json();
            if o.kind() == "Deployment"
                && let Some(spec) = doc.get_mut("spec").and_then(Value::as_object_mut)
                && let Some(template) = spec.remove("template")
            {
                spec.insert("pod".into(), serde_json::json!({ "template": template }));
                doc["apiVersion"] = "example.com/v1".into();
                doc["kind"] = "Worker".into();
            }
            Object::new(Node::from_json(&doc), o.source.clone())
        })
        .collect()
}

#[test]
fn fixes_apply_and_remove_their_findings() {
    let mut worker = CustomWorkloads::default();
    worker.add("Worker", "spec.pod.template");
    for custom in [CustomWorkloads::default(), worker] {
        fixes_apply(&custom);
    }
}

fn fixes_apply(custom: &CustomWorkloads) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut problems = Vec::new();
    let mut fixed = 0;
    for check in rules::ALL {
        let id = check.meta().id;
        let Ok(bytes) = std::fs::read(root.join(id).join("fail.yaml")) else {
            continue;
        };
        let mut objects = load_bytes(&bytes, "fail.yaml", &LoadOptions::default()).objects;
        if !custom.entries.is_empty() {
            objects = as_custom_workloads(&objects);
        }
        for (i, obj) in objects.iter().enumerate() {
            let (before, ops) = diagnostics(*check, &objects, i, custom);
            if ops.is_empty() {
                continue;
            }
            let mut doc = obj.root.to_json();
            if let Some(e) = ops.iter().find_map(|op| apply(&mut doc, op).err()) {
                problems.push(format!("{id} on {}: {e}", obj.id));
                continue;
            }
            let mut after_objects = objects.clone();
            after_objects[i] = Object::new(Node::from_json(&doc), obj.source.clone());
            let (after, again) = diagnostics(*check, &after_objects, i, custom);
            if after >= before {
                problems.push(format!(
                    "{id} on {}: {before} finding(s) before the fix, {after} after",
                    obj.id
                ));
            }
            if !again.is_empty() {
                problems.push(format!(
                    "{id} on {}: the fixed object still gets a fix: {again:?}",
                    obj.id
                ));
            }
            fixed += 1;
        }
    }
    eprintln!(
        "{fixed} fixed object(s){}",
        if custom.entries.is_empty() {
            ""
        } else {
            " as custom workloads"
        }
    );
    assert!(fixed > 0, "no fix was exercised");
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn patch_helper_applies_rfc6902_basics() {
    let mut d = serde_json::json!({"a": {"b": [1, 2]}, "c~d": 1});
    apply(
        &mut d,
        &serde_json::json!({"op": "add", "path": "/a/b/-", "value": 3}),
    )
    .unwrap();
    apply(
        &mut d,
        &serde_json::json!({"op": "remove", "path": "/a/b/0"}),
    )
    .unwrap();
    apply(
        &mut d,
        &serde_json::json!({"op": "replace", "path": "/c~0d", "value": 2}),
    )
    .unwrap();
    assert_eq!(d, serde_json::json!({"a": {"b": [2, 3]}, "c~d": 2}));
    assert!(apply(&mut d, &serde_json::json!({"op": "remove", "path": "/x/y"})).is_err());
    assert!(
        apply(
            &mut d,
            &serde_json::json!({"op": "replace", "path": "/zz", "value": 1})
        )
        .is_err()
    );
}
