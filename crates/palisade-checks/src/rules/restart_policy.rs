use crate::support::pod::{pod_diag, pod_of};
use crate::support::workloads::describe;
use crate::{Check, CheckMeta, Ctx, Param};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct RestartPolicy;

pub static CHECK: &dyn Check = &RestartPolicy;

static META: CheckMeta = CheckMeta {
    id: "restart-policy",
    title: "Pods should restart failed containers",
    category: Category::Reliability,
    severity: Severity::Low,
    rationale: "With `restartPolicy: Never` a crashed container stays dead: a standalone pod \
        stops serving for good, and a Job creates a whole new pod for each retry instead of \
        restarting the container in place.",
    remediation: "Set `restartPolicy` to one of the accepted policies (by default `Always` or \
        `OnFailure`), or remove it to get the default `Always` (not allowed for Jobs, which \
        need `OnFailure`).",
    references: &[
        "https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#restart-policy",
    ],
    params: &[Param {
        name: "accepted",
        description: "Restart policies that pass.",
        default: "[\"Always\", \"OnFailure\"]",
    }],
    aliases: &["kube-linter:restart-policy"],
    enabled_by_default: false,
    cross_object: false,
    assumptions: "Only a written restartPolicy is judged; an unset one is the API default. \
        Off by default: `Never` is a legitimate choice for some Jobs (see job-restart-policy for \
        the policy a Job must use).",
};

impl Check for RestartPolicy {
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
        let Some(policy) = pod.get("restartPolicy").and_then(Node::as_str) else {
            return;
        };
        let mut accepted = ctx.param_strs("accepted").to_vec();
        if accepted.is_empty() {
            accepted = vec!["Always", "OnFailure"];
        }
        if accepted.contains(&policy) {
            return;
        }
        out.push(pod_diag(
            &pod,
            &["restartPolicy"],
            format!(
                "{} has restart policy `{policy}`, but only [{}] are accepted",
                describe(obj),
                accepted.join(", ")
            ),
        ));
    }
}
