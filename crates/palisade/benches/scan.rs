//! End-to-end scan benchmark (a bench binary, not a timed test):
//! `cargo bench -p palisade --bench scan` generates a realistic corpus of 20,000+ objects,
//! then measures in fresh processes (so peak RSS is the scan's own):
//! - `parse`: reading and parsing every file (the floor),
//! - `scan`: parse + index + every built-in check + exemptions/owners + the JSON report.
//!
//! The same runs over the YAML under ../shared/corpora. Prints objects/s, MB/s, peak RSS and
//! the scan/parse ratio. Figures go to docs/performance.md.

use palisade_engine::{Config, Date, Engine};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// A `/proc/self/status` figure in kB: `VmHWM` (peak RSS) or `VmRSS` (current).
fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.strip_prefix(field).is_some_and(|r| r.starts_with(':')))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// CPU seconds used by this process so far: the sum over its threads of
/// `/proc/self/task/*/schedstat` (nanoseconds on a CPU). Steadier than wall time on a shared
/// machine, so it is printed beside it to compare two builds.
fn cpu_secs() -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return f64::NAN;
    };
    tasks
        .filter_map(Result::ok)
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .sum::<f64>()
        / 1e9
}

fn peak_rss_kb() -> u64 {
    status_kb("VmHWM")
}

/// kB (as /proc reports them, 1024 bytes) to MB (10^6 bytes), the unit of the input size.
fn mb(kb: u64) -> f64 {
    kb as f64 * 1024.0 / 1e6
}

fn deployment(i: usize, ns: &str, hardened: bool) -> String {
    let sc = if hardened {
        "\n          securityContext:\n            runAsNonRoot: true\n            allowPrivilegeEscalation: false\n            readOnlyRootFilesystem: true\n            capabilities:\n              drop: [\"ALL\"]"
    } else {
        ""
    };
    let res = if hardened {
        "\n          resources:\n            requests: {cpu: 100m, memory: 128Mi}\n            limits: {cpu: 500m, memory: 256Mi}\n          livenessProbe:\n            httpGet: {path: /healthz, port: 8080}\n          readinessProbe:\n            httpGet: {path: /ready, port: 8080}"
    } else {
        ""
    };
    let mut containers = String::new();
    for c in 0..(2 + i % 3) {
        containers.push_str(&format!(
            "\n        - name: c{c}\n          image: registry.example.com/team{}/svc{i}:1.{c}.{}\n          ports:\n            - containerPort: {}\n          env:\n            - name: MODE\n              value: production\n            - name: LOG_LEVEL\n              value: info{sc}{res}",
            i % 17,
            i % 9,
            8080 + c
        ));
    }
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n  namespace: {ns}\n  labels:\n    app: app-{i}\n    team: team-{}\nspec:\n  replicas: {}\n  selector:\n    matchLabels:\n      app: app-{i}\n  template:\n    metadata:\n      labels:\n        app: app-{i}\n        team: team-{}\n    spec:\n      serviceAccountName: sa-{i}\n      containers:{containers}\n",
        i % 17,
        1 + i % 4,
        i % 17
    )
}

fn generate(dir: &Path, target_objects: usize) -> (usize, u64) {
    std::fs::create_dir_all(dir).expect("corpus dir");
    let mut objects = 0;
    let mut bytes = 0u64;
    let mut file = String::new();
    let mut fileno = 0;
    let mut i = 0;
    while objects < target_objects {
        let ns = format!("ns-{}", i % 40);
        let docs = [
            deployment(i, &ns, i % 3 == 0),
            format!(
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: app-{i}\n  namespace: {ns}\nspec:\n  selector:\n    app: app-{i}\n  ports:\n    - port: 80\n      targetPort: 8080\n"
            ),
            format!(
                "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa-{i}\n  namespace: {ns}\n"
            ),
            format!(
                "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: role-{i}\n  namespace: {ns}\nrules:\n  - apiGroups: [\"\"]\n    resources: [\"configmaps\"]\n    verbs: [\"get\", \"list\"]\n"
            ),
            format!(
                "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: rb-{i}\n  namespace: {ns}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: role-{i}\nsubjects:\n  - kind: ServiceAccount\n    name: sa-{i}\n    namespace: {ns}\n"
            ),
            format!(
                "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np-{i}\n  namespace: {ns}\nspec:\n  podSelector:\n    matchLabels:\n      app: app-{i}\n  policyTypes: [Ingress]\n  ingress:\n    - from:\n        - podSelector:\n            matchLabels:\n              app: app-{}\n      ports:\n        - port: 8080\n",
                (i + 1) % 1000
            ),
        ];
        for d in docs {
            file.push_str("---\n");
            file.push_str(&d);
            objects += 1;
        }
        i += 1;
        if i % 50 == 0 {
            bytes += file.len() as u64;
            std::fs::write(dir.join(format!("f{fileno:04}.yaml")), &file).expect("write corpus");
            fileno += 1;
            file.clear();
        }
    }
    if !file.is_empty() {
        bytes += file.len() as u64;
        std::fs::write(dir.join(format!("f{fileno:04}.yaml")), &file).expect("write corpus");
    }
    (objects, bytes)
}

fn dir_bytes(p: &Path) -> u64 {
    let mut total = 0;
    if let Ok(rd) = std::fs::read_dir(p) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                total += dir_bytes(&p);
            } else if matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            ) {
                total += e.metadata().map(|m| m.len()).unwrap_or(0);
            }
        }
    }
    total
}

/// One measured pass in this process: prints `objects seconds peak_kb`.
fn child(mode: &str, dir: &str) {
    let t = Instant::now();
    let opts = palisade_render::Options::default();
    let loaded = palisade_render::load(&[dir.to_string()], &opts);
    let n = loaded.objects.len();
    if mode == "scan" {
        let parsed = t.elapsed().as_secs_f64();
        let parsed_cpu = cpu_secs();
        let parsed_kb = status_kb("VmRSS");
        let engine = Engine::new(&Config::default(), Vec::new(), Date::today()).expect("engine");
        let scan = engine.run(loaded.objects, loaded.errors, loaded.warnings);
        let checked = t.elapsed().as_secs_f64();
        let checked_cpu = cpu_secs();
        let checked_kb = status_kb("VmRSS");
        let ropts = palisade_report::Options {
            texts: &Default::default(),
            group_by: Default::default(),
            fail_on: palisade_model::Severity::High,
            color: false,
            tool_version: "bench",
        };
        // As `palisade scan --format json > /dev/null` does: the report is streamed out.
        palisade_report::write(
            palisade_report::Format::Json,
            &scan,
            &ropts,
            &mut std::io::sink(),
        )
        .expect("write report");
        let findings = scan.findings.len();
        let steps = scan.timings;
        // As `palisade scan` does: the process ends without freeing the scan piece by piece.
        std::mem::forget(scan);
        eprintln!(
            "    findings: {}; phases: parse {parsed:.4} s, checks {:.4} s (index {:.4}, judge \
             {:.4}, order {:.4}), report {:.4} s; RSS after parse {:.1} MB, after checks {:.1} \
             MB, peak {:.1} MB; CPU: parse {parsed_cpu:.4} s, checks {:.4} s, report {:.4} s",
            findings,
            checked - parsed,
            steps.index.as_secs_f64(),
            steps.judge.as_secs_f64(),
            steps.order.as_secs_f64(),
            t.elapsed().as_secs_f64() - checked,
            mb(parsed_kb),
            mb(checked_kb),
            mb(peak_rss_kb()),
            checked_cpu - parsed_cpu,
            cpu_secs() - checked_cpu,
        );
    } else {
        std::hint::black_box(&loaded.objects);
    }
    println!("{n} {:.4} {}", t.elapsed().as_secs_f64(), peak_rss_kb());
}

/// One fresh process measuring `mode`: (objects, seconds, peak kB).
fn run_child(dir: &Path, mode: &str) -> (usize, f64, u64) {
    let out = Command::new(std::env::current_exe().expect("exe"))
        .args(["--child", mode, dir.to_str().expect("utf-8 path")])
        .stderr(std::process::Stdio::inherit())
        .output()
        .expect("run child");
    let s = String::from_utf8_lossy(&out.stdout);
    let mut it = s.split_whitespace();
    let n: usize = it.next().and_then(|x| x.parse().ok()).unwrap_or(0);
    let secs: f64 = it.next().and_then(|x| x.parse().ok()).unwrap_or(f64::NAN);
    let kb: u64 = it.next().and_then(|x| x.parse().ok()).unwrap_or(0);
    (n, secs, kb)
}

/// Best of five parse-only and five full-scan processes, run in turns: on a shared machine
/// whose speed drifts, measuring all of one and then all of the other skewed the ratio (once
/// to 1.50x, against about 1.7x within the same process).
fn measure(dir: &Path) -> [(usize, f64, u64); 2] {
    let mut best = [(0, f64::INFINITY, 0); 2];
    for _ in 0..5 {
        for (b, mode) in best.iter_mut().zip(["parse", "scan"]) {
            let run = run_child(dir, mode);
            if run.1 < b.1 {
                *b = run;
            }
        }
    }
    best
}

fn report(name: &str, dir: &Path) {
    let bytes = dir_bytes(dir);
    let [(n, parse_s, parse_kb), (_, scan_s, scan_kb)] = measure(dir);
    let input_mb = bytes as f64 / 1e6;
    println!("{name}: {n} objects, {input_mb:.1} MB");
    println!(
        "  parse only : {parse_s:.3} s  {:>9.0} objects/s  {:>6.1} MB/s  peak RSS {:.1} MB",
        n as f64 / parse_s,
        input_mb / parse_s,
        mb(parse_kb)
    );
    println!(
        "  full scan  : {scan_s:.3} s  {:>9.0} objects/s  {:>6.1} MB/s  peak RSS {:.1} MB",
        n as f64 / scan_s,
        input_mb / scan_s,
        mb(scan_kb)
    );
    let budget = 4.0 * input_mb + 30.0;
    println!(
        "  scan/parse : {:.2}x (target 1.5x);  peak RSS {:.1} MB against a budget of \
         4 x input + 30 MB = {budget:.1} MB ({})",
        scan_s / parse_s,
        mb(scan_kb),
        if mb(scan_kb) <= budget { "met" } else { "over" }
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 4 && args[1] == "--child" {
        child(&args[2], &args[3]);
        return;
    }
    let dir: PathBuf = std::env::temp_dir().join("palisade-bench-corpus");
    let _ = std::fs::remove_dir_all(&dir);
    let (objects, bytes) = generate(&dir, 20_000);
    println!(
        "generated {objects} objects, {:.1} MB in {}",
        bytes as f64 / 1e6,
        dir.display()
    );
    println!("threads: {}", rayon::current_num_threads());
    report("generated corpus", &dir);
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora");
    if shared.is_dir() {
        report("../shared/corpora", &shared);
    }
}
