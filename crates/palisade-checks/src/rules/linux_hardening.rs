use crate::support::caps::entries;
use crate::support::rule::ContainerRule;
use crate::support::security_context::{apparmor, seccomp};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Container, PodSpec, Severity};

pub static CHECK: &dyn Check = &ContainerRule {
    meta: &META,
    field: &["securityContext"],
    linux_only: true,
    locate: None,
    problem,
    fix: None,
};

static META: CheckMeta = CheckMeta {
    id: "linux-hardening",
    title: "Containers should use at least one Linux hardening mechanism",
    category: Category::Security,
    severity: Severity::Low,
    rationale: "Seccomp, AppArmor, SELinux and dropped capabilities each limit what a compromised \
        process can do to the kernel. A container using none of them relies on namespaces alone.",
    remediation: "Use one (preferably several) of: `seccompProfile.type: RuntimeDefault` on the \
        pod or container, an AppArmor profile (`appArmorProfile` or the \
        `container.apparmor.security.beta.kubernetes.io/<container>` annotation), \
        `seLinuxOptions`, or `capabilities.drop` (ideally `ALL`).",
    references: &[
        "PSS restricted: Seccomp, Capabilities",
        "NSA/CISA Kubernetes Hardening Guide: Pod security (seccomp, AppArmor, SELinux)",
    ],
    params: &[],
    aliases: &["polaris:linuxHardening", "kubescape:C-0055"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "Windows pods (`spec.os.name: windows`) are skipped.",
};

fn hardened(pod: &PodSpec, c: &Container) -> bool {
    let seccomp_ok = seccomp(pod, c).is_some_and(|p| p.kind != "Unconfined" && !p.kind.is_empty());
    let apparmor_ok =
        apparmor(pod, c).is_some_and(|p| p.kind != "Unconfined" && !p.kind.is_empty());
    let selinux = |n: Option<&palisade_model::Node>| {
        n.and_then(palisade_model::Node::as_map)
            .is_some_and(|m| !m.is_empty())
    };
    let selinux_ok = selinux(c.path(&["securityContext", "seLinuxOptions"]))
        || selinux(pod.spec.path(&["securityContext", "seLinuxOptions"]));
    let caps_ok = entries(c, "drop").next().is_some() && !entries(c, "add").any(|e| e.is("ALL"));
    seccomp_ok || apparmor_ok || selinux_ok || caps_ok
}

fn problem(pod: &PodSpec, c: &Container, _: &Ctx) -> Option<String> {
    (!hardened(pod, c)).then(|| {
        cat!(
            "container `",
            c.name,
            "` uses no seccomp profile, AppArmor profile, SELinux options or dropped capabilities"
        )
    })
}
