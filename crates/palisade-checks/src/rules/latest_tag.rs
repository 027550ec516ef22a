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
    fix: None,
};

static META: CheckMeta = CheckMeta {
    id: "latest-tag",
    title: "Images must be pinned to a tag other than latest (or a digest)",
    category: Category::Security,
    severity: Severity::Medium,
    rationale: "An image without a tag, or with a moving tag such as `latest`, can change under a \
        running workload: a reschedule silently deploys different code, rollbacks do not roll \
        back, and whoever can push to the repository can change what runs in the cluster.",
    remediation: "Reference images by an immutable version tag (`nginx:1.27.1`) or, better, by \
        digest (`nginx@sha256:…`).",
    references: &[
        "NSA/CISA Kubernetes Hardening Guide: Building secure container images",
        "https://kubernetes.io/docs/concepts/containers/images/#image-names",
    ],
    params: &[Param {
        name: "blocked_tags",
        description: "Tags treated as moving (besides a missing tag).",
        default: r#"["latest"]"#,
    }],
    aliases: &[
        "polaris:tagNotSpecified",
        "kube-linter:latest-tag",
        "kube-score:container-image-tag",
        "trivy:KSV013",
        "kubescape:C-0075",
        "checkov:CKV_K8S_14",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

fn problem(_: &PodSpec, c: &Container, ctx: &Ctx) -> Option<String> {
    let raw = c.image().unwrap_or("");
    let Some(img) = ImageRef::parse(raw) else {
        return Some(if raw.trim().is_empty() {
            format!("container `{}` has no image", c.name)
        } else {
            format!(
                "container `{}` has an invalid image reference `{raw}`",
                c.name
            )
        });
    };
    if img.digest.is_some() {
        return None;
    }
    match img.tag {
        None => Some(format!(
            "container `{}` uses image `{raw}` without a tag, which means `latest`",
            c.name
        )),
        Some(t) if ctx.param_strs("blocked_tags").contains(t) => Some(format!(
            "container `{}` uses image `{raw}` with the moving tag `{t}`",
            c.name
        )),
        Some(_) => None,
    }
}
