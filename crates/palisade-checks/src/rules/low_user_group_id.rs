use crate::support::pod::pod_of;
use crate::support::security_context::{effective_diag, effective_with_origin, is_windows};
use crate::{Check, CheckMeta, Ctx, Param};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct LowUserGroupId;

pub static CHECK: &dyn Check = &LowUserGroupId;

static META: CheckMeta = CheckMeta {
    id: "low-user-group-id",
    title: "Containers should run with a UID and GID of 10000 or more",
    category: Category::Security,
    severity: Severity::Low,
    rationale: "Without user namespaces a container's UID is the host's UID. Low IDs are those of \
        system users and of other workloads on the node, so a process that escapes the container \
        would act as an existing host user. An explicit high UID and GID also make the container \
        independent of the image's `USER`.",
    remediation: "Set `securityContext.runAsUser` and `runAsGroup` to values of at least 10000 \
        (on the pod or each container), or run the pod in its own user namespace with \
        `hostUsers: false`.",
    references: &[
        "NSA/CISA Kubernetes Hardening Guide: Use containers built to run applications as non-root users",
        "https://kubernetes.io/docs/concepts/workloads/pods/user-namespaces/",
    ],
    params: &[Param {
        name: "min_id",
        description: "The lowest acceptable UID and GID.",
        default: "10000",
    }],
    aliases: &[
        "kube-score:container-security-context-user-group-id",
        "trivy:KSV020",
        "trivy:KSV021",
        "checkov:CKV_K8S_40",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "Pods with `hostUsers: false` (own user namespace) and Windows pods are skipped.",
};

impl Check for LowUserGroupId {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pods_only(&self) -> bool {
        true
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some(pod) = pod_of(obj, ctx) else { return };
        if is_windows(&pod) || pod.get("hostUsers").and_then(Node::as_bool) == Some(false) {
            return;
        }
        let min = ctx.param_i64("min_id").unwrap_or(10000);
        let mut min_digits = itoa::Buffer::new();
        let min_text = min_digits.format(min);
        for c in pod.all_containers() {
            for (field, what) in [("runAsUser", "UID"), ("runAsGroup", "GID")] {
                let found = effective_with_origin(&pod, &c, field);
                let problem = match found {
                    None => cat!(
                        "container `",
                        c.name,
                        "` sets no ",
                        field,
                        " (want a ",
                        what,
                        " of ",
                        min_text,
                        " or more)"
                    ),
                    Some((n, _)) => match n.as_i64() {
                        Some(id) if id >= min => continue,
                        Some(id) => cat!(
                            "container `",
                            c.name,
                            "` runs with ",
                            what,
                            " ",
                            itoa::Buffer::new().format(id),
                            ", below ",
                            min_text
                        ),
                        None => format!(
                            "container `{}` has a {field} that is not a number: {}",
                            c.name,
                            n.scalar_text().unwrap_or_else(|| n.type_name().to_string())
                        ),
                    },
                };
                out.push(effective_diag(
                    &pod,
                    &c,
                    found.map(|(_, o)| o),
                    &[field],
                    problem,
                ));
            }
        }
    }
}
