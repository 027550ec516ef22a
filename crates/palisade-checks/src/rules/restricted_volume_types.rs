use crate::support::pod::{pod_item_diag, pod_of};
use crate::{Check, CheckMeta, Ctx, Param};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct RestrictedVolumeTypes;

pub static CHECK: &dyn Check = &RestrictedVolumeTypes;

static META: CheckMeta = CheckMeta {
    id: "restricted-volume-types",
    title: "Pods should only use core volume types",
    category: Category::Security,
    severity: Severity::Low,
    rationale: "Volume types other than ConfigMaps, Secrets, projected and downward API data, \
        emptyDir, ephemeral and PersistentVolumeClaims connect the pod directly to host paths or \
        storage back-ends (NFS, iSCSI, cloud disks, FlexVolume drivers), bypassing the \
        PersistentVolume layer where storage access is administered.",
    remediation: "Use a PersistentVolumeClaim (bound to a PersistentVolume the administrators \
        define) instead of the inline volume source.",
    references: &["PSS restricted: Volume Types"],
    params: &[Param {
        name: "allowed_types",
        description: "Volume sources that may be used (default: the PSS restricted list).",
        default: r#"["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"]"#,
    }],
    aliases: &["trivy:KSV028"],
    // hostPath, the risky case, is reported by host-path-volume; this is the strict profile.
    enabled_by_default: false,
    cross_object: false,
    assumptions: "",
};

impl Check for RestrictedVolumeTypes {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pods_only(&self) -> bool {
        true
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some(pod) = pod_of(obj, ctx) else { return };
        let allowed = ctx.param_strs("allowed_types");
        for (i, v) in pod
            .get("volumes")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let Some(m) = v.as_map() else { continue };
            let name = v.get("name").and_then(Node::as_str).unwrap_or("");
            for (kind, _) in m.iter().filter(|(k, n)| *k != "name" && !n.is_null()) {
                if !allowed.contains(kind) {
                    out.push(pod_item_diag(
                        &pod,
                        &["volumes"],
                        i,
                        Some(kind),
                        format!("volume `{name}` uses the non-core volume type `{kind}`"),
                    ));
                }
            }
        }
    }
}
