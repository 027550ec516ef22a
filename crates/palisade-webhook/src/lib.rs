//! The admission webhook: the scan engine at the cluster's door. `/validate` denies or warns,
//! `/mutate` returns the safe fixes as a JSON patch; config, policies and certificates are
//! reloaded when their files change, without dropping requests.

pub mod metrics;
pub mod namespaces;
pub mod review;
pub mod tls;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http_body_util::BodyExt;
use namespaces::ApiLabels;
pub use namespaces::NamespaceSource;
use palisade_engine::{Config, Date, Overrides};
use review::{BadRequest, Decider, Mode, Request};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// Where the config comes from.
#[derive(Clone, Debug)]
pub enum ConfigSource {
    /// Built-in defaults (`--no-config`).
    Defaults,
    /// A file, re-read when it changes.
    File(PathBuf),
}

#[derive(Clone, Debug)]
pub enum TlsSource {
    Files(tls::CertFiles),
    /// Generated at start for these names; optionally written to a directory.
    SelfSigned {
        names: Vec<String>,
        cert_dir: Option<PathBuf>,
    },
}

#[derive(Clone, Debug)]
pub struct Options {
    pub listen: SocketAddr,
    pub tls: TlsSource,
    pub config: ConfigSource,
    pub overrides: Overrides,
    /// `--deny-on`: wins over config.
    pub deny_on: Option<String>,
    pub max_body_bytes: usize,
    /// Whole-request budget; evaluation gets half of it, the rest is for reading and answering.
    pub request_timeout: Duration,
    /// How often config, policy and certificate files are checked for changes.
    pub reload_interval: Duration,
    /// Where namespace labels (Pod Security levels, namespaceSelectors) come from.
    pub namespace_labels: NamespaceSource,
}

impl Options {
    pub fn new(listen: SocketAddr, tls: TlsSource) -> Self {
        Options {
            listen,
            tls,
            config: ConfigSource::Defaults,
            overrides: Overrides::default(),
            deny_on: None,
            max_body_bytes: 8 << 20,
            request_timeout: Duration::from_secs(10),
            reload_interval: Duration::from_secs(2),
            namespace_labels: NamespaceSource::Config,
        }
    }
}

/// Builds a decider from the current files; errors are worded for the operator.
pub fn build_decider(opts: &Options) -> Result<Decider, String> {
    let config = match &opts.config {
        ConfigSource::Defaults => Config::default(),
        ConfigSource::File(p) => Config::load(p).map_err(|e| e.to_string())?,
    };
    Decider::new(
        &config,
        &opts.overrides,
        opts.deny_on.as_deref(),
        Date::today(),
    )
}

struct App {
    decider: RwLock<Arc<Decider>>,
    metrics: metrics::Metrics,
    /// Namespace labels from the API server, when watched; they win over the config's.
    api_labels: ApiLabels,
    ready: AtomicBool,
    max_body: usize,
    request_timeout: Duration,
}

impl App {
    fn decider(&self) -> Arc<Decider> {
        match self.decider.read() {
            Ok(g) => Arc::clone(&g),
            // A writer never panics while holding the lock (it only swaps an Arc).
            Err(p) => Arc::clone(&p.into_inner()),
        }
    }
    fn set_decider(&self, d: Decider) {
        self.metrics.rules.set(d.engine.rules().len() as i64);
        match self.decider.write() {
            Ok(mut g) => *g = Arc::new(d),
            Err(p) => *p.into_inner() = Arc::new(d),
        }
    }
}

fn text(status: StatusCode, msg: impl Into<String>) -> Response {
    let mut msg = msg.into();
    msg.push('\n');
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        msg,
    )
        .into_response()
}

async fn admission(app: Arc<App>, mode: Mode, req: axum::extract::Request) -> Response {
    let start = Instant::now();
    let endpoint = match mode {
        Mode::Validate => "validate",
        Mode::Mutate => "mutate",
    };
    let resp = answer(&app, mode, req).await;
    app.metrics
        .requests
        .get_or_create(&metrics::RequestLabels {
            endpoint: endpoint.into(),
            code: resp.status().as_u16(),
        })
        .inc();
    app.metrics
        .latency
        .get_or_create(&metrics::EndpointLabels {
            endpoint: endpoint.into(),
        })
        .observe(start.elapsed().as_secs_f64());
    resp
}

async fn answer(app: &Arc<App>, mode: Mode, req: axum::extract::Request) -> Response {
    let limit = app.max_body;
    if let Some(len) = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        && len > limit
    {
        return text(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body has {len} bytes; the limit is {limit} (--max-body-bytes)"),
        );
    }
    let body = http_body_util::Limited::new(req.into_body(), limit).collect();
    let body = match tokio::time::timeout(app.request_timeout, body).await {
        Err(_) => {
            return text(
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "the request body did not arrive within {:?}",
                    app.request_timeout
                ),
            );
        }
        Ok(Err(e))
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            return text(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the body is larger than {limit} bytes (--max-body-bytes)"),
            );
        }
        Ok(Err(e)) => {
            return text(
                StatusCode::BAD_REQUEST,
                format!("cannot read the body: {e}"),
            );
        }
        Ok(Ok(b)) => b.to_bytes(),
    };
    let request = match Request::parse(&body) {
        Ok(r) => r,
        Err(BadRequest(m)) => return text(StatusCode::BAD_REQUEST, m),
    };
    let decider = app.decider();
    let budget = app.request_timeout / 2;
    // A namespace younger than the watch's last event is read directly (not for a Namespace
    // under review: its own labels are in the request).
    let reviews_namespace = request
        .object
        .as_ref()
        .and_then(|o| o.get("kind"))
        .is_some_and(|k| k == "Namespace");
    let unseen = if reviews_namespace {
        None
    } else {
        app.api_labels
            .fetch_unseen(&request.namespace, budget / 2)
            .await
    };
    let (d, r, api) = (
        Arc::clone(&decider),
        request.clone(),
        app.api_labels.clone(),
    );
    let task = tokio::task::spawn_blocking(move || {
        let labels = |ns: &str| {
            api.labels(ns)
                .or_else(|| (ns == r.namespace).then(|| unseen.clone()).flatten())
        };
        d.decide(&r, mode, &labels)
    });
    let outcome = match tokio::time::timeout(budget, task).await {
        Ok(Ok(o)) => o,
        Ok(Err(e)) => decider.unjudged(&request, &format!("evaluation failed: {e}")),
        Err(_) => decider.unjudged(&request, &format!("evaluation took longer than {budget:?}")),
    };
    for (check, namespace, decision) in &outcome.decisions {
        app.metrics
            .decisions
            .get_or_create(&metrics::DecisionLabels {
                check: check.clone(),
                namespace: namespace.clone(),
                decision: decision.as_str().into(),
            })
            .inc();
    }
    axum::Json(outcome.review).into_response()
}

fn router(app: Arc<App>) -> Router {
    let (v, m) = (Arc::clone(&app), Arc::clone(&app));
    let ready = Arc::clone(&app);
    let metrics = Arc::clone(&app);
    Router::new()
        .route(
            "/validate",
            post(move |req| admission(Arc::clone(&v), Mode::Validate, req)),
        )
        .route(
            "/mutate",
            post(move |req| admission(Arc::clone(&m), Mode::Mutate, req)),
        )
        .route("/healthz", get(|| async { "ok\n" }))
        .route(
            "/readyz",
            get(move || {
                let (up, listed) = (
                    ready.ready.load(Ordering::Relaxed),
                    ready.api_labels.ready(),
                );
                async move {
                    match (up, listed) {
                        (true, true) => text(StatusCode::OK, "ok"),
                        (false, _) => text(StatusCode::SERVICE_UNAVAILABLE, "shutting down"),
                        // Reviews judged now would miss the namespaces' Pod Security labels.
                        (true, false) => text(
                            StatusCode::SERVICE_UNAVAILABLE,
                            "waiting for the first list of namespaces from the Kubernetes API",
                        ),
                    }
                }
            }),
        )
        .route(
            "/metrics",
            get(move || {
                let body = metrics.metrics.encode();
                async move {
                    (
                        [(
                            header::CONTENT_TYPE,
                            "application/openmetrics-text; version=1.0.0; charset=utf-8",
                        )],
                        body,
                    )
                }
            }),
        )
        .with_state(())
        .fallback(|| async {
            text(
                StatusCode::NOT_FOUND,
                "no such endpoint; POST /validate or /mutate, GET /healthz, /readyz, /metrics",
            )
        })
}

/// What the files looked like when last read, to notice changes.
fn stamp(paths: &[PathBuf]) -> Vec<(PathBuf, u64, Option<std::time::SystemTime>)> {
    fn walk(p: &Path, out: &mut Vec<(PathBuf, u64, Option<std::time::SystemTime>)>) {
        // Follows symlinks: a ConfigMap volume swaps its `..data` link on update.
        let Ok(meta) = std::fs::metadata(p) else {
            out.push((p.to_path_buf(), u64::MAX, None));
            return;
        };
        if meta.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
                .map(|rd| rd.flatten().map(|e| e.path()).collect())
                .unwrap_or_default();
            entries.sort();
            for e in entries {
                walk(&e, out);
            }
        } else {
            out.push((p.to_path_buf(), meta.len(), meta.modified().ok()));
        }
    }
    let mut out = Vec::new();
    for p in paths {
        walk(p, &mut out);
    }
    out
}

fn config_paths(opts: &Options) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    if let ConfigSource::File(p) = &opts.config {
        paths.push(p.clone());
        // Policies named in the config are watched too.
        if let Ok(c) = Config::load(p) {
            paths.extend(c.policies.paths.iter().map(PathBuf::from));
        }
    }
    paths.extend(opts.overrides.policies.iter().cloned());
    paths
}

/// What the files looked like when the running config and certificate were read.
struct Stamps {
    config: Vec<(PathBuf, u64, Option<std::time::SystemTime>)>,
    cert: Option<Vec<u8>>,
}

/// Polls the files: simple and reliable across ConfigMap symlink swaps and editors that
/// replace files, which file-event watchers are known to miss.
async fn reload_loop(app: Arc<App>, opts: Options, resolver: Arc<tls::Resolver>, stamps: Stamps) {
    let Stamps {
        config: mut config_stamp,
        cert: mut cert_stamp,
    } = stamps;
    loop {
        tokio::time::sleep(opts.reload_interval).await;
        let now = stamp(&config_paths(&opts));
        if now != config_stamp {
            config_stamp = now;
            let o = opts.clone();
            match tokio::task::spawn_blocking(move || build_decider(&o)).await {
                Ok(Ok(d)) => {
                    for w in &d.warnings {
                        eprintln!("palisade webhook: warning: {w}");
                    }
                    eprintln!(
                        "palisade webhook: reloaded config and policies ({} rules)",
                        d.engine.rules().len()
                    );
                    app.set_decider(d);
                    app.metrics.reload("config", true);
                }
                Ok(Err(e)) => {
                    eprintln!(
                        "palisade webhook: error: reload failed, keeping the previous config: {e}"
                    );
                    app.metrics.reload("config", false);
                }
                Err(e) => eprintln!("palisade webhook: error: reload failed: {e}"),
            }
        }
        if let TlsSource::Files(files) = &opts.tls {
            let files = files.clone();
            if let Ok(Ok((ck, s))) = tokio::task::spawn_blocking(move || files.load()).await {
                if cert_stamp.as_ref() != Some(&s) {
                    cert_stamp = Some(s);
                    resolver.set(ck);
                    eprintln!("palisade webhook: reloaded the serving certificate");
                    app.metrics.reload("certificate", true);
                }
            } else if cert_stamp.is_some() {
                // Half-written files during a rotation: keep serving the old pair.
                app.metrics.reload("certificate", false);
            }
        }
    }
}

/// What `serve` needs from its caller: the certificate set-up and the first decider are made
/// before the runtime starts so their errors come back as plain messages.
pub struct Prepared {
    opts: Options,
    decider: Decider,
    key: rustls::sign::CertifiedKey,
    stamps: Stamps,
}

impl Prepared {
    pub fn new(opts: Options) -> Result<(Prepared, Option<tls::SelfSigned>), String> {
        // Stamped before reading, so a change made while (or after) reading is reloaded.
        let config_stamp = stamp(&config_paths(&opts));
        let decider = build_decider(&opts)?;
        let mut cert_stamp = None;
        let (key, generated) = match &opts.tls {
            TlsSource::Files(f) => {
                let (key, s) = f.load()?;
                cert_stamp = Some(s);
                (key, None)
            }
            TlsSource::SelfSigned { names, cert_dir } => {
                let s = tls::SelfSigned::generate(names)?;
                if let Some(dir) = cert_dir {
                    s.write(dir)?;
                }
                let key = tls::certified_key(
                    s.cert_pem.as_bytes(),
                    s.key_pem.as_bytes(),
                    "tls.crt",
                    "tls.key",
                )?;
                (key, Some(s))
            }
        };
        let stamps = Stamps {
            config: config_stamp,
            cert: cert_stamp,
        };
        Ok((
            Prepared {
                opts,
                decider,
                key,
                stamps,
            },
            generated,
        ))
    }

    pub fn warnings(&self) -> &[String] {
        &self.decider.warnings
    }

    /// Serves until SIGTERM or Ctrl-C, then drains connections for up to 10 s.
    /// `on_listening` gets the bound address (useful with port 0).
    pub fn serve(
        self,
        on_listening: impl FnOnce(SocketAddr, usize) + Send + 'static,
    ) -> Result<(), String> {
        // Decisions are CPU-bound and run on the blocking pool: more threads than a few per
        // core only add memory and context switches under load (tokio's default allows 512);
        // beyond that, requests wait their turn within their time budget.
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .max_blocking_threads((2 * cores).max(4))
            .build()
            .map_err(|e| format!("cannot start the runtime: {e}"))?;
        rt.block_on(self.serve_async(on_listening))
    }

    async fn serve_async(
        self,
        on_listening: impl FnOnce(SocketAddr, usize) + Send + 'static,
    ) -> Result<(), String> {
        let Prepared {
            opts,
            decider,
            key,
            stamps,
        } = self;
        let resolver = Arc::new(tls::Resolver::new(key));
        let config = tls::server_config(Arc::clone(&resolver))?;
        let rules = decider.engine.rules().len();
        let metrics = metrics::Metrics::default();
        // Started before listening so the first list is under way while the server comes up.
        let api_labels = ApiLabels::start(&opts.namespace_labels, &metrics).await?;
        let app = Arc::new(App {
            decider: RwLock::new(Arc::new(decider)),
            metrics,
            api_labels,
            ready: AtomicBool::new(true),
            max_body: opts.max_body_bytes,
            request_timeout: opts.request_timeout,
        });
        app.metrics.rules.set(rules as i64);
        let handle = axum_server::Handle::new();
        let acceptor = axum_server::tls_rustls::RustlsAcceptor::new(
            axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(config)),
        )
        .handshake_timeout(opts.request_timeout);
        let mut server = axum_server::bind(opts.listen)
            .acceptor(acceptor)
            .handle(handle.clone())
            .first_request_timeout(opts.request_timeout);
        server
            .http_builder()
            .http1()
            .timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(opts.request_timeout);
        let svc = router(Arc::clone(&app)).into_make_service();
        let serving = tokio::spawn(server.serve(svc));
        let Some(addr) = handle.listening().await else {
            return match serving.await {
                Ok(Err(e)) => Err(format!("cannot listen on {}: {e}", opts.listen)),
                _ => Err(format!("cannot listen on {}", opts.listen)),
            };
        };
        on_listening(addr, rules);
        tokio::spawn(reload_loop(
            Arc::clone(&app),
            opts.clone(),
            resolver,
            stamps,
        ));
        let (h, a) = (handle.clone(), Arc::clone(&app));
        tokio::spawn(async move {
            shutdown_signal().await;
            // Fail readiness first so endpoints stop routing here, then drain.
            a.ready.store(false, Ordering::Relaxed);
            eprintln!("palisade webhook: shutting down");
            h.graceful_shutdown(Some(Duration::from_secs(10)));
        });
        match serving.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(format!("server error: {e}")),
            Err(e) => Err(format!("server error: {e}")),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
