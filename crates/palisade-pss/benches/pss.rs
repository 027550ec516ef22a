//! Pod evaluations per second and heap allocations per pod, over generated mixed pods.
//!
//! `cargo bench -p palisade-pss` (set `PSS_BENCH_PODS` to change the count, default 100,000).
//! Counts every allocation through a wrapping global allocator.

use palisade_model::{CustomWorkloads, Node, Object, Source};
use palisade_pss::{Decoded, LevelVersion};
use serde_json::json;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

struct Counting;
static ALLOCS: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// A small deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

fn container(r: &mut Rng, name: String) -> serde_json::Value {
    let mut sc = json!({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}});
    if r.chance(8) {
        sc["allowPrivilegeEscalation"] = json!(true);
    }
    if r.chance(5) {
        sc["privileged"] = json!(true);
    }
    if r.chance(5) {
        sc["capabilities"]["add"] = json!(["NET_ADMIN"]);
    }
    if r.chance(3) {
        sc["runAsUser"] = json!(0);
    }
    let mut c = json!({"name": name, "image": "registry.example/app:1.2.3", "securityContext": sc,
        "ports": [{"containerPort": 8080}],
        "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080}},
        "resources": {"limits": {"cpu": "1", "memory": "256Mi"}}});
    if r.chance(3) {
        c["ports"][0]["hostPort"] = json!(8080);
    }
    c
}

fn pod(r: &mut Rng, i: usize) -> Object {
    let n = 1 + (r.next() % 3) as usize;
    let containers: Vec<_> = (0..n).map(|k| container(r, format!("c{k}"))).collect();
    let mut spec = json!({
        "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": containers,
        "volumes": [{"name": "data", "emptyDir": {}}, {"name": "cfg", "configMap": {"name": "cfg"}}],
    });
    if r.chance(30) {
        spec["initContainers"] = json!([container(r, "init".into())]);
    }
    if r.chance(4) {
        spec["hostNetwork"] = json!(true);
    }
    if r.chance(4) {
        spec["volumes"][0] = json!({"name": "host", "hostPath": {"path": "/var/run"}});
    }
    if r.chance(4) {
        spec["securityContext"] = json!({});
    }
    let (kind, api, body) = if i.is_multiple_of(2) {
        ("Pod", "v1", json!({"spec": spec}))
    } else {
        (
            "Deployment",
            "apps/v1",
            json!({"spec": {"replicas": 2, "template": {"metadata": {"labels": {"app": "a"}}, "spec": spec}}}),
        )
    };
    let mut o = json!({"apiVersion": api, "kind": kind, "metadata": {"name": format!("w{i}"), "namespace": "ns"}});
    o["spec"] = body["spec"].clone();
    Object::new(Node::from_json(&o), Source::new("bench.yaml", i as u32))
}

/// CPU time of this thread in seconds (Linux `/proc/thread-self/schedstat`), so figures hold on a
/// loaded shared machine; `None` elsewhere.
fn cpu_secs() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

fn main() {
    let count: usize = std::env::var("PSS_BENCH_PODS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    let objects: Vec<Object> = (0..count).map(|i| pod(&mut r, i)).collect();
    let custom = CustomWorkloads::default();
    // The generated objects are valid: any input problem would be a generator (or decoder) bug.
    if let Some(p) = objects
        .iter()
        .filter_map(|o| Decoded::of(o, &custom))
        .flat_map(|d| d.problems)
        .next()
    {
        eprintln!("generated object has an input problem: {}", p.message);
        std::process::exit(1);
    }
    let policies: [(&str, LevelVersion); 3] = [
        (
            "restricted:latest",
            "restricted:latest".parse().expect("valid"),
        ),
        ("baseline:latest", "baseline:latest".parse().expect("valid")),
        (
            "restricted:v1.24",
            "restricted:v1.24".parse().expect("valid"),
        ),
    ];
    println!(
        "PSS benchmark: {count} generated objects (half Pods, half Deployments; 1-3 containers, 30% with an init container)"
    );
    for (name, lv) in policies {
        for round in 0..2 {
            let (mut denied, mut allowed_allocs, mut allowed_n) = (0usize, 0u64, 0u64);
            let a0 = ALLOCS.load(Ordering::Relaxed);
            let (t, c0) = (Instant::now(), cpu_secs());
            for o in &objects {
                let before = ALLOCS.load(Ordering::Relaxed);
                let Some(d) = Decoded::of(o, &custom) else {
                    continue;
                };
                let e = d.evaluate(lv);
                if e.allowed() {
                    allowed_allocs += ALLOCS.load(Ordering::Relaxed) - before;
                    allowed_n += 1;
                } else {
                    denied += 1;
                }
                std::hint::black_box(&e);
            }
            let wall = t.elapsed().as_secs_f64();
            let cpu = c0.zip(cpu_secs()).map_or(wall, |(a, b)| b - a);
            let allocs = ALLOCS.load(Ordering::Relaxed) - a0;
            if round == 1 {
                println!(
                    "{name:<18} {:>9.0} pods/CPU-s ({:>9.0} pods/s wall)  {:>6.3} µs CPU/pod  denied {:>5.1}%  allocs/pod {:>6.2} (allowed pods: {:.2})",
                    count as f64 / cpu,
                    count as f64 / wall,
                    cpu * 1e6 / count as f64,
                    denied as f64 * 100.0 / count as f64,
                    allocs as f64 / count as f64,
                    allowed_allocs as f64 / allowed_n.max(1) as f64,
                );
            }
        }
    }
    // Verdict only (no messages): what an admission-style allow/deny needs.
    let lv: LevelVersion = "restricted:latest".parse().expect("valid");
    let (t, c0) = (Instant::now(), cpu_secs());
    let mut allowed = 0usize;
    for o in &objects {
        if Decoded::of(o, &custom).is_some_and(|d| d.allowed(lv)) {
            allowed += 1;
        }
    }
    let wall = t.elapsed().as_secs_f64();
    let cpu = c0.zip(cpu_secs()).map_or(wall, |(a, b)| b - a);
    println!(
        "verdict only       {:>9.0} pods/CPU-s ({:>9.0} pods/s wall)  ({allowed} allowed)",
        count as f64 / cpu,
        count as f64 / wall
    );
}
