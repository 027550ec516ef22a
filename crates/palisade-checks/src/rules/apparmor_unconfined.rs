use crate::support::pod::pod_of;
use crate::support::security_context::{apparmor, is_windows, profile_diag};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Object, Severity};

pub struct ApparmorUnconfined;

pub static CHECK: &dyn Check = &ApparmorUnconfined;

static META: CheckMeta = CheckMeta {
    id: "apparmor-unconfined",
    title: "Containers must not disable or override the AppArmor profile",
    category: Category::Security,
    severity: Severity::Medium,
    rationale: "On nodes with AppArmor, the runtime's default profile blocks writes to sensitive \
        `/proc` and `/sys` paths and mounting file systems. An `Unconfined` profile (or any value \
        other than the runtime default or a profile loaded on the node) removes that layer.",
    remediation: "Remove the override, or set `securityContext.appArmorProfile.type` to \
        `RuntimeDefault` or `Localhost`; with annotations, use `runtime/default` or \
        `localhost/<profile>`.",
    references: &[
        "PSS baseline: AppArmor",
        "NSA/CISA Kubernetes Hardening Guide: Pod security (AppArmor)",
    ],
    params: &[],
    aliases: &[],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "Windows pods (`spec.os.name: windows`) are skipped. An unset profile passes: \
        the runtime default applies.",
};

impl Check for ApparmorUnconfined {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pods_only(&self) -> bool {
        true
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some(pod) = pod_of(obj, ctx) else { return };
        if is_windows(&pod) {
            return;
        }
        for c in pod.all_containers() {
            let Some(p) = apparmor(&pod, &c).filter(|p| !p.confines()) else {
                continue;
            };
            let what = if p.kind == "Unconfined" {
                "runs without AppArmor (profile Unconfined)".to_string()
            } else {
                format!(
                    "uses the AppArmor profile `{}`, which is neither RuntimeDefault nor Localhost",
                    p.kind
                )
            };
            out.push(profile_diag(
                &pod,
                &c,
                &p,
                "appArmorProfile",
                format!("container `{}` {what}", c.name),
            ));
        }
    }
}
