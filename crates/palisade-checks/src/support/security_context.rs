//! Effective security settings: a container's `securityContext` overrides the pod's.

use palisade_model::{Container, Node, PodSpec};

/// The effective value of a field that exists in both the pod and the container security
/// context (`runAsNonRoot`, `runAsUser`, `runAsGroup`, `seccompProfile`, `seLinuxOptions`, ...).
pub fn effective<'a>(pod: &PodSpec<'a>, c: &Container<'a>, field: &str) -> Option<&'a Node> {
    c.path(&["securityContext", field])
        .filter(|n| !n.is_null())
        .or_else(|| {
            pod.spec
                .path(&["securityContext", field])
                .filter(|n| !n.is_null())
        })
}

/// Whether the container is known to run as a non-root user: `runAsNonRoot: true` or a
/// non-zero `runAsUser`, from the container or else the pod.
pub fn runs_as_non_root(pod: &PodSpec, c: &Container) -> bool {
    let user = effective(pod, c, "runAsUser").and_then(Node::as_i64);
    if user == Some(0) {
        return false;
    }
    user.is_some_and(|u| u > 0)
        || effective(pod, c, "runAsNonRoot").and_then(Node::as_bool) == Some(true)
}
