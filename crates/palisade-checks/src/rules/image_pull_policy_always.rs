use crate::support::images::ImageRef;
use crate::support::pod::set_op;
use crate::support::rule::ContainerRule;
use crate::{Check, CheckMeta, Ctx, Param};
use palisade_model::{Category, Container, Node, PodSpec, Severity};

pub static CHECK: &dyn Check = &ContainerRule {
    meta: &META,
    field: &["imagePullPolicy"],
    linux_only: false,
    locate: None,
    problem,
    fix: Some(fix),
};

static META: CheckMeta = CheckMeta {
    id: "image-pull-policy-always",
    title: "Containers should pull their image every time (imagePullPolicy: Always)",
    category: Category::Security,
    severity: Severity::Low,
    rationale: "With `IfNotPresent` or `Never` a node reuses an image it already has: a pod can run \
        a private image cached by another tenant without having pull credentials for it, and a \
        re-pushed tag is not picked up. `Always` makes the kubelet check the registry (and the \
        pod's credentials) on every start; with an unchanged image the layers are not downloaded \
        again.",
    remediation: "Set `imagePullPolicy: Always` on the container (Kubernetes defaults to it only \
        for `:latest` and untagged images), or pin the image by digest.",
    references: &[
        "CIS Kubernetes Benchmark v1.8 1.2.11 (AlwaysPullImages admission plugin)",
        "https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy",
    ],
    params: &[Param {
        name: "allow_digest_pinned",
        description: "Accept any pull policy for images pinned by digest (their content cannot change).",
        default: "true",
    }],
    aliases: &[
        "polaris:pullPolicyNotAlways",
        "kube-score:container-image-pull-policy",
        "checkov:CKV_K8S_15",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

fn problem(_: &PodSpec, c: &Container, ctx: &Ctx) -> Option<String> {
    let img = c.image().and_then(ImageRef::parse);
    if ctx.param_bool("allow_digest_pinned").unwrap_or(true)
        && img.as_ref().is_some_and(|i| i.digest.is_some())
    {
        return None;
    }
    match c.get("imagePullPolicy").and_then(Node::as_str) {
        Some("Always") => None,
        Some(p) => Some(cat!("container `", c.name, "` sets imagePullPolicy: ", p)),
        None => {
            // Kubernetes' defaulting: Always for `:latest` or no tag, else IfNotPresent.
            let img = img?;
            match (img.tag, img.digest) {
                (None, None) | (Some("latest"), _) => None,
                (Some(t), _) => Some(cat!(
                    "container `",
                    c.name,
                    "` sets no imagePullPolicy, so it defaults to IfNotPresent for tag `",
                    t,
                    "`"
                )),
                (None, Some(_)) => Some(format!(
                    "container `{}` sets no imagePullPolicy, so it defaults to IfNotPresent for a digest",
                    c.name
                )),
            }
        }
    }
}

fn fix(c: &Container, base: &str, _: &Ctx) -> Option<serde_json::Value> {
    Some(set_op(
        c.node,
        base,
        &["imagePullPolicy"],
        serde_json::json!("Always"),
    ))
}
