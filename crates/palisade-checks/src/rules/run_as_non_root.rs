use crate::support::pod::{pod_of, set_op};
use crate::support::security_context::{
    Origin, effective_diag, effective_with_origin, runs_as_non_root,
};
use crate::support::{container_diag, container_path};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Container, Diagnostic, Object, PodSpec, Severity};

pub struct RunAsNonRoot;

pub static CHECK: &dyn Check = &RunAsNonRoot;

static META: CheckMeta = CheckMeta {
    id: "run-as-non-root",
    title: "Containers must run as a non-root user and group",
    category: Category::Security,
    severity: Severity::High,
    rationale: "A process running as root inside a container is root on the host if it escapes \
        the container, and can modify the container's own filesystem and binaries. Running as \
        a non-root user is the single most effective hardening of a workload. An explicit root \
        group (`runAsGroup: 0`) gives the process access to every root-group file as well.",
    remediation: "Set `securityContext.runAsNonRoot: true` on the pod or the container, and \
        `runAsUser` to a non-zero UID that the image supports (or build the image with a \
        numeric non-root `USER`); do not set `runAsGroup: 0`.",
    references: &[
        "PSS restricted: Running as Non-root",
        "PSS restricted: Running as Non-root user",
        "CIS Kubernetes Benchmark v1.8 5.2.7",
        "NSA/CISA Kubernetes Hardening Guide: Use containers built to run applications as non-root users",
    ],
    params: &[],
    aliases: &[
        "polaris:runAsRootAllowed",
        "kube-linter:run-as-non-root",
        "checkov:CKV_K8S_23",
        "trivy:KSV012",
        "trivy:KSV105",
        "kubescape:C-0013",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "An image's `USER` is not known from the manifest: without `runAsNonRoot: true` \
        or a non-zero `runAsUser` the container is assumed to possibly run as root.",
};

fn origin_note(o: Origin) -> &'static str {
    match o {
        Origin::Pod => " (set on the pod)",
        _ => "",
    }
}

/// The effective UID when it is explicitly 0.
fn root_uid(pod: &PodSpec, c: &Container) -> Option<Origin> {
    effective_with_origin(pod, c, "runAsUser")
        .filter(|(n, _)| n.as_i64() == Some(0))
        .map(|(_, o)| o)
}

impl Check for RunAsNonRoot {
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
        for c in pod.all_containers() {
            if let Some(o) = root_uid(&pod, &c) {
                out.push(effective_diag(
                    &pod,
                    &c,
                    Some(o),
                    &["runAsUser"],
                    cat!(
                        "container `",
                        c.name,
                        "` runs as root: runAsUser is 0",
                        origin_note(o)
                    ),
                ));
            } else if !runs_as_non_root(&pod, &c) {
                let explicit = effective_with_origin(&pod, &c, "runAsNonRoot")
                    .filter(|(n, _)| n.as_bool() == Some(false));
                let d = match explicit {
                    Some((_, o)) => effective_diag(
                        &pod,
                        &c,
                        Some(o),
                        &["runAsNonRoot"],
                        cat!(
                            "container `",
                            c.name,
                            "` may run as root: runAsNonRoot is false",
                            origin_note(o),
                            " and no non-zero runAsUser is set"
                        ),
                    ),
                    None => container_diag(
                        &pod,
                        &c,
                        &["securityContext", "runAsNonRoot"],
                        cat!(
                            "container `",
                            c.name,
                            "` may run as root: neither runAsNonRoot: true nor a non-zero runAsUser is set"
                        ),
                    ),
                };
                out.push(d);
            }
            if let Some((n, o)) = effective_with_origin(&pod, &c, "runAsGroup")
                && n.as_i64() == Some(0)
            {
                out.push(effective_diag(
                    &pod,
                    &c,
                    Some(o),
                    &["runAsGroup"],
                    cat!(
                        "container `",
                        c.name,
                        "` runs with the root group: runAsGroup is 0",
                        origin_note(o)
                    ),
                ));
            }
        }
    }

    fn fix(&self, obj: &Object, ctx: &Ctx) -> Vec<serde_json::Value> {
        let Some(pod) = pod_of(obj, ctx) else {
            return Vec::new();
        };
        // An explicit UID 0 needs a real UID, which only the image's author knows: no fix.
        pod.all_containers()
            .filter(|c| !runs_as_non_root(&pod, c) && root_uid(&pod, c).is_none())
            .map(|c| {
                set_op(
                    c.node,
                    &container_path(&pod, &c),
                    &["securityContext", "runAsNonRoot"],
                    serde_json::json!(true),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::support::pod::{fix_json, run_json};
    use serde_json::json;

    #[test]
    fn root_user_group_and_overrides() {
        let p = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
            "securityContext": {"runAsNonRoot": true, "runAsGroup": 0},
            "initContainers": [{"name": "i", "securityContext": {"runAsUser": 0}}],
            "containers": [
                {"name": "a", "securityContext": {"runAsGroup": 1000}},
                {"name": "b", "securityContext": {"runAsNonRoot": false}}]}});
        let d = run_json(super::CHECK, std::slice::from_ref(&p));
        let msgs: Vec<_> = d.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "container `i` runs as root: runAsUser is 0",
                "container `i` runs with the root group: runAsGroup is 0 (set on the pod)",
                "container `b` may run as root: runAsNonRoot is false and no non-zero runAsUser is set",
                "container `b` runs with the root group: runAsGroup is 0 (set on the pod)",
            ]
        );
        assert_eq!(d[1].path, "/spec/securityContext/runAsGroup");
        let fix = fix_json(super::CHECK, &[p]);
        assert_eq!(
            fix,
            vec![
                json!({"op": "add", "path": "/spec/containers/1/securityContext/runAsNonRoot", "value": true})
            ]
        );
    }
}
