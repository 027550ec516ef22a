//! Policy as code: Gatekeeper ConstraintTemplates (Rego and CEL) and ValidatingAdmissionPolicies,
//! evaluated offline with the verdicts Gatekeeper and the API server would give.
//!
//! ```text
//! let (set, errors) = PolicySet::load(&[dir]);          // compile once
//! let ev = set.evaluator(&index);                       // inventory, params, namespaces
//! let out = ev.evaluate(&object, None);                 // Sync: call from many threads
//! ```

pub mod cel;
pub mod gatekeeper;
mod literals;
pub mod matching;
pub mod rego;
pub mod review;
pub mod suite;
pub mod vap;

use palisade_model::{Diagnostic, Index, LoadOptions, Node, Object, Severity, load_bytes};
use std::fmt;
use std::path::{Path, PathBuf};

pub use review::{AdmissionRequest, Review};

/// What a violated policy asks for: Gatekeeper's `enforcementAction` or a VAP binding's
/// `validationActions`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// Gatekeeper `deny`, VAP `Deny`.
    Deny,
    /// Gatekeeper `warn`, VAP `Warn`.
    Warn,
    /// Gatekeeper `dryrun`.
    DryRun,
    /// VAP `Audit`.
    Audit,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Deny => "deny",
            Action::Warn => "warn",
            Action::DryRun => "dryrun",
            Action::Audit => "audit",
        }
    }
    /// The severity a finding gets unless configuration says otherwise.
    pub fn default_severity(self) -> Severity {
        match self {
            Action::Deny => Severity::High,
            Action::Warn => Severity::Medium,
            Action::DryRun | Action::Audit => Severity::Info,
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which policy produced a violation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyKind {
    /// A Gatekeeper constraint (its template's Rego or CEL).
    Constraint,
    /// A ValidatingAdmissionPolicy through one of its bindings.
    AdmissionPolicy,
}

/// One violation of one policy by one object.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    /// The constraint name (Gatekeeper) or the policy name (VAP): the finding's check id.
    pub check_id: String,
    pub kind: PolicyKind,
    /// The template (Gatekeeper) or binding (VAP) name, for reports.
    pub via: String,
    pub action: Action,
    /// Several actions apply for VAP bindings that list more than one (Deny + Audit...).
    pub also: Vec<Action>,
    /// The file that defined the constraint or binding.
    pub policy_file: String,
    /// The message the policy produced, and where in the object (the object's `kind:` line).
    pub diagnostic: Diagnostic,
    /// VAP `reason` (Invalid, Forbidden...) where given.
    pub reason: Option<String>,
    /// Set when the "violation" is an evaluation error under failurePolicy Fail.
    pub is_error: bool,
}

impl Violation {
    pub fn message(&self) -> &str {
        &self.diagnostic.message
    }
}

/// A problem with a policy file: it names the file, the template or policy, and the line inside
/// the Rego or CEL where one is known. Other policies still run.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyError {
    pub file: String,
    /// Line of the YAML field holding the code (or of the object).
    pub line: u32,
    /// The template, constraint, policy or binding concerned.
    pub policy: String,
    /// Line and column inside the Rego or CEL text, when known.
    pub code_pos: Option<(u32, u32)>,
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}: ", self.file, self.line)?;
        } else {
            write!(f, "{}: ", self.file)?;
        }
        if !self.policy.is_empty() {
            write!(f, "{}: ", self.policy)?;
        }
        if let Some((l, c)) = self.code_pos {
            write!(f, "line {l}:{c} of the code: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Which engine runs templates that carry both Rego and CEL (`gator verify
/// --enable-k8s-native-validation`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum EngineChoice {
    /// Rego only; templates with only CEL still run CEL.
    RegoOnly,
    /// CEL where the template has `K8sNativeValidation`, else Rego (Gatekeeper's default).
    #[default]
    CelPreferred,
}

/// Everything compiled from a set of policy files.
#[derive(Default)]
pub struct PolicySet {
    pub gatekeeper: gatekeeper::Gatekeeper,
    pub vap: vap::Vap,
}

/// The result of reviewing one object.
#[derive(Debug, Default)]
pub struct Evaluation {
    pub violations: Vec<Violation>,
    /// Errors that prevented a policy from giving a verdict (failurePolicy Ignore, Rego runtime
    /// errors); the other policies still ran.
    pub errors: Vec<PolicyError>,
    /// VAP `auditAnnotations` that were produced: (policy/key, value).
    pub audit_annotations: Vec<(String, String)>,
}

impl PolicySet {
    /// Loads every `.yaml`, `.yml` and `.json` file under `paths` (files or directories,
    /// recursively) and compiles the policies found. Objects that are not policies are ignored;
    /// VAP param objects and Gatekeeper constraints are kept.
    pub fn load(paths: &[PathBuf], choice: EngineChoice) -> (PolicySet, Vec<PolicyError>) {
        let mut objects = Vec::new();
        let mut errors = Vec::new();
        for p in paths {
            collect_files(p, &mut objects, &mut errors);
        }
        let (set, mut errs) = PolicySet::from_objects(&objects, choice);
        errors.append(&mut errs);
        (set, errors)
    }

    /// Compiles the policies among `objects`.
    pub fn from_objects(objects: &[Object], choice: EngineChoice) -> (PolicySet, Vec<PolicyError>) {
        let mut errors = Vec::new();
        let gatekeeper = gatekeeper::Gatekeeper::from_objects(objects, choice, &mut errors);
        let vap = vap::Vap::from_objects(objects, &mut errors);
        (PolicySet { gatekeeper, vap }, errors)
    }

    pub fn is_empty(&self) -> bool {
        self.gatekeeper.is_empty() && self.vap.is_empty()
    }

    /// Number of policies that can produce findings (constraints + bindings).
    pub fn len(&self) -> usize {
        self.gatekeeper.constraints.len() + self.vap.bindings.len()
    }

    /// Whether any constraint or binding matches the review (before running its code).
    pub fn applies(&self, review: &Review, index: &Index) -> bool {
        self.gatekeeper.applies(review, index) || self.vap.applies(review, index)
    }

    /// Prepares evaluation against a scan: `data.inventory` and VAP params come from `index`.
    pub fn evaluator<'a>(&'a self, index: &'a Index<'a>) -> Evaluator<'a> {
        Evaluator {
            set: self,
            gk: self
                .gatekeeper
                .evaluator(index.objects.iter().map(|o| &o.root)),
            index,
        }
    }
}

/// Evaluation state for one scan; `Sync`, so objects can be reviewed in parallel.
pub struct Evaluator<'a> {
    set: &'a PolicySet,
    gk: gatekeeper::GkEvaluator<'a>,
    index: &'a Index<'a>,
}

impl Evaluator<'_> {
    /// Reviews one scanned object (as a CREATE unless `request` says otherwise).
    pub fn evaluate(&self, obj: &Object, request: Option<&AdmissionRequest>) -> Evaluation {
        let default = AdmissionRequest::default();
        let req = request.unwrap_or(&default);
        let mut review = Review::of_object(obj, req);
        review.pos = obj.pos();
        let mut out = self.evaluate_review(&review);
        for v in &mut out.violations {
            v.diagnostic.pos = obj.pos();
        }
        out
    }

    /// Reviews a request (the webhook's entry point; the object may be absent for DELETE).
    pub fn evaluate_review(&self, review: &Review) -> Evaluation {
        let mut out = Evaluation::default();
        self.gk.evaluate(review, self.index, &mut out);
        self.set
            .vap
            .evaluate(review, self.index, self.index.objects, &mut out);
        out
    }
}

/// The YAML/JSON files under `p` (itself if a file), sorted, hidden entries skipped. Directories
/// that cannot be read are reported through `on_error`.
pub(crate) fn policy_files(p: &Path, on_error: &mut dyn FnMut(&Path, String)) -> Vec<PathBuf> {
    fn go(p: &Path, top: bool, out: &mut Vec<PathBuf>, on_error: &mut dyn FnMut(&Path, String)) {
        if !p.is_dir() {
            let ext_ok = p
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| matches!(x, "yaml" | "yml" | "json"));
            if top || ext_ok {
                out.push(p.to_path_buf());
            }
            return;
        }
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(p) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => return on_error(p, format!("cannot read directory: {e}")),
        };
        entries.sort();
        for e in entries {
            let hidden = e
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            if !hidden {
                go(&e, false, out, on_error);
            }
        }
    }
    let mut out = Vec::new();
    go(p, true, &mut out, on_error);
    out
}

fn collect_files(p: &Path, objects: &mut Vec<Object>, errors: &mut Vec<PolicyError>) {
    let files = policy_files(p, &mut |d, m| errors.push(file_error(d, m)));
    for p in files {
        match std::fs::read(&p) {
            Ok(bytes) => {
                let file = p.display().to_string();
                let out = load_bytes(&bytes, &file, &LoadOptions::default());
                for e in out.errors {
                    errors.push(PolicyError {
                        file: e.file.to_string(),
                        line: e.pos.map(|p| p.line).unwrap_or(0),
                        policy: String::new(),
                        code_pos: None,
                        message: e.message,
                    });
                }
                objects.extend(out.objects);
            }
            Err(e) => errors.push(file_error(&p, format!("cannot read file: {e}"))),
        }
    }
}

fn file_error(p: &Path, message: String) -> PolicyError {
    PolicyError {
        file: p.display().to_string(),
        line: 0,
        policy: String::new(),
        code_pos: None,
        message,
    }
}

/// Reads a YAML/JSON file's objects (for suites and tests).
pub fn read_objects(path: &Path) -> Result<Vec<Object>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let out = load_bytes(&bytes, &path.display().to_string(), &LoadOptions::default());
    if let Some(e) = out.errors.first() {
        return Err(e.to_string());
    }
    Ok(out.objects)
}

pub(crate) fn str_at<'n>(n: &'n Node, path: &[&str]) -> Option<&'n str> {
    n.path(path).and_then(Node::as_str)
}

#[cfg(test)]
mod tests {
    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn compiled_policies_are_shareable() {
        assert_send_sync::<super::PolicySet>();
        assert_send_sync::<super::Evaluator<'static>>();
    }
}
