use crate::support::pod::{pod_diag, pod_of};
use crate::support::workloads::describe;
use crate::{Check, CheckMeta, Ctx, Param};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct DnsconfigOptions;

pub static CHECK: &dyn Check = &DnsconfigOptions;

static META: CheckMeta = CheckMeta {
    id: "dnsconfig-options",
    title: "Pods should set the expected DNS resolver options",
    category: Category::Efficiency,
    severity: Severity::Info,
    rationale: "With the default `ndots: 5`, every lookup of an external name is first tried \
        against each cluster search domain, multiplying DNS queries and latency. Setting the \
        resolver options explicitly (typically a lower `ndots`) makes DNS behaviour predictable.",
    remediation: "Add `dnsConfig.options` with the expected option to the pod spec, e.g. \
        `dnsConfig: {options: [{name: ndots, value: \"2\"}]}`.",
    references: &[
        "https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#pod-dns-config",
    ],
    params: &[
        Param {
            name: "option",
            description: "The resolver option that must be set.",
            default: "\"ndots\"",
        },
        Param {
            name: "value",
            description: "Its expected value.",
            default: "\"2\"",
        },
    ],
    aliases: &["kube-linter:dnsconfig-options"],
    enabled_by_default: false,
    cross_object: false,
    assumptions: "",
};

impl Check for DnsconfigOptions {
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
        let name = ctx.param_str("option").unwrap_or("ndots");
        let value = ctx.param_str("value").unwrap_or("2");
        let (field, msg): (&[&str], String) = match pod.get("dnsConfig") {
            None => (
                &["dnsConfig"],
                format!("{} does not define any dnsConfig", describe(obj)),
            ),
            Some(dc) => {
                let opts = dc.get("options").map(Node::items).unwrap_or(&[]);
                if opts.is_empty() {
                    (
                        &["dnsConfig", "options"],
                        format!("{} does not define any dnsConfig options", describe(obj)),
                    )
                } else if opts.iter().any(|o| {
                    o.get("name").and_then(Node::as_str) == Some(name)
                        && o.get("value").and_then(Node::scalar_text).as_deref() == Some(value)
                }) {
                    return;
                } else {
                    (
                        &["dnsConfig", "options"],
                        format!(
                            "{} does not set dnsConfig option \"{name}:{value}\"",
                            describe(obj)
                        ),
                    )
                }
            }
        };
        out.push(pod_diag(&pod, field, msg));
    }
}
