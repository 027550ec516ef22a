//! Gatekeeper constraints and ValidatingAdmissionPolicies as rules of the engine: each
//! constraint (or VAP policy) name is a rule id; its severity follows its enforcement action
//! (`policies.severity` in config; default deny → high, warn → medium, dryrun/Audit → info).

use crate::rule::{Enforcement, Evaluator, Prepared, RuleInfo, RuleSource};
use palisade_model::{Category, Diagnostic, Index, LoadError, Object, PodSpec, Pos, Severity};
use palisade_policy::{Action, EngineChoice, PolicySet};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

pub struct Policies {
    set: PolicySet,
    rules: Vec<RuleInfo>,
    by_id: HashMap<String, usize>,
}

const ERROR_RULE: &str = "policy-evaluation-error";

fn severity(action: Action, cfg: &BTreeMap<String, String>) -> Severity {
    let keys: &[&str] = match action {
        Action::Deny => &["deny", "Deny"],
        Action::Warn => &["warn", "Warn"],
        Action::DryRun => &["dryrun", "dryRun"],
        Action::Audit => &["audit", "Audit"],
    };
    keys.iter()
        .find_map(|k| cfg.get(*k))
        .and_then(|s| s.parse().ok())
        .unwrap_or(action.default_severity())
}

impl Policies {
    /// Loads and compiles the policies under `paths`; problems come back as input errors that
    /// name the file, the policy and the line.
    pub fn load(
        paths: &[PathBuf],
        severities: &BTreeMap<String, String>,
    ) -> (Policies, Vec<LoadError>) {
        let (set, errors) = PolicySet::load(paths, EngineChoice::CelPreferred);
        let errors = errors
            .into_iter()
            .map(|e| LoadError {
                file: e.file.as_str().into(),
                pos: (e.line > 0).then(|| Pos::new(e.line, 1)),
                doc: None,
                message: {
                    let mut m = String::new();
                    if !e.policy.is_empty() {
                        m.push_str(&format!("{}: ", e.policy));
                    }
                    if let Some((l, c)) = e.code_pos {
                        m.push_str(&format!("line {l}:{c} of the code: "));
                    }
                    m.push_str(&e.message);
                    m
                },
            })
            .collect();
        let mut rules = Vec::new();
        let mut by_id = HashMap::new();
        let mut add = |id: &str, title: String, action: Action, file: &str| {
            if by_id.contains_key(id) {
                return;
            }
            by_id.insert(id.to_string(), rules.len());
            rules.push(RuleInfo {
                id: id.to_string(),
                title,
                category: Category::Security,
                severity: severity(action, severities),
                rationale: format!("Policy defined in {file} (enforcement: {action})."),
                remediation: "Change the object so the policy allows it, or ask the policy's owners for an exemption.".into(),
                references: vec![file.to_string()],
                source: RuleSource::Policy,
                // Referential policies read `data.inventory`; their verdicts still stand at
                // admission, where the inventory is what the webhook knows.
                cross_object: false,
                enforcement: match action {
                    Action::Deny => Enforcement::Deny,
                    Action::Warn => Enforcement::Warn,
                    Action::DryRun | Action::Audit => Enforcement::Audit,
                },
            });
        };
        for c in &set.gatekeeper.constraints {
            add(
                &c.name,
                format!("Gatekeeper constraint {} ({})", c.name, c.kind),
                c.action,
                &c.file,
            );
        }
        for b in &set.vap.bindings {
            add(
                &b.policy_name,
                format!(
                    "ValidatingAdmissionPolicy {} (binding {})",
                    b.policy_name, b.name
                ),
                b.action(),
                &b.file,
            );
        }
        add(
            ERROR_RULE,
            "A policy could not be evaluated (failurePolicy: Fail)".into(),
            Action::Deny,
            "policies",
        );
        (Policies { set, rules, by_id }, errors)
    }

    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }
}

struct PolicyScan<'a> {
    p: &'a Policies,
    ev: palisade_policy::Evaluator<'a>,
    /// The admission request under review (the webhook), as Gatekeeper and the API server
    /// build `input.review` / `request` from it; `None` in scans (a CREATE).
    request: Option<&'a palisade_policy::AdmissionRequest>,
}

impl Evaluator for Policies {
    fn rules(&self) -> &[RuleInfo] {
        &self.rules
    }
    fn prepare<'a>(
        &'a self,
        index: &'a Index<'a>,
        _wanted: &'a [bool],
        request: Option<&'a palisade_policy::AdmissionRequest>,
    ) -> Box<dyn Prepared + 'a> {
        Box::new(PolicyScan {
            p: self,
            ev: self.set.evaluator(index),
            request,
        })
    }
}

impl Prepared for PolicyScan<'_> {
    fn evaluate<'o>(
        &self,
        obj: &'o Object,
        _pod: Option<PodSpec<'o>>,
        out: &mut Vec<(usize, Diagnostic)>,
    ) {
        let eval = self.ev.evaluate(obj, self.request);
        for v in eval.violations {
            let id = if v.is_error {
                ERROR_RULE
            } else {
                v.check_id.as_str()
            };
            let Some(&rule) = self
                .p
                .by_id
                .get(id)
                .or_else(|| self.p.by_id.get(ERROR_RULE))
            else {
                continue;
            };
            let mut d = v.diagnostic;
            if v.is_error {
                d.message = format!("{}: {}", v.check_id, d.message);
            }
            out.push((rule, d));
        }
    }
}
