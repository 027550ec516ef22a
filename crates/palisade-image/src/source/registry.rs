//! Pulling from a registry through the OCI distribution API: anonymous, HTTP basic and bearer
//! token auth (credentials from options or the Docker `config.json`), manifests lists resolved to
//! a platform, layer blobs streamed and verified against their digests.

use super::{
    Blobs, Descriptor, ImageConfig, Layer, MAX_JSON, MT_DOCKER_LIST, MT_DOCKER_MANIFEST,
    MT_OCI_INDEX, MT_OCI_MANIFEST, Platform, Resolved, VerifyingReader, parse_manifest,
    read_limited, resolve_manifest, verify_bytes,
};
use crate::error::{Error, Result};
use crate::reference::RegistryRef;
use base64::Engine as _;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

/// How to reach registries.
#[derive(Debug, Clone, Default)]
pub struct RegistryOptions {
    /// Registries (host[:port]) spoken to over plain HTTP. Loopback hosts always are.
    pub insecure: Vec<String>,
    /// Explicit credentials, used before the Docker config.
    pub username: Option<String>,
    pub password: Option<String>,
    /// Docker `config.json` to read credentials from (default `$DOCKER_CONFIG/config.json`,
    /// then `~/.docker/config.json`).
    pub docker_config: Option<PathBuf>,
}

#[derive(Clone)]
struct Credentials {
    username: String,
    password: String,
}

struct Client {
    agent: ureq::Agent,
    base: String,
    registry: String,
    repository: String,
    creds: Option<Credentials>,
    /// The `Authorization` header earned from the last challenge.
    auth: Mutex<Option<String>>,
}

fn is_loopback(host: &str) -> bool {
    let h = host.rsplit_once(':').map_or(host, |(h, p)| {
        if p.bytes().all(|b| b.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    h == "localhost" || h.starts_with("127.") || h == "[::1]"
}

impl Client {
    fn new(r: &RegistryRef, opts: &RegistryOptions) -> Result<Self> {
        let host = r.api_host().to_string();
        let scheme =
            if is_loopback(&host) || opts.insecure.iter().any(|i| *i == host || *i == r.registry) {
                "http"
            } else {
                "https"
            };
        let creds = match (&opts.username, &opts.password) {
            (Some(u), Some(p)) => Some(Credentials {
                username: u.clone(),
                password: p.clone(),
            }),
            _ => docker_config_credentials(&r.registry, opts.docker_config.as_deref())?,
        };
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(30)))
            .timeout_recv_response(Some(Duration::from_secs(120)))
            .user_agent(concat!("palisade/", env!("CARGO_PKG_VERSION")))
            .build();
        Ok(Client {
            agent: ureq::Agent::new_with_config(config),
            base: format!("{scheme}://{host}"),
            registry: r.registry.clone(),
            repository: r.repository.clone(),
            creds,
            auth: Mutex::new(None),
        })
    }

    fn err(&self, reason: impl Into<String>) -> Error {
        Error::Registry {
            registry: self.registry.clone(),
            reason: reason.into(),
        }
    }

    fn current_auth(&self) -> Option<String> {
        self.auth.lock().ok().and_then(|g| g.clone())
    }

    /// GET with auth; on 401 answers the challenge once and retries.
    fn get(&self, path: &str, accept: Option<&str>) -> Result<ureq::http::Response<ureq::Body>> {
        let url = format!("{}/v2/{}/{path}", self.base, self.repository);
        let mut answered = false;
        loop {
            let mut req = self.agent.get(&url);
            if let Some(a) = accept {
                req = req.header("Accept", a);
            }
            if let Some(auth) = self.current_auth() {
                req = req.header("Authorization", auth);
            }
            let resp = req
                .call()
                .map_err(|e| self.err(format!("GET {url}: {e}")))?;
            let status = resp.status().as_u16();
            match status {
                200 => return Ok(resp),
                401 if !answered => {
                    let challenge = resp
                        .headers()
                        .get("www-authenticate")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_string();
                    self.answer(&challenge)?;
                    answered = true;
                }
                401 | 403 => {
                    return Err(self.err(format!(
                        "GET {url}: access denied ({status}); check the credentials (`docker login {}` or --username/--password)",
                        self.registry
                    )));
                }
                404 => return Err(Error::NotFound(url.clone())),
                _ => return Err(self.err(format!("GET {url}: HTTP {status}"))),
            }
        }
    }

    fn basic(&self) -> Option<String> {
        self.creds.as_ref().map(|c| {
            let raw = format!("{}:{}", c.username, c.password);
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(raw)
            )
        })
    }

    fn answer(&self, challenge: &str) -> Result<()> {
        let (scheme, params) = parse_challenge(challenge);
        let header = match scheme.to_ascii_lowercase().as_str() {
            "basic" => self.basic().ok_or_else(|| {
                self.err(format!("the registry requires credentials; run `docker login {}` or pass --username/--password", self.registry))
            })?,
            "bearer" => {
                let realm = params
                    .iter()
                    .find(|(k, _)| k == "realm")
                    .map(|(_, v)| v.clone())
                    .ok_or_else(|| self.err("bearer challenge without a realm"))?;
                let mut req = self.agent.get(&realm);
                if let Some((_, s)) = params.iter().find(|(k, _)| k == "service") {
                    req = req.query("service", s);
                }
                let scope = params
                    .iter()
                    .find(|(k, _)| k == "scope")
                    .map(|(_, v)| v.clone())
                    .unwrap_or_else(|| format!("repository:{}:pull", self.repository));
                req = req.query("scope", &scope);
                if let Some(b) = self.basic() {
                    req = req.header("Authorization", b);
                }
                let mut resp = req.call().map_err(|e| self.err(format!("token request to {realm}: {e}")))?;
                if resp.status() != 200 {
                    return Err(self.err(format!(
                        "token request to {realm} failed with HTTP {}; check the credentials",
                        resp.status().as_u16()
                    )));
                }
                let body = resp
                    .body_mut()
                    .with_config()
                    .limit(MAX_JSON)
                    .read_to_vec()
                    .map_err(|e| self.err(format!("token response: {e}")))?;
                let v: serde_json::Value =
                    serde_json::from_slice(&body).map_err(|e| self.err(format!("token response is not JSON: {e}")))?;
                let token = v
                    .get("token")
                    .or_else(|| v.get("access_token"))
                    .and_then(|t| t.as_str())
                    .ok_or_else(|| self.err("token response has no `token`"))?;
                format!("Bearer {token}")
            }
            _ => return Err(self.err(format!("unsupported authentication challenge `{challenge}`"))),
        };
        if let Ok(mut g) = self.auth.lock() {
            *g = Some(header);
        }
        Ok(())
    }

    fn read_body(&self, resp: ureq::http::Response<ureq::Body>, what: &str) -> Result<Vec<u8>> {
        read_limited(resp.into_body().into_reader(), MAX_JSON, what)
    }

    fn manifest(&self, reference: &str) -> Result<(Vec<u8>, String)> {
        let accept = [
            MT_OCI_INDEX,
            MT_OCI_MANIFEST,
            MT_DOCKER_LIST,
            MT_DOCKER_MANIFEST,
        ]
        .join(", ");
        let resp = self.get(&format!("manifests/{reference}"), Some(&accept))?;
        let header_digest = resp
            .headers()
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .map(String::from);
        let bytes = self.read_body(
            resp,
            &format!("{}/{} manifest {reference}", self.registry, self.repository),
        )?;
        let digest = if reference.contains(':') {
            verify_bytes(reference, &bytes)?;
            reference.to_string()
        } else {
            header_digest.unwrap_or_else(|| super::sha256_digest(&bytes))
        };
        Ok((bytes, digest))
    }
}

/// `Bearer realm="x",service="y"` → ("Bearer", [(realm, x), (service, y)]).
fn parse_challenge(h: &str) -> (String, Vec<(String, String)>) {
    let h = h.trim();
    let (scheme, rest) = h.split_once(' ').unwrap_or((h, ""));
    let mut params = Vec::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let key: String = std::iter::from_fn(|| chars.next_if(|c| *c != '=')).collect();
        if key.is_empty() || chars.next().is_none() {
            break;
        }
        let mut val = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => val.extend(chars.next()),
                    '"' => break,
                    c => val.push(c),
                }
            }
        } else {
            val = std::iter::from_fn(|| chars.next_if(|c| *c != ',')).collect();
        }
        params.push((key.trim().to_ascii_lowercase(), val.trim().to_string()));
    }
    (scheme.to_string(), params)
}

/// Credentials for `registry` from the Docker config: `auths` (base64 `auth` or
/// username/password), then a credential helper (`credHelpers`, `credsStore`), which is a program
/// on this machine that the user configured (never anything from the image).
fn docker_config_credentials(
    registry: &str,
    path: Option<&std::path::Path>,
) -> Result<Option<Credentials>> {
    let path = match path {
        Some(p) => p.to_path_buf(),
        None => match std::env::var_os("DOCKER_CONFIG") {
            Some(d) => PathBuf::from(d).join("config.json"),
            None => match std::env::var_os("HOME") {
                Some(h) => PathBuf::from(h).join(".docker/config.json"),
                None => return Ok(None),
            },
        },
    };
    let Ok(bytes) = std::fs::read(&path) else {
        return Ok(None);
    };
    let v: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
        Error::format(
            path.display().to_string(),
            format!("invalid Docker config: {e}"),
        )
    })?;
    let is_hub = |h: &str| matches!(h, "docker.io" | "index.docker.io" | "registry-1.docker.io");
    let host_of = |k: &str| -> String {
        let k = k
            .strip_prefix("https://")
            .or_else(|| k.strip_prefix("http://"))
            .unwrap_or(k);
        k.split('/').next().unwrap_or(k).to_string()
    };
    let same = |k: &str| {
        let h = host_of(k);
        h == registry || (is_hub(&h) && is_hub(registry))
    };
    if let Some(auths) = v.get("auths").and_then(|a| a.as_object()) {
        for (k, entry) in auths {
            if !same(k) {
                continue;
            }
            if let Some(a) = entry
                .get("auth")
                .and_then(|a| a.as_str())
                .filter(|a| !a.is_empty())
            {
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(a.trim())
                    .map_err(|e| {
                        Error::format(
                            path.display().to_string(),
                            format!("auths.{k}.auth is not base64: {e}"),
                        )
                    })?;
                let s = String::from_utf8_lossy(&decoded).into_owned();
                if let Some((u, p)) = s.split_once(':') {
                    return Ok(Some(Credentials {
                        username: u.to_string(),
                        password: p.to_string(),
                    }));
                }
            }
            if let (Some(u), Some(p)) = (
                entry.get("username").and_then(|x| x.as_str()),
                entry.get("password").and_then(|x| x.as_str()),
            ) {
                return Ok(Some(Credentials {
                    username: u.into(),
                    password: p.into(),
                }));
            }
        }
    }
    let helper = v
        .get("credHelpers")
        .and_then(|h| h.as_object())
        .and_then(|h| {
            h.iter()
                .find(|(k, _)| same(k))
                .and_then(|(_, v)| v.as_str())
        })
        .or_else(|| v.get("credsStore").and_then(|s| s.as_str()));
    match helper {
        Some(name) => Ok(run_helper(name, registry)),
        None => Ok(None),
    }
}

fn run_helper(name: &str, registry: &str) -> Option<Credentials> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return None;
    }
    let mut child = Command::new(format!("docker-credential-{name}"))
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(registry.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    Some(Credentials {
        username: v.get("Username")?.as_str()?.to_string(),
        password: v.get("Secret")?.as_str()?.to_string(),
    })
}

struct RegistryBlobs(Client);

impl Blobs for RegistryBlobs {
    fn open(&self, layer: &Layer) -> Result<Box<dyn Read + Send + '_>> {
        let resp = self.0.get(&format!("blobs/{}", layer.digest), None)?;
        let r = resp.into_body().into_reader();
        Ok(Box::new(VerifyingReader::new(
            std::io::BufReader::with_capacity(256 << 10, r),
            &layer.digest,
        )))
    }
}

/// Resolves a registry reference: manifest (list) → platform manifest → config.
pub fn open(r: &RegistryRef, platform: &Platform, opts: &RegistryOptions) -> Result<Resolved> {
    let client = Client::new(r, opts)?;
    let (bytes, digest) = client.manifest(r.reference())?;
    let what = r.to_string();
    let doc = parse_manifest(&bytes, &what)?;
    let fetch = |d: &Descriptor| -> Result<Vec<u8>> {
        let is_manifest = matches!(
            d.media_type.as_str(),
            MT_OCI_INDEX | MT_OCI_MANIFEST | MT_DOCKER_LIST | MT_DOCKER_MANIFEST
        );
        if is_manifest {
            return client.manifest(&d.digest).map(|(b, _)| b);
        }
        let resp = client.get(&format!("blobs/{}", d.digest), None)?;
        let b = client.read_body(resp, &format!("{what} blob {}", d.digest))?;
        verify_bytes(&d.digest, &b)?;
        Ok(b)
    };
    let (manifest, manifest_digest, config_bytes, config_digest) =
        resolve_manifest(&fetch, doc, Some(digest), platform, &what)?;
    let config = ImageConfig::parse(&config_bytes, &format!("{what}: config {config_digest}"))?;
    let layers = super::manifest_layers(&manifest, |d| format!("{what} blob {}", d.digest));
    Ok(Resolved {
        name: what,
        manifest_digest,
        config_digest: Some(config_digest),
        config,
        layers,
        blobs: Box::new(RegistryBlobs(client)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bearer_challenge() {
        let (s, p) = parse_challenge(
            r#"Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull""#,
        );
        assert_eq!(s, "Bearer");
        assert_eq!(
            p[0],
            ("realm".into(), "https://auth.example.com/token".into())
        );
        assert_eq!(p[2].1, "repository:a/b:pull");
        let (s, p) = parse_challenge(r#"Basic realm="Registry Realm""#);
        assert_eq!((s.as_str(), p[0].1.as_str()), ("Basic", "Registry Realm"));
    }

    #[test]
    fn loopback_is_plain_http() {
        assert!(is_loopback("127.0.0.1:5000"));
        assert!(is_loopback("localhost"));
        assert!(!is_loopback("registry.example.com"));
    }

    #[test]
    fn docker_config_auths() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.json");
        let auth = base64::engine::general_purpose::STANDARD.encode("alice:s3cret");
        std::fs::write(
            &p,
            format!(r#"{{"auths":{{"https://index.docker.io/v1/":{{"auth":"{auth}"}},"reg.example.com":{{"username":"bob","password":"pw"}}}}}}"#),
        )
        .unwrap();
        let hub = docker_config_credentials("docker.io", Some(&p))
            .unwrap()
            .unwrap();
        assert_eq!(
            (hub.username.as_str(), hub.password.as_str()),
            ("alice", "s3cret")
        );
        let other = docker_config_credentials("reg.example.com", Some(&p))
            .unwrap()
            .unwrap();
        assert_eq!(other.username, "bob");
        assert!(
            docker_config_credentials("nope.example.com", Some(&p))
                .unwrap()
                .is_none()
        );
    }
}
