use crate::rules::binding_grants_pod_creation::WORKLOADS;
use crate::rules::binding_grants_secret_access::SECRETS;
use crate::rules::default_service_account::service_account;
use crate::rules::role_grants_escalate_or_bind::ESCALATE_BIND;
use crate::rules::role_grants_impersonate::IMPERSONATE;
use crate::rules::role_grants_node_proxy::NODE_PROXY;
use crate::rules::role_grants_pod_exec::EXEC_ATTACH;
use crate::support::network::pods_of;
use crate::support::pod::{pod_diag, pod_of};
use crate::support::rbac::{
    BuiltinRole, Permission, RoleTarget, Rule, find_grant_in, name_ignored, role_ref, rules,
    target_grants,
};
use crate::{Check, CheckMeta, Ctx, Param};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct WorkloadServiceAccountPrivileged;

pub static CHECK: &dyn Check = &WorkloadServiceAccountPrivileged;

static META: CheckMeta = CheckMeta {
    id: "workload-service-account-privileged",
    title: "Workloads should not run with a ServiceAccount that holds powerful permissions",
    category: Category::Security,
    severity: Severity::High,
    rationale: "A pod's ServiceAccount token is mounted into its containers: whoever compromises \
        the application (a remote code execution, a server-side request forgery reading the \
        token file) holds every permission bound to the account. An account that can read \
        Secrets, exec into pods, create workloads, escalate RBAC or act as cluster-admin turns \
        one vulnerable pod into a cluster takeover.",
    remediation: "Give the workload a dedicated ServiceAccount bound only to what it uses; move \
        powerful permissions to a separate component, and set `automountServiceAccountToken: \
        false` when the workload does not call the API at all.",
    references: &[
        "CIS Kubernetes Benchmark 5.1.6: Ensure that Service Account Tokens are only mounted where necessary",
        "NSA/CISA Kubernetes Hardening Guide: Authentication and authorization (least privilege)",
        "https://kubernetes.io/docs/concepts/security/rbac-good-practices/",
    ],
    params: &[Param {
        name: "ignore-namespaces",
        description: "Namespaces (or `prefix*`) whose workloads are not checked: control-plane \
            components legitimately hold powerful accounts.",
        default: r#"["kube-system"]"#,
    }],
    aliases: &["kubescape:C-0267", "kubescape:C-0272", "kubescape:C-0255"],
    enabled_by_default: true,
    cross_object: true,
    assumptions: "Joins each workload to the RoleBindings and ClusterRoleBindings of the scan \
        that name its ServiceAccount (directly or through the `system:serviceaccounts` groups) and \
        to the roles they reference; the default ClusterRoles `cluster-admin`, `admin`, `edit` \
        and `view` are known without being scanned. Bindings and roles outside the scan are not \
        seen. Workloads that do not mount a token (`automountServiceAccountToken: false` on the \
        pod, or on a scanned ServiceAccount without a pod override) are skipped.",
};

/// The classes of permission reported, most dangerous first.
const CLASSES: &[(&str, &[Permission])] = &[
    ("escalation of its RBAC permissions", ESCALATE_BIND),
    ("impersonation of other identities", IMPERSONATE),
    ("access to Secrets", SECRETS),
    ("pods/exec or pods/attach", EXEC_ATTACH),
    ("access to nodes/proxy", NODE_PROXY),
    ("the creation of pods", WORKLOADS),
];

/// What the role a binding references lets its subjects do, worst first.
fn worst_grant(target: RoleTarget) -> Option<String> {
    // Listed once for the seven questions below.
    let found: Vec<Rule> = match target {
        RoleTarget::Found(role) => rules(role).collect(),
        _ => Vec::new(),
    };
    let full = match target {
        RoleTarget::Builtin(BuiltinRole::ClusterAdmin) => true,
        RoleTarget::Found(role) => {
            role.name() == "cluster-admin" && role.kind() == "ClusterRole"
                || found.iter().any(Rule::is_full_wildcard)
        }
        _ => false,
    };
    if full {
        return Some("full access".to_string());
    }
    CLASSES.iter().find_map(|(what, perms)| {
        let grant = match target {
            RoleTarget::Found(_) => {
                find_grant_in(found.iter().copied(), perms).map(|(_, p, verb)| (p, verb))
            }
            _ => target_grants(target, perms),
        };
        grant.map(|(p, verb)| format!("{what} (`{verb}` on `{}`)", p.resource))
    })
}

/// Whether the pod gets a token: the pod's `automountServiceAccountToken`, else the
/// ServiceAccount's, else true.
fn mounts_token(ctx: &Ctx, pod_setting: Option<bool>, ns: &str, sa: &str) -> bool {
    pod_setting.unwrap_or_else(|| {
        ctx.index
            .get("ServiceAccount", Some(ns), sa)
            .and_then(|o| o.root.get("automountServiceAccountToken"))
            .and_then(Node::as_bool)
            .unwrap_or(true)
    })
}

impl Check for WorkloadServiceAccountPrivileged {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pods_only(&self) -> bool {
        true
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some(pod) = pod_of(obj, ctx) else {
            return;
        };
        let ns = obj.effective_namespace().unwrap_or("default");
        if obj.kind() == "PodTemplate" || name_ignored(ns, ctx.param_strs("ignore-namespaces")) {
            return;
        }
        let (name, key) = service_account(&pod);
        let sa = if name.is_empty() { "default" } else { name };
        let automount = pod
            .get("automountServiceAccountToken")
            .and_then(Node::as_bool);
        if !mounts_token(ctx, automount, ns, sa) {
            return;
        }
        for binding in ctx.index.bindings_for_service_account(ns, sa) {
            let Some(r) = role_ref(binding, ctx.index) else {
                continue;
            };
            let Some(what) = worst_grant(r.target) else {
                continue;
            };
            let scope = match binding.namespace() {
                _ if binding.kind() == "ClusterRoleBinding" => "cluster-wide".to_string(),
                Some(bns) if bns != ns => format!("in namespace `{bns}`"),
                _ => "in its namespace".to_string(),
            };
            out.push(pod_diag(
                &pod,
                &[key],
                format!(
                    "{} will run as ServiceAccount `{sa}`, which {} `{}` grants {what} {scope} through {} `{}`: a compromised container holds it too",
                    pods_of(obj),
                    binding.kind(),
                    binding.name(),
                    r.kind,
                    r.name
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::support::pod::run_json;
    use serde_json::json;

    fn deploy(spec: serde_json::Value) -> serde_json::Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
               "spec": {"template": {"spec": spec}}})
    }
    fn crb(role: &str, subject: serde_json::Value) -> serde_json::Value {
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
               "metadata": {"name": "b"},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
               "subjects": [subject]})
    }

    #[test]
    fn joins_workload_account_binding_and_role() {
        let sa = json!({"kind": "ServiceAccount", "name": "web", "namespace": "shop"});
        let d = run_json(
            super::CHECK,
            &[
                deploy(json!({"serviceAccountName": "web"})),
                crb("cluster-admin", sa.clone()),
            ],
        );
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message.contains("grants full access cluster-wide"),
            "{}",
            d[0].message
        );
        assert_eq!(d[0].path, "/spec/template/spec/serviceAccountName");
        // The default account, through the group of all ServiceAccounts of the namespace.
        let group = json!({"kind": "Group", "name": "system:serviceaccounts:shop"});
        let d = run_json(super::CHECK, &[deploy(json!({})), crb("edit", group)]);
        assert!(
            d[0].message.contains("impersonation of other identities"),
            "{}",
            d[0].message
        );
        // No token mounted, or a harmless role: nothing to report.
        assert!(
            run_json(
                super::CHECK,
                &[
                    deploy(
                        json!({"serviceAccountName": "web", "automountServiceAccountToken": false})
                    ),
                    crb("cluster-admin", sa.clone())
                ]
            )
            .is_empty()
        );
        assert!(
            run_json(
                super::CHECK,
                &[
                    deploy(json!({"serviceAccountName": "web"})),
                    crb("view", sa)
                ]
            )
            .is_empty()
        );
    }

    #[test]
    fn service_account_object_can_disable_the_token() {
        let sa_obj = json!({"apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": {"name": "web", "namespace": "shop"}, "automountServiceAccountToken": false});
        let subject = json!({"kind": "ServiceAccount", "name": "web", "namespace": "shop"});
        let objs = [
            deploy(json!({"serviceAccountName": "web"})),
            sa_obj,
            crb("cluster-admin", subject.clone()),
        ];
        assert!(run_json(super::CHECK, &objs).is_empty());
        let objs = [
            deploy(json!({"serviceAccountName": "web", "automountServiceAccountToken": true})),
            objs[1].clone(),
            crb("cluster-admin", subject),
        ];
        assert_eq!(run_json(super::CHECK, &objs).len(), 1);
    }
}
