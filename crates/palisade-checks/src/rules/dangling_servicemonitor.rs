use crate::support::workloads::{describe, field_diag};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, LabelSelector, Node, Object, Severity};

pub struct DanglingServicemonitor;

pub static CHECK: &dyn Check = &DanglingServicemonitor;

static META: CheckMeta = CheckMeta {
    id: "dangling-servicemonitor",
    title: "ServiceMonitors must select at least one Service",
    category: Category::Reliability,
    severity: Severity::Low,
    rationale: "A Prometheus Operator ServiceMonitor whose label and namespace selectors match \
        no Service scrapes nothing: the dashboards and alerts built on its metrics stay empty \
        and nobody is paged.",
    remediation: "Make `spec.selector` match the labels of the Service (its metadata labels, \
        not its pod selector) and `spec.namespaceSelector` include the Service's namespace.",
    references: &["https://prometheus-operator.dev/docs/operator/design/#servicemonitor"],
    params: &[],
    aliases: &["kube-linter:dangling-servicemonitor"],
    enabled_by_default: true,
    cross_object: true,
    assumptions: "Services are looked up in the scanned objects. Without a namespaceSelector \
        the ServiceMonitor watches its own namespace; when that namespace is not written in \
        the manifest (it is chosen at apply time) Services in any namespace count.",
};

impl Check for DanglingServicemonitor {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        if obj.kind() != "ServiceMonitor" {
            return;
        }
        let spec = obj.root.get("spec").unwrap_or(Node::null());
        let selector = spec.get("selector").filter(|n| !n.is_null());
        let sel = selector
            .map(LabelSelector::from_label_selector)
            .unwrap_or_default();
        let nss = spec.get("namespaceSelector");
        let any = nss.and_then(|n| n.get("any")).and_then(Node::as_bool) == Some(true);
        let names: Vec<&str> = nss
            .and_then(|n| n.get("matchNames"))
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(Node::as_str)
            .collect();
        let own = obj.namespace();
        let in_scope = |svc: &Object| {
            let ns = svc.effective_namespace().unwrap_or("default");
            if any {
                true
            } else if !names.is_empty() {
                names.contains(&ns)
            } else {
                own.is_none_or(|o| o == ns)
            }
        };
        if ctx
            .index
            .of_kind("Service")
            .any(|svc| in_scope(svc) && sel.matches(svc.labels()))
        {
            return;
        }
        let labels = selector
            .and_then(|s| s.get("matchLabels"))
            .map(|m| {
                m.string_map()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .unwrap_or_default();
        let scope = if any {
            "any namespace".to_string()
        } else if !names.is_empty() {
            format!("namespaces [{}]", names.join(", "))
        } else if let Some(o) = own {
            format!("namespace `{o}`")
        } else {
            "any namespace (its own is chosen at apply time)".to_string()
        };
        out.push(field_diag(
            obj,
            &["spec", "selector"],
            format!(
                "{} selects no Service in the scanned objects (labels [{labels}] in {scope})",
                describe(obj)
            ),
        ));
    }
}
