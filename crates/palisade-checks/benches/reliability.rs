//! Cost of the resource, reliability and hygiene checks (the ones that join workloads with
//! Services, PodDisruptionBudgets and HorizontalPodAutoscalers) on a generated corpus.
//!
//! `cargo bench -p palisade-checks --bench reliability [-- APPS]` (default 4,000 apps = 20,000
//! objects). Two layouts: every app in one namespace (the worst case for the joins) and apps
//! spread over 50 namespaces. Prints CPU time per object and the slowest checks.

use palisade_checks::{Check, Ctx, default_params, rules};
use palisade_model::{CustomWorkloads, Index, Node, Object, Source};
use std::time::{Duration, Instant};

/// The checks this bench covers (sections 5.2, 5.3 and 5.8 of the catalogue notes).
const IDS: &[&str] = &[
    "cpu-limits-missing",
    "cpu-requests-equal-limits",
    "cpu-requests-missing",
    "cronjob-starting-deadline",
    "dangling-servicemonitor",
    "deprecated-api-version",
    "dnsconfig-options",
    "duplicate-env-var",
    "env-value-from",
    "ephemeral-storage-limits-missing",
    "ephemeral-storage-requests-equal-limits",
    "ephemeral-storage-requests-missing",
    "forbidden-annotations",
    "hpa-min-equals-max",
    "hpa-min-replicas",
    "hpa-target-missing",
    "hpa-target-sets-replicas",
    "invalid-ports",
    "invalid-topology-spread-constraint",
    "job-restart-policy",
    "job-ttl-seconds-after-finished",
    "label-values",
    "liveness-probe-missing",
    "memory-limits-missing",
    "memory-requests-equal-limits",
    "memory-requests-missing",
    "metadata-instance-mismatch",
    "minimum-replicas",
    "mismatching-selector",
    "missing-pod-disruption-budget",
    "no-anti-affinity",
    "no-node-affinity",
    "pdb-blocks-evictions",
    "pdb-min-available-exceeds-hpa-min",
    "pdb-missing-policy",
    "pdb-unhealthy-pod-eviction-policy",
    "priority-class-name",
    "probe-port-not-exposed",
    "probes-identical",
    "readiness-probe-missing",
    "required-annotations",
    "required-labels",
    "restart-policy",
    "rolling-update-strategy",
    "scc-privileged-container",
    "sorted-keys",
    "statefulset-service-name",
    "topology-spread-constraint",
    "use-namespace",
];

fn corpus(apps: usize, namespaces: usize) -> Vec<Object> {
    let mut out = Vec::with_capacity(apps * 5);
    for i in 0..apps {
        let app = format!("app-{i}");
        let ns = format!("team-{}", i % namespaces);
        let docs = [
            serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": app, "namespace": ns, "labels": {"app.kubernetes.io/name": app}},
                "spec": {"replicas": 3, "selector": {"matchLabels": {"app": app}},
                "template": {"metadata": {"labels": {"app": app, "tier": "web"}}, "spec": {
                    "initContainers": [{"name": "init", "image": "busybox:1.36"}],
                    "containers": [
                        {"name": "app", "image": "registry.example.com/app:1.0",
                         "ports": [{"containerPort": 8080, "name": "http"}],
                         "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                         "resources": {"requests": {"cpu": "100m", "memory": "128Mi"},
                                       "limits": {"cpu": "1", "memory": "128Mi"}},
                         "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}},
                         "livenessProbe": {"httpGet": {"path": "/live", "port": "http"}}},
                        {"name": "sidecar", "image": "registry.example.com/proxy:2.0"}]}}}}),
            serde_json::json!({"apiVersion": "v1", "kind": "Service",
                "metadata": {"name": app, "namespace": ns},
                "spec": {"selector": {"app": app}, "ports": [{"port": 80, "targetPort": "http"}]}}),
            serde_json::json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
                "metadata": {"name": app, "namespace": ns},
                "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": app}}}}),
            serde_json::json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                "metadata": {"name": app, "namespace": ns},
                "spec": {"minReplicas": 2, "maxReplicas": 6, "scaleTargetRef":
                    {"apiVersion": "apps/v1", "kind": "Deployment", "name": app}}}),
            serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": app, "namespace": ns}, "data": {"LOG_LEVEL": "info"}}),
        ];
        out.extend(
            docs.iter()
                .map(|d| Object::new(Node::from_json(d), Source::new("gen.yaml", 0))),
        );
    }
    out
}

/// CPU time of this process (user + system) from /proc, in seconds; `None` off Linux. Wall time
/// on the shared machine is several times the CPU time, so both are printed.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may contain spaces).
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn run(label: &str, objects: &[Object], checks: &[&'static dyn Check]) {
    let cpu_start = cpu_seconds();
    let custom = CustomWorkloads::default();
    let index = Index::new(objects, &custom);
    let mut per_check: Vec<(Duration, &str, usize)> = Vec::new();
    for c in checks {
        let params = default_params(c.meta());
        let ctx = Ctx::new(&index, &params);
        let start = Instant::now();
        let mut diags = Vec::new();
        for o in objects {
            c.run(o, &ctx, &mut diags);
        }
        per_check.push((start.elapsed(), c.meta().id, diags.len()));
    }
    let cpu = cpu_start.zip(cpu_seconds()).map(|(a, b)| b - a);
    let total: Duration = per_check.iter().map(|r| r.0).sum();
    let diags: usize = per_check.iter().map(|r| r.2).sum();
    println!(
        "{label}: {} objects, {} checks, wall {:.2?} = {:.1} µs per object; CPU {} ({diags} diagnostics)",
        objects.len(),
        checks.len(),
        total,
        total.as_secs_f64() * 1e6 / objects.len() as f64,
        cpu.map_or("n/a".to_string(), |c| format!(
            "{c:.2} s = {:.1} µs per object (index included)",
            c * 1e6 / objects.len() as f64
        ))
    );
    per_check.sort_by_key(|r| std::cmp::Reverse(r.0));
    for (t, id, n) in per_check.iter().take(8) {
        println!("  {t:>10.2?}  {id} ({n} diagnostics)");
    }
}

fn main() {
    let apps: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(4000);
    let checks: Vec<&'static dyn Check> = rules::ALL
        .iter()
        .copied()
        .filter(|c| IDS.contains(&c.meta().id))
        .collect();
    run("one namespace", &corpus(apps, 1), &checks);
    run("50 namespaces", &corpus(apps, 50), &checks);
}
