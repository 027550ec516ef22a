//! `palisade scan --images` benchmark: the engine with the image evaluator over generated
//! workloads whose images are the five images of the shared OCI layout (used as an offline
//! mirror), matched against all of `shared/vulndata`. Each case runs in its own child process
//! (peak RSS is its own), with all cores and with one (`RAYON_NUM_THREADS=1`), to show that each
//! distinct image is scanned once and distinct images in parallel.
//! Run with `cargo bench -p palisade-image --bench workload_images`.

use palisade_engine::{Config, Date, Engine};
use palisade_image::{Resolver, ScanOptions, WorkloadImages, WorkloadImagesOptions};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const TAGS: [&str; 5] = [
    "bookworm-minbase",
    "bookworm-app",
    "bookworm-app-whiteout",
    "rocky9-rpm-fixture",
    "alpine320-apk-fixture",
];

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

/// `workloads` Deployments with an init container and two containers each, cycling over the
/// five images.
fn manifests(workloads: usize) -> String {
    let mut s = String::new();
    for i in 0..workloads {
        let img = |k: usize| {
            format!(
                "registry.example.com/bench/app:{}",
                TAGS[(i + k) % TAGS.len()]
            )
        };
        let _ = write!(
            s,
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: w{i}, namespace: ns{}}}\nspec:\n  template:\n    spec:\n      initContainers:\n        - {{name: init, image: \"{}\"}}\n      containers:\n        - {{name: a, image: \"{}\"}}\n        - {{name: b, image: \"{}\"}}\n",
            i % 10,
            img(0),
            img(1),
            img(2)
        );
    }
    s
}

/// Child mode: one scan; prints `ms findings peak_kib`.
fn child(db: &str, workloads: usize) {
    let text = manifests(workloads);
    let loaded = palisade_model::load_bytes(
        text.as_bytes(),
        "bench.yaml",
        &palisade_model::LoadOptions::default(),
    );
    assert!(loaded.errors.is_empty(), "generated manifests load");
    let t = Instant::now();
    let mut resolver = Resolver::new(true);
    resolver
        .add_mirror(&shared().join("images/oci"))
        .expect("mirror");
    let images = WorkloadImages::new(WorkloadImagesOptions {
        scan: ScanOptions {
            db: Some(PathBuf::from(db)),
            ..Default::default()
        },
        resolver,
        only_fixed: false,
    })
    .expect("evaluator");
    let engine =
        Engine::new(&Config::default(), vec![Box::new(images)], Date::today()).expect("engine");
    let scan = engine.run(loaded.objects, Vec::new(), Vec::new());
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    let errors = scan
        .findings
        .iter()
        .filter(|f| scan.rule(f).id == "image-scan-error")
        .count();
    assert_eq!(errors, 0, "every image is found in the mirror");
    println!("{ms:.0} {} {}", scan.findings.len(), peak_rss_kib());
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        child(&args[i + 1], args[i + 2].parse().expect("workloads"));
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let db_path = dir.path().join("vulndb.sqlite3");
    let v = shared().join("vulndata");
    let db = palisade_vulndb::VulnDb::open(&db_path).expect("db");
    db.import(&[
        v.join("pypa/vulns"),
        v.join("rustsec/crates"),
        v.join("govulndb/data/osv"),
    ])
    .expect("import");
    drop(db);
    println!(
        "| workloads | containers | distinct images | threads | wall (ms) | findings | peak RSS (MiB) |"
    );
    println!("|---|---|---|---|---|---|---|");
    let exe = std::env::current_exe().expect("current exe");
    for workloads in [5usize, 1000] {
        for threads in ["2", "1"] {
            let out = Command::new(&exe)
                .args([
                    "--child",
                    &db_path.display().to_string(),
                    &workloads.to_string(),
                ])
                .env("RAYON_NUM_THREADS", threads)
                .output()
                .expect("child");
            let text = String::from_utf8_lossy(&out.stdout);
            let f: Vec<&str> = text.split_whitespace().collect();
            if !out.status.success() || f.len() < 3 {
                println!(
                    "| {workloads} | | | {threads} | failed: {} | | |",
                    String::from_utf8_lossy(&out.stderr).trim()
                );
                continue;
            }
            let mib = f[2].parse::<f64>().unwrap_or(0.0) / 1024.0;
            println!(
                "| {workloads} | {} | {} | {threads} | {} | {} | {mib:.0} |",
                workloads * 3,
                TAGS.len(),
                f[0],
                f[1]
            );
        }
    }
}
