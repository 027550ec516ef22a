//! Which level and version apply to which pod: defaults, namespace labels and exemptions, as the
//! Pod Security admission controller resolves them (`api.PolicyToEvaluate`).

use crate::version::{Level, LevelVersion, Version};
use crate::{Decoded, Evaluation, Problem};
use palisade_model::{CustomWorkloads, Object};
use std::collections::HashMap;

pub const ENFORCE_LABEL: &str = "pod-security.kubernetes.io/enforce";
pub const ENFORCE_VERSION_LABEL: &str = "pod-security.kubernetes.io/enforce-version";
pub const AUDIT_LABEL: &str = "pod-security.kubernetes.io/audit";
pub const AUDIT_VERSION_LABEL: &str = "pod-security.kubernetes.io/audit-version";
pub const WARN_LABEL: &str = "pod-security.kubernetes.io/warn";
pub const WARN_VERSION_LABEL: &str = "pod-security.kubernetes.io/warn-version";

/// The three modes of a namespace's policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    pub enforce: LevelVersion,
    pub audit: LevelVersion,
    pub warn: LevelVersion,
}

impl Policy {
    /// The same level and version for all three modes.
    pub fn uniform(lv: LevelVersion) -> Self {
        Policy {
            enforce: lv,
            audit: lv,
            warn: lv,
        }
    }
}

impl Default for Policy {
    /// The admission controller's built-in default: privileged:latest everywhere.
    fn default() -> Self {
        Policy::uniform(LevelVersion::new(Level::Privileged, Version::Latest))
    }
}

/// Who and what is exempt, as in `PodSecurityConfiguration.exemptions`.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Exemptions {
    #[serde(default)]
    pub usernames: Vec<String>,
    #[serde(default)]
    pub runtime_classes: Vec<String>,
    #[serde(default)]
    pub namespaces: Vec<String>,
}

/// Defaults as written in a `PodSecurityConfiguration` (`enforce`, `enforce-version`, ...).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    pub enforce: Option<String>,
    #[serde(rename = "enforce-version")]
    pub enforce_version: Option<String>,
    pub audit: Option<String>,
    #[serde(rename = "audit-version")]
    pub audit_version: Option<String>,
    pub warn: Option<String>,
    #[serde(rename = "warn-version")]
    pub warn_version: Option<String>,
}

impl Defaults {
    /// Strict: configuration errors are the user's to fix (unlike namespace labels).
    pub fn to_policy(&self) -> Result<Policy, String> {
        let level = |v: &Option<String>, what: &str| -> Result<Level, String> {
            v.as_deref().map_or(Ok(Level::Privileged), |s| {
                s.parse().map_err(|e| format!("defaults.{what}: {e}"))
            })
        };
        let version = |v: &Option<String>, what: &str| -> Result<Version, String> {
            match v.as_deref() {
                None | Some("") => Ok(Version::Latest),
                Some(s) => s.parse().map_err(|e| format!("defaults.{what}: {e}")),
            }
        };
        Ok(Policy {
            enforce: LevelVersion::new(
                level(&self.enforce, "enforce")?,
                version(&self.enforce_version, "enforce-version")?,
            ),
            audit: LevelVersion::new(
                level(&self.audit, "audit")?,
                version(&self.audit_version, "audit-version")?,
            ),
            warn: LevelVersion::new(
                level(&self.warn, "warn")?,
                version(&self.warn_version, "warn-version")?,
            ),
        })
    }
}

/// Resolves a namespace's labels against the defaults, exactly as `api.PolicyToEvaluate`:
/// labels override the defaults mode by mode; an unparsable level or version is reported and
/// evaluated as `restricted` / `latest`; when only `enforce` is set to a level stricter than
/// `warn`, `warn` follows it (with its version unless `warn-version` is set).
pub fn policy_from_labels<'l>(
    labels: impl Iterator<Item = (&'l str, &'l str)> + Clone,
    defaults: Policy,
) -> (Policy, Vec<String>) {
    let mut p = defaults;
    let mut errors = Vec::new();
    let get = |k: &str| labels.clone().find(|(lk, _)| *lk == k).map(|(_, v)| v);
    let level = |k: &str, errors: &mut Vec<String>| -> Option<Result<Level, ()>> {
        let v = get(k)?;
        Some(v.parse::<Level>().map_err(|_| {
            errors.push(format!(
                "metadata.labels[{k}]: Invalid value: \"{v}\": must be one of privileged, baseline, restricted (evaluated as restricted)"
            ));
        }))
    };
    let version = |k: &str, errors: &mut Vec<String>| -> Option<Version> {
        let v = get(k)?;
        if v.is_empty() {
            return Some(Version::Latest);
        }
        Some(v.parse::<Version>().unwrap_or_else(|_| {
            errors.push(format!(
                "metadata.labels[{k}]: Invalid value: \"{v}\": must be \"latest\" or \"v1.x\" (evaluated as latest)"
            ));
            Version::Latest
        }))
    };
    let mut has_enforce_level = false;
    if let Some(l) = level(ENFORCE_LABEL, &mut errors) {
        has_enforce_level = l.is_ok();
        p.enforce.level = l.unwrap_or(Level::Restricted);
    }
    if let Some(v) = version(ENFORCE_VERSION_LABEL, &mut errors) {
        p.enforce.version = v;
    }
    if let Some(l) = level(AUDIT_LABEL, &mut errors) {
        p.audit.level = l.unwrap_or(Level::Restricted);
    }
    if let Some(v) = version(AUDIT_VERSION_LABEL, &mut errors) {
        p.audit.version = v;
    }
    let has_warn_level = get(WARN_LABEL).is_some();
    if let Some(l) = level(WARN_LABEL, &mut errors) {
        p.warn.level = l.unwrap_or(Level::Restricted);
    }
    let has_warn_version = get(WARN_VERSION_LABEL).is_some();
    if let Some(v) = version(WARN_VERSION_LABEL, &mut errors) {
        p.warn.version = v;
    }
    if !has_warn_level && has_enforce_level && p.enforce.level > p.warn.level {
        p.warn.level = p.enforce.level;
        if !has_warn_version {
            p.warn.version = p.enforce.version;
        }
    }
    (p, errors)
}

/// Defaults and exemptions.
#[derive(Clone, Debug)]
pub struct Config {
    pub defaults: Policy,
    pub exemptions: Exemptions,
    /// When false, namespace labels are ignored and the defaults apply everywhere.
    pub use_namespace_labels: bool,
    /// The requesting user, for username exemptions (admission webhooks; unknown for files).
    pub username: Option<String>,
}

impl Config {
    pub fn new(defaults: Policy) -> Self {
        Config {
            defaults,
            exemptions: Exemptions::default(),
            use_namespace_labels: true,
            username: None,
        }
    }
}

/// How one mode's evaluation went.
#[derive(Clone, Debug)]
pub struct ModeResult {
    pub mode: &'static str,
    pub evaluation: Evaluation,
}

/// The verdict on one object of a scanned set.
#[derive(Debug)]
pub struct ObjectResult<'a> {
    pub object: &'a Object,
    pub policy: Policy,
    /// Where the policy came from: `namespace <name>` or `default`.
    pub policy_source: String,
    /// Set when the object is exempt: why.
    pub exempt: Option<String>,
    /// The enforce evaluation (empty `forbidden` when allowed or exempt).
    pub enforce: Evaluation,
    /// Warn and audit evaluations with violations, when their level or version differs from enforce.
    pub others: Vec<ModeResult>,
    pub problems: Vec<Problem>,
    /// Notes such as "v1.99 is evaluated as latest" or invalid namespace labels.
    pub notes: Vec<String>,
}

impl ObjectResult<'_> {
    pub fn invalid(&self) -> bool {
        self.problems.iter().any(|p| p.error)
    }
    pub fn denied(&self) -> bool {
        !self.enforce.allowed()
    }
}

/// Evaluates every object PSA evaluates in `objects`, with the policy of its namespace:
/// `Namespace` objects in the set carrying `pod-security.kubernetes.io/*` labels, else the
/// defaults. Namespaces whose labels are invalid are reported too (the API server rejects them).
pub fn evaluate_all<'a>(
    objects: &'a [Object],
    config: &Config,
    custom: &CustomWorkloads,
) -> Vec<ObjectResult<'a>> {
    let mut namespaces: HashMap<&str, (Policy, Vec<String>)> = HashMap::new();
    let mut out = Vec::new();
    for o in objects
        .iter()
        .filter(|o| o.kind() == "Namespace" && o.id.api_version == "v1")
    {
        let resolved = if config.use_namespace_labels {
            policy_from_labels(o.labels(), config.defaults)
        } else {
            (config.defaults, Vec::new())
        };
        if !resolved.1.is_empty() {
            out.push(ObjectResult {
                object: o,
                policy: resolved.0,
                policy_source: format!("namespace {}", o.name()),
                exempt: None,
                enforce: Evaluation {
                    policy: resolved.0.enforce,
                    forbidden: Vec::new(),
                },
                others: Vec::new(),
                problems: resolved
                    .1
                    .iter()
                    .map(|e| Problem {
                        error: true,
                        message: e.clone(),
                        pos: o.metadata().key_pos("labels"),
                        path: "/metadata/labels".into(),
                    })
                    .collect(),
                notes: Vec::new(),
            });
        }
        namespaces.insert(o.name(), resolved);
    }
    for o in objects {
        let Some(decoded) = Decoded::of(o, custom) else {
            continue;
        };
        let ns = o.effective_namespace().unwrap_or("default");
        let (policy, source, mut notes) = match namespaces.get(ns) {
            Some((p, errs)) => (*p, format!("namespace {ns}"), errs.clone()),
            None => (config.defaults, "default".to_string(), Vec::new()),
        };
        let exempt = if config.exemptions.namespaces.iter().any(|n| n == ns) {
            Some(format!("namespace {ns} is exempt"))
        } else if let Some(rc) = decoded
            .runtime_class()
            .filter(|rc| config.exemptions.runtime_classes.iter().any(|e| e == rc))
        {
            Some(format!("runtime class {rc} is exempt"))
        } else {
            config
                .username
                .as_deref()
                .filter(|u| config.exemptions.usernames.iter().any(|e| e == u))
                .map(|u| format!("user {u} is exempt"))
        };
        for lv in [policy.enforce, policy.warn, policy.audit] {
            if let Some(n) = lv.version.note()
                && !notes.contains(&n)
            {
                notes.push(n);
            }
        }
        let (enforce, others) = if exempt.is_some() {
            (
                Evaluation {
                    policy: policy.enforce,
                    forbidden: Vec::new(),
                },
                Vec::new(),
            )
        } else {
            let enforce = decoded.evaluate(policy.enforce);
            let mut others = Vec::new();
            for (mode, lv) in [("warn", policy.warn), ("audit", policy.audit)] {
                let same = lv.level == policy.enforce.level
                    && lv.version.effective_minor() == policy.enforce.version.effective_minor();
                if same
                    || others
                        .iter()
                        .any(|m: &ModeResult| m.evaluation.policy == lv)
                {
                    continue;
                }
                let e = decoded.evaluate(lv);
                if !e.allowed() {
                    others.push(ModeResult {
                        mode,
                        evaluation: e,
                    });
                }
            }
            (enforce, others)
        };
        out.push(ObjectResult {
            object: o,
            policy,
            policy_source: source,
            exempt,
            enforce,
            others,
            problems: decoded.problems,
            notes,
        });
    }
    out
}
