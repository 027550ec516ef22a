use crate::support::pod::set_op;
use crate::support::rule::ContainerRule;
use crate::support::security_context::ignored_at_pod_level;
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Container, Node, PodSpec, Severity};

pub static CHECK: &dyn Check = &ContainerRule {
    meta: &META,
    field: &FIELD,
    linux_only: true,
    locate: None,
    problem,
    fix: Some(fix),
};

static META: CheckMeta = CheckMeta {
    id: "read-only-root-filesystem",
    title: "Containers should run with a read-only root filesystem",
    category: Category::Security,
    severity: Severity::Medium,
    rationale: "A writable root filesystem lets an attacker who gets code execution replace \
        binaries, drop tools and persist in the container. An immutable root filesystem also \
        makes the container's behaviour reproducible.",
    remediation: "Set `securityContext.readOnlyRootFilesystem: true` on each container and mount \
        an `emptyDir` volume where the process must write (e.g. `/tmp`, caches). The setting \
        exists only on containers: a pod-level value is ignored by Kubernetes.",
    references: &[
        "CIS Kubernetes Benchmark v1.8 5.7.3",
        "NSA/CISA Kubernetes Hardening Guide: Use immutable container file systems",
    ],
    params: &[],
    aliases: &[
        "polaris:notReadOnlyRootFilesystem",
        "kube-linter:no-read-only-root-fs",
        "kube-score:container-security-context-readonlyrootfilesystem",
        "trivy:KSV014",
        "kubescape:C-0017",
        "checkov:CKV_K8S_22",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "Windows pods (`spec.os.name: windows`) are skipped: the API server rejects the field there.",
};

const FIELD: [&str; 2] = ["securityContext", "readOnlyRootFilesystem"];

fn problem(pod: &PodSpec, c: &Container, _: &Ctx) -> Option<String> {
    let (why, note) = match c.path(&FIELD).and_then(Node::as_bool) {
        Some(true) => return None,
        Some(false) => ("readOnlyRootFilesystem is false", ""),
        None => (
            "readOnlyRootFilesystem is not set to true",
            ignored_at_pod_level(pod, "readOnlyRootFilesystem"),
        ),
    };
    Some(cat!(
        "container `",
        c.name,
        "` has a writable root filesystem: ",
        why,
        note
    ))
}

fn fix(c: &Container, base: &str, _: &Ctx) -> Option<serde_json::Value> {
    Some(set_op(c.node, base, &FIELD, serde_json::json!(true)))
}
