//! Cost per (object × policy) evaluation: every Gatekeeper library template (with its first
//! sample constraint) against the real-world manifests in the shared corpora.
//!
//! `cargo bench -p palisade-policy --bench policy` prints median and p99 (all pairs, and the
//! pairs where the policy matched the object), plus memory.

use palisade_model::{CustomWorkloads, Index, LoadOptions, Object, load_bytes};
use palisade_policy::{AdmissionRequest, EngineChoice, PolicySet, Review};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn corpora() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora")
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            out.push(p);
        }
    }
}

fn rss_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let root = corpora();
    // Manifests: every parseable object of the non-policy corpora, capped to keep the run short.
    let mut files = Vec::new();
    for c in [
        "kube-score",
        "polaris",
        "kube-linter",
        "checkov-k8s",
        "kyverno-policies",
        "pod-security-admission",
    ] {
        yaml_files(&root.join(c), &mut files);
    }
    let mut objects: Vec<Object> = Vec::new();
    for f in &files {
        if let Ok(b) = std::fs::read(f) {
            objects
                .extend(load_bytes(&b, &f.display().to_string(), &LoadOptions::default()).objects);
        }
    }
    objects.retain(|o| {
        !o.id.api_version.contains("kyverno") && !o.id.api_version.contains("gatekeeper")
    });
    objects.truncate(2000);

    // Policies: each library template with its first sample constraint, one set per template.
    let mut lib_dirs = Vec::new();
    let lib = root.join("gatekeeper-library/library");
    for cat in std::fs::read_dir(&lib).into_iter().flatten().flatten() {
        for t in std::fs::read_dir(cat.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            lib_dirs.push(t.path());
        }
    }
    lib_dirs.sort();
    let rss_before = rss_kib("VmRSS:");
    for (choice, label) in [
        (EngineChoice::RegoOnly, "Rego"),
        (EngineChoice::CelPreferred, "CEL preferred"),
    ] {
        let mut sets = Vec::new();
        let load_start = Instant::now();
        for d in &lib_dirs {
            let mut files = vec![d.join("template.yaml")];
            let mut samples: Vec<_> = std::fs::read_dir(d.join("samples"))
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .collect();
            samples.sort();
            if let Some(s) = samples.first() {
                files.push(s.join("constraint.yaml"));
            }
            let (set, _errors) = PolicySet::load(&files, choice);
            if !set.is_empty() {
                sets.push(set);
            }
        }
        let load_ms = load_start.elapsed().as_secs_f64() * 1e3;
        let custom = CustomWorkloads::default();
        let index = Index::new(&objects, &custom);
        let evaluators: Vec<_> = sets.iter().map(|s| s.evaluator(&index)).collect();
        let req = AdmissionRequest::default();
        // Warm-up (engine pools, per-thread CEL registries).
        for ev in &evaluators {
            for o in objects.iter().take(20) {
                let _ = ev.evaluate(o, None);
            }
        }
        let mut all = Vec::new();
        let mut matched = Vec::new();
        let mut violations = 0usize;
        for o in &objects {
            let review = Review::of_object(o, &req);
            for (set, ev) in sets.iter().zip(&evaluators) {
                let applies = set.applies(&review, &index);
                let t = Instant::now();
                let r = ev.evaluate_review(&review);
                let us = t.elapsed().as_secs_f64() * 1e6;
                violations += r.violations.len();
                all.push(us);
                if applies {
                    matched.push(us);
                }
            }
        }
        all.sort_by(f64::total_cmp);
        matched.sort_by(f64::total_cmp);
        println!(
            "{label}: {} templates × {} objects; load+compile {load_ms:.0} ms; {violations} violations",
            sets.len(),
            objects.len()
        );
        println!(
            "  all pairs ({}):      median {:.2} µs  p99 {:.2} µs",
            all.len(),
            percentile(&all, 0.5),
            percentile(&all, 0.99)
        );
        println!(
            "  matched pairs ({}):  median {:.2} µs  p99 {:.2} µs",
            matched.len(),
            percentile(&matched, 0.5),
            percentile(&matched, 0.99)
        );
    }
    println!(
        "memory: RSS {} MiB before policies, {} MiB after; peak {} MiB",
        rss_before / 1024,
        rss_kib("VmRSS:") / 1024,
        rss_kib("VmHWM:") / 1024
    );
}
