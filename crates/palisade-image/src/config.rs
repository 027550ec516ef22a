//! Findings about the image configuration and reference: root user, secrets in `ENV`, mutable
//! tags without a digest pin, registries outside the allowlist.

use crate::reference::ImageRef;
use crate::secrets::Rules;
use crate::source::ImageConfig;
use palisade_model::Severity;
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigFinding {
    /// Stable identifier: `image-runs-as-root`, `image-secret-in-env`, `image-mutable-tag`,
    /// `image-registry-not-allowed`.
    pub id: String,
    pub severity: Severity,
    pub message: String,
    pub remediation: String,
}

fn finding(id: &str, severity: Severity, message: String, remediation: &str) -> ConfigFinding {
    ConfigFinding {
        id: id.into(),
        severity,
        message,
        remediation: remediation.into(),
    }
}

fn secret_name() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // Invariant: the pattern is a constant that compiles (covered by the unit tests).
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)(passw(or)?d|secret|token|api[_-]?key|private[_-]?key|credential|access[_-]?key)",
        )
        .expect("constant regex")
    })
}

/// `root`, `0`, `0:0`, `root:root` and an empty USER all run as UID 0.
pub fn is_root_user(user: Option<&str>) -> bool {
    match user {
        None => true,
        Some(u) => {
            let name = u.split(':').next().unwrap_or(u).trim();
            name.is_empty() || name == "root" || name == "0"
        }
    }
}

/// Whether `registry` (`host[:port]`) or `registry/repository` is allowed by `allow` entries
/// (`host`, or `host/path/prefix`).
pub fn registry_allowed(registry: &str, repository: &str, allow: &[String]) -> bool {
    let full = format!("{registry}/{repository}");
    allow.iter().any(|a| {
        let a = a.trim_end_matches('/');
        a == registry || full == a || full.starts_with(&format!("{a}/"))
    })
}

pub fn check(
    reference: &ImageRef,
    config: &ImageConfig,
    rules: Option<&Rules>,
    allowed_registries: &[String],
) -> Vec<ConfigFinding> {
    let mut out = Vec::new();
    if is_root_user(config.user()) {
        out.push(finding(
            "image-runs-as-root",
            Severity::Medium,
            match config.user() {
                Some(u) => format!("the image runs as root (USER {u})"),
                None => "the image sets no USER, so it runs as root".into(),
            },
            "add a USER instruction with a non-root UID (and set runAsNonRoot in the pod)",
        ));
    }
    for entry in config.env() {
        let Some((key, value)) = entry.split_once('=') else {
            continue;
        };
        let by_rule = rules
            .map(|r| r.scan(entry.as_bytes(), "image config Env", "config"))
            .unwrap_or_default();
        let by_name = secret_name().is_match(key)
            && !value.trim().is_empty()
            && !value.starts_with('/')
            && !value.starts_with("$");
        if !by_rule.is_empty() || by_name {
            let why = by_rule
                .first()
                .map_or("its name suggests a secret".to_string(), |f| {
                    format!("matches rule {}", f.rule_id)
                });
            out.push(finding(
                "image-secret-in-env",
                Severity::High,
                format!("ENV {key} holds a value that looks like a secret ({why}); every layer and `docker inspect` reveal it"),
                "pass secrets at run time (Kubernetes Secret, mounted file) instead of baking them into ENV",
            ));
        }
    }
    if let ImageRef::Registry(r) = reference {
        if r.digest.is_none() {
            let tag = r.tag.as_deref().unwrap_or("latest");
            out.push(finding(
                "image-mutable-tag",
                if tag == "latest" {
                    Severity::Medium
                } else {
                    Severity::Low
                },
                format!("{r} is referenced by the mutable tag `{tag}` without a digest pin"),
                "pin the image by digest (name:tag@sha256:...) so what was scanned is what runs",
            ));
        }
        if !allowed_registries.is_empty()
            && !registry_allowed(&r.registry, &r.repository, allowed_registries)
        {
            out.push(finding(
                "image-registry-not-allowed",
                Severity::High,
                format!(
                    "registry {} is not on the allowlist ({})",
                    r.registry,
                    allowed_registries.join(", ")
                ),
                "pull the image through an allowed registry or add the registry to the allowlist",
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{ContainerConfig, ImageConfig};

    fn config(user: Option<&str>, env: &[&str]) -> ImageConfig {
        ImageConfig {
            config: Some(ContainerConfig {
                user: user.map(String::from),
                env: Some(env.iter().map(|s| s.to_string()).collect()),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn ids(f: &[ConfigFinding]) -> Vec<&str> {
        f.iter().map(|f| f.id.as_str()).collect()
    }

    #[test]
    fn root_and_env_secrets() {
        let rules = Rules::default_rules().unwrap();
        let r = ImageRef::parse("oci:/x:y").unwrap();
        let f = check(
            &r,
            &config(None, &["PATH=/usr/bin", "DB_PASSWORD=hunter2hunter2"]),
            Some(rules),
            &[],
        );
        assert_eq!(ids(&f), ["image-runs-as-root", "image-secret-in-env"]);
        let f = check(
            &r,
            &config(
                Some("1000:1000"),
                &[
                    "PASSWORD_FILE=/run/secrets/pw",
                    "GITHUB=ghp_PKdJLFuSL8yEDKpEZaS6Uvnd0HW9DpvHKCVS",
                ],
            ),
            Some(rules),
            &[],
        );
        assert_eq!(ids(&f), ["image-secret-in-env"]);
        assert!(f[0].message.contains("github-pat"), "{}", f[0].message);
        assert!(
            !f[0]
                .message
                .contains("PKdJLFuSL8yEDKpEZaS6Uvnd0HW9DpvHKCVS")
        );
        assert!(
            is_root_user(Some("0:0")) && is_root_user(Some("root")) && !is_root_user(Some("app"))
        );
    }

    #[test]
    fn tags_and_registries() {
        let c = config(Some("app"), &[]);
        let f = check(
            &ImageRef::parse("nginx").unwrap(),
            &c,
            None,
            &["registry.example.com".into()],
        );
        assert_eq!(ids(&f), ["image-mutable-tag", "image-registry-not-allowed"]);
        assert_eq!(f[0].severity, Severity::Medium);
        let pinned = format!(
            "registry.example.com/team/api:1.4.2@sha256:{}",
            "a".repeat(64)
        );
        assert!(
            check(
                &ImageRef::parse(&pinned).unwrap(),
                &c,
                None,
                &["registry.example.com/team".into()]
            )
            .is_empty()
        );
        assert!(!registry_allowed(
            "registry.example.com",
            "other/api",
            &["registry.example.com/team".into()]
        ));
    }
}
