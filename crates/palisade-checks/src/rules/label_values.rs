use crate::support::pod::{pod_of, pointer};
use crate::support::metadata::{label_key_problem, label_value_problem};
use crate::support::workloads::describe;
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Node, Object, Pos, Severity};

pub struct LabelValues;

pub static CHECK: &dyn Check = &LabelValues;

static META: CheckMeta = CheckMeta {
    id: "label-values",
    title: "Labels must be valid Kubernetes labels",
    category: Category::Reliability,
    severity: Severity::High,
    rationale: "The API server rejects an object whose label key or value breaks the label \
        syntax (values: at most 63 characters, alphanumeric at both ends, only `-`, `_`, `.` \
        inside) or whose value is not a string: an unquoted `version: 1.10` is a number, and \
        the whole release fails on it.",
    remediation: "Quote label values that YAML reads as numbers or booleans, shorten long \
        values, and replace characters such as spaces, `/` or `:` in values with `-`.",
    references: &[
        "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set",
    ],
    params: &[],
    aliases: &["kube-score:label-values"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

/// `base` gives the JSON pointer of the labels, worked out only when one has a problem.
fn check_labels(
    obj: &Object,
    labels: Option<&Node>,
    base: impl Fn() -> String,
    out: &mut Vec<Diagnostic>,
) {
    let Some(map) = labels.and_then(Node::as_map) else {
        return;
    };
    for e in &map.entries {
        let key = e.key.as_str();
        let (pos, msg): (Pos, String) = if let Some(why) = label_key_problem(key) {
            (e.key_pos, format!("label key `{key}` {why}"))
        } else {
            match &e.value.value {
                palisade_model::Value::Str(v) => match label_value_problem(v) {
                    Some(why) => (
                        e.value.pos,
                        format!("label `{key}` has value `{v}`, which {why}"),
                    ),
                    None => continue,
                },
                palisade_model::Value::Null => continue,
                _ => (
                    e.value.pos,
                    format!(
                        "label `{key}` has a {} value `{}`; label values must be strings, so quote it",
                        e.value.type_name(),
                        e.value.scalar_text().unwrap_or_default()
                    ),
                ),
            }
        };
        let pos = if pos.is_known() { pos } else { obj.pos() };
        // Worked out only for a problem: most labels have none.
        let ptr = pointer(&base(), &[key]);
        out.push(Diagnostic::new(format!("{}: {msg}", describe(obj)), pos).at_path(ptr));
    }
}

impl Check for LabelValues {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        check_labels(obj, obj.metadata().get("labels"), || "/metadata/labels".into(), out);
        if let Some(pod) = pod_of(obj, ctx)
            && obj.kind() != "Pod"
        {
            let base = crate::support::pod_spec_path(&pod);
            let meta_base = || format!("{}/metadata/labels", base.trim_end_matches("/spec"));
            check_labels(obj, pod.meta.get("labels"), meta_base, out);
        }
    }
}
