//! `palisade scan --images`: the images referenced by workloads, scanned once each, with their
//! findings attached to the workload and container as rules of the engine, so reports,
//! exemptions, owners, fingerprints and exit codes treat them like every other finding.
//!
//! The engine gives every finding of a rule the rule's severity, so vulnerabilities are spread
//! over one rule per severity (`image-vulnerability-high`, ...): `checks.severity`,
//! `checks.disable` and `--fail-on` then work on them as on any check.

use crate::error::Result;
use crate::reference::ImageRef;
use crate::resolve::Resolver;
use crate::{ImageReport, ScanOptions, Scanner, VulnFinding};
use palisade_checks::support::container_path;
use palisade_checks::support::security_context::effective;
use palisade_engine::rule::Enforcement;
use palisade_engine::{Evaluator, Prepared, RuleInfo, RuleSource};
use palisade_model::{Category, Container, Diagnostic, Index, Node, Object, PodSpec, Severity};
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// How `scan --images` reads and judges images.
#[derive(Debug, Clone, Default)]
pub struct WorkloadImagesOptions {
    pub scan: ScanOptions,
    pub resolver: Resolver,
    /// Report only vulnerabilities that have a fixed version.
    pub only_fixed: bool,
}

/// The image evaluator.
pub struct WorkloadImages {
    scanner: Scanner,
    resolver: Resolver,
    only_fixed: bool,
    rules: Vec<RuleInfo>,
}

const VULN_CRITICAL: usize = 0;
const VULN_HIGH: usize = 1;
const VULN_MEDIUM: usize = 2;
const VULN_LOW: usize = 3;
const VULN_UNRATED: usize = 4;
const SECRET: usize = 5;
const SECRET_IN_ENV: usize = 6;
const RUNS_AS_ROOT: usize = 7;
const SCAN_ERROR: usize = 8;

/// (id, title, severity, rationale, remediation), in the order of the constants above.
const RULES: [(&str, &str, Severity, &str, &str); 9] = [
    (
        "image-vulnerability-critical",
        "Image has a critical known vulnerability",
        Severity::Critical,
        "A package in the container's image is affected by a published vulnerability rated critical (CVSS 9.0 or more, or the advisory's own rating).",
        "Upgrade the package to a fixed version (rebuild the image on a patched base) or move to an image without it.",
    ),
    (
        "image-vulnerability-high",
        "Image has a high-severity known vulnerability",
        Severity::High,
        "A package in the container's image is affected by a published vulnerability rated high (CVSS 7.0–8.9, or the advisory's own rating).",
        "Upgrade the package to a fixed version (rebuild the image on a patched base) or move to an image without it.",
    ),
    (
        "image-vulnerability-medium",
        "Image has a medium-severity known vulnerability",
        Severity::Medium,
        "A package in the container's image is affected by a published vulnerability rated medium (CVSS 4.0–6.9, or the advisory's own rating).",
        "Upgrade the package to a fixed version when one exists.",
    ),
    (
        "image-vulnerability-low",
        "Image has a low-severity known vulnerability",
        Severity::Low,
        "A package in the container's image is affected by a published vulnerability rated low (CVSS below 4.0, or the advisory's own rating).",
        "Upgrade the package to a fixed version when one exists.",
    ),
    (
        "image-vulnerability-unrated",
        "Image has a known vulnerability without a severity rating",
        Severity::Medium,
        "A package in the container's image is affected by a published vulnerability whose advisory gives no CVSS vector or rating (Go advisories often do not); it is counted as medium until rated. Change that with checks.severity.",
        "Read the advisory and upgrade the package to a fixed version when one exists.",
    ),
    (
        "image-secret",
        "Secret in an image layer",
        Severity::High,
        "A credential was found in a file of the image. Anyone who can pull the image can read it, even when a later layer deleted the file: every layer ships.",
        "Revoke the credential, remove it from the build (multi-stage builds, build secrets) and pass it at run time from a Kubernetes Secret.",
    ),
    (
        "image-secret-in-env",
        "Secret in the image's environment",
        Severity::High,
        "The image configuration sets an environment variable holding what looks like a secret; `docker inspect` and every pull reveal it.",
        "Pass the value at run time (Kubernetes Secret through env valueFrom or a mounted file) instead of baking it into ENV.",
    ),
    (
        "image-runs-as-root",
        "Image runs as root and the pod does not override it",
        Severity::Medium,
        "The image sets no USER (or USER root), and neither the container nor the pod sets a non-zero runAsUser, so the process runs as UID 0.",
        "Add a USER with a non-root UID to the image, or set securityContext.runAsUser (and runAsNonRoot: true) in the pod.",
    ),
    (
        "image-scan-error",
        "Image could not be scanned",
        Severity::High,
        "The image could not be read (not found, no access, malformed or over a limit), so its vulnerabilities and secrets are unknown. Unknown counts as failing, like a test that could not run.",
        "Make the image readable (registry credentials, --image-source / --image-mirror for offline scans) or fix the reference.",
    ),
];

impl WorkloadImages {
    /// Opens the vulnerability database and secret rules once; fails on a missing or broken
    /// database or rule file (a configuration error).
    pub fn new(opts: WorkloadImagesOptions) -> Result<Self> {
        let rules = RULES
            .iter()
            .map(|(id, title, severity, rationale, remediation)| RuleInfo {
                id: id.to_string(),
                title: title.to_string(),
                category: Category::Security,
                severity: *severity,
                rationale: rationale.to_string(),
                remediation: remediation.to_string(),
                references: Vec::new(),
                source: RuleSource::Image,
                cross_object: false,
                enforcement: Enforcement::Severity,
            })
            .collect();
        Ok(WorkloadImages {
            scanner: Scanner::new(opts.scan)?,
            resolver: opts.resolver,
            only_fixed: opts.only_fixed,
            rules,
        })
    }

    /// Scans each distinct image once, in parallel: references are resolved first, so two
    /// names for the same source (e.g. two tags of one mirror entry) are read once.
    fn scan_all(&self, images: BTreeSet<&str>) -> HashMap<String, Scanned> {
        let resolved: Vec<(&str, std::result::Result<ImageRef, String>)> = images
            .into_iter()
            .map(|i| (i, self.resolver.resolve(i).map_err(|e| e.to_string())))
            .collect();
        let mut sources: Vec<(&ImageRef, &str)> = Vec::new();
        for (image, r) in &resolved {
            if let Ok(r) = r
                && !sources.iter().any(|(s, _)| *s == r)
            {
                sources.push((r, image));
            }
        }
        let scanned: HashMap<&ImageRef, Scanned> = sources
            .into_par_iter()
            .map(|(r, image)| {
                (
                    r,
                    self.scanner.scan_ref(image, r).map_err(|e| e.to_string()),
                )
            })
            .collect();
        resolved
            .iter()
            .map(|(image, r)| {
                let result = match r {
                    Ok(r) => scanned
                        .get(r)
                        .cloned()
                        .unwrap_or_else(|| Err("not scanned".into())),
                    Err(e) => Err(e.clone()),
                };
                (image.to_string(), result)
            })
            .collect()
    }
}

type Scanned = std::result::Result<Arc<ImageReport>, String>;

/// The images of every container (init, regular, ephemeral) of every workload in the index.
fn referenced<'a>(index: &Index<'a>) -> BTreeSet<&'a str> {
    let mut out = BTreeSet::new();
    for p in index.pod_specs() {
        out.extend(
            p.all_containers()
                .filter_map(|c| c.image())
                .map(str::trim)
                .filter(|i| !i.is_empty()),
        );
    }
    out
}

struct ImagesScan<'a> {
    e: &'a WorkloadImages,
    results: HashMap<String, Scanned>,
}

impl Evaluator for WorkloadImages {
    fn rules(&self) -> &[RuleInfo] {
        &self.rules
    }

    fn prepare<'a>(
        &'a self,
        index: &'a Index<'a>,
        _wanted: &'a [bool],
        _request: Option<&'a palisade_engine::AdmissionRequest>,
    ) -> Box<dyn Prepared + 'a> {
        Box::new(ImagesScan {
            e: self,
            results: self.scan_all(referenced(index)),
        })
    }
}

fn vuln_rule(v: &VulnFinding) -> usize {
    match v.severity {
        Some(Severity::Critical) => VULN_CRITICAL,
        Some(Severity::High) => VULN_HIGH,
        Some(Severity::Medium) => VULN_MEDIUM,
        Some(Severity::Low | Severity::Info) => VULN_LOW,
        None => VULN_UNRATED,
    }
}

/// Advisory summaries are sometimes whole paragraphs; a finding keeps the first part.
const SUMMARY_CHARS: usize = 160;

fn vuln_message(v: &VulnFinding, image: &str) -> String {
    let ids = std::iter::once(v.id.as_str())
        .chain(v.aliases.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(", ");
    let fix = if v.has_fix() {
        format!("fixed in {}", v.fixed_versions.join(", "))
    } else {
        "no fix yet".to_string()
    };
    let score = v
        .cvss_score
        .map(|s| format!(", CVSS {s}"))
        .unwrap_or_default();
    let summary = match v.summary.trim() {
        "" => String::new(),
        s if s.chars().count() > SUMMARY_CHARS => {
            let cut: String = s.chars().take(SUMMARY_CHARS).collect();
            format!(": {}…", cut.trim_end())
        }
        s => format!(": {s}"),
    };
    let at = v
        .file_path
        .as_deref()
        .map(|f| format!(" ({f})"))
        .unwrap_or_default();
    format!(
        "image {image}: {} {} {}{at} is affected by {ids}{score}; {fix}{summary}",
        v.ecosystem, v.package, v.version
    )
}

fn short(digest: &str) -> &str {
    let hex = digest.split_once(':').map_or(digest, |(_, h)| h);
    &hex[..hex.len().min(12)]
}

impl ImagesScan<'_> {
    fn container(
        &self,
        pod: &PodSpec,
        c: &Container,
        image: &str,
        out: &mut Vec<(usize, Diagnostic)>,
    ) {
        let pos = c.pos_of(&["image"]);
        let image_path = format!("{}/image", container_path(pod, c));
        // One-per-container findings point at the image field; findings that can repeat in a
        // container (vulnerabilities, secrets) leave the path empty so the fingerprint is
        // keyed on their message and each stays distinct.
        let once = |rule: usize, message: String| {
            (
                rule,
                Diagnostic::new(message, pos)
                    .at_path(image_path.clone())
                    .in_container(c.name),
            )
        };
        let many = |rule: usize, message: String| {
            (rule, Diagnostic::new(message, pos).in_container(c.name))
        };
        let report = match self.results.get(image) {
            Some(Ok(r)) => r,
            Some(Err(e)) => {
                out.push(once(
                    SCAN_ERROR,
                    format!("image {image} could not be scanned: {e}"),
                ));
                return;
            }
            None => return,
        };
        for v in &report.vulnerabilities {
            if self.e.only_fixed && !v.has_fix() {
                continue;
            }
            out.push(many(vuln_rule(v), vuln_message(v, image)));
        }
        for s in &report.secrets {
            let deleted = if s.in_final_filesystem {
                ""
            } else {
                ", deleted by a later layer but still shipped in the image"
            };
            out.push(many(
                SECRET,
                format!(
                    "image {image}: secret ({}) in {} line {} of layer {}{deleted}: {}",
                    s.rule_id,
                    s.path,
                    s.line,
                    short(&s.layer_digest),
                    s.redacted
                ),
            ));
        }
        for f in &report.config_findings {
            match f.id.as_str() {
                "image-secret-in-env" => {
                    out.push(many(SECRET_IN_ENV, format!("image {image}: {}", f.message)))
                }
                "image-runs-as-root" => {
                    if let Some(m) = root_message(pod, c, image, &f.message) {
                        out.push(once(RUNS_AS_ROOT, m));
                    }
                }
                // Tags, digests and registries of the reference as written are judged by the
                // built-in checks (latest-tag, image-digest, untrusted-registry).
                _ => {}
            }
        }
    }
}

/// Whether the container really runs as root: the image's USER is root and the pod does not
/// set a non-zero runAsUser. With runAsNonRoot and no runAsUser the kubelet refuses to start it.
fn root_message(pod: &PodSpec, c: &Container, image: &str, why: &str) -> Option<String> {
    let user = effective(pod, c, "runAsUser").and_then(Node::as_i64);
    if user.is_some_and(|u| u > 0) {
        return None;
    }
    let non_root = effective(pod, c, "runAsNonRoot").and_then(Node::as_bool) == Some(true);
    Some(if non_root && user.is_none() {
        format!(
            "image {image}: {why}, and runAsNonRoot is set without runAsUser: the kubelet will refuse to start container `{}`",
            c.name
        )
    } else {
        format!(
            "image {image}: {why}, and container `{}` sets no non-zero runAsUser",
            c.name
        )
    })
}

impl Prepared for ImagesScan<'_> {
    fn evaluate<'o>(
        &self,
        _obj: &'o Object,
        pod: Option<PodSpec<'o>>,
        out: &mut Vec<(usize, Diagnostic)>,
    ) {
        let Some(pod) = pod else {
            return;
        };
        for c in pod.all_containers() {
            if let Some(image) = c.image().map(str::trim).filter(|i| !i.is_empty()) {
                self.container(&pod, &c, image, out);
            }
        }
    }
}
