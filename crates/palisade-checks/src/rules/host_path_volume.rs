use crate::support::pod::{pod_item_diag, pod_of};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct HostPathVolume;

pub static CHECK: &dyn Check = &HostPathVolume;

static META: CheckMeta = CheckMeta {
    id: "host-path-volume",
    title: "Pods should not use hostPath volumes",
    category: Category::Security,
    severity: Severity::Medium,
    rationale: "A `hostPath` volume exposes part of the node's file system to the pod. Depending on \
        the path and mount mode it leaks host data, lets the pod tamper with node configuration, \
        or gives it a way out of the container. It also ties the pod's data to one node.",
    remediation: "Replace the `hostPath` volume with a PersistentVolumeClaim, `emptyDir`, ConfigMap \
        or Secret. Node agents that truly need host files should mount the narrowest path read-only.",
    references: &[
        "PSS baseline: HostPath Volumes",
        "CIS Kubernetes Benchmark v1.8 5.2.12",
        "NSA/CISA Kubernetes Hardening Guide: Pod security",
    ],
    params: &[],
    aliases: &["polaris:hostPathSet", "trivy:KSV023", "kubescape:C-0048"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

impl Check for HostPathVolume {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pods_only(&self) -> bool {
        true
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some(pod) = pod_of(obj, ctx) else { return };
        let volumes = pod.get("volumes").map(Node::items).unwrap_or(&[]);
        for (i, v) in volumes.iter().enumerate() {
            let Some(hp) = v.get("hostPath").filter(|n| !n.is_null()) else {
                continue;
            };
            let name = v.get("name").and_then(Node::as_str).unwrap_or("");
            let path = hp.get("path").and_then(Node::as_str).unwrap_or("");
            out.push(pod_item_diag(
                &pod,
                &["volumes"],
                i,
                Some("hostPath"),
                format!("volume `{name}` mounts host path `{path}` (hostPath)"),
            ));
        }
    }
}
