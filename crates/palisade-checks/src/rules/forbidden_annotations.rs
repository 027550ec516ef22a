use crate::support::pod::pod_of;
use crate::support::metadata::full_match;
use crate::support::workloads::{describe, field_diag};
use crate::{Check, CheckMeta, Ctx, Param};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct ForbiddenAnnotations;

pub static CHECK: &dyn Check = &ForbiddenAnnotations;

static META: CheckMeta = CheckMeta {
    id: "forbidden-annotations",
    title: "Objects must not use forbidden or obsolete annotations",
    category: Category::Reliability,
    severity: Severity::Low,
    rationale: "Some annotations were replaced by API fields and are now ignored (seccomp and \
        AppArmor annotations, `kubernetes.io/ingress.class`, critical-pod): the setting looks \
        applied but is not. Organisations also ban annotations that bypass their controls.",
    remediation: "Replace the annotation with the field named in the message (e.g. \
        `securityContext.seccompProfile`, `spec.ingressClassName`, `priorityClassName`) or \
        remove it.",
    references: &[
        "https://kubernetes.io/docs/tutorials/security/seccomp/",
        "https://kubernetes.io/docs/concepts/services-networking/ingress/#deprecated-annotation",
    ],
    params: &[Param {
        name: "forbidden",
        description: "Annotations to report: `key` (a regular expression matched against the whole \
            key), optional `value` (a regular expression; any value when absent) and `reason`.",
        default: r#"[
 {"key": "seccomp\\.security\\.alpha\\.kubernetes\\.io/pod", "reason": "ignored since Kubernetes 1.27; use securityContext.seccompProfile"},
 {"key": "container\\.seccomp\\.security\\.alpha\\.kubernetes\\.io/.*", "reason": "ignored since Kubernetes 1.27; use securityContext.seccompProfile"},
 {"key": "container\\.apparmor\\.security\\.beta\\.kubernetes\\.io/.*", "reason": "deprecated since Kubernetes 1.30; use securityContext.appArmorProfile"},
 {"key": "kubernetes\\.io/ingress\\.class", "reason": "deprecated; use spec.ingressClassName"},
 {"key": "scheduler\\.alpha\\.kubernetes\\.io/critical-pod", "reason": "ignored since Kubernetes 1.16; use priorityClassName"}
]"#,
    }],
    aliases: &[],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "The object's own annotations and its pod template's are checked. Matches \
        kube-linter's `forbidden-annotation` template when configured with the same keys.",
};

fn check(
    obj: &Object,
    annotations: Option<&Node>,
    base: &[&str],
    ctx: &Ctx,
    out: &mut Vec<Diagnostic>,
) {
    let Some(list) = ctx.param("forbidden").and_then(|v| v.as_array()) else {
        return;
    };
    for (key, value) in annotations.unwrap_or(Node::null()).string_map() {
        for rule in list {
            let s = |k: &str| rule.get(k).and_then(|v| v.as_str());
            let key_ok = s("key")
                .and_then(full_match)
                .is_some_and(|r| r.is_match(key));
            let value_ok = match s("value") {
                None => true,
                Some(p) => full_match(p).is_some_and(|r| r.is_match(value)),
            };
            if key_ok && value_ok {
                let mut keys = base.to_vec();
                keys.push(key);
                out.push(field_diag(
                    obj,
                    &keys,
                    format!(
                        "{} has annotation {key}={value}: {}",
                        describe(obj),
                        s("reason").unwrap_or("forbidden by configuration")
                    ),
                ));
                break;
            }
        }
    }
}

impl Check for ForbiddenAnnotations {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        check(
            obj,
            obj.metadata().get("annotations"),
            &["metadata", "annotations"],
            ctx,
            out,
        );
        if obj.kind() != "Pod"
            && let Some(pod) = pod_of(obj, ctx)
            && let Some(annotations) = pod.meta.get("annotations")
        {
            // The template's path is built only for a template with annotations: most have none.
            let spec_path = crate::support::pod_spec_path(&pod);
            let mut base: Vec<&str> = spec_path
                .trim_start_matches('/')
                .trim_end_matches("/spec")
                .split('/')
                .collect();
            base.extend(["metadata", "annotations"]);
            check(obj, Some(annotations), &base, ctx, out);
        }
    }
}
