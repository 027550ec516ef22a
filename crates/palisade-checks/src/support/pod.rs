//! Pod-level helpers: positions and paths of pod-spec fields, and JSON Patch construction.

use palisade_model::{Container, Diagnostic, Node, Object, PodSpec, Pos, Value};

/// Position of `keys` under `node` if present (the key's line), else of the deepest existing parent.
pub fn pos_at(node: &Node, keys: &[&str]) -> Pos {
    match keys.split_last() {
        Some((last, parent_keys)) => match node.path(parent_keys) {
            Some(parent) if parent.get(last).is_some() => parent.key_pos(last),
            _ => node.deepest(keys).pos,
        },
        None => node.pos,
    }
}

/// Escapes one JSON-pointer segment (RFC 6901).
pub fn escape(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    push_escaped(&mut out, segment);
    out
}

/// Appends `segment` escaped as a JSON-pointer segment, without building a string for it.
pub fn push_escaped(out: &mut String, segment: &str) {
    if !segment.contains(['~', '/']) {
        out.push_str(segment);
        return;
    }
    for ch in segment.chars() {
        match ch {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
}

/// `base` followed by `keys` as JSON-pointer segments.
pub fn pointer(base: &str, keys: &[&str]) -> String {
    let len = base.len() + keys.iter().map(|k| k.len() + 1).sum::<usize>();
    let mut p = palisade_model::diag::string_with_capacity(len);
    p.push_str(base);
    for k in keys {
        p.push('/');
        push_escaped(&mut p, k);
    }
    p
}

/// A diagnostic about a pod-spec field, pointing at the field if written, else at the deepest
/// parent that exists (the pod spec, or the workload when even that is missing).
pub fn pod_diag(pod: &PodSpec, keys: &[&str], message: String) -> Diagnostic {
    let pos = if pod.spec.as_map().is_some() {
        pos_at(pod.spec, keys)
    } else {
        pod.anchor.pos
    };
    Diagnostic::new(message, pos).at_path(pointer(crate::support::pod_spec_path(pod), keys))
}

/// A diagnostic at item `index` of the pod-spec list at `list` (`["volumes"]`,
/// `["securityContext", "sysctls"]`), or at the item's `field` when given and written.
pub fn pod_item_diag(
    pod: &PodSpec,
    list: &[&str],
    index: usize,
    field: Option<&str>,
    message: String,
) -> Diagnostic {
    let item = pod.spec.path(list).and_then(|l| l.items().get(index));
    let pos = match (item, field) {
        (Some(i), Some(f)) => i.key_pos(f),
        (Some(i), None) => i.pos,
        (None, _) => pos_at(pod.spec, list),
    };
    let idx = index.to_string();
    let mut keys = list.to_vec();
    keys.push(&idx);
    keys.extend(field);
    Diagnostic::new(message, pos).at_path(pointer(crate::support::pod_spec_path(pod), &keys))
}

/// One JSON Patch `add` that sets `keys` (below `parent`, which lives at JSON pointer `base`) to
/// `value`, creating the missing intermediate mappings. An existing non-mapping value on the way
/// (e.g. `securityContext:` left empty) is replaced, which `add` does for existing members.
pub fn set_op(
    parent: &Node,
    base: &str,
    keys: &[&str],
    value: serde_json::Value,
) -> serde_json::Value {
    if keys.is_empty() {
        return serde_json::json!({"op": "replace", "path": base, "value": value});
    }
    let mut node = parent;
    let mut depth = 0;
    // Descend while the next key holds a mapping and is not the last key.
    while depth + 1 < keys.len() {
        match node.get(keys[depth]) {
            Some(child) if matches!(child.value, Value::Map(_)) => {
                node = child;
                depth += 1;
            }
            _ => break,
        }
    }
    let mut v = value;
    for k in keys[depth + 1..].iter().rev() {
        let mut m = serde_json::Map::new();
        m.insert((*k).to_string(), v);
        v = serde_json::Value::Object(m);
    }
    serde_json::json!({"op": "add", "path": pointer(base, &keys[..=depth]), "value": v})
}

/// A JSON Patch `remove` of `keys` below `base`.
pub fn remove_op(base: &str, keys: &[&str]) -> serde_json::Value {
    serde_json::json!({"op": "remove", "path": pointer(base, keys)})
}

/// The JSON-pointer path of the pod (template) metadata: `/metadata` for a Pod, the template's
/// `metadata` for workloads.
pub fn pod_meta_path(pod: &PodSpec) -> String {
    let spec = crate::support::pod_spec_path(pod);
    match spec.strip_suffix("/spec") {
        Some("") | None => "/metadata".to_string(),
        Some(parent) => format!("{parent}/metadata"),
    }
}

/// A diagnostic at item `index` of the container's list `list` (`ports`, `volumeMounts`), or at
/// the item's `field` when given and written.
pub fn item_diag(
    pod: &PodSpec,
    c: &Container,
    list: &str,
    index: usize,
    field: Option<&str>,
    message: String,
) -> Diagnostic {
    let item = c
        .get(list)
        .and_then(|l| l.items().get(index))
        .unwrap_or(c.node);
    let pos = match field {
        Some(f) => item.key_pos(f),
        None => item.pos,
    };
    let mut path = format!("{}/{list}/{index}", crate::support::container_path(pod, c));
    if let Some(f) = field {
        path.push('/');
        push_escaped(&mut path, f);
    }
    Diagnostic::new(message, pos)
        .at_path(path)
        .in_container(c.name)
}

/// The pod spec of `obj` for checks (built-in workload kinds plus configured custom ones).
pub fn pod_of<'a>(obj: &'a Object, ctx: &crate::Ctx<'a>) -> Option<PodSpec<'a>> {
    match ctx.judged {
        Some((judged, pod)) if std::ptr::eq(judged, obj) => pod,
        _ => PodSpec::of(obj, ctx.index.custom),
    }
}

/// Loads objects written as JSON and hands them to `f` with a context holding the check's
/// default parameters; for unit tests.
#[cfg(test)]
fn with_ctx<R>(
    check: &dyn crate::Check,
    docs: &[serde_json::Value],
    f: impl FnOnce(&[Object], &crate::Ctx) -> R,
) -> R {
    let objects: Vec<Object> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| {
            Object::new(
                Node::from_json(d),
                palisade_model::Source::new("t.yaml", i as u32),
            )
        })
        .collect();
    let custom = palisade_model::CustomWorkloads::default();
    let index = palisade_model::Index::new(&objects, &custom);
    let params = crate::default_params(check.meta());
    let ctx = crate::Ctx::new(&index, &params);
    f(&objects, &ctx)
}

/// Runs `check` over objects written as JSON; for unit tests.
#[cfg(test)]
pub fn run_json(check: &dyn crate::Check, docs: &[serde_json::Value]) -> Vec<Diagnostic> {
    with_ctx(check, docs, |objects, ctx| {
        let mut out = Vec::new();
        for o in objects {
            check.run(o, ctx, &mut out);
        }
        out
    })
}

/// The fix of `check` for the first object, the others being context; for unit tests.
#[cfg(test)]
pub fn fix_json(check: &dyn crate::Check, docs: &[serde_json::Value]) -> Vec<serde_json::Value> {
    with_ctx(check, docs, |objects, ctx| {
        objects
            .first()
            .map(|o| check.fix(o, ctx))
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_escapes_each_key_as_rfc_6901_says() {
        let keys = ["containers", "a/b", "x~y", "~/", ""];
        let want: String = keys.iter().map(|k| format!("/{}", escape(k))).collect();
        assert_eq!(pointer("/spec", &keys), format!("/spec{want}"));
        assert_eq!(pointer("/spec", &keys), "/spec/containers/a~1b/x~0y/~0~1/");
        // A spare string handed back keeps nothing of its former text.
        palisade_model::diag::recycle("leftover".repeat(10));
        assert_eq!(pointer("", &["k"]), "/k");
    }

    #[test]
    fn set_op_creates_missing_parents() {
        let c = Node::from_json(
            &serde_json::json!({"name": "a", "securityContext": {"privileged": false}}),
        );
        let op = set_op(
            &c,
            "/spec/containers/0",
            &["securityContext", "capabilities", "drop"],
            serde_json::json!(["ALL"]),
        );
        assert_eq!(
            op,
            serde_json::json!({"op": "add", "path": "/spec/containers/0/securityContext/capabilities", "value": {"drop": ["ALL"]}})
        );
        let c = Node::from_json(&serde_json::json!({"name": "a", "securityContext": null}));
        let op = set_op(
            &c,
            "/c",
            &["securityContext", "runAsNonRoot"],
            serde_json::json!(true),
        );
        assert_eq!(op["path"], "/c/securityContext");
        assert_eq!(op["value"], serde_json::json!({"runAsNonRoot": true}));
        let op = set_op(&c, "/c", &["name"], serde_json::json!("b"));
        assert_eq!(op["path"], "/c/name");
        assert_eq!(pointer("/a", &["x/y", "m~n"]), "/a/x~1y/m~0n");
    }
}
