//! The one engine every door shares: objects in, findings out, with the same config,
//! exemptions, owners and fingerprints whether the objects came from files, a chart, an
//! AdmissionReview or a live cluster.

pub mod config;
pub mod date;
pub mod exempt;
pub mod owner;
pub mod policy;
pub mod pss;
pub mod rule;
pub mod setup;

pub use config::{Config, ConfigError, WebhookConfig};
pub use date::Date;
pub use exempt::{ExemptionUse, ExpiredExemption};
pub use rule::{Builtin, Enforcement, Evaluator, Prepared, RuleInfo, RuleSource};
pub use setup::{Overrides, Setup};

use palisade_model::{
    CustomWorkloads, Diagnostic, Index, LoadError, Object, PodSpec, Pos, Severity,
};
/// The admission request around an object under review (see `Engine::evaluate_alone`).
pub use palisade_policy::AdmissionRequest;
use rayon::prelude::*;
use std::sync::{Arc, Mutex, PoisonError};

/// One problem in one object under one rule. Kept small: a large scan holds hundreds of
/// thousands. Its message, field path and container name sit in a text buffer shared by the
/// findings of one chunk of objects (see `Scratch`): a finding owns no allocation of its own,
/// and a report reads the texts of neighbouring findings from neighbouring memory.
#[derive(Clone)]
pub struct Finding {
    /// Index into `Scan::rules`.
    pub rule: u32,
    /// Index into `Scan::objects`.
    pub object: u32,
    pub pos: Pos,
    pub severity: Severity,
    /// Emission order among the object's findings: the last sort key.
    seq: u16,
    /// `texts[start..message_end]` is the message, `texts[path_at..container_at]` the path
    /// and `texts[container_at..end]` the container name (`container_at == NO_CONTAINER`:
    /// none, and the path runs to `end`). Findings of a chunk with the same message, or the
    /// same path and container, share those bytes (see `Scratch::intern`).
    start: u32,
    message_end: u32,
    path_at: u32,
    container_at: u32,
    end: u32,
    /// The chunk's text buffer; `None` only while the chunk is being judged (`Scratch::seal`).
    texts: Option<Arc<String>>,
    /// Set when an exemption covers the finding (it is then not counted). Boxed: it is rare.
    pub exemption: Option<Box<ExemptionUse>>,
}

impl Finding {
    /// What is wrong, specific to the object.
    pub fn message(&self) -> &str {
        self.text(self.start, self.message_end)
    }
    /// The field path as a JSON pointer; empty when the check gave none.
    pub fn path(&self) -> &str {
        match self.container_at {
            Self::NO_CONTAINER => self.text(self.path_at, self.end),
            at => self.text(self.path_at, at),
        }
    }
    /// The container concerned, where one is.
    pub fn container(&self) -> Option<&str> {
        match self.container_at {
            Self::NO_CONTAINER => None,
            at => Some(self.text(at, self.end)),
        }
    }
    const NO_CONTAINER: u32 = u32::MAX;

    fn text(&self, from: u32, to: u32) -> &str {
        let texts = self.texts.as_deref().map_or("", String::as_str);
        texts.get(from as usize..to as usize).unwrap_or_default()
    }
}

impl std::fmt::Debug for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Finding")
            .field("rule", &self.rule)
            .field("object", &self.object)
            .field("pos", &self.pos)
            .field("severity", &self.severity)
            .field("seq", &self.seq)
            .field("message", &self.message())
            .field("path", &self.path())
            .field("container", &self.container())
            .field("exemption", &self.exemption)
            .finish()
    }
}

/// Everything a report needs.
pub struct Scan {
    pub rules: Vec<RuleInfo>,
    pub objects: Vec<Object>,
    /// Owner of each object (same index as `objects`).
    pub owners: Vec<Arc<str>>,
    /// Active findings, sorted by file, line, rule.
    pub findings: Vec<Finding>,
    /// Findings covered by an exemption.
    pub exempted: Vec<Finding>,
    pub expired_exemptions: Vec<ExpiredExemption>,
    /// Inputs that could not be read or parsed (the rest was scanned).
    pub input_errors: Vec<LoadError>,
    pub warnings: Vec<LoadError>,
    /// Score 0–100 per object (same index as `objects`).
    pub scores: Vec<u8>,
    /// How long each step of `Engine::run` took.
    pub timings: Timings,
}

/// Wall time of each step of `Engine::run`, for benchmarks and profiling.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timings {
    /// Building the index over all objects.
    pub index: std::time::Duration,
    /// Every rule on every object, and owners.
    pub judge: std::time::Duration,
    /// Scores, ordering and exemptions.
    pub order: std::time::Duration,
}

impl Scan {
    pub fn rule(&self, f: &Finding) -> &RuleInfo {
        &self.rules[f.rule as usize]
    }
    pub fn object(&self, f: &Finding) -> &Object {
        &self.objects[f.object as usize]
    }
    pub fn owner(&self, f: &Finding) -> &str {
        &self.owners[f.object as usize]
    }
    /// Stable across reformatting and reordering (see `fingerprint`); computed when a report
    /// asks, from what the finding and its object keep.
    pub fn fingerprint(&self, f: &Finding) -> u64 {
        fnv_parts(self.identity(f))
    }
    /// What `f`'s fingerprint hashes (see `fingerprint`).
    fn identity<'a>(&'a self, f: &'a Finding) -> [&'a str; 7] {
        identity(
            &self.rule(f).id,
            self.object(f),
            f.container(),
            f.path(),
            f.message(),
        )
    }
    /// Indexes into `rules` of the rules with findings, active or exempted, in rule order:
    /// the rules a report describes.
    pub fn used_rules(&self) -> Vec<u32> {
        let mark = |mut used: Vec<bool>, f: &Finding| {
            used[f.rule as usize] = true;
            used
        };
        let used = self
            .findings
            .par_iter()
            .chain(&self.exempted)
            .fold(|| vec![false; self.rules.len()], mark)
            .reduce_with(|mut a, b| {
                a.iter_mut().zip(b).for_each(|(a, b)| *a |= b);
                a
            })
            .unwrap_or_default();
        (0..self.rules.len() as u32)
            .filter(|&r| used.get(r as usize).copied().unwrap_or(false))
            .collect()
    }
    /// The fingerprint as reports print it: 16 hex digits.
    pub fn fingerprint_hex(&self, f: &Finding) -> String {
        format!("{:016x}", self.fingerprint(f))
    }
    /// Overall score: the mean of the object scores (100 for an empty scan).
    pub fn score(&self) -> u8 {
        if self.scores.is_empty() {
            return 100;
        }
        let sum: u64 = self.scores.iter().map(|&s| u64::from(s)).sum();
        (sum / self.scores.len() as u64) as u8
    }
    pub fn count_at_least(&self, sev: Severity) -> usize {
        self.counts()
            .iter()
            .filter(|(s, _)| *s >= sev)
            .map(|(_, n)| n)
            .sum()
    }
    /// Active findings per severity, in `Severity::ALL` order; one pass on all cores.
    pub fn counts(&self) -> [(Severity, usize); 5] {
        let n = self
            .findings
            .par_iter()
            .fold(
                || [0usize; 5],
                |mut n, f| {
                    n[Severity::ALL
                        .iter()
                        .position(|&s| s == f.severity)
                        .unwrap_or(0)] += 1;
                    n
                },
            )
            .reduce(|| [0; 5], |a, b| std::array::from_fn(|i| a[i] + b[i]));
        std::array::from_fn(|i| (Severity::ALL[i], n[i]))
    }
}

/// The fingerprints of a list of findings read in order (`Scan::fingerprint` of each), worked
/// out a batch ahead, four at a time (see `fnv_lanes`): one by one, they were a quarter of a
/// large JSON report's time. Keeps nothing on the heap, so it leaves a report's buffers alone.
#[derive(Default)]
pub struct Fingerprints {
    values: [u64; 32],
    /// `values[..len]` are the fingerprints of `list[first..first + len]`.
    first: usize,
    len: usize,
}

impl Fingerprints {
    /// The fingerprint of `list[i]`.
    pub fn get(&mut self, scan: &Scan, list: &[Finding], i: usize) -> u64 {
        if !(self.first..self.first + self.len).contains(&i) {
            self.fill(scan, list, i);
        }
        self.values[i - self.first]
    }

    fn fill(&mut self, scan: &Scan, list: &[Finding], i: usize) {
        let batch = &list[i..list.len().min(i + self.values.len())];
        (self.first, self.len) = (i, batch.len());
        let mut bufs = [[0u8; 256]; LANES];
        for (k, group) in batch.chunks(LANES).enumerate() {
            // Identities longer than a buffer (rare) are hashed on their own.
            let mut lens = [0usize; LANES];
            let mut long = [false; LANES];
            for (l, f) in group.iter().enumerate() {
                for part in scan.identity(f) {
                    let end = lens[l] + part.len() + 1;
                    let Some(dst) = bufs[l].get_mut(lens[l]..end) else {
                        long[l] = true;
                        break;
                    };
                    // `dst` is one byte longer than `part`.
                    dst[..part.len()].copy_from_slice(part.as_bytes());
                    dst[part.len()] = 0xff;
                    lens[l] = end;
                }
            }
            let hashes = fnv_lanes(std::array::from_fn(|l| &bufs[l][..lens[l]]));
            for (l, f) in group.iter().enumerate() {
                self.values[k * LANES + l] = if long[l] {
                    scan.fingerprint(f)
                } else {
                    hashes[l]
                };
            }
        }
    }
}

/// Points an object loses per active finding; its score is 100 minus the sum, at least 0.
pub fn penalty(sev: Severity) -> u32 {
    match sev {
        Severity::Critical => 30,
        Severity::High => 15,
        Severity::Medium => 6,
        Severity::Low => 2,
        Severity::Info => 0,
    }
}

/// A worker's reusable buffers: raw diagnostics of one evaluator; the findings of one chunk of
/// objects and the text buffer they share, until `seal` hands the buffer to them.
#[derive(Default)]
struct Scratch {
    raw: Vec<(usize, Diagnostic)>,
    /// `found[sealed..]` are the findings whose texts are in `texts` (their `texts` is still
    /// `None`).
    sealed: usize,
    texts: String,
    /// The texts already in `texts`: (hash, start, split, end), as `intern` works them out.
    interned: hashbrown::HashTable<(u64, u32, u32, u32)>,
    /// Findings not yet handed on.
    found: Vec<Finding>,
}

impl Scratch {
    /// Queues a finding for `d`, its message, path and container copied into the chunk's text
    /// buffer (`d`'s own strings go back to the allocator at once, to be reused by the next).
    fn push(&mut self, mut f: Finding, d: &Diagnostic) {
        let container = d.container.as_deref();
        let len = d.message.len() + d.path.len() + container.map_or(0, str::len);
        // Offsets are u32; a chunk whose texts would outgrow them is sealed early.
        if self.texts.len() + len >= Finding::NO_CONTAINER as usize {
            self.seal();
        }
        (f.start, _, f.message_end) = self.intern(&d.message, None);
        (f.path_at, f.container_at, f.end) = self.intern(&d.path, container);
        self.found.push(f);
    }

    /// Where `a` followed by `b` sits in `texts`: (start, start of `b` or `NO_CONTAINER`, end).
    /// Appended unless the chunk already holds the same pair. Most of a large scan's findings
    /// repeat a message or path of a neighbouring object ("container `app` has no CPU limit",
    /// `/spec/template/spec/containers/0/resources/limits/cpu`): on the benchmark corpus the
    /// texts shrink from 21 MB to 4 MB, less to copy here, to hold and for reports to read.
    fn intern(&mut self, a: &str, b: Option<&str>) -> (u32, u32, u32) {
        use std::hash::BuildHasher;
        let hash = foldhash::fast::FixedState::with_seed(0).hash_one((a, b));
        let texts = &self.texts;
        let same = |&(h, start, split, end): &(u64, u32, u32, u32)| {
            let (start, end) = (start as usize, end as usize);
            let a_end = start + a.len();
            h == hash
                && texts.get(start..a_end) == Some(a)
                && match b {
                    None => split == Finding::NO_CONTAINER && a_end == end,
                    Some(b) => split as usize == a_end && texts.get(a_end..end) == Some(b),
                }
        };
        if let Some(&(_, start, split, end)) = self.interned.find(hash, same) {
            return (start, split, end);
        }
        let start = self.texts.len() as u32;
        self.texts.push_str(a);
        let split = match b {
            Some(b) => {
                let split = self.texts.len() as u32;
                self.texts.push_str(b);
                split
            }
            None => Finding::NO_CONTAINER,
        };
        let end = self.texts.len() as u32;
        self.interned
            .insert_unique(hash, (hash, start, split, end), |e| e.0);
        (start, split, end)
    }

    /// Hands the pending findings an exactly sized copy of their texts. A copy: the buffer keeps
    /// its capacity for the next chunk (handing it over and growing a new one measured 2 MB more
    /// peak RSS). One buffer per chunk rather than per finding: reports read neighbouring texts
    /// faster, and repeated texts are stored once (see `intern`).
    fn seal(&mut self) {
        if self.sealed == self.found.len() {
            return;
        }
        let texts = Arc::new(String::from(self.texts.as_str()));
        self.texts.clear();
        self.interned.clear();
        for f in &mut self.found[self.sealed..] {
            f.texts = Some(Arc::clone(&texts));
        }
        self.sealed = self.found.len();
    }

    /// Moves the chunk's findings to the shared vector.
    fn flush(&mut self, sink: &Mutex<Vec<Finding>>) {
        self.seal();
        sink.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .append(&mut self.found);
        self.sealed = 0;
    }

    /// The findings so far (a test, one object under admission).
    fn finish(mut self) -> Vec<Finding> {
        self.seal();
        self.found
    }
}

/// A worker's state while judging a scan's objects.
#[derive(Default)]
struct Judging {
    scratch: Scratch,
    /// Owners named so far: most objects share their owner with many others, so each name is
    /// allocated once per worker rather than once per object.
    owners: foldhash::HashSet<Arc<str>>,
}

impl Judging {
    fn owner(&mut self, name: &str) -> Arc<str> {
        if let Some(o) = self.owners.get(name) {
            return Arc::clone(o);
        }
        let o: Arc<str> = Arc::from(name);
        self.owners.insert(Arc::clone(&o));
        o
    }
}

pub struct Engine {
    evaluators: Vec<Box<dyn Evaluator>>,
    /// Concatenated rules of all evaluators; `offsets[i]` is where evaluator i's rules start.
    rules: Vec<RuleInfo>,
    offsets: Vec<usize>,
    /// Per rule (indexed like `rules`): enabled and judged on the object alone (not
    /// `cross_object`): what admission runs.
    alone: Vec<bool>,
    /// Per rule: enabled, whatever it reads: what a scan runs.
    enabled: Vec<bool>,
    severity: Vec<Severity>,
    exemptions: exempt::Exemptions,
    owners: owner::Owners,
    pub custom: CustomWorkloads,
    /// Config problems found once all rules are known (unknown ids in `checks.*`).
    pub warnings: Vec<String>,
}

impl Engine {
    /// Builds the engine: the built-in catalogue (configured by `config`) plus `extra`
    /// evaluators (PSS, policies, ...).
    pub fn new(
        config: &Config,
        extra: Vec<Box<dyn Evaluator>>,
        today: Date,
    ) -> Result<Engine, ConfigError> {
        let file = config
            .path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| ".palisade.yaml".into());
        let err = |message: String| ConfigError {
            file: file.clone(),
            message,
        };
        let builtin: Vec<_> = palisade_checks::rules::ALL
            .iter()
            .map(|c| {
                let mut params = palisade_checks::default_params(c.meta());
                if let Some(p) = config.checks.params.get(c.meta().id) {
                    for (k, v) in p {
                        params.insert(k.clone(), v.clone());
                    }
                }
                (*c, params)
            })
            .collect();
        let mut evaluators: Vec<Box<dyn Evaluator>> = vec![Box::new(Builtin::new(builtin))];
        evaluators.extend(extra);

        let mut rules = Vec::new();
        let mut offsets = Vec::new();
        for e in &evaluators {
            offsets.push(rules.len());
            rules.extend(e.rules().iter().cloned());
        }
        let mut warnings = Vec::new();
        let known: std::collections::HashSet<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        for (list, ids) in [
            ("enable", &config.checks.enable),
            ("disable", &config.checks.disable),
            ("only", &config.checks.only),
        ] {
            for id in ids
                .iter()
                .filter(|i| *i != "*" && !known.contains(i.as_str()))
            {
                warnings.push(format!(
                    "{file}: checks.{list}: no check named `{id}`; `palisade checks list` shows the ids"
                ));
            }
        }
        for id in config
            .checks
            .severity
            .keys()
            .filter(|i| !known.contains(i.as_str()))
        {
            warnings.push(format!("{file}: checks.severity: no check named `{id}`"));
        }

        let all_enabled = config.checks.enable.iter().any(|x| x == "*");
        let enabled: Vec<bool> = rules
            .iter()
            .map(|r| {
                let default_on = match r.source {
                    RuleSource::Builtin => {
                        palisade_checks::find(&r.id).is_none_or(|c| c.meta().enabled_by_default)
                    }
                    _ => true,
                };
                let listed = |l: &[String]| l.iter().any(|x| x == &r.id);
                if listed(&config.checks.disable) {
                    false
                } else if !config.checks.only.is_empty() {
                    listed(&config.checks.only) || listed(&config.checks.enable)
                } else {
                    default_on || all_enabled || listed(&config.checks.enable)
                }
            })
            .collect();
        let alone: Vec<bool> = rules
            .iter()
            .zip(&enabled)
            .map(|(r, &on)| on && !r.cross_object)
            .collect();
        let mut severity = Vec::with_capacity(rules.len());
        for r in &rules {
            let s = match config.checks.severity.get(&r.id) {
                Some(s) => s
                    .parse()
                    .map_err(|e| err(format!("checks.severity.{}: {e}", r.id)))?,
                None => r.severity,
            };
            severity.push(s);
        }
        let exemptions = exempt::Exemptions::new(&config.exemptions, &file, today).map_err(err)?;
        let owners = owner::Owners::new(&config.owners).map_err(err)?;
        let mut custom = CustomWorkloads::default();
        for w in &config.workloads {
            custom.add(&w.kind, &w.template);
        }
        Ok(Engine {
            evaluators,
            rules,
            offsets,
            alone,
            enabled,
            severity,
            exemptions,
            owners,
            custom,
            warnings,
        })
    }

    pub fn rules(&self) -> &[RuleInfo] {
        &self.rules
    }

    /// Evaluates every object with every enabled rule, in parallel, each object once with all
    /// its rules while its tree is in the cache (an earlier design judged the rules that read
    /// other objects in a first pass and the rest in a second, freeing each tree after it:
    /// that walked every tree twice and was 6 ms slower on the benchmark corpus, and since
    /// findings share their texts it saves no peak RSS either). The objects keep their trees.
    pub fn run(
        &self,
        objects: Vec<Object>,
        input_errors: Vec<LoadError>,
        warnings: Vec<LoadError>,
    ) -> Scan {
        // Workers judge chunks of objects and append each chunk's findings to one vector, in
        // no particular order (they are sorted below). That vector grows in place (the
        // allocator remaps it), so the findings are never held twice.
        const CHUNK: usize = 256;
        let mut timings = Timings::default();
        let mut clock = std::time::Instant::now();
        let mut lap = |d: &mut std::time::Duration| {
            *d = clock.elapsed();
            clock = std::time::Instant::now();
        };
        let sink = Mutex::new(Vec::new());
        let owners: Vec<Arc<str>> = {
            let index = Index::new(&objects, &self.custom);
            lap(&mut timings.index);
            let prepared = self.prepare_for(&index, &self.enabled, None);
            objects
                .par_chunks(CHUNK)
                .enumerate()
                .map_init(Judging::default, |w, (c, chunk)| {
                    let mut owners = Vec::with_capacity(chunk.len());
                    for (j, obj) in chunk.iter().enumerate() {
                        let i = (c * CHUNK + j) as u32;
                        let pod = PodSpec::of(obj, &self.custom);
                        self.evaluate_into(&prepared, &self.enabled, i, obj, pod, &mut w.scratch);
                        owners.push(w.owner(self.owners.owner_name(obj, pod)));
                    }
                    w.scratch.flush(&sink);
                    owners
                })
                .flatten_iter()
                .collect()
        };
        lap(&mut timings.judge);
        let mut findings = sink.into_inner().unwrap_or_else(PoisonError::into_inner);
        // Scores and the count of exempted findings in one pass on all cores, one part per
        // thread: done in turn on one core, passes over the findings (8.5 MB on the benchmark
        // corpus) left the other core idle for milliseconds.
        let part = findings.len().div_ceil(rayon::current_num_threads()).max(1);
        let (lost, exempted_count) = findings
            .par_chunks(part)
            .map(|part| {
                let mut lost = vec![0u32; objects.len()];
                let mut exempted = 0usize;
                for f in part {
                    match f.exemption {
                        None => lost[f.object as usize] += penalty(f.severity),
                        Some(_) => exempted += 1,
                    }
                }
                (lost, exempted)
            })
            .reduce_with(|(mut a, x), (b, y)| {
                a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
                (a, x + y)
            })
            .unwrap_or_else(|| (vec![0; objects.len()], 0));
        let scores: Vec<u8> = lost
            .iter()
            .map(|&l| 100u32.saturating_sub(l) as u8)
            .collect();
        let file_doc = |i: usize| {
            let s = &objects[i].source;
            (s.display_file(), s.doc)
        };
        // (rule, object, seq) is unique, so the order is total: by file, line, rule, then as
        // the object's findings were emitted. Unstable sort: no scratch copy of the findings.
        // Objects loaded in file order, one per document (the usual case), rank in the order of
        // their indexes: the same order then needs no lookup per comparison, and packs into two
        // integers (measured: this step went from 10 to 7-8 ms on the benchmark corpus).
        if (1..objects.len()).all(|i| file_doc(i - 1) < file_doc(i)) {
            findings.par_sort_unstable_by_key(|f| {
                let (line, col) = (u64::from(f.pos.line), u64::from(f.pos.col));
                (
                    u64::from(f.object) << 32 | line,
                    col << 32 | u64::from(f.rule),
                    f.seq,
                )
            });
        } else {
            // Rank objects by (file, document) once, so the findings sort on integers.
            let mut order: Vec<usize> = (0..objects.len()).collect();
            order.par_sort_by(|&a, &b| file_doc(a).cmp(&file_doc(b)));
            let mut rank = vec![0u32; objects.len()];
            for (r, &w) in order.iter().enumerate() {
                let same = r > 0 && file_doc(order[r - 1]) == file_doc(w);
                rank[w] = if same { rank[order[r - 1]] } else { r as u32 };
            }
            findings.par_sort_unstable_by_key(|f| {
                (rank[f.object as usize], f.pos, f.rule, f.object, f.seq)
            });
        }
        let exempted: Vec<Finding> = if exempted_count == 0 {
            Vec::new()
        } else {
            findings.extract_if(.., |f| f.exemption.is_some()).collect()
        };
        lap(&mut timings.order);
        Scan {
            rules: self.rules.clone(),
            objects,
            owners,
            findings,
            exempted,
            expired_exemptions: self.exemptions.expired(),
            input_errors,
            warnings,
            scores,
            timings,
        }
    }

    /// Prepares the evaluators that have a rule marked in `wanted` (indexed like `rules()`),
    /// for one admission request when given: (evaluator number, prepared evaluator).
    fn prepare_for<'a>(
        &'a self,
        index: &'a Index<'a>,
        wanted: &'a [bool],
        request: Option<&'a palisade_policy::AdmissionRequest>,
    ) -> Vec<(usize, Box<dyn Prepared + 'a>)> {
        let ends = self.offsets.iter().skip(1).copied().chain([wanted.len()]);
        self.evaluators
            .iter()
            .zip(self.offsets.iter().copied().zip(ends))
            .enumerate()
            .filter(|(_, (_, (start, end)))| wanted[*start..*end].contains(&true))
            .map(|(i, (e, (start, end)))| (i, e.prepare(index, &wanted[start..end], request)))
            .collect()
    }

    /// Appends the findings of the rules marked in `wanted` for one object (exempted ones
    /// carry their exemption) to `s` (see `Scratch::push`).
    fn evaluate_into(
        &self,
        prepared: &[(usize, Box<dyn Prepared + '_>)],
        wanted: &[bool],
        object_index: u32,
        obj: &Object,
        pod: Option<PodSpec>,
        s: &mut Scratch,
    ) {
        let mut seq = 0u16;
        // Worked out at the object's first finding: most objects have none.
        let mut exemptions = None;
        let mut raw = std::mem::take(&mut s.raw);
        for (e, ev) in prepared {
            raw.clear();
            ev.evaluate(obj, pod, &mut raw);
            for (local, d) in raw.drain(..) {
                let rule = self.offsets[*e] + local;
                if !wanted.get(rule).copied().unwrap_or(false) {
                    continue;
                }
                let id = &self.rules[rule].id;
                let exemption = exemptions
                    .get_or_insert_with(|| self.exemptions.for_object(obj, pod))
                    .find(id, d.container.as_deref())
                    .map(Box::new);
                let f = Finding {
                    rule: rule as u32,
                    object: object_index,
                    pos: d.pos,
                    severity: self.severity[rule],
                    seq,
                    start: 0,
                    message_end: 0,
                    path_at: 0,
                    container_at: Finding::NO_CONTAINER,
                    end: 0,
                    texts: None,
                    exemption,
                };
                s.push(f, &d);
                d.recycle();
                seq = seq.saturating_add(1);
            }
        }
        s.raw = raw;
    }

    /// Judges `objects[target]` as the admission webhook sees it: with only `objects` around it
    /// (itself, its Namespace), leaving out the rules whose verdict needs the rest of the
    /// cluster (`RuleInfo::cross_object`), which an audit of the whole set gives instead.
    /// `request` is the admission request the object came in (operation, old object, user),
    /// which policies see as Gatekeeper and the API server show it.
    pub fn evaluate_alone(
        &self,
        objects: &[Object],
        target: usize,
        request: Option<&palisade_policy::AdmissionRequest>,
    ) -> Vec<Finding> {
        let Some(obj) = objects.get(target) else {
            return Vec::new();
        };
        let index = Index::new(objects, &self.custom);
        let prepared = self.prepare_for(&index, &self.alone, request);
        let mut s = Scratch::default();
        let pod = PodSpec::of(obj, &self.custom);
        self.evaluate_into(&prepared, &self.alone, target as u32, obj, pod, &mut s);
        s.finish()
    }

    /// The owner of an object, as reports name it.
    pub fn owner_of(&self, obj: &Object) -> Arc<str> {
        Arc::from(self.owners.owner_name(obj, PodSpec::of(obj, &self.custom)))
    }

    /// JSON Patch operations for the safe fixes of the given findings' rules.
    pub fn fixes(&self, obj: &Object, index: &Index, rules: &[u32]) -> Vec<serde_json::Value> {
        let mut ops = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for &r in rules {
            let r = r as usize;
            if !seen.insert(r) {
                continue;
            }
            let Some(e) = self.offsets.iter().rposition(|&o| o <= r) else {
                continue;
            };
            ops.extend(self.evaluators[e].fix(r - self.offsets[e], obj, index));
        }
        ops
    }
}

const FNV_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x100_0000_01b3;

/// FNV-1a, written out because fingerprints must never change between Rust releases (std's
/// hasher may). Each part is followed by a 0xff byte (which UTF-8 never contains).
fn fnv(h: &mut u64, bytes: &[u8]) {
    for b in bytes.iter().chain(&[0xff]) {
        *h = (*h ^ u64::from(*b)).wrapping_mul(FNV_PRIME);
    }
}

const LANES: usize = 4;

/// FNV-1a of four byte strings at once. One byte costs a multiply that waits for the previous
/// one (about four cycles); four independent hashes keep the multiplier busy every cycle.
fn fnv_lanes(bufs: [&[u8]; LANES]) -> [u64; LANES] {
    let mut h = [FNV_BASIS; LANES];
    let common = bufs.iter().map(|b| b.len()).min().unwrap_or(0);
    let [a, b, c, d] = bufs.map(|x| &x[..common]);
    for (((a, b), c), d) in a.iter().zip(b).zip(c).zip(d) {
        h[0] = (h[0] ^ u64::from(*a)).wrapping_mul(FNV_PRIME);
        h[1] = (h[1] ^ u64::from(*b)).wrapping_mul(FNV_PRIME);
        h[2] = (h[2] ^ u64::from(*c)).wrapping_mul(FNV_PRIME);
        h[3] = (h[3] ^ u64::from(*d)).wrapping_mul(FNV_PRIME);
    }
    for (h, buf) in h.iter_mut().zip(bufs) {
        for b in &buf[common..] {
            *h = (*h ^ u64::from(*b)).wrapping_mul(FNV_PRIME);
        }
    }
    h
}

/// What a finding's fingerprint hashes, in order (see `fingerprint`).
fn identity<'a>(
    rule: &'a str,
    obj: &'a Object,
    container: Option<&'a str>,
    path: &'a str,
    message: &'a str,
) -> [&'a str; 7] {
    [
        rule,
        obj.id.group(),
        obj.kind(),
        obj.effective_namespace().unwrap_or(""),
        obj.name(),
        container.unwrap_or(""),
        if path.is_empty() { message } else { path },
    ]
}

/// Rule, object identity, field path and container: nothing that moves when a file is
/// reformatted or objects are reordered. When a check gives no path, the message stands in.
/// Uses only the object's identity, never its tree.
pub fn fingerprint(
    rule: &str,
    obj: &Object,
    container: Option<&str>,
    path: &str,
    message: &str,
) -> u64 {
    fnv_parts(identity(rule, obj, container, path, message))
}

/// FNV-1a over the parts, each followed by 0xff.
fn fnv_parts(parts: [&str; 7]) -> u64 {
    let mut h = FNV_BASIS;
    for part in parts {
        fnv(&mut h, part.as_bytes());
    }
    h
}

#[cfg(test)]
mod tests;
