//! ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding, evaluated as the API server does.

use crate::cel::{self, Program};
use crate::gatekeeper::validation_message;
use crate::matching::{Namespaces, resource_of};
use crate::review::Review;
use crate::{Action, Evaluation, PolicyError, PolicyKind, Violation, str_at};
use kube_cel::cel::Value as CV;
use palisade_model::{Diagnostic, LabelSelector, Node, Object};

const GROUP: &str = "admissionregistration.k8s.io";

struct Named {
    name: String,
    expr: Program,
}

struct Validation {
    expr: Program,
    message: Option<String>,
    message_expr: Option<Program>,
    reason: Option<String>,
}

/// One `resourceRules` entry.
struct Rule {
    groups: Vec<String>,
    versions: Vec<String>,
    resources: Vec<String>,
    operations: Vec<String>,
    scope: String,
    names: Vec<String>,
}

#[derive(Default)]
struct Resources {
    rules: Vec<Rule>,
    exclude: Vec<Rule>,
    namespace_selector: Option<LabelSelector>,
    object_selector: Option<LabelSelector>,
}

pub struct Policy {
    pub name: String,
    pub file: String,
    param_kind: Option<(String, String)>,
    constraints: Resources,
    match_conditions: Vec<Named>,
    variables: Vec<Named>,
    validations: Vec<Validation>,
    audit_annotations: Vec<Named>,
    fail: bool,
}

enum ParamRef {
    None,
    Name {
        name: String,
        namespace: Option<String>,
    },
    Selector {
        selector: LabelSelector,
        namespace: Option<String>,
    },
}

pub struct Binding {
    pub name: String,
    pub file: String,
    pub policy_name: String,
    policy: Option<usize>,
    param_ref: ParamRef,
    deny_if_no_params: bool,
    resources: Option<Resources>,
    actions: Vec<Action>,
}

impl Binding {
    /// The strongest of the binding's `validationActions` (Deny, then Warn, then Audit).
    pub fn action(&self) -> Action {
        self.actions.first().copied().unwrap_or(Action::Deny)
    }
}

#[derive(Default)]
pub struct Vap {
    /// Objects in the policy files whose kind is some policy's `paramKind` (params shipped with
    /// the policies); looked up together with the scanned objects.
    pub param_objects: Vec<Object>,
    pub policies: Vec<Policy>,
    pub bindings: Vec<Binding>,
}

fn strings(n: Option<&Node>) -> Vec<String> {
    n.map(Node::items)
        .unwrap_or(&[])
        .iter()
        .filter_map(|x| x.as_str().map(String::from))
        .collect()
}

fn rules(n: Option<&Node>) -> Vec<Rule> {
    n.map(Node::items)
        .unwrap_or(&[])
        .iter()
        .map(|r| Rule {
            groups: strings(r.get("apiGroups")),
            versions: strings(r.get("apiVersions")),
            resources: strings(r.get("resources")),
            operations: strings(r.get("operations")),
            scope: r
                .get("scope")
                .and_then(Node::as_str)
                .unwrap_or("*")
                .to_string(),
            names: strings(r.get("resourceNames")),
        })
        .collect()
}

fn resources(n: &Node) -> Resources {
    Resources {
        rules: rules(n.get("resourceRules")),
        exclude: rules(n.get("excludeResourceRules")),
        namespace_selector: n
            .get("namespaceSelector")
            .map(LabelSelector::from_label_selector),
        object_selector: n
            .get("objectSelector")
            .map(LabelSelector::from_label_selector),
    }
}

fn perr(
    o: &Object,
    node: Option<&Node>,
    code_pos: Option<(u32, u32)>,
    message: String,
) -> PolicyError {
    PolicyError {
        file: o.source.file.to_string(),
        line: node
            .map(|n| n.pos.line)
            .filter(|l| *l > 0)
            .unwrap_or(o.pos().line),
        policy: format!("{} {}", o.kind(), o.name()),
        code_pos,
        message,
    }
}

fn compile(o: &Object, node: Option<&Node>, what: &str) -> Result<Program, PolicyError> {
    let text = node.and_then(Node::as_str).ok_or_else(|| {
        perr(
            o,
            node,
            None,
            format!("{what}: the expression is missing or not a string"),
        )
    })?;
    cel::compile(text).map_err(|e| {
        perr(
            o,
            node,
            (e.line > 0).then_some((e.line, e.col)),
            format!("{what}: {}", e.message),
        )
    })
}

fn named(
    o: &Object,
    spec: &Node,
    list: &str,
    key: &str,
    expr_key: &str,
) -> Result<Vec<Named>, PolicyError> {
    spec.get(list)
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .map(|v| {
            let name = v.get(key).and_then(Node::as_str).unwrap_or("").to_string();
            let expr = compile(o, v.get(expr_key), &format!("{list} {name}"))?;
            Ok(Named { name, expr })
        })
        .collect()
}

fn compile_policy(o: &Object) -> Result<Policy, PolicyError> {
    let spec = o.root.get("spec").unwrap_or(Node::null());
    let mut validations = Vec::new();
    for (i, v) in spec
        .get("validations")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        validations.push(Validation {
            expr: compile(
                o,
                v.get("expression"),
                &format!("validations[{i}].expression"),
            )?,
            message: v.get("message").and_then(Node::as_str).map(String::from),
            message_expr: match v.get("messageExpression") {
                Some(m) => Some(compile(
                    o,
                    Some(m),
                    &format!("validations[{i}].messageExpression"),
                )?),
                None => None,
            },
            reason: v.get("reason").and_then(Node::as_str).map(String::from),
        });
    }
    Ok(Policy {
        name: o.name().to_string(),
        file: o.source.file.to_string(),
        param_kind: spec.get("paramKind").map(|p| {
            (
                p.get("apiVersion")
                    .and_then(Node::as_str)
                    .unwrap_or("")
                    .to_string(),
                p.get("kind")
                    .and_then(Node::as_str)
                    .unwrap_or("")
                    .to_string(),
            )
        }),
        constraints: spec
            .get("matchConstraints")
            .map(resources)
            .unwrap_or_default(),
        match_conditions: named(o, spec, "matchConditions", "name", "expression")?,
        variables: named(o, spec, "variables", "name", "expression")?,
        validations,
        audit_annotations: named(o, spec, "auditAnnotations", "key", "valueExpression")?,
        fail: spec.get("failurePolicy").and_then(Node::as_str) != Some("Ignore"),
    })
}

impl Vap {
    pub fn is_empty(&self) -> bool {
        self.bindings.is_empty()
    }

    pub fn from_objects(objects: &[Object], errors: &mut Vec<PolicyError>) -> Vap {
        let mut vap = Vap::default();
        for o in objects.iter().filter(|o| o.id.group() == GROUP) {
            if o.kind() == "ValidatingAdmissionPolicy" {
                match compile_policy(o) {
                    Ok(p) => vap.policies.push(p),
                    Err(e) => errors.push(e),
                }
            }
        }
        for o in objects.iter().filter(|o| o.id.group() == GROUP) {
            if o.kind() != "ValidatingAdmissionPolicyBinding" {
                continue;
            }
            let spec = o.root.get("spec").unwrap_or(Node::null());
            let policy_name = str_at(spec, &["policyName"]).unwrap_or("").to_string();
            let policy = vap.policies.iter().position(|p| p.name == policy_name);
            if policy.is_none() {
                errors.push(perr(o, spec.get("policyName"), None, format!(
                    "no ValidatingAdmissionPolicy named `{policy_name}`; the binding does nothing (add the policy to the policy files)")));
                continue;
            }
            let pr = spec.get("paramRef");
            let ns = pr
                .and_then(|p| p.get("namespace"))
                .and_then(Node::as_str)
                .map(String::from);
            let param_ref = match pr {
                None => ParamRef::None,
                Some(p) => match (p.get("name").and_then(Node::as_str), p.get("selector")) {
                    (Some(n), _) => ParamRef::Name {
                        name: n.to_string(),
                        namespace: ns,
                    },
                    (None, Some(s)) => ParamRef::Selector {
                        selector: LabelSelector::from_label_selector(s),
                        namespace: ns,
                    },
                    (None, None) => ParamRef::None,
                },
            };
            let deny_if_no_params = pr
                .and_then(|p| p.get("parameterNotFoundAction"))
                .and_then(Node::as_str)
                .unwrap_or("Deny")
                == "Deny";
            let mut actions: Vec<Action> = strings(spec.get("validationActions"))
                .iter()
                .filter_map(|a| match a.as_str() {
                    "Deny" => Some(Action::Deny),
                    "Warn" => Some(Action::Warn),
                    "Audit" => Some(Action::Audit),
                    _ => None,
                })
                .collect();
            actions.sort();
            actions.dedup();
            if actions.is_empty() {
                errors.push(perr(o, spec.get("validationActions"), None,
                    "validationActions is empty; the API server requires at least one of Deny, Warn, Audit (using Deny)".into()));
                actions.push(Action::Deny);
            }
            vap.bindings.push(Binding {
                name: o.name().to_string(),
                file: o.source.file.to_string(),
                policy_name,
                policy,
                param_ref,
                deny_if_no_params,
                resources: spec.get("matchResources").map(resources),
                actions,
            });
        }
        let param_kinds: Vec<&(String, String)> = vap
            .policies
            .iter()
            .filter_map(|p| p.param_kind.as_ref())
            .collect();
        vap.param_objects = objects
            .iter()
            .filter(|o| {
                param_kinds.iter().any(|(api, kind)| {
                    o.kind() == kind && (api.is_empty() || o.id.api_version == *api)
                })
            })
            .cloned()
            .collect();
        vap
    }

    pub fn applies(&self, review: &Review, nss: &dyn Namespaces) -> bool {
        self.bindings.iter().any(|b| {
            b.policy.map(|i| &self.policies[i]).is_some_and(|p| {
                resource_match(&p.constraints, review, nss, false)
                    && b.resources
                        .as_ref()
                        .is_none_or(|r| resource_match(r, review, nss, true))
            })
        })
    }

    /// Evaluates every binding that matches the review. `params` are the objects params are
    /// looked up in (the scan's objects).
    pub fn evaluate(
        &self,
        review: &Review,
        nss: &dyn Namespaces,
        params: &[Object],
        out: &mut Evaluation,
    ) {
        if self.bindings.is_empty() {
            return;
        }
        // The review's inputs are bound once in a scope every evaluation inherits (cel 0.13
        // converts each bound value deeply).
        cel::with_scope(|base| self.evaluate_in(review, nss, params, out, base));
    }

    fn evaluate_in(
        &self,
        review: &Review,
        nss: &dyn Namespaces,
        params: &[Object],
        out: &mut Evaluation,
        base: &mut cel::Scope<'_>,
    ) {
        let mut bound = false;
        for b in &self.bindings {
            let Some(p) = b.policy.map(|i| &self.policies[i]) else {
                continue;
            };
            if !resource_match(&p.constraints, review, nss, false)
                || !b
                    .resources
                    .as_ref()
                    .is_none_or(|r| resource_match(r, review, nss, true))
            {
                continue;
            }
            if !bound {
                Inputs::of(review, nss).bind(base);
                bound = true;
            }
            let mut emit = |message: String, reason: Option<String>, is_error: bool| {
                out.violations.push(Violation {
                    check_id: p.name.clone(),
                    kind: PolicyKind::AdmissionPolicy,
                    via: b.name.clone(),
                    action: b.actions[0],
                    also: b.actions[1..].to_vec(),
                    policy_file: b.file.clone(),
                    diagnostic: Diagnostic::new(message, review.pos),
                    reason,
                    is_error,
                })
            };
            let param_objs: Vec<&Node> = match (&p.param_kind, &b.param_ref) {
                (None, _) => vec![Node::null()],
                (Some(_), ParamRef::None) => {
                    if p.fail {
                        emit(
                            format!(
                                "policy {} has paramKind but binding {} has no paramRef",
                                p.name, b.name
                            ),
                            None,
                            true,
                        );
                    }
                    continue;
                }
                (Some((api, kind)), r) => find_params(
                    params.iter().chain(&self.param_objects),
                    api,
                    kind,
                    r,
                    review,
                ),
            };
            if param_objs.is_empty() {
                if b.deny_if_no_params {
                    emit(
                        format!(
                            "no params found for policy binding {} with Deny parameterNotFoundAction",
                            b.name
                        ),
                        None,
                        true,
                    );
                }
                continue;
            }
            for param in param_objs {
                let param = if param.is_null() {
                    CV::Null
                } else {
                    cel::node_to_value(param)
                };
                base.child(|s| {
                    s.set("params", param);
                    evaluate_one(p, s, &mut emit, &mut out.audit_annotations)
                });
            }
        }
    }
}

fn find_params<'o>(
    objects: impl Iterator<Item = &'o Object>,
    api: &str,
    kind: &str,
    r: &ParamRef,
    review: &Review,
) -> Vec<&'o Node> {
    let ns_of = |ns: &Option<String>| -> Option<String> {
        // An unset paramRef namespace means the reviewed object's namespace (for namespaced
        // params); cluster-scoped reviews then look for cluster-scoped params.
        ns.clone()
            .or_else(|| (!review.namespace.is_empty()).then(|| review.namespace.clone()))
    };
    let candidates =
        objects.filter(|o| o.kind() == kind && (api.is_empty() || o.id.api_version == api));
    let in_ns = |o: &Object, want: &Option<String>| match (o.namespace(), want) {
        (None, _) => true,
        (Some(a), Some(b)) => a == b,
        (Some(_), None) => false,
    };
    match r {
        ParamRef::None => Vec::new(),
        ParamRef::Name { name, namespace } => {
            let want = ns_of(namespace);
            candidates
                .filter(|o| o.name() == name && in_ns(o, &want))
                .map(|o| &o.root)
                .collect()
        }
        ParamRef::Selector {
            selector,
            namespace,
        } => {
            let want = ns_of(namespace);
            candidates
                .filter(|o| in_ns(o, &want) && selector.matches(o.labels()))
                .map(|o| &o.root)
                .collect()
        }
    }
}

fn rule_match(r: &Rule, review: &Review, resource: &str) -> bool {
    let any = |l: &[String], v: &str| l.iter().any(|x| x == "*" || x == v);
    let op = review.operation();
    let cluster = review.namespace.is_empty();
    (r.operations.is_empty() || any(&r.operations, op))
        && any(&r.groups, &review.gvk.group)
        && any(&r.versions, &review.gvk.version)
        && r.resources
            .iter()
            .any(|x| x == "*" || x == "*/*" || x == resource)
        && match r.scope.as_str() {
            "Cluster" => cluster,
            "Namespaced" => !cluster,
            _ => true,
        }
        && (r.names.is_empty() || r.names.contains(&review.name))
}

fn labels(n: &Node) -> impl Iterator<Item = (&str, &str)> + Clone {
    n.path(&["metadata", "labels"])
        .unwrap_or(Node::null())
        .string_map()
}

fn resource_match(
    m: &Resources,
    review: &Review,
    nss: &dyn Namespaces,
    empty_rules_match: bool,
) -> bool {
    let resource = resource_of(&review.gvk.kind);
    let rules_ok = (m.rules.is_empty() && empty_rules_match)
        || m.rules.iter().any(|r| rule_match(r, review, &resource));
    if !rules_ok {
        return false;
    }
    if m.exclude.iter().any(|r| rule_match(r, review, &resource)) {
        return false;
    }
    if let Some(sel) = &m.object_selector {
        let objs = [review.object, review.request.old_object.as_ref()];
        if !objs.iter().flatten().any(|o| sel.matches(labels(o))) {
            return false;
        }
    }
    if let Some(sel) = &m.namespace_selector {
        let is_ns = review.gvk.kind == "Namespace" && review.gvk.group.is_empty();
        if is_ns {
            if !review.subject().is_some_and(|o| sel.matches(labels(o))) {
                return false;
            }
        } else if !review.namespace.is_empty() {
            match nss.namespace(&review.namespace) {
                Some(n) if sel.matches(labels(n)) => {}
                None if sel.is_empty() => {}
                _ => return false,
            }
        }
    }
    true
}

struct Inputs {
    object: CV,
    old_object: CV,
    request: CV,
    namespace: CV,
}

impl Inputs {
    fn bind(self, s: &mut cel::Scope<'_>) {
        s.set("object", self.object);
        s.set("oldObject", self.old_object);
        s.set("request", self.request);
        s.set("namespaceObject", self.namespace);
    }

    fn of(review: &Review, nss: &dyn Namespaces) -> Inputs {
        let to = |n: Option<&Node>| n.map(cel::node_to_value).unwrap_or(CV::Null);
        Inputs {
            object: to(review.object),
            old_object: to(review.request.old_object.as_ref()),
            request: cel::json_to_value(&review.request_json(false)),
            namespace: if review.namespace.is_empty() {
                CV::Null
            } else {
                to(nss.namespace(&review.namespace))
            },
        }
    }
}

/// One policy with one param, in a scope holding the review's inputs and `params`.
fn evaluate_one(
    p: &Policy,
    s: &mut cel::Scope<'_>,
    emit: &mut dyn FnMut(String, Option<String>, bool),
    annotations: &mut Vec<(String, String)>,
) {
    let explain = |e: cel::CelError| -> String {
        if e.message.contains("authorizer") {
            format!(
                "{} (authorizer checks need a live API server; offline they cannot be answered)",
                e.message
            )
        } else {
            e.message
        }
    };
    {
        for m in &p.match_conditions {
            match s.eval(&m.expr) {
                Ok(CV::Bool(true)) => {}
                Ok(CV::Bool(false)) => return,
                Ok(_) | Err(_) if !p.fail => return,
                Ok(_) => {
                    return emit(
                        format!("matchCondition {} did not return a bool", m.name),
                        None,
                        true,
                    );
                }
                Err(e) => {
                    return emit(
                        format!("matchCondition {} failed: {}", m.name, explain(e)),
                        None,
                        true,
                    );
                }
            }
        }
        for v in &p.variables {
            let r = s.eval(&v.expr);
            s.set_variable(&v.name, r);
        }
        for v in &p.validations {
            match s.eval(&v.expr) {
                Ok(CV::Bool(true)) => {}
                Ok(CV::Bool(false)) => {
                    let msg = validation_message(
                        s,
                        v.message_expr.as_ref(),
                        v.message.as_deref(),
                        &v.expr,
                    );
                    emit(
                        msg,
                        Some(v.reason.clone().unwrap_or_else(|| "Invalid".into())),
                        false,
                    );
                }
                Ok(_) if p.fail => emit(
                    format!(
                        "expression `{}` did not return a bool",
                        v.expr.source.trim()
                    ),
                    None,
                    true,
                ),
                Err(e) if p.fail => emit(
                    format!(
                        "expression `{}` failed: {}",
                        v.expr.source.trim(),
                        explain(e)
                    ),
                    None,
                    true,
                ),
                _ => {}
            }
        }
        for a in &p.audit_annotations {
            if let Ok(CV::String(v)) = s.eval(&a.expr) {
                annotations.push((format!("{}/{}", p.name, a.name), v.to_string()));
            }
        }
    }
}
