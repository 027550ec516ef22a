//! Where a namespace's labels come from: a watch on the Kubernetes API when there is one, the
//! config's `webhook.namespaces` otherwise (and as the fallback for namespaces the API does not
//! know).

use crate::metrics::Metrics;
use palisade_kube::{NamespaceLabels, Progress};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NamespaceSource {
    /// `webhook.namespaces` in the config only.
    Config,
    /// A watch on Namespaces through this kubeconfig, or (`None`) the in-cluster service
    /// account / `KUBECONFIG`; the config still answers for namespaces the API does not know.
    Api { kubeconfig: Option<PathBuf> },
}

/// The labels the API server gave, when the webhook watches it.
#[derive(Clone, Default)]
pub(crate) struct ApiLabels(Option<NamespaceLabels>);

impl ApiLabels {
    /// Connects and starts the watch on the current runtime. A bad kubeconfig fails here;
    /// an unreachable or refusing API server only delays readiness (the watch retries).
    pub(crate) async fn start(source: &NamespaceSource, metrics: &Metrics) -> Result<Self, String> {
        let NamespaceSource::Api { kubeconfig } = source else {
            return Ok(ApiLabels(None));
        };
        let client = palisade_kube::client(kubeconfig.as_deref()).await?;
        let (known, errors) = (
            metrics.namespaces.clone(),
            metrics.namespace_watch_errors.clone(),
        );
        let listed_once = AtomicBool::new(false);
        let (labels, task) = NamespaceLabels::watch(client, move |p| match p {
            Progress::Listed { namespaces } => {
                known.set(namespaces as i64);
                let again = listed_once.swap(true, Ordering::Relaxed);
                eprintln!(
                    "palisade webhook: {} {namespaces} namespaces from the Kubernetes API{}",
                    if again { "re-listed" } else { "listed" },
                    if again { "" } else { "; ready" }
                );
            }
            Progress::Changed { namespaces } => {
                known.set(namespaces as i64);
            }
            Progress::Failed { error } => {
                errors.inc();
                let meanwhile = if listed_once.load(Ordering::Relaxed) {
                    "the last known namespace labels stay in use"
                } else {
                    "not ready until the namespaces are listed"
                };
                eprintln!(
                    "palisade webhook: error: namespace watch: {error}; retrying with backoff, \
                     {meanwhile}"
                );
            }
        });
        tokio::spawn(task);
        Ok(ApiLabels(Some(labels)))
    }

    /// Whether admission may be judged: always with config labels; with the API, once its
    /// first list of namespaces has arrived.
    pub(crate) fn ready(&self) -> bool {
        self.0.as_ref().is_none_or(NamespaceLabels::synced)
    }

    /// For a namespace the watch has not delivered (created a moment ago, say), its labels read
    /// straight from the API server within `wait`; `None` when the store already knows it, the
    /// API does not, or the read fails or takes too long (the config then answers).
    pub(crate) async fn fetch_unseen(
        &self,
        namespace: &str,
        wait: Duration,
    ) -> Option<BTreeMap<String, String>> {
        let l = self.0.as_ref()?;
        if namespace.is_empty() || !l.synced() || l.labels(namespace).is_some() {
            return None;
        }
        match tokio::time::timeout(wait, l.fetch(namespace)).await {
            Ok(Ok(found)) => found,
            Ok(Err(e)) => {
                eprintln!("palisade webhook: warning: {e}");
                None
            }
            Err(_) => None,
        }
    }

    /// The API's labels for `namespace`; `None` lets the config answer.
    pub(crate) fn labels(&self, namespace: &str) -> Option<BTreeMap<String, String>> {
        self.0.as_ref().and_then(|l| l.labels(namespace))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_config_labels_only_it_is_ready_and_leaves_labels_to_the_config() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let metrics = Metrics::default();
        let api = rt
            .block_on(ApiLabels::start(&NamespaceSource::Config, &metrics))
            .expect("no client needed");
        assert!(api.ready());
        assert_eq!(api.labels("prod"), None);
    }

    #[test]
    fn an_unusable_kubeconfig_stops_the_start() {
        let dir = std::env::temp_dir().join(format!("palisade-ns-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("tmp");
        let kc = dir.join("kubeconfig");
        std::fs::write(&kc, "apiVersion: v1\nkind: Config\nclusters: [}\n").expect("write");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let source = NamespaceSource::Api {
            kubeconfig: Some(kc.clone()),
        };
        let err = match rt.block_on(ApiLabels::start(&source, &Metrics::default())) {
            Ok(_) => panic!("started from a broken kubeconfig"),
            Err(e) => e,
        };
        assert!(err.contains(&kc.display().to_string()), "{err}");
    }
}
