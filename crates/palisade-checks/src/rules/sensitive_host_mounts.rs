use crate::support::pod::pod_of;
use crate::support::volumes::{host_mounts, mount_diag, normalize, same_path};
use crate::{Check, CheckMeta, Ctx, Param};
use palisade_model::{Category, Diagnostic, Object, Severity};

pub struct SensitiveHostMounts;

pub static CHECK: &dyn Check = &SensitiveHostMounts;

static META: CheckMeta = CheckMeta {
    id: "sensitive-host-mounts",
    title: "Containers must not mount sensitive host directories",
    category: Category::Security,
    severity: Severity::High,
    rationale: "Mounting system directories of the node (`/`, `/etc`, `/proc`, `/sys`, `/dev`, \
        the kubelet's and the runtime's state) into a container lets it read host secrets and \
        credentials, change the node's configuration or reach other pods' data: a direct path \
        to taking over the node.",
    remediation: "Remove the `hostPath` volume and its `volumeMounts`. If a node agent needs a \
        file from the host, mount only that file, read-only.",
    references: &[
        "PSS baseline: HostPath Volumes",
        "CIS Kubernetes Benchmark v1.8 5.2.12",
        "NSA/CISA Kubernetes Hardening Guide: Pod security",
    ],
    params: &[Param {
        name: "paths",
        description: "Host paths that must not be mounted (compared after removing trailing and repeated slashes).",
        default: r#"["/", "/boot", "/dev", "/etc", "/lib", "/proc", "/sys", "/usr", "/etc/kubernetes", "/var/lib/kubelet", "/var/lib/etcd", "/var/lib/docker", "/var/lib/containerd", "/var/run", "/run"]"#,
    }],
    aliases: &["kube-linter:sensitive-host-mounts", "trivy:KSV121"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

impl Check for SensitiveHostMounts {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pods_only(&self) -> bool {
        true
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some(pod) = pod_of(obj, ctx) else { return };
        let sensitive = ctx.param_strs("paths");
        for m in host_mounts(&pod) {
            if sensitive.iter().any(|p| same_path(p, m.volume.path)) {
                let path = normalize(m.volume.path);
                out.push(mount_diag(
                    &pod,
                    &m,
                    &[],
                    format!(
                        "container `{}` mounts the sensitive host directory `{path}` (volume `{}`)",
                        m.container.name, m.volume.name
                    ),
                ));
            }
        }
    }
}
