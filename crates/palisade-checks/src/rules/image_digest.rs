use crate::support::images::ImageRef;
use crate::support::rule::ContainerRule;
use crate::{Check, CheckMeta, Ctx};
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
    id: "image-digest",
    title: "Images should be pinned by digest",
    category: Category::Security,
    severity: Severity::Low,
    rationale: "Tags are mutable: even a version tag can be re-pushed, by mistake or by an attacker \
        with access to the registry. A digest (`@sha256:…`) names exactly one image content, so \
        what was reviewed and scanned is what runs.",
    remediation: "Reference the image as `registry/repository:tag@sha256:<digest>` (the tag stays \
        for readers; the digest decides). Tools like Renovate or `crane digest` keep digests \
        current.",
    references: &[
        "NSA/CISA Kubernetes Hardening Guide: Building secure container images",
        "https://kubernetes.io/docs/concepts/containers/images/#image-names",
    ],
    params: &[],
    aliases: &["checkov:CKV_K8S_43", "kubescape:C-0306"],
    enabled_by_default: false,
    cross_object: false,
    assumptions: "",
};

fn problem(_: &PodSpec, c: &Container, _: &Ctx) -> Option<String> {
    let raw = c.image()?;
    let img = ImageRef::parse(raw)?;
    img.digest.is_none().then(|| {
        cat!(
            "container `",
            c.name,
            "` uses image `",
            raw,
            "`, which is not pinned by digest"
        )
    })
}
