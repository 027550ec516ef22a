//! Pulling through the OCI distribution API from a small registry of ours on loopback, serving
//! the blobs of `shared/images/oci`: anonymous, HTTP basic and bearer-token auth, a multi-arch
//! index resolved to the requested platform, and a blob that does not match its digest.

mod common;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use palisade_image::{Ecosystem, Platform, RegistryOptions, ScanOptions, Scanner};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Clone, Copy, PartialEq)]
enum Auth {
    Anonymous,
    Basic,
    Bearer,
}

struct Registry {
    layout: PathBuf,
    auth: Auth,
    port: u16,
    /// Serve this blob with one byte changed.
    corrupt: Option<String>,
    requests: AtomicUsize,
}

const USER: &str = "alice";
const PASS: &str = "s3cret";
const TOKEN: &str = "tok-123";

fn basic() -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASS}"))
    )
}

fn index_json(layout: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap()
}

fn digest_of_tag(layout: &Path, tag: &str) -> Option<String> {
    index_json(layout)["manifests"]
        .as_array()?
        .iter()
        .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == tag)
        .and_then(|m| m["digest"].as_str().map(String::from))
}

fn blob(layout: &Path, digest: &str) -> Option<Vec<u8>> {
    let hex = digest.strip_prefix("sha256:")?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    std::fs::read(layout.join("blobs/sha256").join(hex)).ok()
}

fn sha256(b: &[u8]) -> String {
    use sha2::Digest;
    format!(
        "sha256:{}",
        sha2::Sha256::digest(b)
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect::<String>()
    )
}

/// `multi`: an index with an arm64 image (alpine fixture) and an amd64 one (rocky fixture).
fn multi_index(layout: &Path) -> Vec<u8> {
    let entry = |tag: &str, arch: &str| {
        let d = digest_of_tag(layout, tag).unwrap();
        let size = blob(layout, &d).unwrap().len();
        json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": d, "size": size,
               "platform": {"os": "linux", "architecture": arch}})
    };
    serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [entry("alpine320-apk-fixture", "arm64"), entry("rocky9-rpm-fixture", "amd64")],
    }))
    .unwrap()
}

fn unauthorized(reg: &Registry, repo: &str) -> Response {
    let challenge = match reg.auth {
        Auth::Basic => "Basic realm=\"test\"".to_string(),
        _ => format!(
            "Bearer realm=\"http://127.0.0.1:{}/token\",service=\"test-registry\",scope=\"repository:{repo}:pull\"",
            reg.port
        ),
    };
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, challenge)],
        "unauthorized",
    )
        .into_response()
}

fn authorized(reg: &Registry, headers: &HeaderMap) -> bool {
    let got = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match reg.auth {
        Auth::Anonymous => true,
        Auth::Basic => got == basic(),
        Auth::Bearer => got == format!("Bearer {TOKEN}"),
    }
}

async fn handle(State(reg): State<Arc<Registry>>, req: Request) -> Response {
    reg.requests.fetch_add(1, Ordering::SeqCst);
    let path = req.uri().path().to_string();
    let headers = req.headers().clone();
    if path == "/token" {
        let q = req.uri().query().unwrap_or("");
        let ok = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            == Some(basic().as_str())
            && q.contains("service=test-registry")
            && q.contains("scope=repository%3Apalisade%2Ftest%3Apull");
        return if ok {
            (
                [(header::CONTENT_TYPE, "application/json")],
                json!({"token": TOKEN}).to_string(),
            )
                .into_response()
        } else {
            (StatusCode::UNAUTHORIZED, "bad credentials").into_response()
        };
    }
    let Some(rest) = path.strip_prefix("/v2/") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let (repo, kind, reference) = if let Some((r, m)) = rest.split_once("/manifests/") {
        (r, "manifest", m)
    } else if let Some((r, b)) = rest.split_once("/blobs/") {
        (r, "blob", b)
    } else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !authorized(&reg, &headers) {
        return unauthorized(&reg, repo);
    }
    if repo != "palisade/test" {
        return StatusCode::NOT_FOUND.into_response();
    }
    let body = match (kind, reference) {
        ("manifest", "multi") => Some(multi_index(&reg.layout)),
        ("manifest", r) if r.starts_with("sha256:") => blob(&reg.layout, r),
        ("manifest", tag) => digest_of_tag(&reg.layout, tag).and_then(|d| blob(&reg.layout, &d)),
        (_, d) => blob(&reg.layout, d).map(|mut b| {
            if reg.corrupt.as_deref() == Some(d)
                && let Some(last) = b.last_mut()
            {
                *last ^= 0xff;
            }
            b
        }),
    };
    let Some(body) = body else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut resp = Response::new(Body::from(body.clone()));
    if kind == "manifest" {
        let mt = serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| v["mediaType"].as_str().map(String::from))
            .unwrap_or_else(|| "application/vnd.oci.image.manifest.v1+json".into());
        resp.headers_mut()
            .insert(header::CONTENT_TYPE, mt.parse().unwrap());
        resp.headers_mut()
            .insert("docker-content-digest", sha256(&body).parse().unwrap());
    }
    resp
}

/// Starts the registry on an ephemeral loopback port; it lives as long as the test process.
fn start(auth: Auth, corrupt: Option<String>) -> Arc<Registry> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let reg = Arc::new(Registry {
        layout: common::shared().join("images/oci"),
        auth,
        port,
        corrupt,
        requests: AtomicUsize::new(0),
    });
    let state = reg.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let app = axum::Router::new().fallback(handle).with_state(state);
            axum::serve(listener, app).await.unwrap();
        });
    });
    reg
}

fn scanner(opts: RegistryOptions, platform: &str) -> Scanner {
    Scanner::new(ScanOptions {
        registry: opts,
        platform: platform.parse::<Platform>().unwrap(),
        ..Default::default()
    })
    .unwrap()
}

fn creds() -> RegistryOptions {
    RegistryOptions {
        username: Some(USER.into()),
        password: Some(PASS.into()),
        ..Default::default()
    }
}

#[test]
fn anonymous_pull_by_tag_with_config_findings() {
    let reg = start(Auth::Anonymous, None);
    let r = scanner(RegistryOptions::default(), "linux/amd64")
        .scan(&format!(
            "127.0.0.1:{}/palisade/test:rocky9-rpm-fixture",
            reg.port
        ))
        .unwrap();
    assert_eq!(
        r.packages
            .iter()
            .filter(|p| p.ecosystem == Ecosystem::Rpm)
            .count(),
        5
    );
    assert!(r.manifest_digest.as_deref().unwrap().starts_with("sha256:"));
    let ids: Vec<&str> = r.config_findings.iter().map(|c| c.id.as_str()).collect();
    assert!(
        ids.contains(&"image-mutable-tag") && ids.contains(&"image-runs-as-root"),
        "{ids:?}"
    );
}

#[test]
fn basic_auth_and_platform_from_index() {
    let reg = start(Auth::Basic, None);
    let image = format!("127.0.0.1:{}/palisade/test:multi", reg.port);
    // Without credentials the registry refuses, with a message saying what to do.
    let err = scanner(
        RegistryOptions {
            docker_config: Some("/nonexistent".into()),
            ..Default::default()
        },
        "linux/amd64",
    )
    .scan(&image)
    .unwrap_err()
    .to_string();
    assert!(err.contains("requires credentials"), "{err}");
    let amd = scanner(creds(), "linux/amd64").scan(&image).unwrap();
    assert_eq!(amd.os.as_ref().unwrap().id, "rocky");
    let arm = scanner(creds(), "linux/arm64").scan(&image).unwrap();
    assert_eq!(arm.os.as_ref().unwrap().id, "alpine");
    let err = scanner(creds(), "linux/s390x")
        .scan(&image)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no manifest for platform linux/s390x") && err.contains("linux/arm64"),
        "{err}"
    );
}

#[test]
fn bearer_token_from_docker_config() {
    let reg = start(Auth::Bearer, None);
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.json");
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASS}"));
    std::fs::write(
        &cfg,
        format!(
            r#"{{"auths":{{"127.0.0.1:{}":{{"auth":"{auth}"}}}}}}"#,
            reg.port
        ),
    )
    .unwrap();
    let opts = RegistryOptions {
        docker_config: Some(cfg),
        ..Default::default()
    };
    let digest = digest_of_tag(&reg.layout, "alpine320-apk-fixture").unwrap();
    let r = scanner(opts, "linux/amd64")
        .scan(&format!("127.0.0.1:{}/palisade/test@{digest}", reg.port))
        .unwrap();
    assert_eq!(
        r.packages
            .iter()
            .filter(|p| p.ecosystem == Ecosystem::Apk)
            .count(),
        14
    );
    assert_eq!(r.manifest_digest.as_deref(), Some(digest.as_str()));
    // Pinned by digest: no mutable-tag finding.
    assert!(
        r.config_findings
            .iter()
            .all(|c| c.id != "image-mutable-tag")
    );
}

#[test]
fn tampered_layer_is_rejected() {
    let layout = common::shared().join("images/oci");
    let manifest: Value = serde_json::from_slice(
        &blob(
            &layout,
            &digest_of_tag(&layout, "alpine320-apk-fixture").unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    let layer = manifest["layers"][0]["digest"]
        .as_str()
        .unwrap()
        .to_string();
    let reg = start(Auth::Anonymous, Some(layer.clone()));
    let err = scanner(RegistryOptions::default(), "linux/amd64")
        .scan(&format!(
            "127.0.0.1:{}/palisade/test:alpine320-apk-fixture",
            reg.port
        ))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&layer)
            && (err.contains("digest mismatch") || err.contains("cannot read the layer")),
        "{err}"
    );
    assert!(reg.requests.load(Ordering::SeqCst) >= 3);
}
