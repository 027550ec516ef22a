//! Benchmarks: import of all of ../shared/vulndata, and matching throughput.
//! Run: `cargo bench -p palisade-vulndb --bench vulndb`; figures go to docs/performance.md.

use palisade_vulndb::{Ecosystem, Package, VulnDb};
use std::path::PathBuf;
use std::time::Instant;

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|k| k.parse::<f64>().ok())
            })
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// CPU seconds used by this process so far: the sum over its threads of
/// `/proc/self/task/*/schedstat` (nanoseconds on a CPU, finer than the tick-based `stat`).
fn cpu_secs() -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return f64::NAN;
    };
    tasks
        .filter_map(Result::ok)
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| {
            s.split_whitespace()
                .next()
                .and_then(|n| n.parse::<f64>().ok())
        })
        .sum::<f64>()
        / 1e9
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// dpkg packages of the bookworm-minbase image (Package/Source/Version stanzas).
fn minbase_packages(path: &PathBuf) -> Vec<Package> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut out = Vec::new();
    for stanza in text.split("\n\n") {
        let field = |k: &str| {
            stanza
                .lines()
                .find_map(|l| l.strip_prefix(k).map(|v| v.trim().to_string()))
        };
        let (Some(name), Some(version)) = (field("Package:"), field("Version:")) else {
            continue;
        };
        let mut p = Package::new(Ecosystem::Dpkg, name, version).with_distro("Debian:12");
        if let Some(src) = field("Source:") {
            let (n, v) = match src.split_once(' ') {
                Some((n, v)) => (n.to_string(), Some(v.trim_matches(['(', ')']).to_string())),
                None => (src, None),
            };
            p = p.with_source(n, v);
        }
        out.push(p);
    }
    out
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    let data = root.join("vulndata");
    let dir = tempfile::tempdir().expect("temp dir");

    // Import: a fresh database each run.
    let mut times = Vec::new();
    let mut cpu = Vec::new();
    let mut last = None;
    for i in 0..3 {
        let path = dir.path().join(format!("import-{i}.db"));
        let db = VulnDb::open(&path).expect("open");
        let t = Instant::now();
        let c = cpu_secs();
        let r = db.import(std::slice::from_ref(&data)).expect("import");
        times.push(t.elapsed().as_secs_f64());
        cpu.push(cpu_secs() - c);
        assert!(r.problems.is_empty());
        last = Some((db, r, path));
    }
    let (db, report, path) = last.expect("three runs");
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "import all of shared/vulndata: {} files, {} records: median {:.2} s wall, {:.2} s CPU (runs: {}), db {:.1} MB",
        report.files,
        report.inserted,
        median(times.clone()),
        median(cpu),
        times
            .iter()
            .map(|t| format!("{t:.2}"))
            .collect::<Vec<_>>()
            .join(", "),
        size as f64 / 1e6
    );
    let t = Instant::now();
    let c = cpu_secs();
    let again = db.import(std::slice::from_ref(&data)).expect("re-import");
    println!(
        "re-import (all unchanged: {}): {:.2} s wall, {:.2} s CPU",
        again.unchanged,
        t.elapsed().as_secs_f64(),
        cpu_secs() - c
    );

    // Matching: every advised package name at a few versions, in a fresh handle (cold cache),
    // then again (warm cache).
    let conn = rusqlite::Connection::open(&path).expect("open sqlite");
    let mut stmt = conn
        .prepare("SELECT DISTINCT ecosystem, name FROM affected")
        .expect("prepare");
    let names: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .filter_map(Result::ok)
        .collect();
    let mut pkgs = Vec::new();
    for (eco, name) in &names {
        let Some((e, _)) = Ecosystem::from_osv(eco) else {
            continue;
        };
        for v in ["0.1.0", "1.0.0", "2.3.4", "v1.2.3"] {
            let v = if e == Ecosystem::Go {
                format!("v{}", v.trim_start_matches('v'))
            } else {
                v.trim_start_matches('v').to_string()
            };
            pkgs.push(Package::new(e, name.clone(), v));
        }
    }
    let fresh = VulnDb::open(&path).expect("open");
    let c = cpu_secs();
    let t = Instant::now();
    let ms = fresh.match_packages(&pkgs).expect("match");
    let cold = t.elapsed().as_secs_f64();
    let cold_cpu = cpu_secs() - c;
    let c = cpu_secs();
    let t = Instant::now();
    let ms2 = fresh.match_packages(&pkgs).expect("match");
    let warm = t.elapsed().as_secs_f64();
    let warm_cpu = cpu_secs() - c;
    assert_eq!(ms.len(), ms2.len());
    println!(
        "match {} packages ({} names, all with advisories): {} matches; cold {:.3} s wall ({:.2} s CPU) = {:.0} packages/s; warm {:.3} s wall ({:.2} s CPU) = {:.0} packages/s",
        pkgs.len(),
        names.len(),
        ms.len(),
        cold,
        cold_cpu,
        pkgs.len() as f64 / cold,
        warm,
        warm_cpu,
        pkgs.len() as f64 / warm
    );

    // An image-like mix: the 88 dpkg packages of bookworm-minbase plus the app's language packages.
    let mut image = minbase_packages(&root.join("images/dpkg/bookworm-minbase.status"));
    for (e, n, v) in [
        (Ecosystem::PyPI, "requests", "2.19.1"),
        (Ecosystem::PyPI, "urllib3", "1.24.1"),
        (Ecosystem::PyPI, "PyYAML", "5.3.1"),
        (Ecosystem::PyPI, "Jinja2", "2.10"),
        (Ecosystem::Npm, "express", "4.17.1"),
        (Ecosystem::Npm, "lodash", "4.17.15"),
        (Ecosystem::Npm, "minimist", "1.2.0"),
        (Ecosystem::CratesIo, "smallvec", "1.6.0"),
        (Ecosystem::CratesIo, "time", "0.1.43"),
    ] {
        image.push(Package::new(e, n, v));
    }
    let fresh = VulnDb::open(&path).expect("open");
    let t = Instant::now();
    let ms = fresh.match_packages(&image).expect("match");
    let img = t.elapsed().as_secs_f64();
    println!(
        "match an image-like set of {} packages (cold cache): {} matches in {:.1} ms",
        image.len(),
        ms.len(),
        img * 1e3
    );
    println!("peak RSS: {:.0} MB", peak_rss_mb());
}
