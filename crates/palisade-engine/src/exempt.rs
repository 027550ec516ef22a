//! Exemptions: from config (by check, namespace, object glob, container, file; with reason and
//! expiry) and inline (`palisade.dev/exempt` annotations). Nothing is dropped silently: every
//! exempted finding is kept with the exemption that covered it.

use crate::config::Exemption;
use crate::date::Date;
use crate::owner::{glob_set, name_set};
use globset::GlobSet;
use palisade_model::{Object, PodSpec};

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

    /// The exemptions that may cover findings in `obj`: what depends on the object alone
    /// (namespace, kind/name, file, annotations) is decided once here, not per finding. `pod`
    /// is the object's pod spec, if it has one (`PodSpec::of`).
    pub fn for_object<'e, 'o>(
        &'e self,
        obj: &'o Object,
        pod: Option<PodSpec<'o>>,
    ) -> ObjectExemptions<'e, 'o> {
        let config = self
            .list
            .iter()
            .filter(|c| !c.expired)
            .filter(|c| {
                c.namespaces
                    .as_ref()
                    .is_none_or(|g| g.is_match(obj.effective_namespace().unwrap_or("")))
            })
            .filter(|c| {
                c.objects
                    .as_ref()
                    .is_none_or(|g| g.is_match(format!("{}/{}", obj.kind(), obj.name())))
            })
            .filter(|c| {
                c.files
                    .as_ref()
                    .is_none_or(|g| g.is_match(obj.source.display_file().trim_start_matches("./")))
            })
            .collect();
        ObjectExemptions {
            config,
            inline: inline(obj, pod),
        }
    }
}

/// The exemptions that may cover one object's findings (see `Exemptions::for_object`).
pub struct ObjectExemptions<'e, 'o> {
    /// Unexpired config exemptions matching the object, in config order.
    config: Vec<&'e Compiled>,
    /// The object's `palisade.dev/exempt` list and reason.
    inline: Option<(&'o str, Option<&'o str>)>,
}

impl ObjectExemptions<'_, '_> {
    /// The exemption covering a finding of `check` (in `container`), if any: the first
    /// matching config exemption, else the inline annotation. Expired exemptions never match.
    pub fn find(&self, check: &str, container: Option<&str>) -> Option<ExemptionUse> {
        let configured = self.config.iter().find(|c| {
            (c.checks.is_empty() || c.checks.iter().any(|x| x == "*" || x == check))
                && c.containers
                    .as_ref()
                    .is_none_or(|g| container.is_some_and(|n| g.is_match(n)))
        });
        if let Some(c) = configured {
            return Some(c.use_.clone());
        }
        let (list, reason) = self.inline?;
        list.split(',')
            .map(str::trim)
            .any(|x| x == check || x == "*")
            .then(|| ExemptionUse {
                reason: reason.map(String::from).unwrap_or_else(|| {
                    format!("(no reason given: add the {ANNOTATION_REASON} annotation)")
                }),
                expires: None,
                origin: format!("annotation {ANNOTATION}"),
            })
    }
}

/// `palisade.dev/exempt: "check-a,check-b"` (or `*`) and its reason, on the object or else on
/// its pod template.
fn inline<'o>(obj: &'o Object, pod: Option<PodSpec<'o>>) -> Option<(&'o str, Option<&'o str>)> {
    match obj.annotation(ANNOTATION) {
        Some(l) => Some((l, obj.annotation(ANNOTATION_REASON))),
        None => {
            let p = pod?;
            Some((p.annotation(ANNOTATION)?, p.annotation(ANNOTATION_REASON)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_model::{CustomWorkloads, Node, Source};

    fn exemption(f: impl FnOnce(&mut Exemption)) -> Exemption {
        let mut e = Exemption::default();
        f(&mut e);
        e
    }

    fn object(file: &str, doc: serde_json::Value) -> Object {
        Object::new(Node::from_json(&doc), Source::new(file, 0))
    }

    #[test]
    fn each_criterion_narrows_and_the_first_match_wins() {
        let list = vec![
            exemption(|e| {
                e.checks = vec!["a".into()];
                e.namespaces = vec!["team-*".into()];
                e.reason = "namespace".into();
            }),
            exemption(|e| {
                e.objects = vec!["Deployment/web-*".into()];
                e.containers = vec!["side*".into()];
                e.reason = "object and container".into();
            }),
            exemption(|e| {
                e.checks = vec!["*".into()];
                e.files = vec!["vendor/**".into()];
                e.reason = "file".into();
            }),
            exemption(|e| {
                e.reason = "expired".into();
                e.expires = Some("2020-01-01".into());
            }),
        ];
        let ex = Exemptions::new(&list, ".palisade.yaml", Date::parse("2026-01-01").unwrap())
            .expect("valid");
        let custom = CustomWorkloads::default();
        let web = object(
            "apps/web.yaml",
            serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "web-1", "namespace": "team-x"},
                "spec": {"template": {"metadata": {"annotations": {
                    "palisade.dev/exempt": "c, d", "palisade.dev/exempt-reason": "why"}}}}}),
        );
        let vendored = object(
            "./vendor/x.yaml",
            serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}),
        );
        let reason = |o: &Object, check: &str, container: Option<&str>| {
            ex.for_object(o, PodSpec::of(o, &custom))
                .find(check, container)
                .map(|u| u.reason)
        };
        assert_eq!(reason(&web, "a", None).as_deref(), Some("namespace"));
        assert_eq!(
            reason(&web, "b", Some("sidecar")).as_deref(),
            Some("object and container")
        );
        assert_eq!(reason(&web, "b", Some("app")), None);
        assert_eq!(reason(&web, "b", None), None);
        // The pod template's annotation, after the config.
        assert_eq!(reason(&web, "d", Some("app")).as_deref(), Some("why"));
        assert_eq!(reason(&vendored, "a", None).as_deref(), Some("file"));
        assert_eq!(reason(&vendored, "z", Some("c")).as_deref(), Some("file"));
        // The expired exemption (all checks, everywhere) never applies.
        let other = object(
            "k8s/x.yaml",
            serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "q"}}),
        );
        assert_eq!(reason(&other, "a", None), None);
        assert_eq!(ex.expired().len(), 1);
    }
}
