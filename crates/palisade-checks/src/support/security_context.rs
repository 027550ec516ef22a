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

/// Where an effective setting came from, so a finding points at the line that decides it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Container,
    Pod,
    /// A legacy annotation on the pod (template) metadata; holds the annotation key.
    Annotation,
}

/// Like [`effective`], also saying whether the container or the pod set it.
pub fn effective_with_origin<'a>(
    pod: &PodSpec<'a>,
    c: &Container<'a>,
    field: &str,
) -> Option<(&'a Node, Origin)> {
    if let Some(n) = c.path(&["securityContext", field]).filter(|n| !n.is_null()) {
        return Some((n, Origin::Container));
    }
    pod.spec
        .path(&["securityContext", field])
        .filter(|n| !n.is_null())
        .map(|n| (n, Origin::Pod))
}

/// A diagnostic about an effective security setting `keys` (below `securityContext`): at the
/// container's field when the container sets it, at the pod's when the pod does, else where the
/// container's field belongs.
pub fn effective_diag(
    pod: &PodSpec,
    c: &Container,
    origin: Option<Origin>,
    keys: &[&str],
    message: String,
) -> palisade_model::Diagnostic {
    // On the stack: this runs for many of a scan's findings, and keys are few.
    let mut buf = ["securityContext"; 8];
    let long: Vec<&str>;
    let full: &[&str] = match buf.get_mut(1..=keys.len()) {
        Some(rest) => {
            rest.copy_from_slice(keys);
            &buf[..=keys.len()]
        }
        None => {
            long = ["securityContext"].iter().chain(keys).copied().collect();
            &long
        }
    };
    match origin {
        Some(Origin::Pod) => crate::support::pod::pod_diag(pod, full, message).in_container(c.name),
        _ => crate::support::container_diag(pod, c, full, message),
    }
}

/// `spec.os.name: windows`: Linux-only controls (capabilities, seccomp, privilege escalation,
/// read-only root filesystem, UIDs) do not apply, and the API server rejects some of them.
pub fn is_windows(pod: &PodSpec) -> bool {
    pod.spec.path(&["os", "name"]).and_then(Node::as_str) == Some("windows")
}

/// A seccomp or AppArmor profile as Kubernetes reads it from the fields or legacy annotations.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile<'a> {
    /// `RuntimeDefault`, `Localhost`, `Unconfined`, or the unknown value as written.
    pub kind: String,
    pub origin: Origin,
    /// For [`Origin::Annotation`]: the annotation key.
    pub annotation: Option<String>,
    pub node: &'a Node,
}

impl Profile<'_> {
    /// `RuntimeDefault` or `Localhost`: the runtime confines the container.
    pub fn confines(&self) -> bool {
        matches!(self.kind.as_str(), "RuntimeDefault" | "Localhost")
    }
}

/// Maps a legacy annotation value (`runtime/default`, `docker/default`, `localhost/x`,
/// `unconfined`) to the field's type name.
fn annotation_kind(v: &str) -> String {
    match v {
        "runtime/default" | "docker/default" => "RuntimeDefault".into(),
        "unconfined" => "Unconfined".into(),
        _ if v.starts_with("localhost/") => "Localhost".into(),
        _ => v.to_string(),
    }
}

fn field_profile<'a>(pod: &PodSpec<'a>, c: &Container<'a>, field: &str) -> Option<Profile<'a>> {
    let (n, origin) = effective_with_origin(pod, c, field)?;
    let t = n.get("type")?;
    Some(Profile {
        kind: t.as_str().unwrap_or("").to_string(),
        origin,
        annotation: None,
        node: t,
    })
}

fn annotation_profile<'a>(pod: &PodSpec<'a>, keys: &[String]) -> Option<Profile<'a>> {
    let ann = pod.meta.get("annotations")?;
    keys.iter().find_map(|k| {
        let n = ann.get(k)?;
        Some(Profile {
            kind: annotation_kind(n.as_str().unwrap_or("")),
            origin: Origin::Annotation,
            annotation: Some(k.clone()),
            node: n,
        })
    })
}

/// The effective seccomp profile of a container: its `seccompProfile`, else the pod's, else
/// the legacy annotations (container, then pod), which API servers still translate into fields.
pub fn seccomp<'a>(pod: &PodSpec<'a>, c: &Container<'a>) -> Option<Profile<'a>> {
    field_profile(pod, c, "seccompProfile").or_else(|| {
        // Most pods have no annotations: then no key is built.
        pod.meta.get("annotations")?;
        annotation_profile(
            pod,
            &[
                format!("container.seccomp.security.alpha.kubernetes.io/{}", c.name),
                "seccomp.security.alpha.kubernetes.io/pod".to_string(),
            ],
        )
    })
}

/// The effective AppArmor profile of a container: `appArmorProfile` (container, then pod),
/// else the `container.apparmor.security.beta.kubernetes.io/<name>` annotation.
pub fn apparmor<'a>(pod: &PodSpec<'a>, c: &Container<'a>) -> Option<Profile<'a>> {
    field_profile(pod, c, "appArmorProfile").or_else(|| {
        pod.meta.get("annotations")?;
        annotation_profile(
            pod,
            &[format!(
                "container.apparmor.security.beta.kubernetes.io/{}",
                c.name
            )],
        )
    })
}

/// A diagnostic at a profile's deciding line (field or annotation).
pub fn profile_diag(
    pod: &PodSpec,
    c: &Container,
    p: &Profile,
    field: &str,
    message: String,
) -> palisade_model::Diagnostic {
    match (&p.origin, &p.annotation) {
        (Origin::Annotation, Some(key)) => {
            let base = crate::support::pod::pod_meta_path(pod);
            palisade_model::Diagnostic::new(
                message,
                pod.meta
                    .get("annotations")
                    .map_or(pod.meta.pos, |a| a.key_pos(key)),
            )
            .at_path(crate::support::pod::pointer(&base, &["annotations", key]))
            .in_container(c.name)
        }
        (o, _) => effective_diag(pod, c, Some(*o), &[field, "type"], message),
    }
}

/// A note for messages when the pod's `securityContext` sets a container-only field (a common
/// mistake some tools accept): Kubernetes drops it, so it protects nothing.
pub fn ignored_at_pod_level(pod: &PodSpec, field: &str) -> &'static str {
    if pod.spec.path(&["securityContext", field]).is_some() {
        " (the pod-level value is ignored: the field exists only on containers)"
    } else {
        ""
    }
}
