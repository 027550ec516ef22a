use crate::support::pod::pod_of;
use crate::support::volumes::{host_mounts, mount_diag, normalize};
use crate::{Check, CheckMeta, Ctx, Param};
use palisade_model::{Category, Diagnostic, Object, Severity};

pub struct ContainerRuntimeSocket;

pub static CHECK: &dyn Check = &ContainerRuntimeSocket;

static META: CheckMeta = CheckMeta {
    id: "container-runtime-socket",
    title: "Containers must not mount the container runtime socket",
    category: Category::Security,
    severity: Severity::Critical,
    rationale: "Whoever can talk to the Docker, containerd or CRI-O socket can start a privileged \
        container with the host's root file system mounted: mounting the socket into a \
        container hands it full control of the node.",
    remediation: "Remove the `hostPath` volume pointing at the socket and its `volumeMounts`. \
        Build images with rootless tools (BuildKit rootless, kaniko, buildah) instead of the \
        node's daemon.",
    references: &[
        "PSS baseline: HostPath Volumes",
        "CIS Kubernetes Benchmark v1.8 5.2.12",
        "NSA/CISA Kubernetes Hardening Guide: Pod security",
    ],
    params: &[Param {
        name: "sockets",
        description: "File names of runtime sockets; a host path ending in one of them is flagged.",
        default: r#"["docker.sock", "containerd.sock", "crio.sock", "cri-dockerd.sock", "dockershim.sock", "podman.sock"]"#,
    }],
    aliases: &[
        "kube-linter:docker-sock",
        "trivy:KSV006",
        "kubescape:C-0074",
        "checkov:CKV_K8S_27",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

impl Check for ContainerRuntimeSocket {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pods_only(&self) -> bool {
        true
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some(pod) = pod_of(obj, ctx) else { return };
        let sockets = ctx.param_strs("sockets");
        for m in host_mounts(&pod) {
            let path = normalize(m.volume.path);
            let file = path.rsplit('/').next().unwrap_or("");
            if sockets.contains(file) {
                out.push(mount_diag(
                    &pod,
                    &m,
                    &[],
                    format!(
                        "container `{}` mounts the container runtime socket `{path}` (volume `{}`)",
                        m.container.name, m.volume.name
                    ),
                ));
            }
        }
    }
}
