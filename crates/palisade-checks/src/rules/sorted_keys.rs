use crate::support::workloads::describe;
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Node, Object, Severity, Value};

pub struct SortedKeys;

pub static CHECK: &dyn Check = &SortedKeys;

static META: CheckMeta = CheckMeta {
    id: "sorted-keys",
    title: "Mapping keys should be sorted alphabetically",
    category: Category::Reliability,
    severity: Severity::Info,
    rationale: "Manifests whose keys follow one order are easier to review and diff, and merge \
        conflicts between generated and hand-edited files shrink.",
    remediation: "Sort the keys of each mapping alphabetically (e.g. with `yq -P 'sort_keys(..)'`).",
    references: &[],
    params: &[],
    aliases: &["kube-linter:sorted-keys"],
    enabled_by_default: false,
    cross_object: false,
    assumptions: "Every mapping of the object is checked, recursively; one finding per \
        unsorted mapping. Off by default: a style convention, not a defect.",
};

fn walk(node: &Node, path: &mut String, obj: &Object, out: &mut Vec<Diagnostic>) {
    match &node.value {
        Value::Map(m) => {
            let keys: Vec<&str> = m.entries.iter().map(|e| e.key.as_str()).collect();
            if keys.windows(2).any(|w| w[0] > w[1]) {
                let mut sorted = keys.clone();
                sorted.sort_unstable();
                let at = if path.is_empty() {
                    "the top level"
                } else {
                    path.as_str()
                };
                let pos = if node.pos.is_known() {
                    node.pos
                } else {
                    obj.pos()
                };
                out.push(
                    Diagnostic::new(
                        format!(
                            "{}: keys are not sorted at {at}; expected [{}], got [{}]",
                            describe(obj),
                            sorted.join(", "),
                            keys.join(", ")
                        ),
                        pos,
                    )
                    .at_path(pointer(path)),
                );
            }
            for e in &m.entries {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(&e.key);
                walk(&e.value, path, obj, out);
                path.truncate(len);
            }
        }
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                walk(item, path, obj, out);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// `spec.containers[0]` as a JSON pointer (`/spec/containers/0`). Keys containing dots are
/// rare enough at this level that the display path stays readable.
fn pointer(path: &str) -> String {
    let mut p = String::new();
    for seg in path.split(['.', '[']).filter(|s| !s.is_empty()) {
        p.push('/');
        p.push_str(
            &seg.trim_end_matches(']')
                .replace('~', "~0")
                .replace('/', "~1"),
        );
    }
    p
}

impl Check for SortedKeys {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, _ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let mut path = String::new();
        walk(&obj.root, &mut path, obj, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_model::{CustomWorkloads, Entry, Index, Map, Pos, Source};

    /// A mapping in the given key order (serde_json would sort the keys for us).
    fn map(entries: Vec<(&str, Node)>) -> Node {
        Node::new(
            Value::Map(Map {
                entries: entries
                    .into_iter()
                    .map(|(k, v)| Entry {
                        key: k.into(),
                        key_pos: Pos::UNKNOWN,
                        value: v,
                    })
                    .collect(),
            }),
            Pos::UNKNOWN,
        )
    }

    #[test]
    fn reports_each_unsorted_mapping() {
        let container = map(vec![("name", Node::str("web")), ("image", Node::str("x"))]);
        let root = map(vec![
            ("apiVersion", Node::str("v1")),
            ("metadata", map(vec![("name", Node::str("p"))])),
            (
                "spec",
                map(vec![(
                    "containers",
                    Node::new(Value::Seq(Box::new([container])), Pos::UNKNOWN),
                )]),
            ),
            ("kind", Node::str("Pod")),
        ]);
        let objs = vec![Object::new(root, Source::new("t.yaml", 0))];
        let custom = CustomWorkloads::default();
        let index = Index::new(&objs, &custom);
        let params = serde_json::Map::new();
        let ctx = Ctx::new(&index, &params);
        let mut out = Vec::new();
        SortedKeys.run(&objs[0], &ctx, &mut out);
        let msgs: Vec<&str> = out.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(msgs[0].contains("at the top level; expected [apiVersion, kind, metadata, spec]"));
        assert!(
            msgs[1].contains("at spec.containers[0]; expected [image, name], got [name, image]")
        );
        assert_eq!(out[1].path, "/spec/containers/0");
    }
}
