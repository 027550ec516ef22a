//! `/metrics` in the Prometheus text format.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub endpoint: String,
    pub code: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct EndpointLabels {
    pub endpoint: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DecisionLabels {
    pub check: String,
    pub namespace: String,
    pub decision: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReloadLabels {
    pub what: String,
    pub result: String,
}

pub struct Metrics {
    registry: Registry,
    pub requests: Family<RequestLabels, Counter>,
    pub latency: Family<EndpointLabels, Histogram>,
    pub decisions: Family<DecisionLabels, Counter>,
    pub reloads: Family<ReloadLabels, Counter>,
    pub rules: Gauge,
    /// Namespaces known from the Kubernetes API (0 when labels come from the config only).
    pub namespaces: Gauge,
    pub namespace_watch_errors: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("palisade_webhook");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "requests",
            "Admission requests by endpoint and HTTP status",
            requests.clone(),
        );
        // 50 µs to ~1.6 s.
        let latency = Family::<EndpointLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.00005, 2.0, 16))
        });
        registry.register(
            "request_duration_seconds",
            "Time from the request's arrival to its answer",
            latency.clone(),
        );
        let decisions = Family::<DecisionLabels, Counter>::default();
        registry.register(
            "decisions",
            "Findings by check, namespace and what they did (deny, warn, audit, exempt, patch)",
            decisions.clone(),
        );
        let reloads = Family::<ReloadLabels, Counter>::default();
        registry.register(
            "reloads",
            "Reloads of config, policies and certificates, by result",
            reloads.clone(),
        );
        let rules = Gauge::default();
        registry.register("rules", "Rules loaded", rules.clone());
        let namespaces = Gauge::default();
        registry.register(
            "namespaces",
            "Namespaces whose labels are known from the Kubernetes API",
            namespaces.clone(),
        );
        let namespace_watch_errors = Counter::default();
        registry.register(
            "namespace_watch_errors",
            "Failed lists or watches of Namespaces (each is retried with backoff)",
            namespace_watch_errors.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            decisions,
            reloads,
            rules,
            namespaces,
            namespace_watch_errors,
        }
    }
}

impl Metrics {
    pub fn reload(&self, what: &str, ok: bool) {
        self.reloads
            .get_or_create(&ReloadLabels {
                what: what.into(),
                result: if ok { "ok" } else { "error" }.into(),
            })
            .inc();
    }

    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}
