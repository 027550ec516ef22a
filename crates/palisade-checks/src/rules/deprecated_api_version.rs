use crate::support::workloads::{describe, field_diag};
use crate::{Check, CheckMeta, Ctx, Param};
use palisade_model::{Category, Diagnostic, Object, Severity};

pub struct DeprecatedApiVersion;

pub static CHECK: &dyn Check = &DeprecatedApiVersion;

static META: CheckMeta = CheckMeta {
    id: "deprecated-api-version",
    title: "Objects must not use deprecated or removed API versions",
    category: Category::Reliability,
    severity: Severity::High,
    rationale: "Kubernetes removes beta API versions a few releases after their replacement \
        is stable. A manifest that still uses a removed version fails to apply after the \
        cluster upgrade, usually in the middle of an incident or a release.",
    remediation: "Move the object to the replacement API version named in the message (fields \
        sometimes change: see the Kubernetes deprecated API migration guide; `kubectl convert` \
        helps).",
    references: &["https://kubernetes.io/docs/reference/using-api/deprecation-guide/"],
    params: &[
        Param {
            name: "kubernetes_version",
            description: "The Kubernetes version the manifests target (`major.minor`); versions \
                deprecated after it are not reported.",
            default: "\"1.34\"",
        },
        Param {
            name: "apis",
            description: "The table of deprecated API versions: apiVersion, kinds (empty for all), \
                the release that deprecated it, the release that removed it, and the replacement.",
            default: DEFAULT_APIS,
        },
    ],
    aliases: &[
        "kube-linter:no-extensions-v1beta",
        "kube-score:stable-version",
        "trivy:KSV107",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "Judged against `kubernetes_version` (kube-score defaults to 1.18, so it \
        accepts e.g. batch/v1beta1 CronJobs that this check reports).",
};

const DEFAULT_APIS: &str = r#"[
 {"apiVersion": "extensions/v1beta1", "kinds": ["Deployment", "DaemonSet", "ReplicaSet"], "deprecated": "1.8", "removed": "1.16", "replacement": "apps/v1"},
 {"apiVersion": "extensions/v1beta1", "kinds": ["NetworkPolicy"], "deprecated": "1.9", "removed": "1.16", "replacement": "networking.k8s.io/v1"},
 {"apiVersion": "extensions/v1beta1", "kinds": ["PodSecurityPolicy"], "deprecated": "1.10", "removed": "1.16", "replacement": "policy/v1beta1 (itself removed in 1.25: use Pod Security Admission)"},
 {"apiVersion": "extensions/v1beta1", "kinds": ["Ingress"], "deprecated": "1.14", "removed": "1.22", "replacement": "networking.k8s.io/v1"},
 {"apiVersion": "apps/v1beta1", "kinds": [], "deprecated": "1.9", "removed": "1.16", "replacement": "apps/v1"},
 {"apiVersion": "apps/v1beta2", "kinds": [], "deprecated": "1.9", "removed": "1.16", "replacement": "apps/v1"},
 {"apiVersion": "networking.k8s.io/v1beta1", "kinds": ["Ingress", "IngressClass"], "deprecated": "1.19", "removed": "1.22", "replacement": "networking.k8s.io/v1"},
 {"apiVersion": "rbac.authorization.k8s.io/v1alpha1", "kinds": [], "deprecated": "1.17", "removed": "1.22", "replacement": "rbac.authorization.k8s.io/v1"},
 {"apiVersion": "rbac.authorization.k8s.io/v1beta1", "kinds": [], "deprecated": "1.17", "removed": "1.22", "replacement": "rbac.authorization.k8s.io/v1"},
 {"apiVersion": "apiextensions.k8s.io/v1beta1", "kinds": [], "deprecated": "1.16", "removed": "1.22", "replacement": "apiextensions.k8s.io/v1"},
 {"apiVersion": "apiregistration.k8s.io/v1beta1", "kinds": [], "deprecated": "1.19", "removed": "1.22", "replacement": "apiregistration.k8s.io/v1"},
 {"apiVersion": "admissionregistration.k8s.io/v1beta1", "kinds": ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"], "deprecated": "1.16", "removed": "1.22", "replacement": "admissionregistration.k8s.io/v1"},
 {"apiVersion": "certificates.k8s.io/v1beta1", "kinds": [], "deprecated": "1.19", "removed": "1.22", "replacement": "certificates.k8s.io/v1"},
 {"apiVersion": "coordination.k8s.io/v1beta1", "kinds": [], "deprecated": "1.19", "removed": "1.22", "replacement": "coordination.k8s.io/v1"},
 {"apiVersion": "scheduling.k8s.io/v1alpha1", "kinds": [], "deprecated": "1.14", "removed": "1.17", "replacement": "scheduling.k8s.io/v1"},
 {"apiVersion": "scheduling.k8s.io/v1beta1", "kinds": [], "deprecated": "1.14", "removed": "1.22", "replacement": "scheduling.k8s.io/v1"},
 {"apiVersion": "storage.k8s.io/v1beta1", "kinds": ["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"], "deprecated": "1.19", "removed": "1.22", "replacement": "storage.k8s.io/v1"},
 {"apiVersion": "storage.k8s.io/v1beta1", "kinds": ["CSIStorageCapacity"], "deprecated": "1.24", "removed": "1.27", "replacement": "storage.k8s.io/v1"},
 {"apiVersion": "batch/v1beta1", "kinds": ["CronJob"], "deprecated": "1.21", "removed": "1.25", "replacement": "batch/v1"},
 {"apiVersion": "batch/v2alpha1", "kinds": ["CronJob"], "deprecated": "1.8", "removed": "1.21", "replacement": "batch/v1"},
 {"apiVersion": "discovery.k8s.io/v1beta1", "kinds": ["EndpointSlice"], "deprecated": "1.21", "removed": "1.25", "replacement": "discovery.k8s.io/v1"},
 {"apiVersion": "events.k8s.io/v1beta1", "kinds": ["Event"], "deprecated": "1.19", "removed": "1.25", "replacement": "events.k8s.io/v1"},
 {"apiVersion": "autoscaling/v2beta1", "kinds": ["HorizontalPodAutoscaler"], "deprecated": "1.22", "removed": "1.25", "replacement": "autoscaling/v2"},
 {"apiVersion": "autoscaling/v2beta2", "kinds": ["HorizontalPodAutoscaler"], "deprecated": "1.23", "removed": "1.26", "replacement": "autoscaling/v2"},
 {"apiVersion": "policy/v1beta1", "kinds": ["PodDisruptionBudget"], "deprecated": "1.21", "removed": "1.25", "replacement": "policy/v1"},
 {"apiVersion": "policy/v1beta1", "kinds": ["PodSecurityPolicy"], "deprecated": "1.21", "removed": "1.25", "replacement": "Pod Security Admission (no API object)"},
 {"apiVersion": "node.k8s.io/v1beta1", "kinds": ["RuntimeClass"], "deprecated": "1.20", "removed": "1.25", "replacement": "node.k8s.io/v1"},
 {"apiVersion": "flowcontrol.apiserver.k8s.io/v1beta1", "kinds": [], "deprecated": "1.23", "removed": "1.26", "replacement": "flowcontrol.apiserver.k8s.io/v1"},
 {"apiVersion": "flowcontrol.apiserver.k8s.io/v1beta2", "kinds": [], "deprecated": "1.26", "removed": "1.29", "replacement": "flowcontrol.apiserver.k8s.io/v1"},
 {"apiVersion": "flowcontrol.apiserver.k8s.io/v1beta3", "kinds": [], "deprecated": "1.29", "removed": "1.32", "replacement": "flowcontrol.apiserver.k8s.io/v1"},
 {"apiVersion": "authentication.k8s.io/v1beta1", "kinds": ["TokenReview"], "deprecated": "1.19", "removed": "1.22", "replacement": "authentication.k8s.io/v1"},
 {"apiVersion": "authorization.k8s.io/v1beta1", "kinds": [], "deprecated": "1.19", "removed": "1.22", "replacement": "authorization.k8s.io/v1"}
]"#;

/// `"1.22"` → (1, 22).
fn version(s: &str) -> Option<(u32, u32)> {
    let s = s.trim().trim_start_matches('v');
    let mut it = s.split('.');
    Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
}

/// One row of the `apis` table, as written (absent fields read as empty).
struct Deprecation {
    api_version: String,
    kinds: Vec<String>,
    deprecated: String,
    removed: String,
    replacement: String,
}

/// The parameters, read once per scan: the table is compared with every object.
struct Table {
    target: (u32, u32),
    rows: Vec<Deprecation>,
}

impl Table {
    fn new(params: &serde_json::Map<String, serde_json::Value>) -> Table {
        let target = params
            .get("kubernetes_version")
            .and_then(|v| v.as_str())
            .and_then(version)
            .unwrap_or((1, 34));
        let rows = params
            .get("apis")
            .and_then(|v| v.as_array())
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|entry| {
                let s = |k: &str| entry.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
                Deprecation {
                    api_version: s("apiVersion"),
                    kinds: entry
                        .get("kinds")
                        .and_then(|v| v.as_array())
                        .map(|a| a.iter().filter_map(|k| k.as_str()).map(String::from).collect())
                        .unwrap_or_default(),
                    deprecated: s("deprecated"),
                    removed: s("removed"),
                    replacement: s("replacement"),
                }
            })
            .collect();
        Table { target, rows }
    }
}

impl Check for DeprecatedApiVersion {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn prepare(
        &self,
        params: &serde_json::Map<String, serde_json::Value>,
    ) -> Option<Box<crate::Prepared>> {
        Some(Box::new(Table::new(params)))
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let owned;
        let table = match ctx.prepared::<Table>() {
            Some(t) => t,
            None => {
                owned = Table::new(ctx.params);
                &owned
            }
        };
        let api = obj.id.api_version.as_str();
        for row in table.rows.iter().filter(|r| r.api_version == api) {
            if !row.kinds.is_empty() && !row.kinds.iter().any(|k| k == obj.kind()) {
                continue;
            }
            let (Some(dep), Some(rem)) = (version(&row.deprecated), version(&row.removed)) else {
                continue;
            };
            let Deprecation {
                replacement,
                removed,
                deprecated,
                ..
            } = row;
            let msg = if table.target >= rem {
                format!(
                    "{} uses {api}, which was removed in Kubernetes {removed}; use {replacement}",
                    describe(obj),
                )
            } else if table.target >= dep {
                format!(
                    "{} uses {api}, deprecated since Kubernetes {deprecated} and removed in {removed}; use {replacement}",
                    describe(obj),
                )
            } else {
                continue;
            };
            out.push(field_diag(obj, &["apiVersion"], msg));
            return;
        }
    }
}

