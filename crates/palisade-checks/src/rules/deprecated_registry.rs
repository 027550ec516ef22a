use crate::support::images::ImageRef;
use crate::support::rule::ContainerRule;
use crate::{Check, CheckMeta, Ctx, Param};
use palisade_model::{Category, Container, PodSpec, Severity};

pub static CHECK: &dyn Check = &ContainerRule {
    meta: &META,
    field: &["image"],
    linux_only: false,
    locate: None,
    problem,
    fix: Some(fix),
};

static META: CheckMeta = CheckMeta {
    id: "deprecated-registry",
    title: "Images must not come from frozen or retired registries",
    category: Category::Security,
    severity: Severity::Low,
    rationale: "`k8s.gcr.io` was frozen in April 2023: it receives no new images or security \
        fixes, and its redirect to `registry.k8s.io` may stop. Workloads pulling from it run \
        unpatched images and may fail to pull at any time.",
    remediation: "Pull the same image from the replacement registry (`registry.k8s.io` for \
        `k8s.gcr.io`): repository paths and tags are the same.",
    references: &["https://kubernetes.io/blog/2023/03/10/image-registry-redirect/"],
    params: &[Param {
        name: "replacements",
        description: "Retired registry host → replacement host.",
        default: r#"{"k8s.gcr.io": "registry.k8s.io"}"#,
    }],
    aliases: &["kubescape:C-0253"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

/// The replacement host for the image's registry, if it is retired.
fn replacement<'a>(img: &ImageRef, ctx: &'a Ctx) -> Option<&'a str> {
    if !img.registry_explicit {
        return None;
    }
    ctx.param("replacements")?
        .as_object()?
        .iter()
        .find(|(old, _)| old.eq_ignore_ascii_case(&img.registry))
        .and_then(|(_, new)| new.as_str())
}

fn problem(_: &PodSpec, c: &Container, ctx: &Ctx) -> Option<String> {
    let raw = c.image()?;
    let img = ImageRef::parse(raw)?;
    let new = replacement(&img, ctx)?;
    Some(format!(
        "container `{}` pulls `{raw}` from the retired registry `{}`; use `{new}`",
        c.name, img.registry
    ))
}

fn fix(c: &Container, base: &str, ctx: &Ctx) -> Option<serde_json::Value> {
    let raw = c.image()?;
    let img = ImageRef::parse(raw)?;
    let new = replacement(&img, ctx)?;
    let trimmed = raw.trim();
    // The registry is the text before the first '/'; the rest of the reference is unchanged.
    let rest = trimmed.split_once('/')?.1;
    Some(serde_json::json!({
        "op": "replace",
        "path": format!("{base}/image"),
        "value": format!("{new}/{rest}"),
    }))
}

#[cfg(test)]
mod tests {
    use crate::support::pod::fix_json;
    use serde_json::json;

    #[test]
    fn fix_keeps_repository_tag_and_digest() {
        let p = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [
            {"name": "a", "image": "K8S.gcr.io/pause:3.9@sha256:abc"},
            {"name": "b", "image": "registry.k8s.io/pause:3.9"}]}});
        assert_eq!(
            fix_json(super::CHECK, &[p]),
            vec![
                json!({"op": "replace", "path": "/spec/containers/0/image", "value": "registry.k8s.io/pause:3.9@sha256:abc"})
            ]
        );
    }
}
