use crate::support::network::{Backend, ingress_backends, service_has_port};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Object, Severity};

pub struct IngressBackendServiceMissing;

pub static CHECK: &dyn Check = &IngressBackendServiceMissing;

static META: CheckMeta = CheckMeta {
    id: "ingress-backend-service-missing",
    title: "Ingress backends should name an existing Service and port",
    category: Category::Reliability,
    severity: Severity::Medium,
    rationale: "An Ingress path whose backend Service or port does not exist answers with 503 \
        (or the controller's default backend): the route is broken, typically after a Service \
        was renamed or its port changed.",
    remediation: "Point `backend.service.name` and `backend.service.port` (`number` or `name`) at \
        a Service in the Ingress's namespace and one of its ports; under `networking.k8s.io/v1` use \
        the `service:` form, not the old `serviceName`/`servicePort`.",
    references: &[
        "https://kubernetes.io/docs/concepts/services-networking/ingress/#the-ingress-resource",
    ],
    params: &[],
    aliases: &[
        "kube-linter:dangling-ingress",
        "kube-score:ingress-targets-service",
        "kubescape:C-0298",
    ],
    enabled_by_default: true,
    cross_object: true,
    assumptions: "The Services an Ingress routes to are expected in \
        the same scan (they always live in the Ingress's namespace), as kube-linter and kube-score \
        assume. Backends that point to a `resource` rather than a Service are skipped.",
};

impl Check for IngressBackendServiceMissing {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        if obj.kind() != "Ingress" {
            return;
        }
        let ns = obj.effective_namespace();
        for Backend {
            service,
            port,
            pos,
            path,
        } in ingress_backends(obj)
        {
            let pos = if pos.is_known() { pos } else { obj.pos() };
            let message = match service {
                None => format!(
                    "Ingress `{}` has a backend that names no Service{}",
                    obj.name(),
                    if obj.id.api_version == "networking.k8s.io/v1" {
                        " (networking.k8s.io/v1 reads `service.name`, not `serviceName`)"
                    } else {
                        ""
                    }
                ),
                Some(name) => match ctx.index.get("Service", ns, name) {
                    None => format!(
                        "Ingress `{}` routes to Service `{name}`, which is not in namespace `{}`",
                        obj.name(),
                        ns.unwrap_or("default")
                    ),
                    Some(svc) => match &port {
                        Some(p) if !service_has_port(svc, p) => format!(
                            "Ingress `{}` routes to port {p} of Service `{name}`, which has no such port",
                            obj.name()
                        ),
                        _ => continue,
                    },
                },
            };
            out.push(Diagnostic::new(message, pos).at_path(path));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::support::pod::run_json;
    use serde_json::json;

    #[test]
    fn v1_and_legacy_backends() {
        let svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
                         "spec": {"ports": [{"name": "http", "port": 80}]}});
        let ing = json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "i"},
            "spec": {"defaultBackend": {"service": {"name": "web", "port": {"name": "http"}}},
                     "rules": [{"http": {"paths": [
                        {"path": "/", "backend": {"service": {"name": "web", "port": {"number": 80}}}},
                        {"path": "/a", "backend": {"service": {"name": "web", "port": {"number": 81}}}},
                        {"path": "/b", "backend": {"service": {"name": "api", "port": {"number": 80}}}},
                        {"path": "/c", "backend": {"serviceName": "web", "servicePort": 80}},
                        {"path": "/d", "backend": {"resource": {"kind": "StorageBucket", "name": "b"}}}]}}]}});
        let d = run_json(super::CHECK, &[svc.clone(), ing]);
        let paths: Vec<_> = d.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "/spec/rules/0/http/paths/1/backend",
                "/spec/rules/0/http/paths/2/backend",
                "/spec/rules/0/http/paths/3/backend"
            ]
        );
        let legacy = json!({"apiVersion": "extensions/v1beta1", "kind": "Ingress", "metadata": {"name": "l"},
            "spec": {"backend": {"serviceName": "web", "servicePort": "http"}}});
        assert!(run_json(super::CHECK, &[svc, legacy]).is_empty());
    }
}
