//! Access to the Kubernetes API: the client set-up shared by every command that talks to a
//! cluster, and a watched, in-memory store of Namespace labels for the admission webhook.
//!
//! The store is kube-rs's `reflector` fed by a `watcher` on Namespaces: one list, then a watch
//! that is resumed (and re-listed when the API server has forgotten its resourceVersion) with
//! exponential backoff. Lookups are synchronous and never wait for the network.

use futures::{Stream, StreamExt};
use k8s_openapi::api::core::v1::Namespace;
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Api, Client, Config};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

pub use kube::Client as KubeClient;

/// True inside a pod: the kubelet sets `KUBERNETES_SERVICE_HOST` for every container, and the
/// service-account token then gives `Config::infer` its credentials.
pub fn in_cluster() -> bool {
    std::env::var_os("KUBERNETES_SERVICE_HOST").is_some_and(|v| !v.is_empty())
}

/// A client from the kubeconfig file given, or else as kubectl finds one: `KUBECONFIG`,
/// `~/.kube/config`, then the pod's service account. Needs a Tokio runtime (the client spawns
/// its request buffer).
pub async fn client(kubeconfig: Option<&Path>) -> Result<Client, String> {
    // kube builds its TLS config with the process-wide provider; ring is the workspace's one.
    // An error only means a provider is installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = match kubeconfig {
        Some(path) => {
            let kc = Kubeconfig::read_from(path).map_err(|e| {
                format!(
                    "{}: cannot read the kubeconfig: {e}; give a kubectl config file",
                    path.display()
                )
            })?;
            Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
                .await
                .map_err(|e| format!("{}: unusable kubeconfig: {e}", path.display()))?
        }
        None => Config::infer().await.map_err(|e| {
            format!(
                "cannot find the Kubernetes API ({e}); run inside a cluster with a service \
                 account, or give --kubeconfig FILE"
            )
        })?,
    };
    let url = config.cluster_url.clone();
    Client::try_from(config).map_err(|e| format!("cannot create a client for {url}: {e}"))
}

/// What the watch reports as it goes, for logs and metrics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    /// A full list was received and the store now holds these many namespaces; the first one
    /// makes the store ready.
    Listed { namespaces: usize },
    /// A namespace was added, changed or deleted; the store now holds these many.
    Changed { namespaces: usize },
    /// The list or watch failed; it is retried with backoff while the last known labels stay
    /// in use.
    Failed { error: String },
}

/// Namespace labels as the API server knows them. Cheap to clone (shared state).
#[derive(Clone)]
pub struct NamespaceLabels {
    store: Store<Namespace>,
    synced: Arc<AtomicBool>,
    errors: Arc<AtomicU64>,
    /// For single reads of namespaces the watch has not delivered yet.
    api: Option<Api<Namespace>>,
}

impl NamespaceLabels {
    /// Starts watching Namespaces through `client`. The returned future drives the watch and
    /// never ends: spawn it. `on_progress` is called from that task.
    pub fn watch(
        client: Client,
        on_progress: impl Fn(Progress) + Send + 'static,
    ) -> (NamespaceLabels, impl Future<Output = ()> + Send + 'static) {
        let api = Api::<Namespace>::all(client);
        let events = watcher(api.clone(), watcher::Config::default());
        let (mut labels, task) = NamespaceLabels::from_events(events, on_progress);
        labels.api = Some(api);
        (labels, task)
    }

    /// The store fed by any stream of watcher events (the API's, or a test's).
    fn from_events<S>(
        events: S,
        on_progress: impl Fn(Progress) + Send + 'static,
    ) -> (NamespaceLabels, impl Future<Output = ()> + Send + 'static)
    where
        S: Stream<Item = Result<watcher::Event<Namespace>, watcher::Error>> + Send + 'static,
    {
        let (store, writer) = reflector::store();
        let labels = NamespaceLabels {
            store,
            synced: Arc::new(AtomicBool::new(false)),
            errors: Arc::new(AtomicU64::new(0)),
            api: None,
        };
        let (synced, errors, reader) = (
            Arc::clone(&labels.synced),
            Arc::clone(&labels.errors),
            labels.store.clone(),
        );
        // Backoff between failed attempts (0.8 s doubling to 30 s, with jitter): the watcher
        // itself retries on the next poll.
        // Only names and labels are kept: managed fields and annotations can be most of a
        // Namespace's size, and a cluster may have thousands.
        let slim = events.modify(|ns: &mut Namespace| {
            ns.metadata.managed_fields = None;
            ns.metadata.annotations = None;
            ns.spec = None;
            ns.status = None;
        });
        let stream = reflector::reflector(writer, slim.default_backoff());
        let task = async move {
            let mut stream = std::pin::pin!(stream);
            while let Some(item) = stream.next().await {
                // The reflector has applied the event to the store before yielding it.
                let progress = match item {
                    Ok(watcher::Event::InitDone) => {
                        synced.store(true, Ordering::Release);
                        Progress::Listed {
                            namespaces: reader.len(),
                        }
                    }
                    Ok(watcher::Event::Apply(_) | watcher::Event::Delete(_)) => Progress::Changed {
                        namespaces: reader.len(),
                    },
                    Ok(watcher::Event::Init | watcher::Event::InitApply(_)) => continue,
                    Err(e) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        Progress::Failed {
                            error: describe(&e),
                        }
                    }
                };
                on_progress(progress);
            }
        };
        (labels, task)
    }

    /// The namespace's labels, or `None` when the API server has not told of it (not yet
    /// listed, or no such namespace).
    pub fn labels(&self, namespace: &str) -> Option<BTreeMap<String, String>> {
        self.store
            .get(&ObjectRef::new(namespace))
            .map(|ns| ns.metadata.labels.clone().unwrap_or_default())
    }

    /// Reads one namespace from the API server: for a namespace created a moment ago whose
    /// watch event is still on the way. `Ok(None)`: no such namespace.
    pub async fn fetch(&self, namespace: &str) -> Result<Option<BTreeMap<String, String>>, String> {
        let Some(api) = &self.api else {
            return Ok(None);
        };
        let found = api
            .get_opt(namespace)
            .await
            .map_err(|e| format!("cannot read namespace {namespace}: {e}"))?;
        Ok(found.map(|ns| ns.metadata.labels.unwrap_or_default()))
    }

    /// Whether the first full list has arrived. Until then `labels` knows nothing.
    pub fn synced(&self) -> bool {
        self.synced.load(Ordering::Acquire)
    }

    /// Namespaces known now.
    pub fn len(&self) -> usize {
        self.store.len()
    }

    pub fn is_empty(&self) -> bool {
        self.store.is_empty()
    }

    /// Failed list or watch attempts so far.
    pub fn errors(&self) -> u64 {
        self.errors.load(Ordering::Relaxed)
    }
}

/// An operator-facing line for a failed list or watch, with the usual fix for RBAC denials.
fn describe(e: &watcher::Error) -> String {
    let text = e.to_string();
    let forbidden = match e {
        watcher::Error::InitialListFailed(kube::Error::Api(s))
        | watcher::Error::WatchStartFailed(kube::Error::Api(s))
        | watcher::Error::WatchFailed(kube::Error::Api(s)) => s.code == 403 || s.code == 401,
        watcher::Error::WatchError(s) => s.code == 403 || s.code == 401,
        _ => false,
    };
    // The root cause (`Connection refused`, a TLS error, ...) is often only in the source chain.
    let mut detail = text;
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let s_text = s.to_string();
        if !detail.contains(&s_text) {
            detail.push_str(": ");
            detail.push_str(&s_text);
        }
        source = s.source();
    }
    if forbidden {
        detail.push_str(
            "; the service account needs get, list and watch on namespaces \
             (deploy/manifests/10-rbac.yaml)",
        );
    }
    detail
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::channel::mpsc;
    use std::sync::Mutex;

    fn ns(name: &str, labels: &[(&str, &str)]) -> Namespace {
        let mut n = Namespace::default();
        n.metadata.name = Some(name.into());
        n.metadata.annotations = Some(BTreeMap::from([(
            "kubectl.kubernetes.io/last-applied-configuration".into(),
            "{\"a\": \"large blob\"}".into(),
        )]));
        n.metadata.labels = Some(
            labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        n
    }

    type Tx = mpsc::UnboundedSender<Result<watcher::Event<Namespace>, watcher::Error>>;

    /// A store fed by a channel, its task on a runtime, and what it reported.
    fn started() -> (
        NamespaceLabels,
        Tx,
        Arc<Mutex<Vec<Progress>>>,
        tokio::runtime::Runtime,
    ) {
        let (tx, rx) = mpsc::unbounded();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = Arc::clone(&seen);
        let (labels, task) =
            NamespaceLabels::from_events(rx, move |p| s.lock().expect("lock").push(p));
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        rt.spawn(task);
        (labels, tx, seen, rt)
    }

    /// Waits (with a generous deadline, not a timing assertion) until `f` holds.
    fn until(what: &str, f: impl Fn() -> bool) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while !f() {
            assert!(std::time::Instant::now() < deadline, "never: {what}");
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    #[test]
    fn labels_come_after_the_first_list_and_follow_changes() {
        let (labels, tx, seen, _rt) = started();
        assert!(!labels.synced());
        tx.unbounded_send(Ok(watcher::Event::Init)).unwrap();
        tx.unbounded_send(Ok(watcher::Event::InitApply(ns(
            "prod",
            &[("pod-security.kubernetes.io/enforce", "restricted")],
        ))))
        .unwrap();
        tx.unbounded_send(Ok(watcher::Event::InitApply(ns("dev", &[]))))
            .unwrap();
        tx.unbounded_send(Ok(watcher::Event::InitDone)).unwrap();
        until("synced", || labels.synced());
        assert_eq!(labels.len(), 2);
        assert_eq!(
            labels.labels("prod").unwrap()["pod-security.kubernetes.io/enforce"],
            "restricted"
        );
        assert_eq!(labels.labels("dev"), Some(BTreeMap::new()));
        assert_eq!(labels.labels("nope"), None);
        // What is not needed is not kept.
        let stored = labels.store.get(&ObjectRef::new("prod")).unwrap();
        assert!(stored.metadata.annotations.is_none() && stored.metadata.managed_fields.is_none());

        tx.unbounded_send(Ok(watcher::Event::Apply(ns("prod", &[("team", "a")]))))
            .unwrap();
        tx.unbounded_send(Ok(watcher::Event::Apply(ns("new", &[("x", "y")]))))
            .unwrap();
        tx.unbounded_send(Ok(watcher::Event::Delete(ns("dev", &[]))))
            .unwrap();
        until("changes applied", || labels.labels("new").is_some());
        until("deleted", || labels.labels("dev").is_none());
        assert_eq!(
            labels.labels("prod"),
            Some(BTreeMap::from([("team".into(), "a".into())]))
        );
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen[0], Progress::Listed { namespaces: 2 });
        assert!(seen.contains(&Progress::Changed { namespaces: 3 }));
    }

    #[test]
    fn a_failure_keeps_the_last_labels_and_a_relist_replaces_them() {
        let (labels, tx, seen, _rt) = started();
        tx.unbounded_send(Ok(watcher::Event::Init)).unwrap();
        tx.unbounded_send(Ok(watcher::Event::InitApply(ns("a", &[("k", "1")]))))
            .unwrap();
        tx.unbounded_send(Ok(watcher::Event::InitDone)).unwrap();
        until("synced", || labels.synced());
        let forbidden = kube::core::Status::failure("namespaces is forbidden", "Forbidden")
            .with_code(403)
            .boxed();
        tx.unbounded_send(Err(watcher::Error::WatchError(forbidden)))
            .unwrap();
        until("error counted", || labels.errors() == 1);
        assert_eq!(labels.labels("a").unwrap()["k"], "1");
        let failed = seen.lock().unwrap().last().cloned().unwrap();
        let Progress::Failed { error } = failed else {
            panic!("{failed:?}")
        };
        assert!(error.contains("10-rbac.yaml"), "{error}");
        // A re-list (after a 410 Gone, say) keeps the old labels until it completes.
        tx.unbounded_send(Ok(watcher::Event::Init)).unwrap();
        tx.unbounded_send(Ok(watcher::Event::InitApply(ns("b", &[]))))
            .unwrap();
        assert!(labels.labels("a").is_some());
        tx.unbounded_send(Ok(watcher::Event::InitDone)).unwrap();
        until("relisted", || labels.labels("a").is_none());
        assert!(labels.labels("b").is_some());
        assert!(labels.synced());
    }

    #[test]
    fn a_missing_kubeconfig_is_named() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let err = match rt.block_on(client(Some(Path::new("/nonexistent/kubeconfig")))) {
            Ok(_) => panic!("a client from a missing file"),
            Err(e) => e,
        };
        assert!(err.contains("/nonexistent/kubeconfig"), "{err}");
    }
}
