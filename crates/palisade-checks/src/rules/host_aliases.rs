use crate::support::pod::{pod_diag, pod_of};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct HostAliases;

pub static CHECK: &dyn Check = &HostAliases;

static META: CheckMeta = CheckMeta {
    id: "host-aliases",
    title: "Pods should not rewrite /etc/hosts with hostAliases",
    category: Category::Security,
    severity: Severity::Low,
    rationale: "`hostAliases` writes entries into the containers' `/etc/hosts`, overriding DNS: \
        traffic for a name silently goes to a fixed address, which hides where the workload \
        really connects and survives changes of the real service's address.",
    remediation: "Remove `hostAliases`; publish the name through DNS (a Service, an \
        ExternalName Service or the cluster's DNS configuration).",
    references: &["https://kubernetes.io/docs/tasks/network/customize-hosts-file-for-pods/"],
    params: &[],
    aliases: &["trivy:KSV007"],
    enabled_by_default: false,
    cross_object: false,
    assumptions: "",
};

impl Check for HostAliases {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pods_only(&self) -> bool {
        true
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some(pod) = pod_of(obj, ctx) else { return };
        let aliases = pod.get("hostAliases").map(Node::items).unwrap_or(&[]);
        if !aliases.is_empty() {
            let names: Vec<String> = aliases
                .iter()
                .flat_map(|a| a.get("hostnames").map(Node::items).unwrap_or(&[]))
                .filter_map(Node::as_str)
                .map(|h| format!("`{h}`"))
                .collect();
            out.push(pod_diag(
                &pod,
                &["hostAliases"],
                format!("pod overrides /etc/hosts for {}", names.join(", ")),
            ));
        }
    }
}
