//! End-to-end tests of `palisade webhook`: the real binary, real HTTPS on loopback.

mod common;
mod fake_kube;

use common::{root, tmp};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running `palisade webhook`; killed on drop.
struct Server {
    child: Child,
    addr: String,
    ca: Vec<u8>,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Starts the webhook with a self-signed certificate written to `dir`.
    fn start(dir: &Path, extra: &[&str]) -> Server {
        let certs = dir.join("certs");
        let mut args = vec![
            "webhook",
            "--listen",
            "127.0.0.1:0",
            "--request-timeout",
            "2",
            "--reload-interval",
            "1",
        ];
        args.extend_from_slice(extra);
        if !extra.contains(&"--tls-cert") {
            args.extend(["--self-signed", "localhost", "--cert-dir"]);
            args.push(certs.to_str().expect("utf-8"));
        }
        let certs = (!extra.contains(&"--tls-cert")).then(|| certs.clone());
        Server::spawn(&args, certs)
    }

    fn spawn(args: &[&str], certs: Option<PathBuf>) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_palisade"))
            .args(args)
            .current_dir(root())
            // `--namespace-labels auto` would watch the API when the tests run in a pod.
            .env_remove("KUBERNETES_SERVICE_HOST")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start palisade webhook");
        let stderr = child.stderr.take().expect("stderr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        let l = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("palisade webhook: listening on https://") {
                    let _ = tx.send(rest.split_whitespace().next().unwrap_or("").to_string());
                }
                l.lock().expect("log").push(line);
            }
        });
        let Ok(addr) = rx.recv_timeout(Duration::from_secs(60)) else {
            let _ = child.kill();
            panic!("webhook did not start: {:?}", log.lock().expect("log"));
        };
        let ca = match certs {
            Some(c) => std::fs::read(c.join("ca.crt")).expect("ca.crt"),
            None => Vec::new(),
        };
        Server {
            child,
            addr,
            ca,
            log,
        }
    }

    fn tls(&self) -> rustls::StreamOwned<rustls::ClientConnection, TcpStream> {
        tls_to(&self.addr, &self.ca).expect("TLS connection")
    }

    /// One HTTP/1.1 request; returns status and body.
    fn call(&self, method: &str, path: &str, body: &[u8]) -> (u16, String) {
        let mut s = self.tls();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        s.write_all(head.as_bytes()).expect("write");
        s.write_all(body).expect("write");
        read_response(&mut s)
    }

    fn review(&self, path: &str, review: &Value) -> Value {
        let (status, body) = self.call("POST", path, review.to_string().as_bytes());
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).expect("AdmissionReview JSON")
    }

    fn log(&self) -> String {
        self.log.lock().expect("log").join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tls_to(
    addr: &str,
    ca: &[u8],
) -> Result<rustls::StreamOwned<rustls::ClientConnection, TcpStream>, String> {
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_slice_iter(ca) {
        roots
            .add(c.map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = ServerName::try_from("localhost").map_err(|e| e.to_string())?;
    let conn = rustls::ClientConnection::new(Arc::new(config), name).map_err(|e| e.to_string())?;
    let tcp = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    tcp.set_read_timeout(Some(Duration::from_secs(20)))
        .map_err(|e| e.to_string())?;
    let mut s = rustls::StreamOwned::new(conn, tcp);
    // Finish the handshake now so certificate errors surface here.
    while s.conn.is_handshaking() {
        s.conn
            .complete_io(&mut s.sock)
            .map_err(|e| format!("TLS handshake: {e}"))?;
    }
    Ok(s)
}

fn read_response(s: &mut impl Read) -> (u16, String) {
    let mut raw = Vec::new();
    // The server closes after answering (Connection: close); a TLS close without
    // close_notify still leaves the whole answer read.
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    let body = if chunked {
        let mut out = String::new();
        let mut rest = body;
        while let Some((len, after)) = rest.split_once("\r\n") {
            let n = usize::from_str_radix(len.trim(), 16).unwrap_or(0);
            if n == 0 || after.len() < n {
                break;
            }
            out.push_str(&after[..n]);
            rest = after[n..].trim_start_matches("\r\n");
        }
        out
    } else {
        body.to_string()
    };
    (status, body)
}

fn admission(uid: &str, object: &Value, namespace: &str) -> Value {
    json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": {"uid": uid, "operation": "CREATE", "namespace": namespace,
            "kind": {"group": "", "version": "v1", "kind": object["kind"]},
            "object": object}})
}

/// The objects of a manifest file, as the API server would send them (JSON).
fn objects(file: &str) -> Vec<Value> {
    let bytes = std::fs::read(root().join(file)).expect("read manifest");
    palisade_model::load_bytes(&bytes, file, &palisade_model::LoadOptions::default())
        .objects
        .iter()
        .map(|o| o.root.to_json())
        .collect()
}

fn insecure_pod() -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "debug", "namespace": "dev"},
        "spec": {"containers": [{"name": "sh", "image": "busybox",
            "securityContext": {"privileged": true}}]}})
}

#[test]
fn the_webhook_gives_the_verdicts_and_messages_of_scan() {
    let dir = tmp("verdicts");
    let server = Server::start(&dir, &["--no-config"]);
    let file = "examples/insecure/app.yaml";
    let scan = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["scan", "--no-config", "--format", "json", file])
        .current_dir(root())
        .output()
        .expect("scan");
    let report: Value = serde_json::from_slice(&scan.stdout).expect("scan json");
    let findings = report["findings"].as_array().expect("findings");
    let mut compared = 0;
    for (i, obj) in objects(file).iter().enumerate() {
        let (kind, name) = (
            obj["kind"].as_str().unwrap(),
            obj["metadata"]["name"].as_str().unwrap(),
        );
        let ns = obj["metadata"]["namespace"].as_str().unwrap_or("default");
        // What scan says of this object, minus the checks that need the rest of the set.
        let mut want_deny = Vec::new();
        let mut want_warn = Vec::new();
        for f in findings.iter().filter(|f| {
            f["object"]["kind"] == kind
                && f["object"]["name"] == name
                && report["rules"][f["check"].as_str().unwrap()]["crossObject"] == false
        }) {
            let mut line = format!(
                "[{}] {}",
                f["check"].as_str().unwrap(),
                f["message"].as_str().unwrap()
            );
            if let Some(c) = f["container"].as_str()
                && !f["message"].as_str().unwrap().contains(c)
            {
                line.push_str(&format!(" (container {c})"));
            }
            match f["severity"].as_str().unwrap() {
                "critical" | "high" => want_deny.push(line),
                s => want_warn.push(format!("[{s}] {line}")),
            }
        }
        let out = server.review("/validate", &admission(&format!("uid-{i}"), obj, ns));
        let resp = &out["response"];
        assert_eq!(resp["uid"], format!("uid-{i}"));
        assert_eq!(
            resp["allowed"],
            want_deny.is_empty(),
            "{kind} {name}: {resp}"
        );
        let mut got_deny: Vec<String> = resp["status"]["message"]
            .as_str()
            .unwrap_or("")
            .lines()
            .skip(1)
            .map(|l| l.trim_start_matches("- ").to_string())
            .collect();
        got_deny.sort();
        want_deny.sort();
        assert_eq!(
            got_deny, want_deny,
            "{kind} {name}: denials differ from scan"
        );
        let got_warn: Vec<&str> = resp["warnings"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        assert_eq!(
            got_warn.len(),
            want_warn.len(),
            "{kind} {name}: {got_warn:?} vs {want_warn:?}"
        );
        for w in &want_warn {
            let prefix: String = w.chars().take(200).collect();
            assert!(
                got_warn.iter().any(|g| g.starts_with(&prefix)),
                "{kind} {name}: warning `{w}` missing from {got_warn:?}"
            );
        }
        compared += 1;
    }
    assert!(compared >= 5, "only {compared} objects compared");
}

#[test]
fn mutate_returns_a_patch_of_safe_fixes() {
    let dir = tmp("mutate");
    let server = Server::start(&dir, &["--no-config"]);
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "dev"},
        "spec": {"containers": [{"name": "app", "image": "registry.example.com/app:1.0"}]}});
    let out = server.review("/mutate", &admission("m-1", &pod, "dev"));
    let resp = &out["response"];
    assert_eq!(resp["allowed"], true);
    assert_eq!(resp["patchType"], "JSONPatch");
    let patch = resp["patch"].as_str().expect("patch");
    let ops: Value = serde_json::from_slice(&base64_decode(patch)).expect("patch JSON");
    let text = ops.to_string();
    assert!(text.contains("allowPrivilegeEscalation"), "{text}");
    assert!(text.contains("RuntimeDefault"), "{text}");
    assert!(
        !text.contains("livenessProbe") && !text.contains("resources"),
        "{text}"
    );
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .expect("base64")
}

#[test]
fn bad_requests_get_clear_errors_and_never_crash_the_server() {
    let dir = tmp("bad");
    let server = Server::start(&dir, &["--no-config", "--max-body-bytes", "100000"]);
    let (s, b) = server.call("POST", "/validate", b"{not json");
    assert_eq!(s, 400, "{b}");
    assert!(b.contains("not JSON"), "{b}");
    let (s, b) = server.call(
        "POST",
        "/validate",
        br#"{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"x"}}"#,
    );
    assert_eq!(s, 400);
    assert!(b.contains("admission.k8s.io/v1beta1"), "{b}");
    let (s, b) = server.call(
        "POST",
        "/validate",
        br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#,
    );
    assert_eq!(s, 400);
    assert!(b.contains("no `request`"), "{b}");
    // Refused on its Content-Length alone. Only the head is sent: the server answers and closes
    // without reading the body, so writing 200 kB would race that close (broken pipe, reset).
    let mut big = server.tls();
    big.write_all(
        b"POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
          Content-Length: 200000\r\nConnection: close\r\n\r\n",
    )
    .expect("write");
    let (s, b) = read_response(&mut big);
    assert_eq!(s, 413, "{b}");
    assert!(b.contains("--max-body-bytes"), "{b}");
    let (s, _) = server.call("GET", "/validate", b"");
    assert_eq!(s, 405);
    let (s, b) = server.call("GET", "/nope", b"");
    assert_eq!(s, 404);
    assert!(b.contains("/validate"), "{b}");
    // An unknown kind is nobody's business: allowed.
    let widget = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": 3}});
    let out = server.review("/validate", &admission("w", &widget, "dev"));
    assert_eq!(out["response"]["allowed"], true, "{out}");
    // An object that cannot be read follows the failure policy (Fail by default).
    let broken = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "b"},
        "spec": {"containers": {"name": "x"}}});
    let out = server.review("/validate", &admission("b", &broken, "dev"));
    assert_eq!(out["response"]["allowed"], false, "{out}");
    assert!(
        out["response"]["status"]["message"]
            .as_str()
            .unwrap()
            .contains("could not judge")
    );
    // Still serving.
    let (s, _) = server.call("GET", "/healthz", b"");
    assert_eq!(s, 200);
}

#[test]
fn stalled_clients_are_cut_off_while_others_are_served() {
    let dir = tmp("stall");
    let server = Server::start(&dir, &["--no-config"]);
    // A client that never starts TLS, and one that sends half a header and stalls.
    let raw = TcpStream::connect(&server.addr).expect("connect");
    let mut half = server.tls();
    half.write_all(b"POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Le")
        .expect("write");
    let mut slow_body = server.tls();
    slow_body
        .write_all(b"POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n{")
        .expect("write");
    // Meanwhile, a normal request is answered.
    let out = server.review("/validate", &admission("ok", &insecure_pod(), "dev"));
    assert_eq!(out["response"]["allowed"], false);
    // The stalled ones are closed within the request timeout (2 s) plus slack.
    let start = Instant::now();
    let (status, _) = read_response(&mut slow_body);
    assert!(status == 408 || status == 0, "status {status}");
    let mut buf = Vec::new();
    let _ = half.read_to_end(&mut buf);
    assert!(start.elapsed() < Duration::from_secs(15));
    let mut raw = raw;
    raw.set_read_timeout(Some(Duration::from_secs(15)))
        .expect("timeout");
    let mut b = [0u8; 16];
    assert!(matches!(raw.read(&mut b), Ok(0) | Err(_)));
    let (s, _) = server.call("GET", "/healthz", b"");
    assert_eq!(s, 200);
}

#[test]
fn health_readiness_and_metrics() {
    let dir = tmp("metrics");
    let server = Server::start(&dir, &["--no-config"]);
    assert_eq!(server.call("GET", "/healthz", b"").0, 200);
    assert_eq!(server.call("GET", "/readyz", b"").0, 200);
    server.review("/validate", &admission("a", &insecure_pod(), "dev"));
    let (s, m) = server.call("GET", "/metrics", b"");
    assert_eq!(s, 200);
    assert!(
        m.contains("palisade_webhook_requests_total{endpoint=\"validate\",code=\"200\"} 1"),
        "{m}"
    );
    assert!(
        m.contains("palisade_webhook_request_duration_seconds_bucket"),
        "{m}"
    );
    assert!(
        m.contains("palisade_webhook_decisions_total{check=\"privileged-container\",namespace=\"dev\",decision=\"deny\"} 1"),
        "{m}"
    );
}

#[test]
fn config_and_certificates_reload_without_a_restart() {
    let dir = tmp("reload");
    // A first certificate pair, made by the webhook itself.
    let first = dir.join("first");
    let gen_a = Server::start(&first, &["--no-config"]);
    drop(gen_a);
    let cert_dir = first.join("certs");
    let config = dir.join("palisade.yaml");
    std::fs::write(&config, "webhook:\n  denyOn: high\n").expect("config");
    let mut server = Server::spawn(
        &[
            "webhook",
            "--listen",
            "127.0.0.1:0",
            "--reload-interval",
            "1",
            "--tls-cert",
            cert_dir.join("tls.crt").to_str().unwrap(),
            "--tls-key",
            cert_dir.join("tls.key").to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
        ],
        None,
    );
    let ca_a = std::fs::read(cert_dir.join("ca.crt")).expect("ca");
    server.ca = ca_a.clone();
    let out = server.review("/validate", &admission("1", &insecure_pod(), "dev"));
    assert_eq!(out["response"]["allowed"], false);

    // Warn-only from now on: no restart, no dropped request.
    std::fs::write(&config, "webhook:\n  denyOn: none\n").expect("config");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let out = server.review("/validate", &admission("2", &insecure_pod(), "dev"));
        if out["response"]["allowed"] == true {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "config not reloaded: {}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // A broken config is refused and the last good one kept.
    std::fs::write(&config, "webhook:\n  denyOn: sometimes\n").expect("config");
    std::thread::sleep(Duration::from_secs(3));
    let out = server.review("/validate", &admission("3", &insecure_pod(), "dev"));
    assert_eq!(out["response"]["allowed"], true);
    assert!(
        server.log().contains("keeping the previous config"),
        "{}",
        server.log()
    );

    // Rotate the certificate to one from another CA.
    let second = dir.join("second");
    drop(Server::start(&second, &["--no-config"]));
    let new_certs = second.join("certs");
    let ca_b = std::fs::read(new_certs.join("ca.crt")).expect("ca");
    std::fs::copy(new_certs.join("tls.key"), cert_dir.join("tls.key")).expect("copy");
    std::fs::copy(new_certs.join("tls.crt"), cert_dir.join("tls.crt")).expect("copy");
    let deadline = Instant::now() + Duration::from_secs(20);
    while tls_to(&server.addr, &ca_b).is_err() {
        assert!(
            Instant::now() < deadline,
            "certificate not reloaded: {}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(
        tls_to(&server.addr, &ca_a).is_err(),
        "old certificate still served"
    );
}

#[test]
fn without_tls_material_it_says_what_to_give() {
    let out = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["webhook", "--no-config"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--self-signed"));
    let out = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args([
            "webhook",
            "--tls-cert",
            "/nonexistent.crt",
            "--tls-key",
            "/nonexistent.key",
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent.crt"));
}

const ENFORCE: &str = "pod-security.kubernetes.io/enforce";

/// Polls `f` until it holds; a generous deadline, not a timing assertion.
fn eventually(server: &Server, what: &str, f: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !f() {
        assert!(Instant::now() < deadline, "never: {what}\n{}", server.log());
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A hardened pod whose only flaw is an NFS volume: Pod Security `baseline` allows it,
/// `restricted` does not (only configMap, secret, emptyDir, PVC, ... volumes).
fn nfs_pod(namespace: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "nfs-reader", "namespace": namespace, "labels": {"app": "reader"}},
        "spec": {
            "automountServiceAccountToken": false,
            "securityContext": {"runAsNonRoot": true, "runAsUser": 10001, "runAsGroup": 10001,
                "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "app",
                "image": "registry.example.com/app:1.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                "securityContext": {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true,
                    "capabilities": {"drop": ["ALL"]}},
                "resources": {"requests": {"cpu": "100m", "memory": "64Mi"},
                    "limits": {"cpu": "200m", "memory": "64Mi"}},
                "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}},
                "readinessProbe": {"httpGet": {"path": "/readyz", "port": 8080}},
                "volumeMounts": [{"name": "data", "mountPath": "/data", "readOnly": true}]}],
            "volumes": [{"name": "data", "nfs": {"server": "nfs.example.com", "path": "/exports"}}]}})
}

#[test]
fn namespace_labels_come_from_a_watch_on_the_kubernetes_api() {
    let dir = tmp("kube");
    let api = fake_kube::FakeApi::start();
    api.set("strict", &[(ENFORCE, "restricted")]);
    api.set("lax", &[("team", "web")]);
    let kubeconfig = dir.join("kubeconfig");
    api.write_kubeconfig(&kubeconfig);
    // The config gives `lax` a restricted label (the API's labels win) and knows `offline`,
    // which the API does not (the config answers).
    let config = dir.join("palisade.yaml");
    std::fs::write(
        &config,
        format!(
            "pss:\n  profile: baseline\nwebhook:\n  denyOn: medium\n  namespaces:\n    \
             lax:\n      labels: {{{ENFORCE}: restricted}}\n    \
             offline:\n      labels: {{{ENFORCE}: restricted}}\n"
        ),
    )
    .expect("config");
    let server = Server::start(
        &dir,
        &[
            "--config",
            config.to_str().unwrap(),
            "--kubeconfig",
            kubeconfig.to_str().unwrap(),
        ],
    );
    // The fake holds the list back: the webhook must not take reviews without labels.
    let (status, body) = server.call("GET", "/readyz", b"");
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("namespaces"), "{body}");
    assert_eq!(api.requests().0, 0);
    api.open_list();
    eventually(&server, "ready after the list", || {
        server.call("GET", "/readyz", b"").0 == 200
    });
    assert!(api.requests().0 >= 1);

    let verdict = |ns: &str| {
        let out = server.review("/validate", &admission(ns, &nfs_pod(ns), ns));
        let resp = out["response"].clone();
        let allowed = resp["allowed"] == true;
        (allowed, resp.to_string())
    };
    let (allowed, resp) = verdict("strict");
    assert!(!allowed, "{resp}");
    assert!(resp.contains("pss-restricted-volumes"), "{resp}");
    assert!(resp.contains("restricted"), "{resp}");
    let (allowed, resp) = verdict("lax");
    assert!(allowed, "the API's labels win over the config's: {resp}");
    assert!(!resp.contains("pss-"), "{resp}");
    let (allowed, resp) = verdict("offline");
    assert!(
        !allowed && resp.contains("pss-restricted-volumes"),
        "config fallback: {resp}"
    );
    let (allowed, resp) = verdict("fresh");
    assert!(allowed, "{resp}");
    // Created a moment ago, its watch event not yet here: read directly.
    api.set_unwatched("brand-new", &[(ENFORCE, "restricted")]);
    let (allowed, resp) = verdict("brand-new");
    assert!(
        !allowed && resp.contains("pss-restricted-volumes"),
        "{resp}"
    );

    // A label change and a namespace created after the start reach the webhook by the watch.
    api.set("lax", &[("team", "web"), (ENFORCE, "restricted")]);
    api.set("fresh", &[(ENFORCE, "restricted")]);
    eventually(&server, "MODIFIED lax applies", || !verdict("lax").0);
    eventually(&server, "ADDED fresh applies", || !verdict("fresh").0);
    let (_, m) = server.call("GET", "/metrics", b"");
    assert!(m.contains("palisade_webhook_namespaces 3"), "{m}");

    // A broken watch: refused once, retried with backoff; the last labels stay in use.
    api.break_watches(1);
    eventually(&server, "the failed watch is logged", || {
        server.log().contains("error: namespace watch:")
    });
    assert!(server.log().contains("last known namespace labels"));
    assert!(!verdict("strict").0);
    api.set("strict", &[]);
    eventually(&server, "the watch resumed", || verdict("strict").0);
    assert_eq!(server.call("GET", "/readyz", b"").0, 200);
    let (_, m) = server.call("GET", "/metrics", b"");
    assert!(
        m.contains("palisade_webhook_namespace_watch_errors_total 1"),
        "{m}\n{}",
        server.log()
    );
    assert!(api.requests().1 >= 2, "{:?}", api.requests());
}

#[test]
fn an_unreadable_kubeconfig_is_named() {
    let dir = tmp("kubeconfig");
    let out = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["webhook", "--no-config", "--listen", "127.0.0.1:0"])
        .args(["--self-signed", "localhost", "--kubeconfig"])
        .arg(dir.join("missing-kubeconfig"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("missing-kubeconfig"), "{err}");
    let out = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["webhook", "--no-config", "--self-signed", "localhost"])
        .args(["--namespace-labels", "config", "--kubeconfig", "x"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--kubeconfig"));
}

/// A kubeconfig for an HTTPS API at `addr` (host:port on loopback) trusting `ca`.
fn tls_kubeconfig(path: &Path, addr: &str, ca: &Path) {
    let port = addr.rsplit(':').next().expect("port");
    let kc = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: \
         https://localhost:{port}\n    certificate-authority: {}\nusers:\n- name: u\n  user:\n    \
         token: not-a-secret\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\n\
         current-context: c\n",
        ca.display()
    );
    std::fs::write(path, kc).expect("kubeconfig");
}

#[test]
fn the_api_client_speaks_tls_and_checks_the_kubeconfig_ca() {
    // Any HTTPS server whose CA we hold stands in for the API server: another webhook. It
    // answers the Namespace list with 404, which the client can only see after a handshake.
    let (dir_a, dir_b) = (tmp("api-a"), tmp("api-b"));
    let api = Server::start(&dir_a, &["--no-config"]);
    let kc = dir_b.join("kubeconfig");
    tls_kubeconfig(&kc, &api.addr, &dir_a.join("certs/ca.crt"));
    let b = Server::start(
        &dir_b,
        &["--no-config", "--kubeconfig", kc.to_str().unwrap()],
    );
    eventually(&b, "the list reached the stand-in API", || {
        b.log().contains("no such endpoint")
    });
    assert_eq!(b.call("GET", "/readyz", b"").0, 503);
    // Trusting another CA (b's own), the handshake fails and the log says why.
    let kc_bad = dir_b.join("kubeconfig-bad");
    tls_kubeconfig(&kc_bad, &api.addr, &dir_b.join("certs/ca.crt"));
    let c = Server::start(
        &tmp("api-c"),
        &["--no-config", "--kubeconfig", kc_bad.to_str().unwrap()],
    );
    eventually(&c, "the certificate is refused", || {
        c.log().contains("invalid peer certificate")
    });
    assert!(!c.log().contains("no such endpoint"));
}
