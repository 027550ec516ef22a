//! Who owns an object: config rules first (paths, namespaces, selectors), then labels and
//! annotations, else `unowned`.

use crate::config::OwnersConfig;
use globset::{Glob, GlobSet, GlobSetBuilder};
use palisade_model::{CustomWorkloads, LabelSelector, Node, Object, PodSpec};
use std::sync::Arc;

pub const UNOWNED: &str = "unowned";

struct Rule {
    team: Arc<str>,
    paths: Option<GlobSet>,
    namespaces: Option<GlobSet>,
    selector: Option<LabelSelector>,
}

pub struct Owners {
    rules: Vec<Rule>,
    labels: Vec<String>,
    unowned: Arc<str>,
}

pub(crate) fn glob_set(globs: &[String]) -> Result<Option<GlobSet>, String> {
    if globs.is_empty() {
        return Ok(None);
    }
    let mut b = GlobSetBuilder::new();
    for g in globs {
        // CODEOWNERS style: a pattern without a slash matches at any depth.
        let pat = if !g.contains('/') && !g.starts_with("**") {
            format!("**/{g}")
        } else {
            g.trim_start_matches("./").to_string()
        };
        b.add(Glob::new(&pat).map_err(|e| format!("bad glob `{g}`: {e}"))?);
        if pat != *g {
            b.add(Glob::new(g).map_err(|e| format!("bad glob `{g}`: {e}"))?);
        }
    }
    b.build().map(Some).map_err(|e| e.to_string())
}

/// Globs matched against a whole name (namespace, container, `Kind/name`), no path semantics.
pub(crate) fn name_set(globs: &[String]) -> Result<Option<GlobSet>, String> {
    if globs.is_empty() {
        return Ok(None);
    }
    let mut b = GlobSetBuilder::new();
    for g in globs {
        b.add(
            globset::GlobBuilder::new(g)
                .literal_separator(false)
                .build()
                .map_err(|e| format!("bad glob `{g}`: {e}"))?,
        );
    }
    b.build().map(Some).map_err(|e| e.to_string())
}

impl Owners {
    pub fn new(cfg: &OwnersConfig) -> Result<Owners, String> {
        let mut rules = Vec::new();
        for r in &cfg.rules {
            rules.push(Rule {
                team: r.team.as_str().into(),
                paths: glob_set(&r.paths)?,
                namespaces: name_set(&r.namespaces)?,
                selector: r
                    .selector
                    .as_ref()
                    .map(|s| LabelSelector::from_label_selector(&Node::from_json(s))),
            });
        }
        Ok(Owners {
            rules,
            labels: cfg.labels.clone(),
            unowned: UNOWNED.into(),
        })
    }

    pub fn owner_of(&self, obj: &Object, custom: &CustomWorkloads) -> Arc<str> {
        let pod = PodSpec::of(obj, custom);
        let file = obj.source.display_file().trim_start_matches("./");
        for r in &self.rules {
            let path_ok = r.paths.as_ref().is_none_or(|g| g.is_match(file));
            let ns_ok = r
                .namespaces
                .as_ref()
                .is_none_or(|g| g.is_match(obj.effective_namespace().unwrap_or("")));
            let sel_ok = r.selector.as_ref().is_none_or(|s| {
                s.matches(obj.labels()) || pod.as_ref().is_some_and(|p| s.matches(p.labels()))
            });
            if path_ok && ns_ok && sel_ok {
                return r.team.clone();
            }
        }
        for key in &self.labels {
            let found = obj.label(key).or_else(|| obj.annotation(key)).or_else(|| {
                pod.as_ref()
                    .and_then(|p| p.labels().find(|(k, _)| k == key).map(|(_, v)| v))
            });
            if let Some(v) = found.filter(|v| !v.is_empty()) {
                return v.into();
            }
        }
        self.unowned.clone()
    }
}
