//! The Pod Security Standards, evaluated exactly as Kubernetes' Pod Security Admission does.
//!
//! - [`CONTROLS`]: every check of baseline and restricted with its versioned behaviour as data.
//! - [`evaluate`] / [`Decoded`]: evaluate one object (a Pod or the pod template of a workload)
//!   against a [`LevelVersion`]; the result carries Kubernetes' own forbidden reasons and details,
//!   plus a [`Diagnostic`] with the position of every offending field.
//! - [`policy`]: namespace labels (`pod-security.kubernetes.io/enforce` ...), defaults and
//!   exemptions, as the admission controller applies them to a set of objects.

mod checks;
mod pod;
pub mod policy;
pub mod version;

pub use checks::{CONTROLS, Control, STANDARD};
pub use pod::Problem;
pub use version::{Level, LevelVersion, NEWEST_KNOWN_MINOR, Version};

use checks::Impl;
use palisade_model::{CustomWorkloads, Diagnostic, Object};
use std::fmt::Write as _;
use std::sync::OnceLock;

/// A check that forbids the pod, in Kubernetes' words.
#[derive(Clone, Debug)]
pub struct Forbidden {
    pub control: &'static Control,
    /// Kubernetes' forbidden reason, e.g. `allowPrivilegeEscalation != false`.
    pub reason: String,
    /// Kubernetes' forbidden detail, e.g. `container "app" must set securityContext.allowPrivilegeEscalation=false`.
    pub detail: String,
    /// One per offending field, with its position and JSON pointer.
    pub diagnostics: Vec<Diagnostic>,
}

/// The verdict for one object at one level and version.
#[derive(Clone, Debug)]
pub struct Evaluation {
    pub policy: LevelVersion,
    /// Empty when allowed.
    pub forbidden: Vec<Forbidden>,
}

impl Evaluation {
    pub fn allowed(&self) -> bool {
        self.forbidden.is_empty()
    }
    /// The admission controller's message: `violates PodSecurity "restricted:v1.30": reason (detail), ...`.
    pub fn message(&self) -> String {
        format!(
            "violates PodSecurity \"{}\": {}",
            self.policy,
            aggregate_detail(&self.forbidden)
        )
    }
}

/// Reasons with their details in parentheses, joined by `, ` (PSA's `ForbiddenDetail`).
pub fn aggregate_detail(forbidden: &[Forbidden]) -> String {
    let mut s = String::new();
    for (i, f) in forbidden.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        s.push_str(&f.reason);
        if !f.detail.is_empty() {
            let _ = write!(s, " ({})", f.detail);
        }
    }
    s
}

/// The checks in force for each level at each minor version, in PSA's order: baseline ids
/// sorted, then restricted ids sorted; restricted drops the baseline checks it overrides.
struct Tables {
    baseline: Vec<Vec<(&'static Control, &'static Impl)>>,
    restricted: Vec<Vec<(&'static Control, &'static Impl)>>,
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let mut sorted: Vec<&'static Control> = CONTROLS.iter().collect();
        sorted.sort_by_key(|c| (c.level, c.id));
        let mut t = Tables {
            baseline: Vec::new(),
            restricted: Vec::new(),
        };
        for minor in 0..=NEWEST_KNOWN_MINOR {
            let active: Vec<(&Control, &checks::Versioned)> = sorted
                .iter()
                .filter_map(|c| {
                    c.versions
                        .iter()
                        .rev()
                        .find(|v| v.min <= minor)
                        .map(|v| (*c, v))
                })
                .collect();
            let overridden: Vec<&str> = active
                .iter()
                .filter(|(c, _)| c.level == Level::Restricted)
                .flat_map(|(_, v)| v.overrides.iter().copied())
                .collect();
            t.baseline.push(
                active
                    .iter()
                    .filter(|(c, _)| c.level == Level::Baseline)
                    .map(|(c, v)| (*c, &v.imp))
                    .collect(),
            );
            t.restricted.push(
                active
                    .iter()
                    .filter(|(c, _)| c.level == Level::Restricted || !overridden.contains(&c.id))
                    .map(|(c, v)| (*c, &v.imp))
                    .collect(),
            );
        }
        t
    })
}

/// The controls evaluated for `policy`, in the order their results are reported.
pub fn controls_for(policy: LevelVersion) -> impl Iterator<Item = &'static Control> {
    checks_for(policy).iter().map(|(c, _)| *c)
}

fn checks_for(policy: LevelVersion) -> &'static [(&'static Control, &'static Impl)] {
    let minor = policy.version.effective_minor() as usize;
    let t = tables();
    match policy.level {
        Level::Privileged => &[],
        Level::Baseline => &t.baseline[minor],
        Level::Restricted => &t.restricted[minor],
    }
}

/// Looks a control up by its PSA check id.
pub fn control(id: &str) -> Option<&'static Control> {
    CONTROLS.iter().find(|c| c.id == id)
}

/// An object's pod (template) decoded once, to evaluate at one or more levels and versions.
pub struct Decoded<'a> {
    pod: pod::Pod<'a>,
    /// Problems with the input: errors mean Kubernetes would reject the object outright.
    pub problems: Vec<Problem>,
}

impl<'a> Decoded<'a> {
    /// `None` when the object is not a kind Pod Security Admission evaluates (Pods and the pod
    /// templates of ReplicationControllers, PodTemplates, ReplicaSets, Deployments, DaemonSets,
    /// StatefulSets, Jobs and CronJobs; plus `custom` workload kinds).
    pub fn of(obj: &'a Object, custom: &CustomWorkloads) -> Option<Decoded<'a>> {
        let loc = pod::locate(obj, custom)?;
        let mut problems = Vec::new();
        let pod = pod::decode(loc, &mut problems);
        Some(Decoded { pod, problems })
    }

    /// True when the input has errors that make Kubernetes reject the object.
    pub fn invalid(&self) -> bool {
        self.problems.iter().any(|p| p.error)
    }

    /// `spec.runtimeClassName`, for runtime-class exemptions.
    pub fn runtime_class(&self) -> Option<&'a str> {
        self.pod.runtime_class
    }

    /// Evaluates at `policy`. Allocation-free when the pod is allowed.
    pub fn evaluate(&self, policy: LevelVersion) -> Evaluation {
        let mut forbidden = Vec::new();
        for (control, imp) in checks_for(policy) {
            if let Some(f) = checks::run(imp, &self.pod) {
                forbidden.push(Forbidden {
                    control,
                    reason: f.reason,
                    detail: f.detail,
                    diagnostics: f.diagnostics,
                });
            }
        }
        Evaluation { policy, forbidden }
    }

    /// Only the verdict, without building messages for the allowed path either way.
    pub fn allowed(&self, policy: LevelVersion) -> bool {
        checks_for(policy)
            .iter()
            .all(|(_, imp)| checks::run(imp, &self.pod).is_none())
    }
}

/// Evaluates one object at `policy`. `None` when Pod Security Admission does not evaluate its
/// kind. Input problems are in [`Decoded::problems`]; use [`Decoded`] to see them.
pub fn evaluate(obj: &Object, policy: LevelVersion) -> Option<Evaluation> {
    Decoded::of(obj, &CustomWorkloads::default()).map(|d| d.evaluate(policy))
}

#[cfg(test)]
mod tests;
