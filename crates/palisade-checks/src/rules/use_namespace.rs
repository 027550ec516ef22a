use crate::support::workloads::{describe, field_diag};
use crate::{Check, CheckMeta, Ctx, Param};
use palisade_model::{Category, Diagnostic, Object, Severity};

pub struct UseNamespace;

pub static CHECK: &dyn Check = &UseNamespace;

static META: CheckMeta = CheckMeta {
    id: "use-namespace",
    title: "Objects should not be deployed to the default namespace",
    category: Category::Security,
    severity: Severity::Low,
    rationale: "Namespaces are the boundary for RBAC, NetworkPolicies, quotas and Pod Security \
        admission. Objects in `default` share it with everything else dropped there by \
        accident, and policies scoped to real namespaces do not protect them.",
    remediation: "Set `metadata.namespace` to a dedicated namespace (or deploy with `-n`, \
        Helm `--namespace` or a Kustomize `namespace:`).",
    references: &[
        "CIS Kubernetes Benchmark 5.7.1: Create administrative boundaries between resources using namespaces",
        "CIS Kubernetes Benchmark 5.7.4: The default namespace should not be used",
        "NSA/CISA Kubernetes Hardening Guide: Namespaces",
    ],
    params: &[Param {
        name: "flag_unset",
        description: "Also report namespaced objects that do not write a namespace (they land \
            in whatever namespace the deploy command picks, `default` unless told otherwise).",
        default: "false",
    }],
    aliases: &[
        "kube-linter:use-namespace",
        "trivy:KSV110",
        "kubescape:C-0061",
        "kubescape:C-0212",
        "kubescape:C-0209",
        "checkov:CKV_K8S_21",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "By default only an explicit `namespace: default` is reported: manifests that \
        leave the namespace out usually get one at deploy time (`-n`, Helm, Kustomize), which a \
        scan of the files cannot see. Set `flag_unset: true` to report those too (as Checkov \
        does). Cluster-scoped kinds are never reported.",
};

impl Check for UseNamespace {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        if obj.effective_namespace().is_none() || obj.kind().ends_with("List") {
            return;
        }
        let msg = match obj.namespace() {
            Some("default") => format!("{} is in the default namespace", describe(obj)),
            None if ctx.param_bool("flag_unset") == Some(true) => format!(
                "{} does not set a namespace, so it is deployed to `default` unless the deploy command picks one",
                describe(obj)
            ),
            _ => return,
        };
        out.push(field_diag(obj, &["metadata", "namespace"], msg));
    }
}
