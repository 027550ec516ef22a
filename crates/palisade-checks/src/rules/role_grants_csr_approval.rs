use crate::support::rbac::{
    IGNORE_ROLES, LEFT_TO_WILDCARD_CHECK, Permission, find_grant, name_ignored, rule_path,
};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Object, Severity};

pub struct RoleGrantsCsrApproval;

pub static CHECK: &dyn Check = &RoleGrantsCsrApproval;

const CERTS: &str = "certificates.k8s.io";

/// Approving a CertificateSigningRequest takes both permissions.
const APPROVAL: &[Permission] = &[Permission {
    group: CERTS,
    resource: "certificatesigningrequests/approval",
    verbs: &["update", "patch"],
}];
const SIGNERS: &[Permission] = &[Permission {
    group: CERTS,
    resource: "signers",
    verbs: &["approve"],
}];

static META: CheckMeta = CheckMeta {
    id: "role-grants-csr-approval",
    title: "Roles should not allow approving certificate signing requests",
    category: Category::Security,
    severity: Severity::High,
    rationale: "Approving a CertificateSigningRequest for the `kubernetes.io/kube-apiserver-client` \
        signer issues a client certificate for any user and group it names, `system:masters` \
        included: a certificate that cannot be revoked and bypasses RBAC.",
    remediation: "Keep `update` on `certificatesigningrequests/approval` together with `approve` \
        on `signers` to the control plane's approvers; where a controller must approve, limit \
        `signers` with `resourceNames` to its own signer.",
    references: &[
        "CIS Kubernetes Benchmark 5.1.11: Minimize access to the approval sub-resource of certificatesigningrequests objects",
        "https://kubernetes.io/docs/concepts/security/rbac-good-practices/#csrs-and-certificate-issuing",
        "https://kubernetes.io/docs/reference/access-authn-authz/certificate-signing-requests/#authorization",
    ],
    params: &[IGNORE_ROLES],
    aliases: &["checkov:CKV_K8S_156", "kubescape:C-0280"],
    enabled_by_default: true,
    cross_object: false,
    assumptions: LEFT_TO_WILDCARD_CHECK,
};

impl Check for RoleGrantsCsrApproval {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        if name_ignored(obj.name(), ctx.param_strs("ignore-roles")) {
            return;
        }
        let (Some((rule, _, verb)), Some((signers, _, _))) =
            (find_grant(obj, APPROVAL), find_grant(obj, SIGNERS))
        else {
            return;
        };
        // A rule granting everything is left to `wildcard-in-rbac-rules`.
        if rule.grants_everything() && signers.grants_everything() {
            return;
        }
        out.push(
            Diagnostic::new(
                format!(
                    "{} `{}` can approve certificate signing requests: rule {} grants `{verb}` on \
                     `certificatesigningrequests/approval` and rule {} grants `approve` on `signers`",
                    obj.kind(),
                    obj.name(),
                    rule.index,
                    signers.index
                ),
                rule.pos_of("resources"),
            )
            .at_path(format!("{}/resources", rule_path(&rule))),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::support::pod::run_json;
    use serde_json::json;

    fn role(rules: serde_json::Value) -> serde_json::Value {
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
               "metadata": {"name": "approver"}, "rules": rules})
    }

    #[test]
    fn needs_both_permissions() {
        let approval = json!({"apiGroups": ["certificates.k8s.io"], "resources": ["certificatesigningrequests/approval"], "verbs": ["update"]});
        let signers = json!({"apiGroups": ["certificates.k8s.io"], "resources": ["signers"], "verbs": ["approve"], "resourceNames": ["example.com/my-signer"]});
        assert!(run_json(super::CHECK, &[role(json!([approval.clone()]))]).is_empty());
        assert_eq!(
            run_json(super::CHECK, &[role(json!([approval, signers]))]).len(),
            1
        );
        let wide =
            json!({"apiGroups": ["certificates.k8s.io"], "resources": ["*"], "verbs": ["*"]});
        assert_eq!(run_json(super::CHECK, &[role(json!([wide]))]).len(), 1);
    }
}
