use crate::support::container_path;
use crate::support::pod::{pod_of, set_op};
use crate::support::volumes::{host_mounts, mount_diag};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Object, Severity};

pub struct WritableHostMount;

pub static CHECK: &dyn Check = &WritableHostMount;

static META: CheckMeta = CheckMeta {
    id: "writable-host-mount",
    title: "Host paths should be mounted read-only",
    category: Category::Security,
    severity: Severity::Medium,
    rationale: "A writable `hostPath` mount lets the container change files on the node: plant \
        binaries or cron jobs, alter configuration, or fill the node's disk.",
    remediation: "Set `readOnly: true` on the container's `volumeMounts` entry for the hostPath \
        volume, or replace the volume with one that does not live on the host.",
    references: &[
        "PSS baseline: HostPath Volumes",
        "CIS Kubernetes Benchmark v1.8 5.2.12",
        "NSA/CISA Kubernetes Hardening Guide: Pod security",
    ],
    params: &[],
    aliases: &["kube-linter:writable-host-mount", "kubescape:C-0045"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

impl Check for WritableHostMount {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pods_only(&self) -> bool {
        true
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some(pod) = pod_of(obj, ctx) else { return };
        for m in host_mounts(&pod).iter().filter(|m| !m.read_only) {
            out.push(mount_diag(
                &pod,
                m,
                &["readOnly"],
                format!(
                    "container `{}` mounts host path `{}` writable (volume `{}`)",
                    m.container.name, m.volume.path, m.volume.name
                ),
            ));
        }
    }

    fn fix(&self, obj: &Object, ctx: &Ctx) -> Vec<serde_json::Value> {
        let Some(pod) = pod_of(obj, ctx) else {
            return Vec::new();
        };
        host_mounts(&pod)
            .iter()
            .filter(|m| !m.read_only)
            .map(|m| {
                let base = format!(
                    "{}/volumeMounts/{}",
                    container_path(&pod, &m.container),
                    m.mount_index
                );
                set_op(m.mount, &base, &["readOnly"], serde_json::json!(true))
            })
            .collect()
    }
}
