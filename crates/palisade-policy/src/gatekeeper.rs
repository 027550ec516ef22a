//! Gatekeeper: ConstraintTemplates (Rego via regorus, CEL via K8sNativeValidation), constraints,
//! `input.review`, and `data.inventory` as Gatekeeper's sync fills it.

use crate::cel::{self, CelError, Program};
use crate::matching::{Match, Namespaces};
use crate::review::{Gvk, Review};
use crate::{Action, EngineChoice, Evaluation, PolicyError, PolicyKind, Violation, rego, str_at};
use palisade_model::{Diagnostic, Node, Object};
use regorus::{Engine, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

const TEMPLATE_GROUP: &str = "templates.gatekeeper.sh";
const CONSTRAINT_GROUP: &str = "constraints.gatekeeper.sh";

/// The compiled Rego of one template.
pub struct RegoCode {
    /// Prepared engine (modules parsed and analysed); evaluation clones it.
    proto: Engine,
    /// `data.<package>.violation`.
    rule: String,
    /// Whether the code reads `data.inventory` (only then is the inventory loaded).
    uses_inventory: bool,
}

/// The compiled CEL (K8sNativeValidation) of one template.
pub struct CelCode {
    variables: Vec<(String, Program)>,
    match_conditions: Vec<(String, Program)>,
    validations: Vec<CelValidation>,
    /// `failurePolicy: Ignore` drops errors; Gatekeeper's default (Fail) reports them.
    ignore_errors: bool,
    /// Which inputs the expressions read; converting an object to CEL is the main cost, so
    /// unused ones are not bound.
    uses: CelUses,
}

#[derive(Default)]
struct CelUses {
    object: bool,
    old_object: bool,
    request: bool,
    params: bool,
    any_object: bool,
    gk_params: bool,
}

struct CelValidation {
    expr: Program,
    message: Option<String>,
    message_expr: Option<Program>,
}

pub struct Template {
    /// `metadata.name` (lowercase kind by convention).
    pub name: String,
    /// The constraint kind it defines.
    pub kind: String,
    pub file: String,
    rego: Option<RegoCode>,
    cel: Option<CelCode>,
}

pub struct Constraint {
    pub name: String,
    pub kind: String,
    pub file: String,
    template: usize,
    matcher: Match,
    /// `spec.parameters` (`{}` when absent, as Gatekeeper's hook does).
    parameters: Node,
    /// The whole constraint (CEL's `params`).
    object: Node,
    pub action: Action,
}

#[derive(Default)]
pub struct Gatekeeper {
    pub templates: Vec<Template>,
    pub constraints: Vec<Constraint>,
    /// Ready-made Rego engines of templates that do not read `data.inventory`, kept across
    /// evaluators: the webhook prepares an evaluator per request, and cloning a compiled
    /// template each time cost more than evaluating it.
    shared: Vec<Mutex<Vec<Engine>>>,
}

fn err(
    obj: &Object,
    policy: &str,
    line: u32,
    code_pos: Option<(u32, u32)>,
    message: String,
) -> PolicyError {
    PolicyError {
        file: obj.source.file.to_string(),
        line: if line > 0 { line } else { obj.pos().line },
        policy: policy.to_string(),
        code_pos,
        message,
    }
}

impl Gatekeeper {
    pub fn is_empty(&self) -> bool {
        self.constraints.is_empty()
    }

    pub fn from_objects(
        objects: &[Object],
        choice: EngineChoice,
        errors: &mut Vec<PolicyError>,
    ) -> Gatekeeper {
        let mut gk = Gatekeeper::default();
        for o in objects {
            if o.id.group() == TEMPLATE_GROUP && o.kind() == "ConstraintTemplate" {
                match compile_template(o, choice) {
                    Ok(t) => {
                        if gk.templates.iter().any(|x| x.kind == t.kind) {
                            errors.push(err(o, &t.name, 0, None, format!(
                                "a second template defines constraint kind {}; the first one is used", t.kind)));
                        } else {
                            gk.templates.push(t);
                        }
                    }
                    Err(e) => errors.push(e),
                }
            }
        }
        for o in objects {
            if o.id.group() != CONSTRAINT_GROUP {
                continue;
            }
            let label = format!("{} {}", o.kind(), o.name());
            let Some(t) = gk.templates.iter().position(|t| t.kind == o.kind()) else {
                errors.push(err(o, &label, 0, None, format!(
                    "no ConstraintTemplate defines kind {}; add the template to the policy files", o.kind())));
                continue;
            };
            let spec = o.root.get("spec").unwrap_or(Node::null());
            let action = match spec
                .get("enforcementAction")
                .and_then(Node::as_str)
                .unwrap_or("deny")
            {
                "deny" | "" => Action::Deny,
                "warn" => Action::Warn,
                "dryrun" => Action::DryRun,
                // `scoped`: the actions listed per enforcement point; the strictest wins offline.
                "scoped" => spec
                    .get("scopedEnforcementActions")
                    .map(Node::items)
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(|a| match a.get("action").and_then(Node::as_str) {
                        Some("deny") => Some(Action::Deny),
                        Some("warn") => Some(Action::Warn),
                        Some("dryrun") => Some(Action::DryRun),
                        _ => None,
                    })
                    .min()
                    .unwrap_or(Action::Deny),
                other => {
                    errors.push(err(o, &label, o.root.key_pos("spec").line, None, format!(
                        "unknown enforcementAction `{other}` (expected deny, warn, dryrun or scoped); using deny")));
                    Action::Deny
                }
            };
            gk.constraints.push(Constraint {
                name: o.name().to_string(),
                kind: o.kind().to_string(),
                file: o.source.file.to_string(),
                template: t,
                matcher: Match::parse(spec.get("match")),
                parameters: spec
                    .get("parameters")
                    .cloned()
                    .unwrap_or_else(|| Node::from_json(&serde_json::json!({}))),
                object: o.root.clone(),
                action,
            });
        }
        gk.shared = gk
            .templates
            .iter()
            .map(|_| Mutex::new(Vec::new()))
            .collect();
        gk
    }

    pub fn applies(&self, review: &Review, nss: &dyn Namespaces) -> bool {
        self.constraints
            .iter()
            .any(|c| c.matcher.matches(review, nss))
    }

    /// Prepares evaluation: builds `data.inventory` from `objects` (Gatekeeper's sync).
    pub fn evaluator<'a>(&'a self, objects: impl Iterator<Item = &'a Node>) -> GkEvaluator<'a> {
        let needs_inventory = self
            .templates
            .iter()
            .any(|t| t.rego.as_ref().is_some_and(|r| r.uses_inventory));
        let inventory = if needs_inventory {
            inventory(objects)
        } else {
            Value::new_object()
        };
        GkEvaluator {
            gk: self,
            inventory,
            pools: self
                .templates
                .iter()
                .map(|_| Mutex::new(Vec::new()))
                .collect(),
        }
    }
}

/// `{"inventory": {"cluster": {gv: {kind: {name: obj}}}, "namespace": {ns: {gv: {kind: {name: obj}}}}}}`
pub fn inventory<'a>(objects: impl Iterator<Item = &'a Node>) -> Value {
    type Tree = BTreeMap<String, BTreeMap<String, BTreeMap<String, Value>>>;
    let mut cluster: Tree = BTreeMap::new();
    let mut namespaced: BTreeMap<String, Tree> = BTreeMap::new();
    for o in objects {
        let gvk = Gvk::of(o);
        let name = str_at(o, &["metadata", "name"]).unwrap_or("").to_string();
        let ns = str_at(o, &["metadata", "namespace"]).filter(|s| !s.is_empty());
        let tree = if palisade_model::kinds::is_cluster_scoped(&gvk.kind) {
            &mut cluster
        } else {
            namespaced
                .entry(ns.unwrap_or("default").to_string())
                .or_default()
        };
        tree.entry(gvk.api_version())
            .or_default()
            .entry(gvk.kind.clone())
            .or_default()
            .insert(name, rego::node_to_value(o));
    }
    let conv = |t: Tree| -> Value {
        Value::from(
            t.into_iter()
                .map(|(gv, kinds)| {
                    (
                        rego::key(&gv),
                        Value::from(
                            kinds
                                .into_iter()
                                .map(|(k, names)| {
                                    (
                                        rego::key(&k),
                                        Value::from(
                                            names
                                                .into_iter()
                                                .map(|(n, v)| (rego::key(&n), v))
                                                .collect::<BTreeMap<_, _>>(),
                                        ),
                                    )
                                })
                                .collect::<BTreeMap<_, _>>(),
                        ),
                    )
                })
                .collect::<BTreeMap<_, _>>(),
        )
    };
    let ns = Value::from(
        namespaced
            .into_iter()
            .map(|(ns, t)| (rego::key(&ns), conv(t)))
            .collect::<BTreeMap<_, _>>(),
    );
    let mut inv = BTreeMap::new();
    inv.insert(rego::key("cluster"), conv(cluster));
    inv.insert(rego::key("namespace"), ns);
    let mut data = BTreeMap::new();
    data.insert(rego::key("inventory"), Value::from(inv));
    Value::from(data)
}

fn compile_template(o: &Object, choice: EngineChoice) -> Result<Template, PolicyError> {
    let name = o.name().to_string();
    let label = format!("ConstraintTemplate {name}");
    let kind = str_at(&o.root, &["spec", "crd", "spec", "names", "kind"])
        .ok_or_else(|| {
            err(
                o,
                &label,
                0,
                None,
                "spec.crd.spec.names.kind is missing".into(),
            )
        })?
        .to_string();
    let targets = o
        .root
        .path(&["spec", "targets"])
        .map(Node::items)
        .unwrap_or(&[]);
    let target = targets
        .first()
        .ok_or_else(|| err(o, &label, 0, None, "spec.targets is empty".into()))?;
    if targets.len() > 1 {
        return Err(err(
            o,
            &label,
            0,
            None,
            "Gatekeeper accepts exactly one target".into(),
        ));
    }
    let mut rego_src: Option<(&Node, Vec<&Node>, bool)> = None;
    let mut cel_src: Option<&Node> = None;
    if let Some(r) = target.get("rego") {
        let libs = target
            .get("libs")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .collect();
        rego_src = Some((r, libs, false));
    }
    for code in target.get("code").map(Node::items).unwrap_or(&[]) {
        let source = code.get("source").unwrap_or(Node::null());
        match code.get("engine").and_then(Node::as_str) {
            Some("Rego") if rego_src.is_none() => {
                if let Some(r) = source.get("rego") {
                    let libs = source
                        .get("libs")
                        .map(Node::items)
                        .unwrap_or(&[])
                        .iter()
                        .collect();
                    let v1 = source.get("version").and_then(Node::as_str) == Some("v1");
                    rego_src = Some((r, libs, v1));
                }
            }
            Some("K8sNativeValidation") => cel_src = Some(source),
            _ => {}
        }
    }
    let use_cel = cel_src.is_some() && (choice == EngineChoice::CelPreferred || rego_src.is_none());
    let mut t = Template {
        name: name.clone(),
        kind,
        file: o.source.file.to_string(),
        rego: None,
        cel: None,
    };
    if use_cel {
        t.cel = Some(compile_cel(o, &label, cel_src.unwrap_or(Node::null()))?);
    } else if let Some((r, libs, v1)) = rego_src {
        t.rego = Some(compile_rego(o, &label, r, &libs, v1)?);
    } else {
        return Err(err(
            o,
            &label,
            0,
            None,
            "the target has neither Rego nor K8sNativeValidation code".into(),
        ));
    }
    Ok(t)
}

fn compile_rego(
    o: &Object,
    label: &str,
    main: &Node,
    libs: &[&Node],
    v1: bool,
) -> Result<RegoCode, PolicyError> {
    let mut engine = Engine::new();
    engine.set_rego_v0(!v1);
    engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
        limit: rego::EVAL_TIME_LIMIT,
        check_interval: std::num::NonZeroU32::MIN.saturating_add(999),
    });
    let mut uses_inventory = false;
    let mut package = None;
    let sources = std::iter::once((main, "rego".to_string())).chain(
        libs.iter()
            .enumerate()
            .map(|(i, l)| (*l, format!("libs[{i}]"))),
    );
    for (i, (node, what)) in sources.enumerate() {
        let text = node.as_str().ok_or_else(|| {
            err(
                o,
                label,
                node.pos.line,
                None,
                format!("{what} is not a string"),
            )
        })?;
        uses_inventory |= text.contains("inventory");
        let file_label = format!("{what}.rego");
        // A block scalar's content starts on the line after the `|`.
        let base = node.pos.line;
        match engine.add_policy(file_label.clone(), rego::preprocess(text, !v1)) {
            Ok(pkg) => {
                if i == 0 {
                    package = Some(pkg);
                }
            }
            Err(e) => {
                let msg = e.to_string();
                return Err(err(
                    o,
                    label,
                    base,
                    rego::error_line(&msg, &file_label),
                    format!("{what}: {}", first_line(&msg)),
                ));
            }
        }
    }
    let package = package.unwrap_or_default();
    let rule = format!("{package}.violation");
    // Analysing the modules now surfaces errors (unknown functions, unsafe variables) at load.
    engine.set_input(Value::new_object());
    if let Err(e) = engine.eval_rule(rule.clone()) {
        let msg = e.to_string();
        let pos = rego::error_line(&msg, "rego.rego");
        return Err(err(
            o,
            label,
            main.pos.line,
            pos,
            first_line(&msg).to_string(),
        ));
    }
    Ok(RegoCode {
        proto: engine,
        rule,
        uses_inventory,
    })
}

fn first_line(s: &str) -> &str {
    s.lines().find(|l| !l.trim().is_empty()).unwrap_or(s)
}

fn compile_expr(
    o: &Object,
    label: &str,
    node: Option<&Node>,
    what: &str,
) -> Result<Program, PolicyError> {
    let node = node.ok_or_else(|| {
        err(
            o,
            label,
            0,
            None,
            format!("{what}: the expression is missing"),
        )
    })?;
    let text = node.as_str().ok_or_else(|| {
        err(
            o,
            label,
            node.pos.line,
            None,
            format!("{what}: not a string"),
        )
    })?;
    cel::compile(text).map_err(|e: CelError| {
        let pos = (e.line > 0).then_some((e.line, e.col));
        err(
            o,
            label,
            node.pos.line,
            pos,
            format!("{what}: {}", e.message),
        )
    })
}

fn compile_cel(o: &Object, label: &str, src: &Node) -> Result<CelCode, PolicyError> {
    let named = |list: &str| -> Result<Vec<(String, Program)>, PolicyError> {
        src.get(list)
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .map(|v| {
                let name = v
                    .get("name")
                    .and_then(Node::as_str)
                    .unwrap_or("")
                    .to_string();
                let p = compile_expr(o, label, v.get("expression"), &format!("{list} {name}"))?;
                Ok((name, p))
            })
            .collect()
    };
    let variables = named("variables")?;
    let match_conditions = named("matchConditions")?;
    let mut validations = Vec::new();
    for (i, v) in src
        .get("validations")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        validations.push(CelValidation {
            expr: compile_expr(
                o,
                label,
                v.get("expression"),
                &format!("validations[{i}].expression"),
            )?,
            message: v.get("message").and_then(Node::as_str).map(String::from),
            message_expr: match v.get("messageExpression") {
                Some(m) => Some(compile_expr(
                    o,
                    label,
                    Some(m),
                    &format!("validations[{i}].messageExpression"),
                )?),
                None => None,
            },
        });
    }
    let programs = || {
        variables
            .iter()
            .chain(&match_conditions)
            .map(|(_, p)| p)
            .chain(
                validations
                    .iter()
                    .flat_map(|v| std::iter::once(&v.expr).chain(&v.message_expr)),
            )
    };
    let any = |name: &str| programs().any(|p| p.uses(name));
    let uses = CelUses {
        object: any("object"),
        old_object: any("oldObject"),
        request: any("request"),
        params: any("params"),
        any_object: any("@v.anyObject"),
        gk_params: any("@v.params"),
    };
    Ok(CelCode {
        uses,
        variables,
        match_conditions,
        validations,
        ignore_errors: src.get("failurePolicy").and_then(Node::as_str) == Some("Ignore"),
    })
}

/// Per-scan state: the inventory and a pool of engines per template (a regorus engine is
/// mutated by evaluation, so each thread borrows its own).
pub struct GkEvaluator<'a> {
    gk: &'a Gatekeeper,
    inventory: Value,
    pools: Vec<Mutex<Vec<Engine>>>,
}

impl GkEvaluator<'_> {
    pub fn evaluate(&self, review: &Review, nss: &dyn Namespaces, out: &mut Evaluation) {
        // One CEL scope per review holds its inputs, converted and bound once; each
        // constraint evaluates in a child scope of it (cel 0.13 converts a bound value deeply).
        cel::with_scope(|base| self.evaluate_in(review, nss, out, base));
    }

    fn evaluate_in(
        &self,
        review: &Review,
        nss: &dyn Namespaces,
        out: &mut Evaluation,
        base: &mut cel::Scope<'_>,
    ) {
        let mut review_value: Option<Value> = None;
        let mut cel_inputs: Option<CelInputs> = None;
        let mut bound = Bound::default();
        for c in &self.gk.constraints {
            if !c.matcher.matches(review, nss) {
                continue;
            }
            let t = &self.gk.templates[c.template];
            let result = if let Some(code) = &t.rego {
                let rv = review_value.get_or_insert_with(|| rego_review(review));
                self.run_rego(c.template, code, rv, &c.parameters)
            } else if let Some(code) = &t.cel {
                let inputs = cel_inputs.get_or_insert_with(|| CelInputs::of(review));
                bound.bind(base, &code.uses, inputs);
                base.child(|s| run_cel(code, s, c))
            } else {
                Ok(Vec::new())
            };
            match result {
                Ok(msgs) => {
                    for (msg, is_error) in msgs {
                        out.violations.push(Violation {
                            check_id: c.name.clone(),
                            kind: PolicyKind::Constraint,
                            via: t.name.clone(),
                            action: c.action,
                            also: Vec::new(),
                            policy_file: c.file.clone(),
                            diagnostic: Diagnostic::new(msg, review.pos),
                            reason: None,
                            is_error,
                        });
                    }
                }
                Err(message) => out.errors.push(PolicyError {
                    file: c.file.clone(),
                    line: 0,
                    policy: format!("{} {} (template {})", c.kind, c.name, t.name),
                    code_pos: None,
                    message,
                }),
            }
        }
    }

    fn run_rego(
        &self,
        ti: usize,
        code: &RegoCode,
        review: &Value,
        params: &Node,
    ) -> Result<Vec<(String, bool)>, String> {
        let pool = match (code.uses_inventory, self.gk.shared.get(ti)) {
            (false, Some(shared)) => shared,
            _ => &self.pools[ti],
        };
        let pooled = pool.lock().ok().and_then(|mut p| p.pop());
        let mut engine = match pooled {
            Some(e) => e,
            None => {
                let mut e = code.proto.clone();
                if code.uses_inventory {
                    e.add_data(self.inventory.clone())
                        .map_err(|e| e.to_string())?;
                }
                e
            }
        };
        let mut input = BTreeMap::new();
        input.insert(rego::key("review"), review.clone());
        input.insert(rego::key("parameters"), rego::node_to_value(params));
        engine.set_input(Value::from(input));
        let result = engine.eval_rule(code.rule.clone());
        if let Ok(mut p) = pool.lock() {
            p.push(engine);
        }
        let value = result
            .map_err(|e| format!("Rego evaluation failed: {}", first_line(&e.to_string())))?;
        let items: Vec<Value> = match &value {
            Value::Set(s) => s.iter().cloned().collect(),
            Value::Array(a) => a.iter().cloned().collect(),
            _ => Vec::new(),
        };
        Ok(items
            .iter()
            .map(|r| {
                let msg = match &r[&rego::key("msg")] {
                    Value::String(s) => s.to_string(),
                    Value::Undefined => "(the violation has no msg)".to_string(),
                    other => other.to_json_str().unwrap_or_default(),
                };
                (msg, false)
            })
            .collect())
    }
}

/// `input.review` as a regorus value, converting the objects once and directly.
fn rego_review(review: &Review) -> Value {
    let mut v = rego::node_to_value(&Node::from_json(&review.request_json(false)));
    if let Ok(m) = v.as_object_mut() {
        if let Some(o) = review.object {
            m.insert(rego::key("object"), rego::node_to_value(o));
        }
        if let Some(o) = &review.request.old_object {
            m.insert(rego::key("oldObject"), rego::node_to_value(o));
        }
    }
    v
}

/// The CEL values of one review, converted once for all constraints.
struct CelInputs {
    object: kube_cel::cel::Value,
    old_object: kube_cel::cel::Value,
    request: kube_cel::cel::Value,
}

impl CelInputs {
    fn of(review: &Review) -> CelInputs {
        let to = |n: Option<&Node>| {
            n.map(cel::node_to_value)
                .unwrap_or(kube_cel::cel::Value::Null)
        };
        CelInputs {
            object: to(review.object),
            old_object: to(review.request.old_object.as_ref()),
            request: cel::json_to_value(&review.request_json(false)),
        }
    }
}

/// Which review inputs the review's scope holds already.
#[derive(Default)]
struct Bound {
    object: bool,
    old_object: bool,
    request: bool,
    any_object: bool,
}

impl Bound {
    /// Binds in the review's scope what a template reads and is not bound yet.
    fn bind(&mut self, base: &mut cel::Scope<'_>, u: &CelUses, inputs: &CelInputs) {
        if u.object && !self.object {
            base.set("object", inputs.object.clone());
            self.object = true;
        }
        if u.old_object && !self.old_object {
            base.set("oldObject", inputs.old_object.clone());
            self.old_object = true;
        }
        if u.request && !self.request {
            base.set("request", inputs.request.clone());
            self.request = true;
        }
        // Gatekeeper's own variable comes before the template's; they may use it.
        if u.any_object && !self.any_object {
            let any = if matches!(inputs.object, kube_cel::cel::Value::Null) {
                inputs.old_object.clone()
            } else {
                inputs.object.clone()
            };
            base.set_variable("anyObject", Ok(any));
            self.any_object = true;
        }
    }
}

/// One constraint in its own scope, over the review's bound inputs.
fn run_cel(
    code: &CelCode,
    s: &mut cel::Scope<'_>,
    c: &Constraint,
) -> Result<Vec<(String, bool)>, String> {
    {
        let u = &code.uses;
        if u.params {
            s.set("params", cel::node_to_value(&c.object));
        }
        if u.gk_params {
            let params = c
                .object
                .path(&["spec", "parameters"])
                .map(cel::node_to_value);
            s.set_variable("params", Ok(params.unwrap_or(kube_cel::cel::Value::Null)));
        }
        let mut out = Vec::new();
        for (name, p) in &code.match_conditions {
            match s.eval(p) {
                Ok(kube_cel::cel::Value::Bool(true)) => {}
                Ok(kube_cel::cel::Value::Bool(false)) => return Ok(out),
                Ok(_) => {
                    return error_verdict(
                        code,
                        format!("matchCondition {name} did not return a bool"),
                    );
                }
                Err(e) => return error_verdict(code, format!("matchCondition {name}: {e}")),
            }
        }
        for (name, p) in &code.variables {
            let v = s.eval(p);
            s.set_variable(name, v);
        }
        for v in &code.validations {
            match s.eval(&v.expr) {
                Ok(kube_cel::cel::Value::Bool(true)) => {}
                Ok(kube_cel::cel::Value::Bool(false)) => {
                    let msg = validation_message(
                        s,
                        v.message_expr.as_ref(),
                        v.message.as_deref(),
                        &v.expr,
                    );
                    out.push((msg, false));
                }
                Ok(_) => {
                    if !code.ignore_errors {
                        out.push((
                            format!(
                                "expression `{}` did not return a bool",
                                v.expr.source.trim()
                            ),
                            true,
                        ));
                    }
                }
                Err(e) => {
                    if !code.ignore_errors {
                        out.push((
                            format!("expression `{}` failed: {e}", v.expr.source.trim()),
                            true,
                        ));
                    }
                }
            }
        }
        Ok(out)
    }
}

fn error_verdict(code: &CelCode, msg: String) -> Result<Vec<(String, bool)>, String> {
    if code.ignore_errors {
        Ok(Vec::new())
    } else {
        Ok(vec![(msg, true)])
    }
}

/// The message of a failed validation: messageExpression, else message, else the expression.
pub(crate) fn validation_message(
    s: &mut cel::Scope<'_>,
    message_expr: Option<&Program>,
    message: Option<&str>,
    expr: &Program,
) -> String {
    if let Some(me) = message_expr
        && let Ok(kube_cel::cel::Value::String(m)) = s.eval(me)
        && !m.trim().is_empty()
    {
        return m.to_string();
    }
    match message {
        Some(m) if !m.is_empty() => m.to_string(),
        _ => format!("failed expression: {}", expr.source.trim()),
    }
}

/// Template kinds by name, for suites.
pub fn kinds(gk: &Gatekeeper) -> HashMap<&str, &str> {
    gk.templates
        .iter()
        .map(|t| (t.name.as_str(), t.kind.as_str()))
        .collect()
}

/// Shared handle type for callers that keep a set alive across threads.
pub type Shared = Arc<Gatekeeper>;
