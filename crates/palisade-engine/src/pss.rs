//! The Pod Security Standards as rules of the engine: one rule per PSA control, evaluated at the
//! profile's level and version, or at the `enforce` level a Namespace in the scanned set sets
//! through its `pod-security.kubernetes.io/*` labels, as the admission controller would.

use crate::rule::{Enforcement, Evaluator, Prepared, RuleInfo, RuleSource};
use palisade_model::{Category, Diagnostic, Index, Object, PodSpec, Severity};
use palisade_pss::policy::{Policy, policy_from_labels};
use palisade_pss::{CONTROLS, Decoded, Level, LevelVersion};

pub struct Pss {
    profile: LevelVersion,
    exempt_namespaces: Vec<String>,
    exempt_runtime_classes: Vec<String>,
    /// Requests by these users are not judged (admission only: a scan has no requesting user).
    exempt_usernames: Vec<String>,
    rules: Vec<RuleInfo>,
}

/// `allowPrivilegeEscalation` → `pss-allow-privilege-escalation`.
pub fn rule_id(control: &str) -> String {
    let mut s = String::from("pss-");
    for (i, c) in control.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                s.push('-');
            }
            s.push(c.to_ascii_lowercase());
        } else if c == '_' {
            s.push('-');
        } else {
            s.push(c);
        }
    }
    s
}

impl Pss {
    /// `profile` is `LEVEL[:VERSION]`, e.g. `restricted:v1.30`.
    pub fn new(profile: &str, cfg: &crate::config::PssConfig) -> Result<Pss, String> {
        let profile: LevelVersion = profile
            .parse()
            .map_err(|e| format!("pss profile `{profile}`: {e}"))?;
        let rules = CONTROLS
            .iter()
            .map(|c| RuleInfo {
                id: rule_id(c.id),
                title: format!("Pod Security Standards ({}): {}", c.level, c.title),
                category: Category::Security,
                severity: if c.level == Level::Baseline {
                    Severity::High
                } else {
                    Severity::Medium
                },
                rationale: c.description.to_string(),
                remediation: format!(
                    "Change the pod so it meets the {} control of the Pod Security Standards: {}",
                    c.title, c.description
                ),
                references: c.references.iter().map(|r| r.to_string()).collect(),
                source: RuleSource::Pss,
                cross_object: false,
                enforcement: Enforcement::Severity,
            })
            .collect();
        Ok(Pss {
            profile,
            exempt_namespaces: cfg.exempt_namespaces.clone(),
            exempt_runtime_classes: cfg.exempt_runtime_classes.clone(),
            exempt_usernames: cfg.exempt_usernames.clone(),
            rules,
        })
    }
}

struct PssScan<'a> {
    pss: &'a Pss,
    index: &'a Index<'a>,
    /// Set when the request's user is exempt: nothing is judged, as Pod Security Admission does.
    user_exempt: bool,
}

impl Evaluator for Pss {
    fn rules(&self) -> &[RuleInfo] {
        &self.rules
    }
    fn prepare<'a>(
        &'a self,
        index: &'a Index<'a>,
        _wanted: &'a [bool],
        request: Option<&'a palisade_policy::AdmissionRequest>,
    ) -> Box<dyn Prepared + 'a> {
        let user = request
            .and_then(|r| r.user_info.as_ref())
            .and_then(|u| u.get("username"))
            .and_then(|u| u.as_str());
        Box::new(PssScan {
            pss: self,
            index,
            user_exempt: user.is_some_and(|u| self.exempt_usernames.iter().any(|e| e == u)),
        })
    }
}

impl Prepared for PssScan<'_> {
    fn evaluate<'o>(
        &self,
        obj: &'o Object,
        _pod: Option<PodSpec<'o>>,
        out: &mut Vec<(usize, Diagnostic)>,
    ) {
        let Some(decoded) = Decoded::of(obj, self.index.custom) else {
            return;
        };
        let ns = obj.effective_namespace().unwrap_or("default");
        if self.user_exempt
            || self.pss.exempt_namespaces.iter().any(|n| n == ns)
            || decoded
                .runtime_class()
                .is_some_and(|rc| self.pss.exempt_runtime_classes.iter().any(|x| x == rc))
        {
            return;
        }
        let policy = match self.index.namespace(ns) {
            Some(n) => {
                policy_from_labels(n.labels(), Policy::uniform(self.pss.profile))
                    .0
                    .enforce
            }
            None => self.pss.profile,
        };
        let eval = decoded.evaluate(policy);
        for f in eval.forbidden {
            let Some(rule) = CONTROLS.iter().position(|c| c.id == f.control.id) else {
                continue;
            };
            let message = format!("{} ({}) [PodSecurity \"{}\"]", f.reason, f.detail, policy);
            match f.diagnostics.first() {
                Some(d) => out.push((
                    rule,
                    Diagnostic {
                        message,
                        ..d.clone()
                    },
                )),
                None => out.push((rule, Diagnostic::new(message, obj.pos()))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn rule_ids_are_kebab() {
        assert_eq!(
            super::rule_id("allowPrivilegeEscalation"),
            "pss-allow-privilege-escalation"
        );
        assert_eq!(
            super::rule_id("seccompProfile_restricted"),
            "pss-seccomp-profile-restricted"
        );
    }
}
