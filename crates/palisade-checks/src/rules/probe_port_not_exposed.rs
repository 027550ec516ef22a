use crate::support::pod::pod_of;
use crate::support::container_diag;
use crate::support::probes::{PROBES, ProbeTarget, exposes, probe_target};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Object, Severity};

pub struct ProbePortNotExposed;

pub static CHECK: &dyn Check = &ProbePortNotExposed;

static META: CheckMeta = CheckMeta {
    id: "probe-port-not-exposed",
    title: "Probes must target a port the container exposes",
    category: Category::Reliability,
    severity: Severity::Medium,
    rationale: "A probe that names a port the container does not declare (or declares only \
        for UDP) can never succeed: a liveness probe then restarts the container forever, a \
        readiness probe keeps it out of every Service, a startup probe never lets it start.",
    remediation: "Point the probe's `httpGet`/`tcpSocket`/`grpc` port at a TCP port listed in \
        the container's `ports` (by name or number), or add the missing port declaration.",
    references: &[
        "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/",
    ],
    params: &[],
    aliases: &[
        "kube-linter:liveness-port",
        "kube-linter:readiness-port",
        "kube-linter:startup-port",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "A numeric port is only judged when the container declares `ports` at all: \
        declaring ports is optional, so a probe on an undeclared number may still reach the \
        process.",
};

impl Check for ProbePortNotExposed {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pods_only(&self) -> bool {
        true
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some(pod) = pod_of(obj, ctx) else {
            return;
        };
        for c in pod.init_and_regular() {
            for (field, word) in PROBES {
                let Some(probe) = c.get(field) else { continue };
                let ProbeTarget::Port(handler, port) = probe_target(probe) else {
                    continue;
                };
                if exposes(&c, port) {
                    continue;
                }
                let port_text = port.scalar_text().unwrap_or_default();
                out.push(container_diag(
                    &pod,
                    &c,
                    &[field, handler, "port"],
                    cat!(
                        "container `",
                        c.name,
                        "` does not expose TCP port ",
                        port_text,
                        " used by its ",
                        word,
                        " probe (",
                        handler,
                        ")"
                    ),
                ));
            }
        }
    }
}
