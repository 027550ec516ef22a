use crate::support::pod::{pod_diag, pod_item_diag, pod_of};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct RootSupplementalGroups;

pub static CHECK: &dyn Check = &RootSupplementalGroups;

static META: CheckMeta = CheckMeta {
    id: "root-supplemental-groups",
    title: "Pods should not add the root group through fsGroup or supplementalGroups",
    category: Category::Security,
    severity: Severity::Low,
    rationale: "`fsGroup: 0` or a `0` in `supplementalGroups` gives every process of the pod the \
        root group as a supplementary group: it can read and write files owned by group root, in \
        the image and on mounted volumes.",
    remediation: "Use a non-zero `fsGroup` and remove `0` from `supplementalGroups` in the pod's \
        `securityContext`. (A root primary group, `runAsGroup: 0`, is reported by `run-as-non-root`.)",
    references: &[
        "PSS restricted (2020 revision): Non-root groups",
        "NSA/CISA Kubernetes Hardening Guide: Use containers built to run applications as non-root users",
    ],
    params: &[],
    aliases: &["trivy:KSV116"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

impl Check for RootSupplementalGroups {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pods_only(&self) -> bool {
        true
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some(pod) = pod_of(obj, ctx) else { return };
        let sc = pod.spec.get("securityContext").unwrap_or(Node::null());
        if sc.get("fsGroup").and_then(Node::as_i64) == Some(0) {
            out.push(pod_diag(
                &pod,
                &["securityContext", "fsGroup"],
                "pod adds the root group to every container and its volumes: fsGroup is 0"
                    .to_string(),
            ));
        }
        let groups = sc.get("supplementalGroups").map(Node::items).unwrap_or(&[]);
        for (i, g) in groups.iter().enumerate() {
            if g.as_i64() == Some(0) {
                out.push(pod_item_diag(
                    &pod,
                    &["securityContext", "supplementalGroups"],
                    i,
                    None,
                    "pod adds the root group to every container: supplementalGroups contains 0"
                        .to_string(),
                ));
            }
        }
    }
}
