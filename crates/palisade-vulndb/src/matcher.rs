//! Matching installed packages against the database, per the OSV specification's evaluation of
//! `versions` and `ranges`, with each ecosystem's version order.

use crate::db::{DbError, VulnDb};
use crate::osv::{self, AffectedSpec};
use crate::severity::{self, Assessment};
use crate::version::{Scheme, Version};
use crate::{Ecosystem, Package, Severity};
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// One vulnerability affecting one package; aliases of the same vulnerability are merged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    /// Index of the package in the slice given to [`VulnDb::match_packages`].
    pub package: usize,
    /// The preferred id (the ecosystem's own database first, then GHSA, then CVE).
    pub id: String,
    /// Every other id of the vulnerability (sorted).
    pub aliases: Vec<String>,
    pub summary: String,
    /// `None` when no advisory of the vulnerability gives a score or rating.
    #[serde(with = "crate::serde_rating")]
    pub severity: Option<Severity>,
    /// CVSS base score, when a vector was given.
    pub score: Option<f64>,
    pub vector: Option<String>,
    /// Versions that fix it, in the range the installed version is in (empty: no fix known).
    pub fixed: Vec<String>,
    /// The OSV ecosystem of the matching record (`PyPI`, `Debian:12`).
    pub ecosystem: String,
}

/// One event of a range, with its version parsed once.
#[derive(Debug, Clone)]
pub(crate) enum Event {
    /// `introduced: "0"`: before every version.
    IntroducedZero,
    Introduced(Version),
    Fixed(Version, String),
    LastAffected(Version),
    Limit(Version),
}

impl Event {
    fn version(&self) -> Option<&Version> {
        match self {
            Event::IntroducedZero => None,
            Event::Introduced(v)
            | Event::Fixed(v, _)
            | Event::LastAffected(v)
            | Event::Limit(v) => Some(v),
        }
    }
}

/// An `affected[]` entry compiled for fast evaluation.
#[derive(Debug)]
pub(crate) struct Compiled {
    vuln: i64,
    id: String,
    aliases: Vec<String>,
    summary: String,
    assessment: Assessment,
    ecosystem: String,
    scheme: Scheme,
    versions: Vec<String>,
    ranges: Vec<Vec<Event>>,
}

/// Compiled entries by (ecosystem query, name).
pub(crate) type Cache = HashMap<(String, String), Arc<Vec<Compiled>>>;

fn compile_range(scheme: Scheme, range: &osv::Range) -> Option<Vec<Event>> {
    if range.kind != "ECOSYSTEM" && range.kind != "SEMVER" {
        return None;
    }
    // SEMVER ranges are SemVer 2.0 whatever the ecosystem (Go writes them without `v`).
    let scheme = if range.kind == "SEMVER" && scheme != Scheme::Go {
        Scheme::Semver
    } else {
        scheme
    };
    let mut events = Vec::with_capacity(range.events.len());
    for e in &range.events {
        let parse = |s: &str| scheme.parse(s);
        let ev = if let Some(v) = &e.introduced {
            if v == "0" {
                Some(Event::IntroducedZero)
            } else {
                parse(v).map(Event::Introduced)
            }
        } else if let Some(v) = &e.fixed {
            parse(v).map(|p| Event::Fixed(p, v.clone()))
        } else if let Some(v) = &e.last_affected {
            parse(v).map(Event::LastAffected)
        } else if let Some(v) = &e.limit {
            if v == "*" {
                None
            } else {
                parse(v).map(Event::Limit)
            }
        } else {
            None
        };
        match ev {
            Some(ev) => events.push(ev),
            // An event we cannot order would make the range meaningless: drop the range.
            None if e.limit.as_deref() == Some("*") => {}
            None => return None,
        }
    }
    // Sort by version, `introduced: 0` first; at equal versions keep the record's order.
    events.sort_by(|a, b| match (a.version(), b.version()) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => x.compare(y).unwrap_or(Ordering::Equal),
    });
    Some(events)
}

/// The OSV evaluation of one range; returns the fix of the affected interval when affected.
fn evaluate(v: &Version, events: &[Event]) -> Option<Option<String>> {
    let ge = |x: &Version| v.compare(x).is_some_and(|o| o != Ordering::Less);
    let gt = |x: &Version| v.compare(x) == Some(Ordering::Greater);
    for e in events {
        if let Event::Limit(l) = e
            && ge(l)
        {
            return None;
        }
    }
    let mut affected = false;
    for e in events {
        match e {
            Event::IntroducedZero => affected = true,
            Event::Introduced(x) if ge(x) => affected = true,
            Event::Fixed(x, _) if ge(x) => affected = false,
            Event::LastAffected(x) if gt(x) => affected = false,
            _ => {}
        }
    }
    if !affected {
        return None;
    }
    let fix = events.iter().find_map(|e| match e {
        Event::Fixed(x, raw) if !ge(x) => Some(raw.clone()),
        _ => None,
    });
    Some(fix)
}

/// Rank of an id for choosing the primary one among aliases: ecosystem databases first.
fn id_rank(id: &str) -> u8 {
    if id.starts_with("CVE-") {
        2
    } else if id.starts_with("GHSA-") {
        1
    } else {
        0
    }
}

struct Hit<'a> {
    c: &'a Compiled,
    fixed: Vec<String>,
}

impl VulnDb {
    pub(crate) fn clear_cache(&self) {
        self.cache.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// Loads and compiles the entries for one (ecosystem, name) key. `distro` selects OS
    /// records of that release (`Debian:12` also matches `Debian:12:...` sub-ecosystems).
    fn entries(
        &self,
        ecosystem: &str,
        os: bool,
        name: &str,
    ) -> Result<Arc<Vec<Compiled>>, DbError> {
        let key = (ecosystem.to_string(), name.to_string());
        if let Some(hit) = self
            .cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return Ok(hit.clone());
        }
        let sql = |source| DbError::Sqlite {
            path: self.path.clone(),
            source,
        };
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached(
                "SELECT v.rowid, v.id, v.aliases, v.summary, v.severity, v.score, v.vector, a.ecosystem, a.spec \
                 FROM affected a JOIN vulns v ON v.rowid = a.vuln \
                 WHERE a.name = ?1 AND v.withdrawn IS NULL \
                 AND (a.ecosystem = ?2 OR (?3 AND substr(a.ecosystem, 1, length(?2) + 1) = ?2 || ':'))",
            )
            .map_err(sql)?;
        let rows = stmt
            .query_map(rusqlite::params![name, ecosystem, os], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<f64>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, String>(8)?,
                ))
            })
            .map_err(sql)?;
        let mut out = Vec::new();
        for row in rows {
            let (vuln, id, aliases, summary, sev, score, vector, eco, spec) = row.map_err(sql)?;
            let spec: AffectedSpec = serde_json::from_str(&spec).unwrap_or_default();
            let scheme = Scheme::for_osv(&eco);
            let assessment = if spec.severity.is_empty() {
                Assessment {
                    severity: crate::parse_rating(&sev),
                    score,
                    vector,
                }
            } else {
                severity::assess(&spec.severity, None)
            };
            out.push(Compiled {
                vuln,
                id,
                aliases: serde_json::from_str(&aliases).unwrap_or_default(),
                summary,
                assessment,
                ranges: spec
                    .ranges
                    .iter()
                    .filter_map(|r| compile_range(scheme, r))
                    .collect(),
                versions: spec.versions,
                ecosystem: eco,
                scheme,
            });
        }
        let arc = Arc::new(out);
        self.cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, arc.clone());
        Ok(arc)
    }

    /// Finds the vulnerabilities of each package. OS packages are matched only against their
    /// distro release's records, by source/origin name; packages without a distro are skipped.
    /// Results are ordered by package index, then severity (highest first), then id.
    pub fn match_packages(&self, packages: &[Package]) -> Result<Vec<Match>, DbError> {
        let mut out = Vec::new();
        for (idx, pkg) in packages.iter().enumerate() {
            let mut hits: Vec<Hit> = Vec::new();
            let mut lists = Vec::new();
            let version_str;
            if pkg.ecosystem.is_os() {
                let Some(distro) = pkg.distro.as_deref() else {
                    continue;
                };
                version_str = pkg.advisory_version();
                lists.push(self.entries(distro, true, pkg.advisory_name())?);
                // RPM advisories name binary packages in some distros, source ones in others.
                if pkg.ecosystem == Ecosystem::Rpm && pkg.source_name.is_some() {
                    lists.push(self.entries(distro, true, &pkg.name)?);
                }
            } else {
                let Some(eco) = pkg.ecosystem.osv_name() else {
                    continue;
                };
                version_str = &pkg.version;
                lists.push(self.entries(eco, false, &osv::normalize_name(eco, &pkg.name))?);
            }
            let mut parsed: HashMap<Scheme, Option<Version>> = HashMap::new();
            for c in lists.iter().flat_map(|l| l.iter()) {
                let v = parsed
                    .entry(c.scheme)
                    .or_insert_with(|| c.scheme.parse(version_str));
                let mut affected = false;
                let mut fixed = Vec::new();
                if let Some(v) = v {
                    for r in &c.ranges {
                        let sv;
                        // SEMVER ranges were compiled with the SemVer order.
                        let v = match r.iter().find_map(Event::version) {
                            Some(Version::Semver(_)) if !matches!(v, Version::Semver(_)) => {
                                match Scheme::Semver.parse(version_str) {
                                    Some(p) => {
                                        sv = p;
                                        &sv
                                    }
                                    None => continue,
                                }
                            }
                            _ => v,
                        };
                        if let Some(fix) = evaluate(v, r) {
                            affected = true;
                            fixed.extend(fix);
                        }
                    }
                }
                // The explicit list, compared as strings first and then in the ecosystem's
                // order (PyPI `1.0` is `1.0.0`); skipped when a range already matched.
                affected = affected
                    || c.versions.iter().any(|x| x == version_str)
                    || v.as_ref().is_some_and(|v| {
                        c.versions.iter().any(|x| {
                            c.scheme
                                .parse(x)
                                .is_some_and(|b| v.compare(&b) == Some(Ordering::Equal))
                        })
                    });
                if affected && !hits.iter().any(|h| h.c.vuln == c.vuln) {
                    hits.push(Hit { c, fixed });
                } else if affected && let Some(h) = hits.iter_mut().find(|h| h.c.vuln == c.vuln) {
                    h.fixed.extend(fixed);
                }
            }
            out.extend(merge_aliases(idx, &hits));
        }
        Ok(out)
    }
}

/// Groups hits that share an id or alias and reports each group once.
fn merge_aliases(idx: usize, hits: &[Hit]) -> Vec<Match> {
    let n = hits.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    for (i, h) in hits.iter().enumerate() {
        for id in std::iter::once(&h.c.id).chain(h.c.aliases.iter()) {
            match by_id.get(id.as_str()) {
                Some(&j) => {
                    let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                    parent[a] = b;
                }
                None => {
                    by_id.insert(id, i);
                }
            }
        }
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..n {
        let r = find(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    let mut out: Vec<Match> = groups
        .into_values()
        .map(|members| {
            let mut ids = BTreeSet::new();
            for &m in &members {
                ids.insert(hits[m].c.id.clone());
                ids.extend(hits[m].c.aliases.iter().cloned());
            }
            let primary = members
                .iter()
                .map(|&m| &hits[m])
                .min_by(|a, b| {
                    id_rank(&a.c.id)
                        .cmp(&id_rank(&b.c.id))
                        .then_with(|| a.c.id.cmp(&b.c.id))
                })
                .map(|h| h.c)
                .expect("a group has at least one member");
            let best = members
                .iter()
                .map(|&m| &hits[m].c.assessment)
                .max_by(|a, b| {
                    a.severity
                        .cmp(&b.severity)
                        .then(a.score.unwrap_or(-1.0).total_cmp(&b.score.unwrap_or(-1.0)))
                })
                .cloned()
                .unwrap_or(Assessment::UNKNOWN);
            let mut fixed: Vec<String> = Vec::new();
            for &m in &members {
                for f in &hits[m].fixed {
                    if !fixed.contains(f) {
                        fixed.push(f.clone());
                    }
                }
            }
            let scheme = primary.scheme;
            fixed.sort_by(|a, b| scheme.compare(a, b).unwrap_or_else(|| a.cmp(b)));
            let summary = std::iter::once(primary)
                .chain(members.iter().map(|&m| hits[m].c))
                .map(|c| c.summary.as_str())
                .find(|s| !s.is_empty())
                .unwrap_or("")
                .to_string();
            ids.remove(&primary.id);
            Match {
                package: idx,
                id: primary.id.clone(),
                aliases: ids.into_iter().collect(),
                summary,
                severity: best.severity,
                score: best.score,
                vector: best.vector,
                fixed,
                ecosystem: primary.ecosystem.clone(),
            }
        })
        .collect();
    out.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.id.cmp(&b.id)));
    out
}
