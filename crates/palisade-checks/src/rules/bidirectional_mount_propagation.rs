use crate::support::pod::{item_diag, pod_of};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct BidirectionalMountPropagation;

pub static CHECK: &dyn Check = &BidirectionalMountPropagation;

static META: CheckMeta = CheckMeta {
    id: "bidirectional-mount-propagation",
    title: "Volume mounts must not propagate mounts back to the host",
    category: Category::Security,
    severity: Severity::High,
    rationale: "With `mountPropagation: Bidirectional`, mounts the container creates appear on \
        the host and in every other pod using the same volume: a container can shadow host \
        directories. Kubernetes allows it only for privileged containers, which are already \
        host-level.",
    remediation: "Remove `mountPropagation` or use `HostToContainer`, which only lets host mounts \
        flow into the container.",
    references: &["https://kubernetes.io/docs/concepts/storage/volumes/#mount-propagation"],
    params: &[],
    aliases: &[],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

impl Check for BidirectionalMountPropagation {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pods_only(&self) -> bool {
        true
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some(pod) = pod_of(obj, ctx) else { return };
        for c in pod.all_containers() {
            let mounts = c.get("volumeMounts").map(Node::items).unwrap_or(&[]);
            for (i, m) in mounts.iter().enumerate() {
                if m.get("mountPropagation").and_then(Node::as_str) == Some("Bidirectional") {
                    let name = m.get("name").and_then(Node::as_str).unwrap_or("");
                    out.push(item_diag(
                        &pod,
                        &c,
                        "volumeMounts",
                        i,
                        Some("mountPropagation"),
                        format!(
                            "container `{}` propagates mounts of volume `{name}` back to the host (mountPropagation: Bidirectional)",
                            c.name
                        ),
                    ));
                }
            }
        }
    }
}
