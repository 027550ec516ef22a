//! One AdmissionReview in, one out: the scan engine's verdict on the object under review.
//! Nothing here does I/O, so every decision is unit-tested without a server.

use base64::Engine as _;
use palisade_engine::{
    AdmissionRequest, Config, Date, Enforcement, Engine, Finding, Overrides, Setup,
};
use palisade_model::{Index, Node, Object, Severity, Source, load_json};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

pub const API_VERSION: &str = "admission.k8s.io/v1";

/// The API server truncates longer warnings and drops them beyond 4 KiB in total.
const MAX_WARNING: usize = 256;
const MAX_WARNINGS_TOTAL: usize = 4096;

/// A request that is not a usable AdmissionReview: answered with HTTP 400 and this message.
#[derive(Debug, PartialEq)]
pub struct BadRequest(pub String);

/// What the webhook does when it cannot judge an object: the object cannot be read, a policy
/// fails, or evaluation runs out of time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailurePolicy {
    /// Deny the request (the safe default).
    Fail,
    /// Allow it, with a warning that says why it was not judged.
    Ignore,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Validate,
    Mutate,
}

/// The parts of an AdmissionReview request the webhook uses.
#[derive(Debug, Clone)]
pub struct Request {
    pub uid: String,
    pub operation: String,
    pub namespace: String,
    /// `request.object`; `None` for DELETE and CONNECT without one.
    pub object: Option<Value>,
    /// The rest of the request (operation, oldObject, userInfo, ...), which policies see as
    /// Gatekeeper and the API server show it (an UPDATE is not judged as a CREATE).
    pub admission: AdmissionRequest,
}

impl Request {
    /// Reads an `admission.k8s.io/v1` AdmissionReview.
    pub fn parse(body: &[u8]) -> Result<Request, BadRequest> {
        let v: Value = serde_json::from_slice(body).map_err(|e| {
            BadRequest(format!(
                "the body is not JSON ({e}); send an admission.k8s.io/v1 AdmissionReview"
            ))
        })?;
        let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let (api_version, kind) = (s(&v, "apiVersion"), s(&v, "kind"));
        if kind != "AdmissionReview" || api_version != API_VERSION {
            return Err(BadRequest(format!(
                "expected apiVersion {API_VERSION}, kind AdmissionReview; got apiVersion \
                 `{api_version}`, kind `{kind}` (set admissionReviewVersions: [v1] in the \
                 webhook configuration)"
            )));
        }
        let Some(req) = v.get("request").filter(|r| r.is_object()) else {
            return Err(BadRequest("the AdmissionReview has no `request`".into()));
        };
        let uid = s(req, "uid");
        if uid.is_empty() {
            return Err(BadRequest("request.uid is missing".into()));
        }
        let operation = s(req, "operation");
        let object = req.get("object").filter(|o| !o.is_null()).cloned();
        if object.is_none() && matches!(operation.as_str(), "CREATE" | "UPDATE") {
            return Err(BadRequest(format!(
                "request.object is missing for {operation}"
            )));
        }
        if let Some(o) = &object
            && !o.is_object()
        {
            return Err(BadRequest(format!(
                "request.object is {}, not an object",
                type_name(o)
            )));
        }
        Ok(Request {
            uid,
            operation,
            namespace: s(req, "namespace"),
            object,
            admission: AdmissionRequest::from_request(req),
        })
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// How one finding counted in a decision; also the `decision` label of the metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Deny,
    Warn,
    Audit,
    Exempt,
    Patch,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Deny => "deny",
            Decision::Warn => "warn",
            Decision::Audit => "audit",
            Decision::Exempt => "exempt",
            Decision::Patch => "patch",
        }
    }
}

/// The answer, and what the metrics count.
#[derive(Debug)]
pub struct Outcome {
    /// The whole AdmissionReview to send back.
    pub review: Value,
    pub allowed: bool,
    /// (rule id, namespace, decision) per finding.
    pub decisions: Vec<(String, String, Decision)>,
}

/// Everything built from the config and policy files; the server swaps in a new one when they
/// change, so a request always sees one consistent set.
pub struct Decider {
    pub engine: Engine,
    /// `None`: warn-only, nothing is denied.
    pub deny_on: Option<Severity>,
    pub failure_policy: FailurePolicy,
    pub mutate: bool,
    /// Namespace labels from config, for when the API server cannot be asked.
    pub namespaces: BTreeMap<String, BTreeMap<String, String>>,
    /// Problems in the config or policies that did not stop the webhook.
    pub warnings: Vec<String>,
}

/// Parses `--deny-on` / `webhook.denyOn`: a severity, or `none` for warn-only.
pub fn parse_deny_on(s: &str) -> Result<Option<Severity>, String> {
    if s.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    s.parse::<Severity>()
        .map(Some)
        .map_err(|e| format!("deny-on `{s}`: {e} (or `none` for warn-only)"))
}

impl Decider {
    /// Builds the decider from a config, as `palisade scan` builds its engine. `deny_on`
    /// (the command line) wins over `webhook.denyOn`, then `failOn`, then `high`.
    pub fn new(
        config: &Config,
        overrides: &Overrides,
        deny_on: Option<&str>,
        today: Date,
    ) -> Result<Decider, String> {
        let Setup {
            engine,
            policy_errors,
        } = Setup::new(config, overrides, Vec::new(), today)?;
        let deny_on = parse_deny_on(
            deny_on
                .or(config.webhook.deny_on.as_deref())
                .or(config.fail_on.as_deref())
                .unwrap_or("high"),
        )?;
        let failure_policy = match config.webhook.failure_policy.as_deref() {
            None | Some("Fail") => FailurePolicy::Fail,
            Some("Ignore") => FailurePolicy::Ignore,
            Some(other) => {
                return Err(format!(
                    "webhook.failurePolicy `{other}`: use `Fail` or `Ignore`"
                ));
            }
        };
        let mut warnings = engine.warnings.clone();
        warnings.extend(policy_errors.iter().map(|e| e.to_string()));
        Ok(Decider {
            engine,
            deny_on,
            failure_policy,
            mutate: config.webhook.mutate.unwrap_or(true),
            namespaces: config
                .webhook
                .namespaces
                .iter()
                .map(|(k, v)| (k.clone(), v.labels.clone()))
                .collect(),
            warnings,
        })
    }

    /// The answer when the object could not be judged: per the failure policy.
    pub fn unjudged(&self, req: &Request, why: &str) -> Outcome {
        let message = format!("palisade could not judge this object: {why}");
        let (allowed, decision) = match self.failure_policy {
            FailurePolicy::Fail => (false, Decision::Deny),
            FailurePolicy::Ignore => (true, Decision::Warn),
        };
        let mut response = json!({"uid": req.uid, "allowed": allowed});
        if allowed {
            response["warnings"] = json!([truncate(&message)]);
        } else {
            response["status"] = json!({"code": 500, "message": message});
        }
        Outcome {
            review: wrap(response),
            allowed,
            decisions: vec![("palisade-unjudged".into(), req.namespace.clone(), decision)],
        }
    }

    /// Judges the request. `labels` gives a namespace's labels (from the API server or config).
    pub fn decide(
        &self,
        req: &Request,
        mode: Mode,
        labels: &dyn Fn(&str) -> Option<BTreeMap<String, String>>,
    ) -> Outcome {
        let Some(original) = &req.object else {
            return allow(req, mode);
        };
        let mut doc = original.clone();
        // On CREATE the object often has no namespace yet: the request's is the one it gets.
        let mut added_namespace = false;
        if !req.namespace.is_empty()
            && let Some(meta) = doc
                .as_object_mut()
                .map(|o| o.entry("metadata").or_insert_with(|| json!({})))
                .and_then(Value::as_object_mut)
            && meta
                .get("namespace")
                .and_then(Value::as_str)
                .unwrap_or("")
                .is_empty()
        {
            meta.insert("namespace".into(), Value::String(req.namespace.clone()));
            added_namespace = true;
        }
        let object = match read_object(&doc) {
            Ok(o) => o,
            Err(e) => return self.unjudged(req, &e),
        };
        let context = self.namespace_object(&object, labels);
        let mut objects = vec![object];
        objects.extend(context);
        let findings = self
            .engine
            .evaluate_alone(&objects, 0, Some(&req.admission));
        let namespace = objects[0].effective_namespace().unwrap_or("").to_string();
        match mode {
            Mode::Validate => self.validate(req, &objects[0], &namespace, findings),
            Mode::Mutate => self.mutate(
                req,
                original,
                doc,
                added_namespace,
                objects,
                &namespace,
                findings,
            ),
        }
    }

    fn namespace_object(
        &self,
        obj: &Object,
        labels: &dyn Fn(&str) -> Option<BTreeMap<String, String>>,
    ) -> Option<Object> {
        if obj.kind() == "Namespace" {
            return None;
        }
        let ns = obj.namespace()?;
        let labels = labels(ns).or_else(|| self.namespaces.get(ns).cloned())?;
        let v = json!({"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": ns, "labels": labels}});
        Some(Object::new(
            Node::from_json(&v),
            Source::new("<namespace>", 0),
        ))
    }

    /// How one active finding counts.
    fn decision(&self, f: &Finding) -> Decision {
        if f.exemption.is_some() {
            return Decision::Exempt;
        }
        let rule = &self.engine.rules()[f.rule as usize];
        let policy_error = rule.id == "policy-evaluation-error";
        match (self.deny_on, rule.enforcement) {
            (_, Enforcement::Audit) => Decision::Audit,
            (None, _) => Decision::Warn,
            _ if policy_error && self.failure_policy == FailurePolicy::Ignore => Decision::Warn,
            (_, Enforcement::Deny) => Decision::Deny,
            (_, Enforcement::Warn) => Decision::Warn,
            (Some(t), Enforcement::Severity) if f.severity >= t => Decision::Deny,
            (Some(_), Enforcement::Severity) => Decision::Warn,
        }
    }

    fn validate(
        &self,
        req: &Request,
        obj: &Object,
        namespace: &str,
        findings: Vec<Finding>,
    ) -> Outcome {
        let rules = self.engine.rules();
        let mut denied = Vec::new();
        let mut warnings = Vec::new();
        let mut by: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        let mut decisions = Vec::new();
        for f in &findings {
            let d = self.decision(f);
            let rule = &rules[f.rule as usize];
            by.entry(d.as_str()).or_default().push(&rule.id);
            decisions.push((rule.id.clone(), namespace.to_string(), d));
            let line = finding_line(&rule.id, f);
            match d {
                Decision::Deny => denied.push(line),
                Decision::Warn => warnings.push(format!("[{}] {line}", f.severity)),
                _ => {}
            }
        }
        let allowed = denied.is_empty();
        let mut response = Map::new();
        response.insert("uid".into(), json!(req.uid));
        response.insert("allowed".into(), json!(allowed));
        if !allowed {
            let what = match obj.namespace() {
                Some(ns) => format!("{} {ns}/{}", obj.kind(), obj.name()),
                None => format!("{} {}", obj.kind(), obj.name()),
            };
            let threshold = self
                .deny_on
                .map(|s| format!(" (at or above {s}, or denied by policy)"))
                .unwrap_or_default();
            let mut message = format!(
                "palisade denied {what}: {} finding(s){threshold}:",
                denied.len()
            );
            for d in &denied {
                message.push_str("\n- ");
                message.push_str(d);
            }
            response.insert(
                "status".into(),
                json!({"code": 403, "reason": "Forbidden", "message": message}),
            );
        }
        let warnings = cap_warnings(warnings);
        if !warnings.is_empty() {
            response.insert("warnings".into(), json!(warnings));
        }
        let mut annotations = Map::new();
        annotations.insert("findings".into(), json!(findings.len().to_string()));
        for (decision, ids) in by {
            let mut ids = ids;
            ids.dedup();
            annotations.insert(decision.to_string(), json!(ids.join(",")));
        }
        response.insert("auditAnnotations".into(), Value::Object(annotations));
        Outcome {
            review: wrap(Value::Object(response)),
            allowed,
            decisions,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn mutate(
        &self,
        req: &Request,
        original: &Value,
        mut doc: Value,
        added_namespace: bool,
        mut objects: Vec<Object>,
        namespace: &str,
        findings: Vec<Finding>,
    ) -> Outcome {
        let mut rules: Vec<u32> = findings
            .iter()
            .filter(|f| f.exemption.is_none())
            .map(|f| f.rule)
            .collect();
        rules.dedup();
        let mut decisions = Vec::new();
        if self.mutate {
            // One fix at a time on the result of the previous ones: two fixes that each add a
            // `securityContext` would otherwise overwrite each other.
            for rule in rules {
                let ops = {
                    let index = Index::new(&objects, &self.engine.custom);
                    self.engine.fixes(&objects[0], &index, &[rule])
                };
                if ops.is_empty() {
                    continue;
                }
                let Ok(patch) = serde_json::from_value::<json_patch::Patch>(Value::Array(ops))
                else {
                    continue;
                };
                let mut next = doc.clone();
                if json_patch::patch(&mut next, &patch).is_err() {
                    continue;
                }
                let Ok(obj) = read_object(&next) else {
                    continue;
                };
                doc = next;
                objects[0] = obj;
                let id = &self.engine.rules()[rule as usize].id;
                decisions.push((id.clone(), namespace.to_string(), Decision::Patch));
            }
        }
        if added_namespace
            && let Some(meta) = doc.get_mut("metadata").and_then(Value::as_object_mut)
        {
            meta.remove("namespace");
        }
        let patch = json_patch::diff(original, &doc);
        let mut response = json!({"uid": req.uid, "allowed": true});
        if !patch.0.is_empty() {
            let bytes = serde_json::to_vec(&patch).unwrap_or_default();
            response["patchType"] = json!("JSONPatch");
            response["patch"] = json!(base64::engine::general_purpose::STANDARD.encode(bytes));
            let fixed: Vec<&str> = decisions.iter().map(|d| d.0.as_str()).collect();
            response["auditAnnotations"] = json!({"fixed": fixed.join(",")});
        }
        Outcome {
            review: wrap(response),
            allowed: true,
            decisions,
        }
    }
}

/// `[check-id] message (container c)`: the same words `palisade scan` prints.
fn finding_line(id: &str, f: &Finding) -> String {
    let mut s = format!("[{id}] {}", f.message());
    if let Some(c) = f.container()
        && !f.message().contains(c)
    {
        s.push_str(&format!(" (container {c})"));
    }
    s
}

fn read_object(doc: &Value) -> Result<Object, String> {
    let mut out = load_json(doc, "<admission>");
    if let Some(e) = out.errors.first() {
        return Err(e.message.clone());
    }
    match out.objects.len() {
        1 => Ok(out.objects.remove(0)),
        n => Err(format!("expected one object, read {n}")),
    }
}

fn allow(req: &Request, _mode: Mode) -> Outcome {
    Outcome {
        review: wrap(json!({"uid": req.uid, "allowed": true})),
        allowed: true,
        decisions: Vec::new(),
    }
}

fn wrap(response: Value) -> Value {
    json!({"apiVersion": API_VERSION, "kind": "AdmissionReview", "response": response})
}

/// One line, at most `MAX_WARNING` bytes: the API server rejects control characters and
/// truncates longer warnings.
fn truncate(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if out.len() > MAX_WARNING {
        let mut end = MAX_WARNING - 3;
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
        out.push_str("...");
    }
    out
}

fn cap_warnings(warnings: Vec<String>) -> Vec<String> {
    let mut total = 0;
    let mut out = Vec::new();
    let n = warnings.len();
    for (i, w) in warnings.into_iter().enumerate() {
        let w = truncate(&w);
        if total + w.len() > MAX_WARNINGS_TOTAL - 64 {
            out.push(format!("... and {} more finding(s)", n - i));
            break;
        }
        total += w.len();
        out.push(w);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decider(yaml: &str, deny_on: Option<&str>) -> Decider {
        let config = Config::parse(yaml, ".palisade.yaml").expect("config");
        Decider::new(&config, &Overrides::default(), deny_on, Date::today()).expect("decider")
    }

    fn review(object: Value, namespace: &str) -> Request {
        let body = json!({"apiVersion": API_VERSION, "kind": "AdmissionReview",
            "request": {"uid": "u-1", "operation": "CREATE", "namespace": namespace,
                        "object": object}});
        Request::parse(body.to_string().as_bytes()).expect("parse")
    }

    fn pod(security: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "app", "image": "registry.example.com/app@sha256:0000000000000000000000000000000000000000000000000000000000000000",
                "securityContext": security}]}})
    }

    fn none(_: &str) -> Option<BTreeMap<String, String>> {
        None
    }

    #[test]
    fn bad_requests_say_what_is_wrong() {
        let e = |b: &str| Request::parse(b.as_bytes()).unwrap_err().0;
        assert!(e("{").contains("not JSON"));
        assert!(
            e(r#"{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview"}"#)
                .contains("admission.k8s.io/v1beta1")
        );
        assert!(
            e(r#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#)
                .contains("no `request`")
        );
        assert!(
            e(r#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{}}"#)
                .contains("uid")
        );
        assert!(e(r#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","operation":"CREATE"}}"#)
            .contains("object is missing"));
        assert!(e(r#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","operation":"CREATE","object":[1]}}"#)
            .contains("a list"));
    }

    #[test]
    fn policies_see_the_request_as_gatekeeper_does() {
        // Gatekeeper's library template lets UPDATEs through (`request.operation == "UPDATE"`);
        // judging every request as a CREATE would deny what the cluster admits.
        let lib = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
            "../../../shared/corpora/gatekeeper-library/library/pod-security-policy/allow-privilege-escalation",
        );
        let overrides = Overrides {
            pss: None,
            policies: vec![
                lib.join("template.yaml"),
                lib.join("samples/psp-allow-privilege-escalation-container/constraint.yaml"),
            ],
        };
        let d = Decider::new(&Config::default(), &overrides, None, Date::today()).expect("decider");
        assert!(d.warnings.is_empty(), "{:?}", d.warnings);
        let escalating = pod(json!({"allowPrivilegeEscalation": true}));
        let violates = |operation: &str| {
            let old = if operation == "UPDATE" {
                escalating.clone()
            } else {
                Value::Null
            };
            let body = json!({"apiVersion": API_VERSION, "kind": "AdmissionReview",
                "request": {"uid": "u-2", "operation": operation, "namespace": "prod",
                    "userInfo": {"username": "alice"}, "object": escalating, "oldObject": old}});
            let req = Request::parse(body.to_string().as_bytes()).expect("parse");
            assert_eq!(req.admission.operation, operation);
            assert_eq!(req.admission.user_info, Some(json!({"username": "alice"})));
            d.decide(&req, Mode::Validate, &none)
                .decisions
                .iter()
                .any(|(id, _, _)| id == "psp-allow-privilege-escalation-container")
        };
        assert!(violates("CREATE"));
        assert!(!violates("UPDATE"));
    }

    #[test]
    fn pss_exempt_users_are_not_judged() {
        let config = Config::parse(
            "pss:\n  profile: restricted\n  exemptUsernames: [system:serviceaccount:kube-system:replicaset-controller]\n",
            ".palisade.yaml",
        )
        .expect("config");
        let d = Decider::new(&config, &Overrides::default(), Some("none"), Date::today())
            .expect("decider");
        let pss_findings = |user: &str| {
            let body = json!({"apiVersion": API_VERSION, "kind": "AdmissionReview",
                "request": {"uid": "u-3", "operation": "CREATE", "namespace": "prod",
                    "userInfo": {"username": user},
                    "object": pod(json!({"privileged": true}))}});
            let req = Request::parse(body.to_string().as_bytes()).expect("parse");
            d.decide(&req, Mode::Validate, &none)
                .decisions
                .iter()
                .filter(|(id, _, _)| id.starts_with("pss-"))
                .count()
        };
        assert!(pss_findings("alice") > 0);
        assert_eq!(
            pss_findings("system:serviceaccount:kube-system:replicaset-controller"),
            0
        );
    }

    #[test]
    fn privileged_pod_is_denied_with_the_scan_message() {
        let d = decider("", None);
        let out = d.decide(
            &review(pod(json!({"privileged": true})), "prod"),
            Mode::Validate,
            &none,
        );
        assert!(!out.allowed);
        let msg = out.review["response"]["status"]["message"]
            .as_str()
            .unwrap();
        assert!(msg.contains("Pod prod/p"), "{msg}");
        assert!(msg.contains("[privileged-container]"), "{msg}");
        assert_eq!(out.review["response"]["uid"], "u-1");
        assert_eq!(out.review["response"]["status"]["code"], 403);
    }

    #[test]
    fn warn_only_mode_denies_nothing_but_warns() {
        let d = decider("", Some("none"));
        let out = d.decide(
            &review(pod(json!({"privileged": true})), "prod"),
            Mode::Validate,
            &none,
        );
        assert!(out.allowed);
        let w = out.review["response"]["warnings"].as_array().unwrap();
        assert!(
            w.iter()
                .any(|w| w.as_str().unwrap().contains("[privileged-container]"))
        );
        assert!(w.iter().all(|w| w.as_str().unwrap().len() <= MAX_WARNING));
    }

    #[test]
    fn exemptions_and_cross_object_checks_do_not_deny() {
        let d = decider(
            "exemptions:\n  - checks: [privileged-container]\n    namespaces: [prod]\n    reason: node agent\n",
            Some("low"),
        );
        let out = d.decide(
            &review(pod(json!({"privileged": true})), "prod"),
            Mode::Validate,
            &none,
        );
        let decisions: Vec<_> = out.decisions.iter().map(|d| (d.0.as_str(), d.2)).collect();
        assert!(decisions.contains(&("privileged-container", Decision::Exempt)));
        // Judged alone, a Pod cannot be checked for a NetworkPolicy covering it.
        assert!(
            !decisions
                .iter()
                .any(|d| d.0 == "pod-not-covered-by-network-policy")
        );
    }

    #[test]
    fn namespace_labels_set_the_pss_level() {
        let d = decider("pss:\n  profile: baseline\n", Some("medium"));
        let labels = |ns: &str| {
            (ns == "strict").then(|| {
                BTreeMap::from([(
                    "pod-security.kubernetes.io/enforce".to_string(),
                    "restricted".to_string(),
                )])
            })
        };
        let ok = json!({"allowPrivilegeEscalation": true});
        let lax = d.decide(&review(pod(ok.clone()), "lax"), Mode::Validate, &labels);
        let strict = d.decide(&review(pod(ok), "strict"), Mode::Validate, &labels);
        let pss = |o: &Outcome| {
            o.decisions
                .iter()
                .filter(|d| d.0.starts_with("pss-"))
                .count()
        };
        assert_eq!(pss(&lax), 0);
        assert!(pss(&strict) > 0, "{:?}", strict.decisions);
    }

    #[test]
    fn mutate_returns_a_patch_that_applies_and_fixes() {
        let d = decider("", None);
        let original = pod(json!({}));
        let out = d.decide(&review(original.clone(), "prod"), Mode::Mutate, &none);
        let resp = &out.review["response"];
        assert_eq!(resp["allowed"], true);
        assert_eq!(resp["patchType"], "JSONPatch");
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(resp["patch"].as_str().unwrap())
            .unwrap();
        let patch: json_patch::Patch = serde_json::from_slice(&bytes).unwrap();
        let mut fixed = original.clone();
        json_patch::patch(&mut fixed, &patch).unwrap();
        // The namespace the request gave is not written into the object.
        assert!(fixed["metadata"].get("namespace").is_none());
        let sc = &fixed["spec"]["containers"][0]["securityContext"];
        assert_eq!(sc["allowPrivilegeEscalation"], false, "{fixed}");
        // Fixes never invent figures: no resources or probes appear.
        assert!(fixed["spec"]["containers"][0].get("resources").is_none());
        assert!(
            fixed["spec"]["containers"][0]
                .get("livenessProbe")
                .is_none()
        );
    }

    #[test]
    fn unreadable_objects_follow_the_failure_policy() {
        let bad = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": {"name": "app"}}});
        let fail = decider("", None).decide(&review(bad.clone(), "x"), Mode::Validate, &none);
        assert!(!fail.allowed);
        let ignore = decider("webhook:\n  failurePolicy: Ignore\n", None).decide(
            &review(bad, "x"),
            Mode::Validate,
            &none,
        );
        assert!(ignore.allowed);
        assert!(
            ignore.review["response"]["warnings"][0]
                .as_str()
                .unwrap()
                .contains("could not judge")
        );
    }

    #[test]
    fn delete_is_allowed_without_an_object() {
        let body = json!({"apiVersion": API_VERSION, "kind": "AdmissionReview",
            "request": {"uid": "u", "operation": "DELETE", "namespace": "x"}});
        let req = Request::parse(body.to_string().as_bytes()).unwrap();
        let out = decider("", None).decide(&req, Mode::Validate, &none);
        assert!(out.allowed);
    }

    #[test]
    fn warnings_are_capped() {
        let many: Vec<String> = (0..100)
            .map(|i| format!("{i} {}", "x".repeat(300)))
            .collect();
        let capped = cap_warnings(many);
        assert!(capped.iter().map(String::len).sum::<usize>() <= MAX_WARNINGS_TOTAL);
        assert!(capped.last().unwrap().contains("more finding"));
    }
}
