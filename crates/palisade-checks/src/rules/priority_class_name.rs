use crate::support::pod::{pod_diag, pod_of};
use crate::support::workloads::describe;
use crate::{Check, CheckMeta, Ctx, Param};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct PriorityClassName;

pub static CHECK: &dyn Check = &PriorityClassName;

static META: CheckMeta = CheckMeta {
    id: "priority-class-name",
    title: "Pods should use a known priority class",
    category: Category::Reliability,
    severity: Severity::Low,
    rationale: "Under resource pressure the scheduler preempts lower-priority pods to place \
        higher-priority ones. Pods without a priority class all get the default priority, so \
        a batch job can keep a critical service from being scheduled; a misspelt class is \
        rejected by the API server.",
    remediation: "Set `priorityClassName` to a PriorityClass your cluster defines (one of \
        `accepted` when that list is configured).",
    references: &[
        "https://kubernetes.io/docs/concepts/scheduling-eviction/pod-priority-preemption/",
    ],
    params: &[Param {
        name: "accepted",
        description: "Allowed priority class names; empty accepts any name (kube-linter's \
            default allows only system-cluster-critical and system-node-critical).",
        default: "[]",
    }],
    aliases: &[
        "polaris:priorityClassNotSet",
        "kube-linter:priority-class-name",
    ],
    enabled_by_default: false,
    cross_object: true,
    assumptions: "PriorityClasses are cluster-scoped and usually defined outside an \
        application's manifests: a name is only reported as undefined when the scan contains \
        PriorityClass objects and none has that name (the built-in system-* classes always \
        exist). Off by default: priority schemes are a cluster policy.",
};

impl Check for PriorityClassName {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pods_only(&self) -> bool {
        true
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some(pod) = pod_of(obj, ctx) else {
            return;
        };
        let name = pod
            .get("priorityClassName")
            .and_then(Node::as_str)
            .filter(|s| !s.is_empty());
        let accepted = ctx.param_strs("accepted").to_vec();
        let msg = match name {
            None => format!("{} does not set a priorityClassName", describe(obj)),
            Some(n) if !accepted.is_empty() && !accepted.contains(&n) => format!(
                "{} uses priority class `{n}`, but only [{}] are accepted",
                describe(obj),
                accepted.join(", ")
            ),
            Some(n)
                if !n.starts_with("system-")
                    && ctx.index.has_kind("PriorityClass")
                    && ctx.index.get("PriorityClass", None, n).is_none() =>
            {
                format!(
                    "{} uses priority class `{n}`, which none of the scanned PriorityClasses defines",
                    describe(obj)
                )
            }
            Some(_) => return,
        };
        out.push(pod_diag(&pod, &["priorityClassName"], msg));
    }
}
