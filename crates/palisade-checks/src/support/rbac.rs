//! RBAC rules, role references and what a (Cluster)Role grants.
//!
//! Matching follows the API server's authorizer: `*` matches any group, resource or verb;
//! `pods/*` matches every subresource of pods and `*/exec` the `exec` subresource of any
//! resource; `resourceNames` only narrow a grant, so a rule limited to named objects still
//! counts as granting the permission.

use crate::{Check, CheckMeta, Ctx, Param};
use palisade_model::{Diagnostic, Index, Node, Object, Pos};

/// Verbs that make up "full access" in Polaris' reading of a wildcard role.
pub const ALL_STANDARD_VERBS: &[&str] = &[
    "get", "list", "watch", "create", "update", "patch", "delete",
];

/// One entry of a role's `rules`.
#[derive(Clone, Copy, Debug)]
pub struct Rule<'a> {
    pub node: &'a Node,
    pub index: usize,
    /// `apiGroups`, `resources` and `verbs`, looked up once: a role is matched against some
    /// twenty permissions per workload that runs with it.
    lists: [&'a [Node]; 3],
}

impl<'a> Rule<'a> {
    const LISTS: [&'static str; 3] = ["apiGroups", "resources", "verbs"];
    const GROUPS: usize = 0;
    const RESOURCES: usize = 1;
    const VERBS: usize = 2;

    fn new(node: &'a Node, index: usize) -> Self {
        let lists = node
            .get_each(Self::LISTS)
            .map(|l| l.map_or(&[][..], Node::items));
        Rule { node, index, lists }
    }

    /// The strings of a list field (`apiGroups`, `resources`, `verbs`, ...).
    pub fn list(&self, key: &str) -> impl Iterator<Item = &'a str> + Clone {
        let items = match Self::LISTS.iter().position(|k| *k == key) {
            Some(i) => self.lists[i],
            None => self.node.get(key).map_or(&[][..], Node::items),
        };
        items.iter().filter_map(Node::as_str)
    }

    /// The strings of `lists[i]` (`GROUPS`, `RESOURCES` or `VERBS`).
    fn strs(&self, i: usize) -> impl Iterator<Item = &'a str> {
        self.lists[i].iter().filter_map(Node::as_str)
    }

    fn has(&self, key: &str, want: &str) -> bool {
        self.list(key).any(|s| s == want)
    }

    pub fn matches_group(&self, group: &str) -> bool {
        self.strs(Self::GROUPS).any(|g| g == "*" || g == group)
    }

    /// Whether the rule covers `resource` (`secrets`, `pods/exec`).
    pub fn matches_resource(&self, resource: &str) -> bool {
        let (base, sub) = match resource.split_once('/') {
            Some((b, s)) => (b, Some(s)),
            None => (resource, None),
        };
        self.strs(Self::RESOURCES).any(|r| {
            r == "*"
                || r == resource
                || match (sub, r.split_once('/')) {
                    // A query for `base/*` means "any subresource of base".
                    (Some("*"), Some((rb, _))) => rb == base,
                    (Some(sub), Some((rb, rs))) => {
                        (rb == base && rs == "*") || (rb == "*" && rs == sub)
                    }
                    _ => false,
                }
        })
    }

    pub fn matches_verb(&self, verb: &str) -> bool {
        self.strs(Self::VERBS).any(|v| v == "*" || v == verb)
    }

    /// The first of `verbs` this rule grants on `group`/`resource`.
    pub fn grants(
        &self,
        group: &str,
        resource: &str,
        verbs: &[&'static str],
    ) -> Option<&'static str> {
        if !self.matches_group(group) || !self.matches_resource(resource) {
            return None;
        }
        verbs.iter().copied().find(|v| self.matches_verb(v))
    }

    /// `*` in API groups, resources and verbs: the rule grants everything there is.
    pub fn grants_everything(&self) -> bool {
        self.has("apiGroups", "*") && self.has("resources", "*") && self.has("verbs", "*")
    }

    /// `apiGroups: ["*"]`, `resources: ["*"]` and every verb (`*` or all the standard ones): the
    /// rule grants full control, like `cluster-admin`.
    pub fn is_full_wildcard(&self) -> bool {
        self.has("apiGroups", "*")
            && self.has("resources", "*")
            && (self.has("verbs", "*") || ALL_STANDARD_VERBS.iter().all(|v| self.has("verbs", v)))
    }

    pub fn pos(&self) -> Pos {
        self.node.pos
    }

    /// Position of one of the rule's fields, else of the rule.
    pub fn pos_of(&self, key: &str) -> Pos {
        self.node.key_pos(key)
    }
}

/// The rules of a Role or ClusterRole (empty for anything else).
pub fn rules(role: &Object) -> impl Iterator<Item = Rule<'_>> {
    let rules = match role.kind() {
        "Role" | "ClusterRole" => role.root.get("rules").map(Node::items).unwrap_or(&[]),
        _ => &[],
    };
    rules
        .iter()
        .enumerate()
        .filter(|(_, n)| n.as_map().is_some())
        .map(|(index, node)| Rule::new(node, index))
}

/// A permission to look for: any of `verbs` on `resource` in API group `group`.
#[derive(Clone, Copy, Debug)]
pub struct Permission {
    pub group: &'static str,
    pub resource: &'static str,
    pub verbs: &'static [&'static str],
}

/// A rule granting one of `perms`: (rule, permission, verb).
pub fn find_grant<'a>(
    role: &'a Object,
    perms: &[Permission],
) -> Option<(Rule<'a>, Permission, &'static str)> {
    find_grant_in(rules(role), perms)
}

/// `find_grant` over rules already listed (a role matched against several permission sets).
pub fn find_grant_in<'a>(
    rules: impl IntoIterator<Item = Rule<'a>>,
    perms: &[Permission],
) -> Option<(Rule<'a>, Permission, &'static str)> {
    rules.into_iter().find_map(|r| {
        perms
            .iter()
            .find_map(|p| r.grants(p.group, p.resource, p.verbs).map(|v| (r, *p, v)))
    })
}

/// The built-in ClusterRoles whose permissions are known without seeing them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuiltinRole {
    ClusterAdmin,
    Admin,
    Edit,
    View,
}

impl BuiltinRole {
    pub fn from_name(name: &str) -> Option<BuiltinRole> {
        match name {
            "cluster-admin" => Some(BuiltinRole::ClusterAdmin),
            "admin" => Some(BuiltinRole::Admin),
            "edit" => Some(BuiltinRole::Edit),
            "view" => Some(BuiltinRole::View),
            _ => None,
        }
    }

    /// Whether the role grants one of `perm.verbs` on `perm.resource`. A coarse model of the
    /// default roles, accurate for the permissions checks ask about: `admin` and `edit` manage
    /// every namespaced workload resource including Secrets, pods/exec and pods/attach, and may
    /// impersonate ServiceAccounts; `admin` also manages Roles and RoleBindings; `view` reads
    /// everything except Secrets; none of them reaches nodes, cluster-scoped RBAC, admission
    /// webhooks, certificate approval or token creation.
    pub fn grants(self, perm: &Permission) -> Option<&'static str> {
        let rw = [
            "get",
            "list",
            "watch",
            "create",
            "update",
            "patch",
            "delete",
            "deletecollection",
        ];
        let ok = |v: &str| match self {
            BuiltinRole::ClusterAdmin => true,
            BuiltinRole::Admin | BuiltinRole::Edit => match perm.resource {
                "serviceaccounts" if v == "impersonate" => true,
                "roles" | "rolebindings" => self == BuiltinRole::Admin && rw.contains(&v),
                "clusterroles"
                | "clusterrolebindings"
                | "nodes"
                | "nodes/proxy"
                | "persistentvolumes"
                | "serviceaccounts/token"
                | "certificatesigningrequests/approval"
                | "signers"
                | "mutatingwebhookconfigurations"
                | "validatingwebhookconfigurations"
                | "users"
                | "groups" => false,
                _ => rw.contains(&v),
            },
            BuiltinRole::View => {
                matches!(v, "get" | "list" | "watch")
                    && !matches!(
                        perm.resource,
                        "secrets"
                            | "pods/exec"
                            | "pods/attach"
                            | "pods/portforward"
                            | "nodes/proxy"
                            | "serviceaccounts/token"
                    )
            }
        };
        perm.verbs.iter().copied().find(|v| ok(v))
    }
}

/// What a binding's `roleRef` points to.
#[derive(Clone, Copy, Debug)]
pub enum RoleTarget<'a> {
    /// The role is in the scanned set.
    Found(&'a Object),
    /// A default ClusterRole that is not in the scanned set but whose permissions are known.
    Builtin(BuiltinRole),
    /// Not in the scanned set, and not a default role we know.
    Missing,
}

/// A binding's `roleRef`.
#[derive(Clone, Copy, Debug)]
pub struct RoleRef<'a> {
    /// `Role` or `ClusterRole`.
    pub kind: &'a str,
    pub name: &'a str,
    /// Where the roleRef's name is written.
    pub pos: Pos,
    pub target: RoleTarget<'a>,
}

/// Resolves the `roleRef` of a RoleBinding or ClusterRoleBinding through the index. A RoleBinding
/// may reference a Role in its own namespace or a ClusterRole; a ClusterRoleBinding only a
/// ClusterRole.
pub fn role_ref<'a>(binding: &'a Object, index: &Index<'a>) -> Option<RoleRef<'a>> {
    if !matches!(binding.kind(), "RoleBinding" | "ClusterRoleBinding") {
        return None;
    }
    let r = binding.root.get("roleRef")?;
    let kind = r.get("kind").and_then(Node::as_str)?;
    let name = r.get("name").and_then(Node::as_str)?;
    let pos = r.get("name").map(|n| n.pos).unwrap_or(r.pos);
    let found = match kind {
        "ClusterRole" => index.get("ClusterRole", None, name),
        "Role" if binding.kind() == "RoleBinding" => {
            index.get("Role", binding.effective_namespace(), name)
        }
        _ => return None,
    };
    let target = match (found, kind) {
        (Some(o), _) => RoleTarget::Found(o),
        (None, "ClusterRole") => match BuiltinRole::from_name(name) {
            Some(b) => RoleTarget::Builtin(b),
            None => RoleTarget::Missing,
        },
        _ => RoleTarget::Missing,
    };
    Some(RoleRef {
        kind,
        name,
        pos,
        target,
    })
}

/// Whether the role a binding references grants one of `perms`; the verb granted. `None` when
/// it does not or when the role is not known.
pub fn target_grants(
    target: RoleTarget,
    perms: &[Permission],
) -> Option<(Permission, &'static str)> {
    match target {
        RoleTarget::Found(role) => find_grant(role, perms).map(|(_, p, v)| (p, v)),
        RoleTarget::Builtin(b) => perms.iter().find_map(|p| b.grants(p).map(|v| (*p, v))),
        RoleTarget::Missing => None,
    }
}

/// The binding's subjects as text for messages: `ServiceAccount ns/name, User alice`.
pub fn subjects_text(binding: &Object) -> String {
    let subjects: Vec<String> = binding
        .root
        .get("subjects")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .filter_map(|s| {
            let kind = s.get("kind").and_then(Node::as_str)?;
            let name = s.get("name").and_then(Node::as_str).unwrap_or("");
            Some(match s.get("namespace").and_then(Node::as_str) {
                Some(ns) if kind == "ServiceAccount" => format!("{kind} {ns}/{name}"),
                _ if kind == "ServiceAccount" => match binding.namespace() {
                    Some(ns) => format!("{kind} {ns}/{name}"),
                    None => format!("{kind} {name}"),
                },
                _ => format!("{kind} {name}"),
            })
        })
        .collect();
    if subjects.is_empty() {
        "no subjects".to_string()
    } else {
        subjects.join(", ")
    }
}

/// Names of the default roles and bindings the control plane manages (`system:*`), plus
/// those listed in a check's `ignore` parameter (exact names or `prefix*`).
pub fn name_ignored(name: &str, patterns: impl IntoIterator<Item = impl AsRef<str>>) -> bool {
    patterns
        .into_iter()
        .any(|p| match p.as_ref().strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix),
            None => name == p.as_ref(),
        })
}

/// JSON pointer of a rule.
pub fn rule_path(rule: &Rule) -> String {
    format!("/rules/{}", rule.index)
}

/// Role-level checks: one diagnostic per rule of a Role or ClusterRole granting one of `perms`,
/// at the rule's `resources`. `what` completes the message ("which allows a shell in any pod").
/// With `skip_everything`, rules with `*` in groups, resources and verbs are left to
/// `wildcard-in-rbac-rules`, so that one such rule does not yield a finding from every check.
pub fn role_grant_diags(
    role: &Object,
    perms: &[Permission],
    ignore: crate::Strs,
    what: &str,
    skip_everything: bool,
    out: &mut Vec<Diagnostic>,
) {
    if name_ignored(role.name(), ignore) {
        return;
    }
    for rule in rules(role) {
        if skip_everything && rule.grants_everything() {
            continue;
        }
        let hit = perms
            .iter()
            .find_map(|p| rule.grants(p.group, p.resource, p.verbs).map(|v| (p, v)));
        if let Some((p, verb)) = hit {
            out.push(
                Diagnostic::new(
                    format!(
                        "{} `{}` rule {} grants `{verb}` on `{}`{what}",
                        role.kind(),
                        role.name(),
                        rule.index,
                        p.resource
                    ),
                    rule.pos_of("resources"),
                )
                .at_path(format!("{}/resources", rule_path(&rule))),
            );
        }
    }
}

/// Binding-level checks: a diagnostic when the role a RoleBinding or ClusterRoleBinding
/// references grants one of `perms` (`what` names them for the message), or, with
/// `flag_missing`, when that role is neither in the scan nor a known default role.
pub fn binding_grant_diag(
    binding: &Object,
    index: &Index,
    perms: &[Permission],
    what: &str,
    ignore: crate::Strs,
    flag_missing: bool,
) -> Option<Diagnostic> {
    if name_ignored(binding.name(), ignore) {
        return None;
    }
    let r = role_ref(binding, index)?;
    let message = match r.target {
        RoleTarget::Missing if flag_missing => format!(
            "{} `{}` references {} `{}`, which is not in the scanned manifests, so whether it grants {what} cannot be verified",
            binding.kind(),
            binding.name(),
            r.kind,
            r.name
        ),
        RoleTarget::Missing => return None,
        target => {
            let (perm, verb) = target_grants(target, perms)?;
            let perm = perm.resource;
            format!(
                "{} `{}` grants {what} (`{verb}` on `{perm}`, through {} `{}`) to {}",
                binding.kind(),
                binding.name(),
                r.kind,
                r.name,
                subjects_text(binding)
            )
        }
    };
    Some(Diagnostic::new(message, r.pos).at_path("/roleRef/name"))
}

/// The `ignore-roles` parameter of role-level checks.
pub const IGNORE_ROLES: Param = Param {
    name: "ignore-roles",
    description: "Role names (or `prefix*`) not checked: the control plane's own.",
    default: r#"["system:*", "cluster-admin"]"#,
};

/// The `ignore-bindings` parameter of binding-level checks.
pub const IGNORE_BINDINGS: Param = Param {
    name: "ignore-bindings",
    description: "Binding names (or `prefix*`) not checked: the control plane's own.",
    default: r#"["system:*", "cluster-admin"]"#,
};

/// The `flag-missing-roles` parameter of binding-level checks, with its default.
pub const fn flag_missing_roles(default: &'static str) -> Param {
    Param {
        name: "flag-missing-roles",
        description: "Also report bindings whose role is neither in the scan nor a known default \
            ClusterRole, since what they grant cannot be verified.",
        default,
    }
}

/// The `assumptions` of role-level checks that leave rules granting everything to
/// `wildcard-in-rbac-rules`.
pub const LEFT_TO_WILDCARD_CHECK: &str = "A rule with `*` in API groups, resources and verbs \
    grants this and everything else; it is reported once, by `wildcard-in-rbac-rules`, rather \
    than by every permission check.";

/// A role-level check: the rules of a Role or ClusterRole that grant one of `perms`.
pub struct RoleGrantCheck {
    pub meta: &'static CheckMeta,
    pub perms: &'static [Permission],
    /// Completes the message: ", which opens a shell in the pods it reaches".
    pub what: &'static str,
    /// Leave rules with `*` in groups, resources and verbs to `wildcard-in-rbac-rules`.
    pub skip_everything: bool,
}

impl Check for RoleGrantCheck {
    fn meta(&self) -> &'static CheckMeta {
        self.meta
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        run_role_check(obj, ctx, self.perms, self.what, self.skip_everything, out);
    }
}

/// A binding-level check: RoleBindings and ClusterRoleBindings whose role grants one of `perms`.
pub struct BindingGrantCheck {
    pub meta: &'static CheckMeta,
    pub perms: &'static [Permission],
    /// What the permissions are, for the message: "access to Secrets".
    pub what: &'static str,
}

impl Check for BindingGrantCheck {
    fn meta(&self) -> &'static CheckMeta {
        self.meta
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        run_binding_check(obj, ctx, self.perms, self.what, out);
    }
}

/// A check on who a binding names: the subjects for which `matches` (kind, name) says why they
/// must not be bound. The fix removes them.
pub struct SubjectCheck {
    pub meta: &'static CheckMeta,
    pub matches: fn(&str, &str) -> Option<&'static str>,
}

impl Check for SubjectCheck {
    fn meta(&self) -> &'static CheckMeta {
        self.meta
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        subject_diags(obj, ctx, self.matches, out);
    }

    fn fix(&self, obj: &Object, ctx: &Ctx) -> Vec<serde_json::Value> {
        subject_removal(obj, ctx, self.matches)
    }
}

/// Runs a role-level check: `perms` found in a Role's or ClusterRole's rules.
pub fn run_role_check(
    obj: &Object,
    ctx: &Ctx,
    perms: &[Permission],
    what: &str,
    skip_everything: bool,
    out: &mut Vec<Diagnostic>,
) {
    // Before reading the parameters: this runs for every object.
    if !matches!(obj.kind(), "Role" | "ClusterRole") {
        return;
    }
    role_grant_diags(
        obj,
        perms,
        ctx.param_strs("ignore-roles"),
        what,
        skip_everything,
        out,
    );
}

/// Runs a binding-level check: `perms` granted through a RoleBinding or ClusterRoleBinding.
pub fn run_binding_check(
    obj: &Object,
    ctx: &Ctx,
    perms: &[Permission],
    what: &str,
    out: &mut Vec<Diagnostic>,
) {
    out.extend(binding_grant_diag(
        obj,
        ctx.index,
        perms,
        what,
        ctx.param_strs("ignore-bindings"),
        ctx.param_bool("flag-missing-roles").unwrap_or(false),
    ));
}

/// JSON Patch operations removing the subjects for which `matches` returns a description, last
/// first so that the indices stay valid. Removing a subject needs no invented value.
pub fn subject_removal(
    binding: &Object,
    ctx: &Ctx,
    matches: impl Fn(&str, &str) -> Option<&'static str>,
) -> Vec<serde_json::Value> {
    if !matches!(binding.kind(), "RoleBinding" | "ClusterRoleBinding")
        || name_ignored(binding.name(), ctx.param_strs("ignore-bindings"))
    {
        return Vec::new();
    }
    let subjects = binding.root.get("subjects").map(Node::items).unwrap_or(&[]);
    subjects
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, s)| {
            let field = |k: &str| s.get(k).and_then(Node::as_str).unwrap_or("");
            matches(field("kind"), field("name")).is_some()
        })
        .map(|(i, _)| serde_json::json!({"op": "remove", "path": format!("/subjects/{i}")}))
        .collect()
}

/// Binding-level checks about who is bound: one diagnostic per subject for which `matches`
/// (given the subject's kind and name) returns a description, at the subject's name.
pub fn subject_diags(
    binding: &Object,
    ctx: &Ctx,
    matches: impl Fn(&str, &str) -> Option<&'static str>,
    out: &mut Vec<Diagnostic>,
) {
    if !matches!(binding.kind(), "RoleBinding" | "ClusterRoleBinding")
        || name_ignored(binding.name(), ctx.param_strs("ignore-bindings"))
    {
        return;
    }
    let role = role_ref(binding, ctx.index)
        .map(|r| format!("{} `{}`", r.kind, r.name))
        .unwrap_or_else(|| "its role".to_string());
    let subjects = binding.root.get("subjects").map(Node::items).unwrap_or(&[]);
    for (i, s) in subjects.iter().enumerate() {
        let kind = s.get("kind").and_then(Node::as_str).unwrap_or("");
        let name = s.get("name").and_then(Node::as_str).unwrap_or("");
        if let Some(who) = matches(kind, name) {
            out.push(
                Diagnostic::new(
                    format!(
                        "{} `{}` grants {role} to {kind} `{name}`: {who}",
                        binding.kind(),
                        binding.name()
                    ),
                    s.key_pos("name"),
                )
                .at_path(format!("/subjects/{i}/name")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_model::Source;

    fn role(rules: serde_json::Value) -> Object {
        Object::new(
            Node::from_json(&serde_json::json!({
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                "metadata": {"name": "r", "namespace": "n"}, "rules": rules
            })),
            Source::new("t.yaml", 0),
        )
    }

    const EXEC: Permission = Permission {
        group: "",
        resource: "pods/exec",
        verbs: &["create", "get"],
    };

    #[test]
    fn subresource_and_wildcard_matching() {
        let r = role(
            serde_json::json!([{"apiGroups": [""], "resources": ["pods/*"], "verbs": ["create"]}]),
        );
        assert_eq!(find_grant(&r, &[EXEC]).map(|g| g.2), Some("create"));
        let r = role(
            serde_json::json!([{"apiGroups": ["*"], "resources": ["*/exec"], "verbs": ["*"]}]),
        );
        assert_eq!(find_grant(&r, &[EXEC]).map(|g| g.2), Some("create"));
        let r =
            role(serde_json::json!([{"apiGroups": [""], "resources": ["pods"], "verbs": ["*"]}]));
        assert!(find_grant(&r, &[EXEC]).is_none());
        let r = role(
            serde_json::json!([{"apiGroups": ["apps"], "resources": ["pods/exec"], "verbs": ["get"]}]),
        );
        assert!(find_grant(&r, &[EXEC]).is_none());
    }

    #[test]
    fn full_wildcard_needs_all_three() {
        let r = role(serde_json::json!([
            {"apiGroups": ["*"], "resources": ["*"], "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"]},
            {"apiGroups": ["*"], "resources": ["pods"], "verbs": ["*"]}
        ]));
        let v: Vec<bool> = rules(&r).map(|r| r.is_full_wildcard()).collect();
        assert_eq!(v, [true, false]);
    }

    #[test]
    fn builtin_model() {
        let secrets = Permission {
            group: "",
            resource: "secrets",
            verbs: &["get"],
        };
        assert_eq!(BuiltinRole::Edit.grants(&secrets), Some("get"));
        assert_eq!(BuiltinRole::View.grants(&secrets), None);
        assert_eq!(BuiltinRole::View.grants(&EXEC), None);
        assert_eq!(BuiltinRole::ClusterAdmin.grants(&EXEC), Some("create"));
        assert!(name_ignored("system:node", ["system:*"]));
        assert!(!name_ignored("systemd", ["system:*"]));
    }
}
