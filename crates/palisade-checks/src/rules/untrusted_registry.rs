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
    id: "untrusted-registry",
    title: "Images must come from trusted registries",
    category: Category::Security,
    severity: Severity::Medium,
    rationale: "Images from arbitrary registries bypass the organisation's scanning, signing and \
        mirroring, and a typo in a registry or organisation name can pull an attacker's image.",
    remediation: "Pull the image from (or mirror it into) one of the trusted registries, or add \
        the registry to the `trusted_registries` parameter.",
    references: &[
        "NSA/CISA Kubernetes Hardening Guide: Building secure container images",
        "CIS Kubernetes Benchmark v1.8 5.5.1",
    ],
    params: &[Param {
        name: "trusted_registries",
        description: "Allowed registries: a host (`ghcr.io`), a wildcard host (`*.dkr.ecr.eu-west-1.amazonaws.com`) \
            or a host with a path prefix (`ghcr.io/acme`, whole segments). Images without a registry \
            are on `docker.io`.",
        default: r#"["registry.k8s.io", "docker.io", "ghcr.io", "quay.io", "gcr.io", "mcr.microsoft.com", "public.ecr.aws"]"#,
    }],
    aliases: &["trivy:KSV125", "kubescape:C-0078"],
    // Only meaningful with the organisation's own list.
    enabled_by_default: false,
    cross_object: false,
    assumptions: "",
};

fn problem(_: &PodSpec, c: &Container, ctx: &Ctx) -> Option<String> {
    let raw = c.image()?;
    let img = ImageRef::parse(raw)?;
    let trusted = ctx.param_strs("trusted_registries");
    (!trusted.iter().any(|t| img.matches(t))).then(|| {
        format!(
            "container `{}` pulls `{raw}` from `{}`, which is not a trusted registry",
            c.name, img.registry
        )
    })
}
