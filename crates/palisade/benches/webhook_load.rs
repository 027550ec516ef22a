//! Load benchmark of the admission webhook (a bench binary, not a timed test):
//! `cargo bench -p palisade --bench webhook_load [-- --secs 10 --conns 32]`.
//!
//! Starts the real `palisade webhook` on loopback (self-signed TLS, the whole built-in catalogue,
//! Pod Security Standards `restricted`, ten Gatekeeper templates with a constraint each from
//! ../shared/corpora/gatekeeper-library), then drives `POST /validate` over TLS with realistic
//! AdmissionReviews (Deployments and Pods, CREATE and UPDATE, hardened and insecure):
//! - open loop at fixed rates (100, 500, 1,000 requests/s): requests are scheduled at fixed
//!   times by a dedicated thread and latency is measured from the *scheduled* send time, so a
//!   stalled server is charged for the requests it delayed (no coordinated omission);
//! - closed loop at saturation (every connection sends back to back): the throughput.
//!
//! Prints p50/p99/p99.9/max latency (hdrhistogram), errors, verdicts, the server's CPU time and
//! its RSS (VmRSS/VmHWM from /proc/PID/status) per phase. Figures go to docs/performance.md
//! ("Admission webhook"). Needs only the binary: it speaks HTTP/1.1 over rustls (ring) to it.

use bytes::Bytes;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_rustls::TlsConnector;

#[path = "../../palisade-webhook/benches/support/policies.rs"]
mod policies;
use policies::POLICIES;

const RATES: [f64; 3] = [100.0, 500.0, 1000.0];
/// Per-request client timeout: above the webhooks' timeoutSeconds (5) in deploy/.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

struct Opts {
    secs: u64,
    conns: usize,
}

fn opts() -> Opts {
    let mut o = Opts {
        secs: 10,
        conns: 32,
    };
    let args: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < args.len() {
        let val = args.get(i + 1).and_then(|v| v.parse::<u64>().ok());
        match (args[i].as_str(), val) {
            ("--secs", Some(v)) => o.secs = v.max(1),
            ("--conns", Some(v)) => o.conns = (v as usize).max(1),
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    o
}

// ---------------------------------------------------------------------------------------------
// The server process

struct Server {
    child: Child,
    port: u16,
    dir: PathBuf,
    /// The last lines the server wrote to stderr (shown when something fails).
    log: Arc<Mutex<VecDeque<String>>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Server {
    fn log_tail(&self) -> String {
        self.log
            .lock()
            .map(|l| l.iter().cloned().collect::<Vec<_>>().join("\n"))
            .unwrap_or_default()
    }

    /// VmRSS and VmHWM in MiB.
    fn rss(&self) -> (f64, f64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
                .map_or(0.0, |kb| kb / 1024.0)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }

    /// User + system CPU seconds so far (fields 14 and 15 of /proc/PID/stat, at the usual
    /// 100 ticks per second).
    fn cpu_secs(&self) -> f64 {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap_or_default();
        // The command name (field 2) may hold spaces: count fields after its closing paren.
        let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
        let f: Vec<u64> = rest
            .split_whitespace()
            .map(|x| x.parse().unwrap_or(0))
            .collect();
        match (f.get(11), f.get(12)) {
            (Some(u), Some(s)) => (u + s) as f64 / 100.0,
            _ => 0.0,
        }
    }
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora/gatekeeper-library/library")
}

fn start_server(dir: &Path) -> Result<Server, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    // The whole catalogue: every check, including those off by default.
    let config = dir.join("palisade.yaml");
    std::fs::write(&config, "checks:\n  enable: [\"*\"]\n")
        .map_err(|e| format!("{}: {e}", config.display()))?;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_palisade"));
    cmd.args([
        "webhook",
        "--listen",
        "127.0.0.1:0",
        "--self-signed",
        "localhost",
    ])
    .arg("--cert-dir")
    .arg(dir.join("certs"))
    .arg("--config")
    .arg(&config)
    .args(["--pss", "restricted"]);
    let lib = corpus();
    for (template, sample) in POLICIES {
        let t = lib.join(template);
        cmd.arg("--policy").arg(t.join("template.yaml"));
        cmd.arg("--policy")
            .arg(t.join("samples").join(sample).join("constraint.yaml"));
    }
    cmd.stdout(Stdio::null()).stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", env!("CARGO_BIN_EXE_palisade")))?;
    let Some(stderr) = child.stderr.take() else {
        let _ = child.kill();
        return Err("no stderr pipe".into());
    };
    let log = Arc::new(Mutex::new(VecDeque::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    let log2 = log.clone();
    // Reads the bound port from the start line, then keeps draining stderr so the server never
    // blocks on a full pipe.
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(addr) = line.strip_prefix("palisade webhook: listening on https://") {
                // `127.0.0.1:PORT`, possibly followed by ` (N rules)`.
                let addr = addr.split_whitespace().next().unwrap_or("");
                let port = addr.rsplit(':').next().and_then(|p| p.parse().ok());
                let _ = tx.send(port);
            }
            if let Ok(mut l) = log2.lock() {
                if l.len() == 50 {
                    l.pop_front();
                }
                l.push_back(line);
            }
        }
        let _ = tx.send(None);
    });
    let mut server = Server {
        child,
        port: 0,
        dir: dir.to_path_buf(),
        log,
    };
    match rx.recv_timeout(Duration::from_secs(120)) {
        Ok(Some(port)) => {
            server.port = port;
            Ok(server)
        }
        Ok(None) | Err(_) => Err(format!(
            "the webhook did not print `palisade webhook: listening on https://ADDR` (exit: {:?}); its stderr:\n{}",
            server.child.try_wait().ok().flatten(),
            server.log_tail()
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// Requests

/// Containers of one pod need distinct port names and numbers (`port`).
fn container(name: &str, image: &str, good: bool, port: (&str, u16)) -> Value {
    if good {
        json!({
            "name": name, "image": image,
            "ports": [{"name": port.0, "containerPort": port.1}],
            "env": [{"name": "LOG_LEVEL", "value": "info"}, {"name": "MODE", "value": "production"}],
            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"},
                          "limits": {"cpu": "200m", "memory": "256Mi"}},
            "livenessProbe": {"httpGet": {"path": "/healthz", "port": port.0}},
            "readinessProbe": {"httpGet": {"path": "/ready", "port": port.0}, "periodSeconds": 5},
            "securityContext": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true,
                                "runAsNonRoot": true, "capabilities": {"drop": ["ALL"]}},
            "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}]
        })
    } else {
        json!({
            "name": name, "image": image,
            "ports": [{"containerPort": port.1, "hostPort": port.1}],
            "env": [{"name": "DB_PASSWORD", "value": "hunter2"}],
            "securityContext": {"privileged": true, "capabilities": {"add": ["NET_ADMIN", "SYS_ADMIN"]}},
            "volumeMounts": [{"name": "docker", "mountPath": "/var/run/docker.sock"}]
        })
    }
}

fn pod_spec(i: usize, good: bool) -> Value {
    if good {
        json!({
            "serviceAccountName": "web",
            "automountServiceAccountToken": false,
            "securityContext": {"runAsNonRoot": true, "runAsUser": 10001, "runAsGroup": 10001,
                                "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [
                container("app", &format!("registry.example.com/shop/web:1.{}.{i}", i % 7), true, ("http", 8080)),
                container("proxy", "registry.example.com/platform/envoy:1.31.2", true, ("admin", 9901))
            ],
            "volumes": [{"name": "tmp", "emptyDir": {}}]
        })
    } else {
        json!({
            "hostNetwork": true, "hostPID": true,
            "containers": [
                container("app", "nginx:latest", false, ("http", 80)),
                container("debug", "busybox", false, ("debug", 8081))
            ],
            "volumes": [{"name": "docker", "hostPath": {"path": "/var/run/docker.sock"}}]
        })
    }
}

/// One AdmissionReview: Deployments and Pods, 70 % hardened, a quarter of them UPDATEs (with
/// the old object, as the API server sends).
fn review(i: usize) -> (Bytes, String, bool) {
    let good = i % 10 < 7;
    let ns = format!("team-{}", i % 5);
    let labels =
        json!({"app": format!("web-{i}"), "team": format!("team-{}", i % 5), "pizza": "yes"});
    let (kind, resource, group, object) = if i.is_multiple_of(2) {
        let obj = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": format!("web-{i}"), "namespace": ns, "labels": labels},
            "spec": {
                "replicas": 3,
                "selector": {"matchLabels": {"app": format!("web-{i}")}},
                "template": {"metadata": {"labels": labels}, "spec": pod_spec(i, good)}
            }
        });
        ("Deployment", "deployments", "apps", obj)
    } else {
        let obj = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("web-{i}-7d9f8b6c5-x2x4z"), "namespace": ns,
                         "generateName": format!("web-{i}-7d9f8b6c5-"), "labels": labels,
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                             "name": format!("web-{i}-7d9f8b6c5"), "uid": "3f0e0c4e-0000-4000-8000-000000000001",
                             "controller": true, "blockOwnerDeletion": true}]},
            "spec": pod_spec(i, good)
        });
        ("Pod", "pods", "", obj)
    };
    let update = i % 4 == 3;
    let uid = format!("0b5e7d1c-0000-4000-8000-{i:012}");
    let version = "v1";
    let body = json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": uid,
            "kind": {"group": group, "version": version, "kind": kind},
            "resource": {"group": group, "version": version, "resource": resource},
            "requestKind": {"group": group, "version": version, "kind": kind},
            "requestResource": {"group": group, "version": version, "resource": resource},
            "name": object["metadata"]["name"],
            "namespace": ns,
            "operation": if update { "UPDATE" } else { "CREATE" },
            "userInfo": {"username": "system:serviceaccount:ci:deployer", "uid": "42",
                         "groups": ["system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated"]},
            "object": object,
            "oldObject": if update { object.clone() } else { Value::Null },
            "dryRun": false,
            "options": {"apiVersion": "meta.k8s.io/v1",
                        "kind": if update { "UpdateOptions" } else { "CreateOptions" }}
        }
    });
    (Bytes::from(body.to_string()), uid, good)
}

struct Reviews {
    bodies: Vec<(Bytes, String, bool)>,
}

// ---------------------------------------------------------------------------------------------
// Client

type Sender = SendRequest<Full<Bytes>>;

async fn connect(port: u16, tls: &TlsConnector) -> Result<Sender, String> {
    let tcp = TcpStream::connect(("127.0.0.1", port))
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let _ = tcp.set_nodelay(true);
    let name = ServerName::try_from("localhost").map_err(|e| format!("server name: {e}"))?;
    let stream = tls
        .connect(name, tcp)
        .await
        .map_err(|e| format!("TLS: {e}"))?;
    let (sender, conn) = http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("HTTP handshake: {e}"))?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

#[derive(Default)]
struct Tally {
    ok: u64,
    errors: u64,
    first_error: Option<String>,
    /// [good allowed, good denied, bad allowed, bad denied]
    verdicts: [u64; 4],
    hist: Option<Histogram<u64>>,
}

impl Tally {
    fn new() -> Tally {
        Tally {
            // 1 µs .. 100 s, 3 significant digits.
            hist: Histogram::new_with_bounds(1, 100_000_000, 3).ok(),
            ..Tally::default()
        }
    }
    fn error(&mut self, e: String) {
        self.errors += 1;
        self.first_error.get_or_insert(e);
    }
    fn merge(&mut self, o: Tally) {
        self.ok += o.ok;
        self.errors += o.errors;
        if self.first_error.is_none() {
            self.first_error = o.first_error;
        }
        for (a, b) in self.verdicts.iter_mut().zip(o.verdicts) {
            *a += b;
        }
        if let (Some(h), Some(o)) = (self.hist.as_mut(), o.hist.as_ref()) {
            let _ = h.add(o);
        }
    }
    fn pct(&self, q: f64) -> f64 {
        self.hist
            .as_ref()
            .map_or(0.0, |h| h.value_at_quantile(q) as f64 / 1000.0)
    }
    fn max(&self) -> f64 {
        self.hist.as_ref().map_or(0.0, |h| h.max() as f64 / 1000.0)
    }
}

/// Sends one review and checks the answer: HTTP 200, an AdmissionReview whose response echoes
/// the uid and says allowed or not. Returns whether it was allowed.
async fn send(sender: &mut Sender, body: &Bytes, uid: &str) -> Result<bool, String> {
    sender
        .ready()
        .await
        .map_err(|e| format!("connection: {e}"))?;
    let req = hyper::Request::post("/validate")
        .header("host", "localhost")
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .body(Full::new(body.clone()))
        .map_err(|e| format!("request: {e}"))?;
    let resp = sender
        .send_request(req)
        .await
        .map_err(|e| format!("send: {e}"))?;
    let status = resp.status();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("body: {e}"))?
        .to_bytes();
    if !status.is_success() {
        return Err(format!(
            "HTTP {status}: {}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
        ));
    }
    let v: Value = serde_json::from_slice(&bytes).map_err(|e| format!("response JSON: {e}"))?;
    let r = &v["response"];
    if r["uid"] != uid {
        return Err(format!("response uid {} for request {uid}", r["uid"]));
    }
    r["allowed"]
        .as_bool()
        .ok_or_else(|| format!("no response.allowed in {v}"))
}

/// One connection's worker: takes (scheduled time, review) jobs until the queue closes and
/// records latency from the scheduled time.
async fn worker(
    port: u16,
    tls: TlsConnector,
    reviews: Arc<Reviews>,
    jobs: Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<(Instant, usize)>>>,
) -> Tally {
    let mut t = Tally::new();
    let mut sender = connect(port, &tls).await.map_err(|e| t.error(e)).ok();
    loop {
        let job = jobs.lock().await.recv().await;
        let Some((scheduled, i)) = job else { break };
        one(&mut t, &mut sender, port, &tls, &reviews, scheduled, i).await;
    }
    t
}

async fn one(
    t: &mut Tally,
    sender: &mut Option<Sender>,
    port: u16,
    tls: &TlsConnector,
    reviews: &Reviews,
    scheduled: Instant,
    i: usize,
) {
    if sender.is_none() {
        *sender = connect(port, tls).await.map_err(|e| t.error(e)).ok();
    }
    let Some(s) = sender.as_mut() else { return };
    let (body, uid, good) = &reviews.bodies[i];
    match tokio::time::timeout(REQUEST_TIMEOUT, send(s, body, uid)).await {
        Ok(Ok(allowed)) => {
            let us = scheduled.elapsed().as_micros().max(1) as u64;
            if let Some(h) = t.hist.as_mut() {
                h.saturating_record(us);
            }
            t.ok += 1;
            t.verdicts[usize::from(!*good) * 2 + usize::from(!allowed)] += 1;
        }
        Ok(Err(e)) => {
            t.error(e);
            *sender = None;
        }
        Err(_) => {
            t.error(format!("no answer within {REQUEST_TIMEOUT:?}"));
            *sender = None;
        }
    }
}

/// Open loop at `rate` requests/s for `secs`: a thread schedules the sends (std sleep is far
/// finer than tokio's millisecond timer); `conns` connections take them in turn.
async fn open_loop(
    port: u16,
    tls: &TlsConnector,
    reviews: &Arc<Reviews>,
    rate: f64,
    secs: u64,
    conns: usize,
) -> (Tally, f64) {
    let (tx, rx) = mpsc::unbounded_channel();
    let rx = Arc::new(tokio::sync::Mutex::new(rx));
    let workers: Vec<_> = (0..conns)
        .map(|_| tokio::spawn(worker(port, tls.clone(), reviews.clone(), rx.clone())))
        .collect();
    // Let the connections finish their TLS handshakes before the clock starts.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let n = (rate * secs as f64) as u64;
    let count = reviews.bodies.len();
    let start = Instant::now();
    let scheduler = std::thread::spawn(move || {
        for k in 0..n {
            let at = start + Duration::from_secs_f64(k as f64 / rate);
            let now = Instant::now();
            if at > now {
                std::thread::sleep(at - now);
            }
            if tx.send((at, k as usize % count)).is_err() {
                break;
            }
        }
    });
    let mut total = Tally::new();
    for w in workers {
        if let Ok(t) = w.await {
            total.merge(t);
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    let _ = scheduler.join();
    (total, elapsed)
}

/// Closed loop: every connection sends back to back for `secs`; latency is per request.
async fn saturate(
    port: u16,
    tls: &TlsConnector,
    reviews: &Arc<Reviews>,
    secs: u64,
    conns: usize,
) -> (Tally, f64) {
    let start = Instant::now();
    let end = start + Duration::from_secs(secs);
    let workers: Vec<_> = (0..conns)
        .map(|w| {
            let (tls, reviews) = (tls.clone(), reviews.clone());
            tokio::spawn(async move {
                let mut t = Tally::new();
                let mut sender = None;
                let mut i = w * 7;
                while Instant::now() < end {
                    i = (i + 1) % reviews.bodies.len();
                    one(&mut t, &mut sender, port, &tls, &reviews, Instant::now(), i).await;
                }
                t
            })
        })
        .collect();
    let mut total = Tally::new();
    for w in workers {
        if let Ok(t) = w.await {
            total.merge(t);
        }
    }
    (total, start.elapsed().as_secs_f64())
}

fn tls_connector(ca_pem: &[u8]) -> Result<TlsConnector, String> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem) {
        let cert = cert.map_err(|e| format!("CA bundle: {e}"))?;
        roots.add(cert).map_err(|e| format!("CA bundle: {e}"))?;
    }
    if roots.is_empty() {
        return Err("CA bundle: no certificate".into());
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS config: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

fn row(server: &Server, phase: &str, target: &str, t: &Tally, secs: f64, cpu: f64) {
    let (rss, hwm) = server.rss();
    println!(
        "| {phase} | {target} | {:.0} | {} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.0} % | {rss:.1} | {hwm:.1} |",
        t.ok as f64 / secs,
        t.ok,
        t.errors,
        t.pct(0.50),
        t.pct(0.99),
        t.pct(0.999),
        t.max(),
        100.0 * cpu / secs,
    );
    if let Some(e) = &t.first_error {
        println!("|   first error: {e} |");
    }
}

fn main() {
    let o = opts();
    let dir = std::env::temp_dir().join(format!("palisade-webhook-load-{}", std::process::id()));
    if !corpus().is_dir() {
        eprintln!(
            "webhook_load: {} not found (the shared corpora must sit beside the repository)",
            corpus().display()
        );
        std::process::exit(2);
    }
    let mut server = match start_server(&dir) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("webhook_load: {e}");
            std::process::exit(2);
        }
    };
    let ca = match std::fs::read(dir.join("certs").join("ca.crt")) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("webhook_load: {}/certs/ca.crt: {e}", dir.display());
            std::process::exit(2);
        }
    };
    let tls = match tls_connector(&ca) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("webhook_load: {e}");
            std::process::exit(2);
        }
    };
    let reviews = Arc::new(Reviews {
        bodies: (0..200).map(review).collect(),
    });
    let avg_body = reviews.bodies.iter().map(|b| b.0.len()).sum::<usize>() / reviews.bodies.len();
    let (rss0, _) = server.rss();
    // One thread for the client, so the server keeps the rest of the machine.
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("webhook_load: tokio runtime: {e}");
            std::process::exit(2);
        }
    };
    println!(
        "palisade webhook on 127.0.0.1:{} (pid {}): all checks, PSS restricted, {} Gatekeeper templates + constraints; {} distinct reviews, {} B on average; {} connections; RSS at start {rss0:.1} MiB",
        server.port,
        server.child.id(),
        POLICIES.len(),
        reviews.bodies.len(),
        avg_body,
        o.conns
    );
    println!();
    println!(
        "| phase | target req/s | achieved req/s | ok | errors | p50 ms | p99 ms | p99.9 ms | max ms | server CPU | RSS MiB | HWM MiB |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    rt.block_on(async {
        // Warm-up (not reported): caches, allocator, lazily built policy state.
        let _ = open_loop(server.port, &tls, &reviews, 200.0, 2, o.conns).await;
        let mut verdicts = [0u64; 4];
        for rate in RATES {
            let cpu0 = server.cpu_secs();
            let (t, secs) = open_loop(server.port, &tls, &reviews, rate, o.secs, o.conns).await;
            let cpu = server.cpu_secs() - cpu0;
            row(&server, "open loop", &format!("{rate:.0}"), &t, secs, cpu);
            for (a, b) in verdicts.iter_mut().zip(t.verdicts) {
                *a += b;
            }
        }
        for conns in [4, o.conns] {
            let cpu0 = server.cpu_secs();
            let (t, secs) = saturate(server.port, &tls, &reviews, o.secs, conns).await;
            let cpu = server.cpu_secs() - cpu0;
            row(
                &server,
                &format!("saturation, {conns} conns"),
                "max",
                &t,
                secs,
                cpu,
            );
        }
        println!();
        println!(
            "verdicts (open-loop phases): hardened allowed {}, hardened denied {}, insecure allowed {}, insecure denied {}",
            verdicts[0], verdicts[1], verdicts[2], verdicts[3]
        );
    });
    if let Ok(Some(status)) = server.child.try_wait() {
        println!(
            "the server exited during the run ({status}); its stderr:\n{}",
            server.log_tail()
        );
    }
}
