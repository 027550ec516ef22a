//! CPU cost of one admission decision, without TLS or HTTP: `cargo bench -p palisade-webhook
//! --bench decide`. Same set-up as the load bench (crates/palisade/benches/webhook_load.rs): the
//! whole catalogue, PSS restricted and ten Gatekeeper templates; every object of
//! examples/insecure and examples/hardened is judged as a CREATE, many times over. Prints the
//! median and p99 per object and the mean per decision, which bounds the webhook's throughput
//! (two cores: 2 s of CPU per second of wall time). Figures go to docs/performance.md.

use palisade_engine::{Config, Date, Overrides};
use palisade_model::{LoadOptions, load_bytes};
use palisade_webhook::review::{Decider, Mode, Request};
use std::path::Path;
use std::time::Instant;

#[path = "support/policies.rs"]
mod policies;
use policies::POLICIES;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted
        .get(((sorted.len().saturating_sub(1)) as f64 * p).round() as usize)
        .copied()
        .unwrap_or(f64::NAN)
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let library = root.join("../../../shared/corpora/gatekeeper-library/library");
    let mut policies = Vec::new();
    for (dir, sample) in POLICIES {
        policies.push(library.join(dir).join("template.yaml"));
        policies.push(
            library
                .join(dir)
                .join("samples")
                .join(sample)
                .join("constraint.yaml"),
        );
    }
    let overrides = Overrides {
        pss: Some("restricted".into()),
        policies,
    };
    let decider = Decider::new(&Config::default(), &overrides, None, Date::today())
        .expect("the bench's policies load");
    assert!(
        decider.warnings.is_empty(),
        "policy problems: {:?}",
        decider.warnings
    );

    let mut bodies = Vec::new();
    for example in ["insecure", "hardened"] {
        let file = root.join("../../examples").join(example).join("app.yaml");
        let bytes = std::fs::read(&file).expect("examples/ are in the repository");
        for obj in load_bytes(&bytes, "app.yaml", &LoadOptions::default()).objects {
            let ns = obj.namespace().unwrap_or("default").to_string();
            let mut objects = vec![(
                obj.kind().to_string(),
                obj.name().to_string(),
                obj.root.to_json(),
            )];
            // The pods a Deployment creates are reviewed too (and are what the PSP templates match).
            if let Some(t) = obj.root.path(&["spec", "template"]) {
                let mut pod = t.to_json();
                pod["apiVersion"] = "v1".into();
                pod["kind"] = "Pod".into();
                pod["metadata"]["name"] = format!("{}-7d4b9c-x2x9z", obj.name()).into();
                objects.push(("Pod".into(), obj.name().to_string(), pod));
            }
            for (kind, name, object) in objects {
                let review = serde_json::json!({
                    "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                    "request": {"uid": "u", "operation": "CREATE", "namespace": ns,
                        "object": object}});
                let label = format!("{example}/{kind}/{name}");
                bodies.push((label, serde_json::to_vec(&review).expect("JSON")));
            }
        }
    }

    let rounds = std::env::args()
        .skip_while(|a| a != "--rounds")
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(400usize);
    let no_labels = |_: &str| None;
    // Warm-up: pools, caches and lazily compiled regexes.
    for (_, body) in &bodies {
        let req = Request::parse(body).expect("valid review");
        let _ = decider.decide(&req, Mode::Validate, &no_labels);
    }
    let mut all = Vec::new();
    println!(
        "decide: all checks, PSS restricted, {} Gatekeeper templates; {rounds} rounds",
        POLICIES.len()
    );
    let start = Instant::now();
    for (label, body) in &bodies {
        let mut times = Vec::with_capacity(rounds);
        let mut allowed = true;
        for _ in 0..rounds {
            let t = Instant::now();
            let req = Request::parse(body).expect("valid review");
            let out = decider.decide(&req, Mode::Validate, &no_labels);
            let _ = serde_json::to_vec(&out.review);
            times.push(t.elapsed().as_secs_f64() * 1e6);
            allowed = out.allowed;
        }
        times.sort_by(f64::total_cmp);
        println!(
            "  {label:<45} {:>5} B  median {:>7.1} µs  p99 {:>7.1} µs  {}",
            body.len(),
            percentile(&times, 0.5),
            percentile(&times, 0.99),
            if allowed { "allowed" } else { "denied" }
        );
        all.extend(times);
    }
    let total = start.elapsed().as_secs_f64();
    all.sort_by(f64::total_cmp);
    println!(
        "  all {} decisions: mean {:.1} µs, median {:.1} µs, p99 {:.1} µs ({:.0} decisions per core-second)",
        all.len(),
        total * 1e6 / all.len() as f64,
        percentile(&all, 0.5),
        percentile(&all, 0.99),
        all.len() as f64 / total
    );
}
