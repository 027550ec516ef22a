use crate::support::caps::{append_drop, entries};
use crate::support::rule::ContainerRule;
use crate::support::security_context::ignored_at_pod_level;
use crate::{Check, CheckMeta, Ctx, Param};
use palisade_model::{Category, Container, PodSpec, Severity};

pub static CHECK: &dyn Check = &ContainerRule {
    meta: &META,
    field: &["securityContext", "capabilities", "drop"],
    linux_only: true,
    locate: None,
    problem,
    fix: Some(fix),
};

static META: CheckMeta = CheckMeta {
    id: "drop-all-capabilities",
    title: "Containers should drop all capabilities",
    category: Category::Security,
    severity: Severity::Medium,
    rationale: "The runtime's default capability set (CHOWN, DAC_OVERRIDE, FOWNER, SETUID, \
        NET_RAW, …) is more than most processes need and is what many exploits rely on. \
        Dropping `ALL` and adding back only what is needed is the least-privilege baseline.",
    remediation: "Set `securityContext.capabilities.drop: [\"ALL\"]` on every container and add \
        back single capabilities (typically only NET_BIND_SERVICE) in `capabilities.add`.",
    references: &[
        "PSS restricted: Capabilities",
        "CIS Kubernetes Benchmark v1.8 5.2.10",
        "NSA/CISA Kubernetes Hardening Guide: Pod security",
    ],
    params: &[Param {
        name: "insecure_capabilities",
        description: "Dropping every one of these individually is accepted instead of `ALL`.",
        default: r#"["NET_ADMIN", "CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID", "SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE"]"#,
    }],
    aliases: &[
        "polaris:insecureCapabilities",
        "trivy:KSV003",
        "checkov:CKV_K8S_37",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "Windows pods (`spec.os.name: windows`) are skipped: Linux capabilities do not apply.",
};

fn problem(pod: &PodSpec, c: &Container, ctx: &Ctx) -> Option<String> {
    if entries(c, "drop").any(|e| e.is("ALL")) {
        return None;
    }
    let listed = ctx.param_strs("insecure_capabilities");
    if !listed.is_empty()
        && listed
            .iter()
            .all(|cap| entries(c, "drop").any(|e| e.is(cap)))
    {
        return None;
    }
    let note = match c.path(&["securityContext", "capabilities"]) {
        None => ignored_at_pod_level(pod, "capabilities"),
        Some(_) => "",
    };
    Some(cat!(
        "container `",
        c.name,
        "` does not drop ALL capabilities",
        note
    ))
}

fn fix(c: &Container, base: &str, _: &Ctx) -> Option<serde_json::Value> {
    Some(append_drop(c, base, "ALL"))
}
