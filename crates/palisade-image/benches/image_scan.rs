//! End-to-end image scanning benchmark: for each test image in `shared/images`, the time and
//! peak RSS of a full scan (layers, inventory, secrets, vulnerability matching against all of
//! `shared/vulndata` imported into a fresh database). Each image runs in its own child process
//! so its peak RSS is its own. Run with `cargo bench -p palisade-image`.

use palisade_image::{ScanOptions, Scanner};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const RUNS: usize = 3;

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

/// Child mode: scan one image RUNS times (fresh scanner each time, so no cache) and print
/// `best_ms median_ms peak_kib packages vulns secrets`.
fn child(db: &str, image: &str) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..RUNS {
        let t = Instant::now();
        let scanner = Scanner::new(ScanOptions {
            db: Some(PathBuf::from(db)),
            ..Default::default()
        })
        .expect("scanner");
        let r = scanner.scan(image).expect("scan");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        last = Some(r);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let r = last.expect("at least one run");
    println!(
        "{:.0} {:.0} {} {} {} {}",
        times[0],
        times[RUNS / 2],
        peak_rss_kib(),
        r.packages.len(),
        r.vulnerabilities.len(),
        r.secrets.len()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        child(&args[i + 1], &args[i + 2]);
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let db_path = dir.path().join("vulndb.sqlite3");
    let v = shared().join("vulndata");
    let t = Instant::now();
    let db = palisade_vulndb::VulnDb::open(&db_path).expect("db");
    db.import(&[
        v.join("pypa/vulns"),
        v.join("rustsec/crates"),
        v.join("govulndb/data/osv"),
    ])
    .expect("import");
    drop(db);
    println!(
        "database import (all of shared/vulndata): {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let images = shared().join("images");
    let oci = images.join("oci");
    let cases = [
        (
            "bookworm-minbase",
            format!("oci:{}:bookworm-minbase", oci.display()),
        ),
        (
            "bookworm-app",
            format!("oci:{}:bookworm-app", oci.display()),
        ),
        (
            "bookworm-app-whiteout",
            format!("oci:{}:bookworm-app-whiteout", oci.display()),
        ),
        (
            "rocky9-rpm-fixture",
            format!("oci:{}:rocky9-rpm-fixture", oci.display()),
        ),
        (
            "alpine320-apk-fixture",
            format!("oci:{}:alpine320-apk-fixture", oci.display()),
        ),
        (
            "alpine320-handmade (docker-archive)",
            format!(
                "docker-archive:{}",
                images.join("alpine320-handmade.docker.tar").display()
            ),
        ),
    ];
    println!(
        "| image | best (ms) | median of {RUNS} (ms) | peak RSS (MiB) | packages | vulnerabilities | secrets |"
    );
    println!("|---|---|---|---|---|---|---|");
    let exe = std::env::current_exe().expect("current exe");
    for (name, image) in cases {
        let out = Command::new(&exe)
            .args(["--child", &db_path.display().to_string(), &image])
            .output()
            .expect("child");
        let text = String::from_utf8_lossy(&out.stdout);
        let f: Vec<&str> = text.split_whitespace().collect();
        if !out.status.success() || f.len() < 6 {
            println!(
                "| {name} | failed: {} | | | | | |",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            continue;
        }
        let mib = f[2].parse::<f64>().unwrap_or(0.0) / 1024.0;
        println!(
            "| {name} | {} | {} | {mib:.0} | {} | {} | {} |",
            f[0], f[1], f[3], f[4], f[5]
        );
    }
}
