use crate::support::pod::pod_of;
use crate::support::workloads::{describe, field_diag};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::index::workload_selector;
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct StatefulsetServiceName;

pub static CHECK: &dyn Check = &StatefulsetServiceName;

static META: CheckMeta = CheckMeta {
    id: "statefulset-service-name",
    title: "StatefulSets must name a headless Service that selects their pods",
    category: Category::Reliability,
    severity: Severity::Medium,
    rationale: "A StatefulSet's pods get their stable DNS names (`pod-0.service`) from the \
        headless Service named in `serviceName`. If that Service is missing, not headless, or \
        does not select the pods, peers cannot find each other and clustered databases fail \
        to form.",
    remediation: "Set `spec.serviceName` to a Service in the same namespace with \
        `clusterIP: None` whose selector matches the pod template labels.",
    references: &[
        "https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#stable-network-id",
    ],
    params: &[],
    aliases: &["kube-score:statefulset-has-servicename"],
    enabled_by_default: true,
    cross_object: true,
    assumptions: "The Service is looked up in the scanned objects; one defined elsewhere is \
        reported as not found, and the message says so.",
};

impl Check for StatefulsetServiceName {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        if obj.kind() != "StatefulSet" {
            return;
        }
        let Some(pod) = pod_of(obj, ctx) else {
            return;
        };
        let ns = obj.effective_namespace();
        let name = obj
            .root
            .path(&["spec", "serviceName"])
            .and_then(Node::as_str)
            .filter(|s| !s.is_empty());
        let problem = match name {
            None => "does not set serviceName".to_string(),
            Some(n) => match ctx.index.get("Service", ns, n) {
                None => format!(
                    "names Service `{n}`, which is not among the scanned objects in namespace `{}`",
                    ns.unwrap_or("default")
                ),
                Some(svc) => {
                    let headless = svc.root.path(&["spec", "clusterIP"]).and_then(Node::as_str)
                        == Some("None");
                    let selects = workload_selector(svc)
                        .is_some_and(|s| !s.is_empty() && s.matches(pod.labels()));
                    match (headless, selects) {
                        (true, true) => return,
                        (false, _) => {
                            format!("names Service `{n}`, which is not headless (clusterIP: None)")
                        }
                        (true, false) => {
                            format!(
                                "names Service `{n}`, whose selector does not match its pod labels"
                            )
                        }
                    }
                }
            },
        };
        out.push(field_diag(
            obj,
            &["spec", "serviceName"],
            format!("{} {problem}", describe(obj)),
        ));
    }
}
