//! Exemptions: from config (by check, namespace, object glob, container, file; with reason and
//! expiry) and inline (`palisade.dev/exempt` annotations). Nothing is dropped silently: every
//! exempted finding is kept with the exemption that covered it.

use crate::config::Exemption;
use crate::date::Date;
use crate::owner::{glob_set, name_set};
use globset::GlobSet;
use palisade_model::{CustomWorkloads, Object, PodSpec};

pub const ANNOTATION: &str = "palisade.dev/exempt";
pub const ANNOTATION_REASON: &str = "palisade.dev/exempt-reason";

/// Why a finding was not counted.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ExemptionUse {
    pub reason: String,
    pub expires: Option<String>,
    /// `.palisade.yaml exemptions[2]` or `annotation palisade.dev/exempt`.
    pub origin: String,
}

struct Compiled {
    checks: Vec<String>,
    namespaces: Option<GlobSet>,
    objects: Option<GlobSet>,
    containers: Option<GlobSet>,
    files: Option<GlobSet>,
    use_: ExemptionUse,
    expired: bool,
}

pub struct Exemptions {
    list: Vec<Compiled>,
}

/// An exemption in config that has expired: it no longer applies, and reports say so.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ExpiredExemption {
    pub origin: String,
    pub reason: String,
    pub expired: String,
}

impl Exemptions {
    pub fn new(list: &[Exemption], config_file: &str, today: Date) -> Result<Exemptions, String> {
        let mut out = Vec::new();
        for (i, e) in list.iter().enumerate() {
            let expires = e.expires.as_deref().map(Date::parse).transpose()?;
            out.push(Compiled {
                checks: e.checks.clone(),
                namespaces: name_set(&e.namespaces)?,
                objects: name_set(&e.objects)?,
                containers: name_set(&e.containers)?,
                files: glob_set(&e.files)?,
                use_: ExemptionUse {
                    reason: e.reason.clone(),
                    expires: expires.map(|d| d.to_string()),
                    origin: format!("{config_file} exemptions[{i}]"),
                },
                expired: expires.is_some_and(|d| d <= today),
            });
        }
        Ok(Exemptions { list: out })
    }

    pub fn expired(&self) -> Vec<ExpiredExemption> {
        self.list
            .iter()
            .filter(|c| c.expired)
            .map(|c| ExpiredExemption {
                origin: c.use_.origin.clone(),
                reason: c.use_.reason.clone(),
                expired: c.use_.expires.clone().unwrap_or_default(),
            })
            .collect()
    }

    /// The exemption covering this finding, if any. Expired exemptions never match.
    pub fn find(
        &self,
        check: &str,
        obj: &Object,
        container: Option<&str>,
        custom: &CustomWorkloads,
    ) -> Option<ExemptionUse> {
        for c in &self.list {
            if c.expired {
                continue;
            }
            if !(c.checks.is_empty() || c.checks.iter().any(|x| x == "*" || x == check)) {
                continue;
            }
            if let Some(g) = &c.namespaces
                && !g.is_match(obj.effective_namespace().unwrap_or(""))
            {
                continue;
            }
            if let Some(g) = &c.objects
                && !g.is_match(format!("{}/{}", obj.kind(), obj.name()))
            {
                continue;
            }
            if let Some(g) = &c.containers
                && !container.is_some_and(|n| g.is_match(n))
            {
                continue;
            }
            if let Some(g) = &c.files
                && !g.is_match(obj.source.display_file().trim_start_matches("./"))
            {
                continue;
            }
            return Some(c.use_.clone());
        }
        inline(check, obj, custom)
    }
}

/// `palisade.dev/exempt: "check-a,check-b"` (or `*`) on the object or its pod template.
fn inline(check: &str, obj: &Object, custom: &CustomWorkloads) -> Option<ExemptionUse> {
    let pod = PodSpec::of(obj, custom);
    let (list, reason) = match obj.annotation(ANNOTATION) {
        Some(l) => (l, obj.annotation(ANNOTATION_REASON)),
        None => {
            let p = pod.as_ref()?;
            (p.annotation(ANNOTATION)?, p.annotation(ANNOTATION_REASON))
        }
    };
    if list
        .split(',')
        .map(str::trim)
        .any(|x| x == check || x == "*")
    {
        return Some(ExemptionUse {
            reason: reason.map(String::from).unwrap_or_else(|| {
                format!("(no reason given: add the {ANNOTATION_REASON} annotation)")
            }),
            expires: None,
            origin: format!("annotation {ANNOTATION}"),
        });
    }
    None
}
