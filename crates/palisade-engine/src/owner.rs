//! Who owns an object: config rules first (paths, namespaces, selectors), then labels and
//! annotations, else `unowned`.

use crate::config::OwnersConfig;
use globset::{Glob, GlobSet, GlobSetBuilder};
use palisade_model::{LabelSelector, Node, Object, PodSpec};
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
    unowned: String,
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

    /// The owner of `obj`, whose pod spec is `pod` (`PodSpec::of`), if it has one.
    pub fn owner_name<'a>(&'a self, obj: &'a Object, pod: Option<PodSpec<'a>>) -> &'a str {
        let file = || obj.source.display_file().trim_start_matches("./");
        for r in &self.rules {
            let path_ok = r.paths.as_ref().is_none_or(|g| g.is_match(file()));
            let ns_ok = r
                .namespaces
                .as_ref()
                .is_none_or(|g| g.is_match(obj.effective_namespace().unwrap_or("")));
            let sel_ok = r.selector.as_ref().is_none_or(|s| {
                s.matches(obj.labels()) || pod.as_ref().is_some_and(|p| s.matches(p.labels()))
            });
            if path_ok && ns_ok && sel_ok {
                return &r.team;
            }
        }
        // Each key is looked for in the labels, then the annotations, then the pod template's
        // labels; the three mappings are found once.
        let [labels, annotations] = obj.metadata().get_each(["labels", "annotations"]);
        let pod_labels = pod.and_then(|p| p.meta.get("labels"));
        let value = |map: Option<&'a Node>, key: &str| map?.get(key)?.as_str();
        for key in &self.labels {
            let found = value(labels, key)
                .or_else(|| value(annotations, key))
                .or_else(|| value(pod_labels, key));
            if let Some(v) = found.filter(|v| !v.is_empty()) {
                return v;
            }
        }
        &self.unowned
    }
}
