//! Evaluators: anything that turns objects into diagnostics under named rules. Built-in checks,
//! the Pod Security Standards, Gatekeeper/VAP policies and the image scanner all plug in here,
//! so every door (scan, webhook, cluster audit) gets the same verdicts.

use palisade_checks::{Check, Ctx};
use palisade_model::{Category, Diagnostic, Index, Object, PodSpec, Severity};
use palisade_policy::AdmissionRequest;
use std::cell::Cell;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleSource {
    Builtin,
    Pss,
    Policy,
    Image,
}

/// How a rule's findings act at the admission webhook.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Enforcement {
    /// Deny at or above the webhook's severity threshold (built-in checks, PSS).
    Severity,
    /// Always deny (Gatekeeper `deny`, VAP `Deny`), unless the webhook runs warn-only.
    Deny,
    /// Never deny; shown as a warning (Gatekeeper `warn`, VAP `Warn`).
    Warn,
    /// Recorded in audit annotations only (Gatekeeper `dryrun`, VAP `Audit`).
    Audit,
}

/// What reports need to know about a rule.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RuleInfo {
    pub id: String,
    pub title: String,
    pub category: Category,
    pub severity: Severity,
    pub rationale: String,
    pub remediation: String,
    pub references: Vec<String>,
    pub source: RuleSource,
    /// The verdict depends on other objects than the one judged (see `CheckMeta::cross_object`).
    pub cross_object: bool,
    pub enforcement: Enforcement,
}

pub trait Evaluator: Send + Sync {
    fn rules(&self) -> &[RuleInfo];
    /// Per-scan state built once from the index (e.g. Gatekeeper's `data.inventory`), then used
    /// for every object in parallel. `wanted[i]` says whether rule `i` is asked for: an
    /// evaluator may skip the others (their findings would be dropped anyway). `request` is the
    /// admission request when judging one object at admission (operation, old object, user);
    /// `None` in scans.
    fn prepare<'a>(
        &'a self,
        index: &'a Index<'a>,
        wanted: &'a [bool],
        request: Option<&'a AdmissionRequest>,
    ) -> Box<dyn Prepared + 'a>;
    /// JSON Patch operations fixing what rule `rule` reports, where a safe fix exists.
    fn fix(&self, _rule: usize, _obj: &Object, _index: &Index) -> Vec<serde_json::Value> {
        Vec::new()
    }
}

/// An evaluator ready for one scan.
pub trait Prepared: Sync {
    /// Appends `(rule index into rules(), diagnostic)` for one object. Must not panic. `pod`
    /// is the object's pod spec (`PodSpec::of` with the engine's custom workloads), worked out
    /// once for every evaluator and the owner.
    fn evaluate<'o>(
        &self,
        obj: &'o Object,
        pod: Option<PodSpec<'o>>,
        out: &mut Vec<(usize, Diagnostic)>,
    );
}

/// The built-in catalogue, with each check's parameters resolved.
pub struct Builtin {
    checks: Vec<(
        &'static dyn Check,
        serde_json::Map<String, serde_json::Value>,
    )>,
    /// What each check worked out from its parameters (`Check::prepare`), by check.
    prepared: Vec<Option<Box<palisade_checks::Prepared>>>,
    rules: Vec<RuleInfo>,
}

impl Builtin {
    pub fn new(
        checks: Vec<(
            &'static dyn Check,
            serde_json::Map<String, serde_json::Value>,
        )>,
    ) -> Self {
        let rules = checks
            .iter()
            .map(|(c, _)| {
                let m = c.meta();
                RuleInfo {
                    id: m.id.into(),
                    title: m.title.into(),
                    category: m.category,
                    severity: m.severity,
                    rationale: m.rationale.into(),
                    remediation: m.remediation.into(),
                    references: m.references.iter().map(|r| r.to_string()).collect(),
                    source: RuleSource::Builtin,
                    cross_object: m.cross_object,
                    enforcement: Enforcement::Severity,
                }
            })
            .collect();
        let prepared = checks.iter().map(|(c, p)| c.prepare(p)).collect();
        Builtin {
            checks,
            prepared,
            rules,
        }
    }
}

struct BuiltinScan<'a> {
    b: &'a Builtin,
    index: &'a Index<'a>,
    /// The checks to run (indexes into `b.checks`).
    run: Vec<usize>,
    /// Those of `run` that may find something in an object without a pod spec
    /// (`Check::pods_only`): all that Services, RBAC objects and the like need.
    run_without_pod: Vec<usize>,
}

thread_local! {
    /// One check's diagnostics before they are tagged with its rule, reused across objects: a
    /// vector per object cost an allocation, and with 16 diagnostics or more a large one, on
    /// which glibc first merges all its free lists (measured: a tenth of the per-object checks).
    static DIAGS: Cell<Vec<Diagnostic>> = const { Cell::new(Vec::new()) };
}

impl Prepared for BuiltinScan<'_> {
    fn evaluate<'o>(
        &self,
        obj: &'o Object,
        pod: Option<PodSpec<'o>>,
        out: &mut Vec<(usize, Diagnostic)>,
    ) {
        let mut diags = DIAGS.take();
        let run = match pod {
            Some(_) => &self.run,
            None => &self.run_without_pod,
        };
        let memo = palisade_checks::Memo::default();
        for &i in run {
            let Some((check, params)) = self.b.checks.get(i) else {
                continue;
            };
            let ctx = Ctx {
                index: self.index,
                params,
                judged: Some((obj, pod)),
                prepared: self.b.prepared.get(i).and_then(Option::as_deref),
                memo: Some(&memo),
            };
            check.run(obj, &ctx, &mut diags);
            // Most checks find nothing; an empty `extend` still costs ~7 ns, 2 million times.
            if !diags.is_empty() {
                out.extend(diags.drain(..).map(|d| (i, d)));
            }
        }
        DIAGS.set(diags);
    }
}

impl Evaluator for Builtin {
    fn rules(&self) -> &[RuleInfo] {
        &self.rules
    }

    fn prepare<'a>(
        &'a self,
        index: &'a Index<'a>,
        wanted: &'a [bool],
        _request: Option<&'a AdmissionRequest>,
    ) -> Box<dyn Prepared + 'a> {
        let run: Vec<usize> = (0..self.checks.len())
            .filter(|&i| wanted.get(i).copied().unwrap_or(true))
            .collect();
        let run_without_pod = run
            .iter()
            .copied()
            .filter(|&i| !self.checks[i].0.pods_only())
            .collect();
        Box::new(BuiltinScan {
            b: self,
            index,
            run,
            run_without_pod,
        })
    }

    fn fix(&self, rule: usize, obj: &Object, index: &Index) -> Vec<serde_json::Value> {
        match self.checks.get(rule) {
            Some((check, params)) => check.fix(obj, &Ctx::new(index, params)),
            None => Vec::new(),
        }
    }
}
