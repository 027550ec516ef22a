//! `.palisade.yaml`: which checks run, their severities and parameters, exemptions, owners.
//! The schema is documented in docs/config.md; unknown keys are errors so typos are caught.

use crate::date::Date;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const FILE_NAMES: &[&str] = &[".palisade.yaml", ".palisade.yml"];

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Config {
    /// Default for `--fail-on`.
    pub fail_on: Option<String>,
    #[serde(default)]
    pub checks: ChecksConfig,
    #[serde(default)]
    pub exemptions: Vec<Exemption>,
    #[serde(default)]
    pub owners: OwnersConfig,
    /// Pod-template paths of custom resources, e.g. `{kind: Rollout, template: spec.template}`.
    #[serde(default)]
    pub workloads: Vec<CustomWorkload>,
    #[serde(default)]
    pub pss: PssConfig,
    #[serde(default)]
    pub policies: PoliciesConfig,
    #[serde(default)]
    pub webhook: WebhookConfig,
    /// Where this config was read from (not part of the file).
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChecksConfig {
    /// Turn on checks that are off by default; `["*"]` turns on all.
    #[serde(default)]
    pub enable: Vec<String>,
    #[serde(default)]
    pub disable: Vec<String>,
    /// Run only these checks (plus `enable`), when set.
    #[serde(default)]
    pub only: Vec<String>,
    #[serde(default)]
    pub severity: BTreeMap<String, String>,
    #[serde(default)]
    pub params: BTreeMap<String, serde_json::Map<String, serde_json::Value>>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Exemption {
    /// Check ids; `*` for all. Empty means all.
    #[serde(default)]
    pub checks: Vec<String>,
    /// Namespace globs.
    #[serde(default)]
    pub namespaces: Vec<String>,
    /// `Kind/name` globs, e.g. `Deployment/legacy-*` or `*/debug-*`.
    #[serde(default)]
    pub objects: Vec<String>,
    /// Container name globs.
    #[serde(default)]
    pub containers: Vec<String>,
    /// File path globs, relative to where palisade runs, e.g. `vendor/**`.
    #[serde(default)]
    pub files: Vec<String>,
    pub reason: String,
    /// `YYYY-MM-DD`; from that day on the exemption no longer applies.
    pub expires: Option<String>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OwnersConfig {
    /// Labels (then annotations) read for the owner, in order.
    #[serde(default = "default_owner_labels")]
    pub labels: Vec<String>,
    #[serde(default)]
    pub rules: Vec<OwnerRule>,
}

impl Default for OwnersConfig {
    fn default() -> Self {
        OwnersConfig {
            labels: default_owner_labels(),
            rules: Vec::new(),
        }
    }
}

fn default_owner_labels() -> Vec<String> {
    ["owner", "team", "app.kubernetes.io/part-of"]
        .map(String::from)
        .to_vec()
}

/// The first rule that matches names the team. Each rule sets one of `paths`, `namespaces`,
/// `selector` (or several, all of which must match).
#[derive(Debug, Deserialize, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OwnerRule {
    pub team: String,
    /// CODEOWNERS-style path globs.
    #[serde(default)]
    pub paths: Vec<String>,
    #[serde(default)]
    pub namespaces: Vec<String>,
    /// A label selector on the object's (or its pod template's) labels.
    pub selector: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomWorkload {
    pub kind: String,
    pub template: String,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PssConfig {
    /// `baseline` or `restricted`, optionally with `:VERSION` (default `latest`). Adds the Pod
    /// Security Standards controls to the scan.
    pub profile: Option<String>,
    #[serde(default)]
    pub exempt_namespaces: Vec<String>,
    #[serde(default)]
    pub exempt_runtime_classes: Vec<String>,
    #[serde(default)]
    pub exempt_usernames: Vec<String>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PoliciesConfig {
    /// Directories or files of Gatekeeper templates/constraints and ValidatingAdmissionPolicies.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Severity per enforcement action: `deny`, `warn`, `dryrun` (Gatekeeper) and `Deny`,
    /// `Warn`, `Audit` (ValidatingAdmissionPolicy). Defaults: high, medium, info.
    #[serde(default)]
    pub severity: BTreeMap<String, String>,
}

/// The admission webhook's decisions (docs/webhook.md).
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebhookConfig {
    /// Deny requests with findings at or above this severity; `none` denies nothing (warn-only
    /// roll-out). Default: `failOn`, else `high`.
    pub deny_on: Option<String>,
    /// `Fail` (deny) or `Ignore` (allow with a warning) when an object cannot be read or a
    /// policy errors or runs out of time. Default `Fail`.
    pub failure_policy: Option<String>,
    /// Whether `/mutate` returns the safe fixes as a JSON patch. Default true.
    pub mutate: Option<bool>,
    /// Namespace labels for when the API server cannot be asked (outside a cluster).
    #[serde(default)]
    pub namespaces: BTreeMap<String, NamespaceConfig>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NamespaceConfig {
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

/// A config problem, with the file and (where known) line.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigError {
    pub file: String,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

impl Config {
    pub fn parse(text: &str, file: &str) -> Result<Config, ConfigError> {
        if text.trim().is_empty() {
            return Ok(Config::default());
        }
        let mut cfg: Config = serde_saphyr::from_str(text).map_err(|e| ConfigError {
            file: file.to_string(),
            message: e.to_string(),
        })?;
        cfg.path = Some(PathBuf::from(file));
        cfg.validate(file)?;
        Ok(cfg)
    }

    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: path.display().to_string(),
            message: format!("cannot read config: {e}"),
        })?;
        Config::parse(&text, &path.display().to_string())
    }

    /// Finds `.palisade.yaml` from `start` upward (a file's directory, or the directory itself).
    pub fn discover(start: &Path) -> Option<PathBuf> {
        let start = if start.is_file() {
            start.parent()?.to_path_buf()
        } else {
            start.to_path_buf()
        };
        let abs = std::path::absolute(&start).unwrap_or(start);
        let mut dir: Option<&Path> = Some(&abs);
        while let Some(d) = dir {
            for name in FILE_NAMES {
                let p = d.join(name);
                if p.is_file() {
                    return Some(p);
                }
            }
            dir = d.parent();
        }
        None
    }

    /// Semantic checks serde cannot do: severities, dates, known check ids.
    fn validate(&self, file: &str) -> Result<(), ConfigError> {
        let err = |message: String| ConfigError {
            file: file.to_string(),
            message,
        };
        if let Some(f) = &self.fail_on {
            f.parse::<palisade_model::Severity>()
                .map_err(|e| err(format!("failOn: {e}")))?;
        }
        for (id, sev) in &self.checks.severity {
            sev.parse::<palisade_model::Severity>()
                .map_err(|e| err(format!("checks.severity.{id}: {e}")))?;
        }
        for (i, e) in self.exemptions.iter().enumerate() {
            if e.reason.trim().is_empty() {
                return Err(err(format!(
                    "exemptions[{i}]: `reason` is empty; say why the exemption is acceptable"
                )));
            }
            if let Some(x) = &e.expires {
                Date::parse(x).map_err(|m| err(format!("exemptions[{i}].expires: {m}")))?;
            }
            for g in e
                .namespaces
                .iter()
                .chain(&e.objects)
                .chain(&e.containers)
                .chain(&e.files)
            {
                globset::Glob::new(g)
                    .map_err(|m| err(format!("exemptions[{i}]: bad glob `{g}`: {m}")))?;
            }
        }
        for (action, sev) in &self.policies.severity {
            sev.parse::<palisade_model::Severity>()
                .map_err(|e| err(format!("policies.severity.{action}: {e}")))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_full_config() {
        let c = Config::parse(
            r#"
failOn: medium
checks:
  disable: [run-as-non-root]
  severity: {run-as-non-root: low}
  params:
    some-check: {registries: [ghcr.io]}
exemptions:
  - checks: [run-as-non-root]
    namespaces: [legacy-*]
    reason: migrating in Q1
    expires: 2027-03-31
owners:
  rules:
    - team: payments
      paths: ["k8s/payments/**"]
workloads:
  - kind: Rollout
    template: spec.template
"#,
            "x.yaml",
        )
        .unwrap();
        assert_eq!(c.fail_on.as_deref(), Some("medium"));
        assert_eq!(c.exemptions[0].expires.as_deref(), Some("2027-03-31"));
        assert_eq!(c.owners.labels[0], "owner");
        assert_eq!(c.workloads[0].kind, "Rollout");
    }

    #[test]
    fn errors_name_file_and_line() {
        let e = Config::parse("checks:\n  disabel: [x]\n", "cfg.yaml").unwrap_err();
        assert!(e.to_string().contains("cfg.yaml"), "{e}");
        assert!(e.to_string().contains("disabel"), "{e}");
        assert!(e.to_string().contains('2'), "line number expected: {e}");
        let e =
            Config::parse("exemptions:\n  - reason: x\n    expires: soon\n", "c.yaml").unwrap_err();
        assert!(e.message.contains("YYYY-MM-DD"), "{e}");
        let e = Config::parse("failOn: severe\n", "c.yaml").unwrap_err();
        assert!(e.message.contains("unknown severity"), "{e}");
    }
}
