//! `palisade image`: inventory, known vulnerabilities, secrets and configuration findings of
//! container images, with SBOMs and a CI gate.

use crate::exit;
use palisade_image::report::{Format, Gate, render};
use palisade_image::sbom;
use palisade_image::{ImageReport, Platform, ScanOptions, Scanner};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(clap::Args)]
pub struct Args {
    /// Images: a registry reference (`registry/repo:tag[@digest]`), `oci:DIR[:tag]`,
    /// `docker-archive:FILE.tar[:repo:tag]` or `dir:ROOTFS`.
    #[arg(required = true, value_name = "IMAGE")]
    images: Vec<String>,
    /// Platform to pick from multi-arch images.
    #[arg(long, default_value = "linux/amd64", value_name = "OS/ARCH[/VARIANT]")]
    platform: String,
    /// Report format on standard output.
    #[arg(long, default_value = "text", value_parser = ["text", "json", "sarif", "junit", "markdown"])]
    format: String,
    /// Produce an SBOM in this format (to standard output, or to `--output sbom=PATH`).
    #[arg(long, value_parser = ["cyclonedx", "spdx"])]
    sbom: Option<String>,
    /// Also write FORMAT to PATH (repeatable): text, json, sarif, junit, markdown, sbom,
    /// cyclonedx, spdx. With several images, SBOM files get `.2`, `.3`... suffixes.
    #[arg(long = "output", value_name = "FORMAT=PATH")]
    outputs: Vec<String>,
    /// Exit with 1 when a vulnerability of this severity or higher is found.
    #[arg(long, value_name = "SEVERITY", value_parser = ["critical", "high", "medium", "low"])]
    fail_on_vuln: Option<String>,
    /// With --fail-on-vuln: count only vulnerabilities that have a fix.
    #[arg(long)]
    only_fixed: bool,
    /// Vulnerability database [default: $PALISADE_DB or <user data dir>/palisade/vulndb.sqlite3].
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Do not search layers and the config for secrets.
    #[arg(long)]
    no_secrets: bool,
    /// Secret rules in the gitleaks TOML format instead of the bundled ones.
    #[arg(long, value_name = "FILE")]
    secret_rules: Option<PathBuf>,
    /// Allowed registries (`host` or `host/path`, repeatable); others are reported.
    #[arg(long = "allowed-registry", value_name = "REGISTRY")]
    allowed_registries: Vec<String>,
    /// Registries spoken to over plain HTTP (loopback always is).
    #[arg(long = "insecure-registry", value_name = "HOST")]
    insecure_registries: Vec<String>,
    /// Registry user name (the password is read from $PALISADE_REGISTRY_PASSWORD); default:
    /// credentials from the Docker config.
    #[arg(long)]
    username: Option<String>,
}

fn write(path: &str, body: &str) -> Result<(), String> {
    std::fs::write(path, body).map_err(|e| format!("cannot write {path}: {e}"))
}

fn sbom_body(kind: &str, r: &ImageReport) -> String {
    let v = if kind == "spdx" {
        sbom::spdx::to_json(r)
    } else {
        sbom::cyclonedx::to_json(r)
    };
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}

pub fn run(args: Args) -> u8 {
    let platform: Platform = match args.platform.parse() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let format: Format = match args.format.parse() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let mut outputs = Vec::new();
    for o in &args.outputs {
        let Some((f, p)) = o
            .split_once('=')
            .filter(|(f, p)| !f.is_empty() && !p.is_empty())
        else {
            eprintln!("error: --output `{o}`: expected FORMAT=PATH, for example sarif=image.sarif");
            return exit::USAGE;
        };
        let ok = matches!(
            f,
            "text" | "json" | "sarif" | "junit" | "markdown" | "sbom" | "cyclonedx" | "spdx"
        );
        if !ok {
            eprintln!(
                "error: --output `{o}`: unknown format `{f}` (text, json, sarif, junit, markdown, sbom, cyclonedx, spdx)"
            );
            return exit::USAGE;
        }
        outputs.push((f.to_string(), p.to_string()));
    }
    let db = palisade_image::choose_db(args.db)
        .map_err(|w| eprintln!("warning: {w}"))
        .ok();
    let mut registry = palisade_image::RegistryOptions {
        insecure: args.insecure_registries,
        ..Default::default()
    };
    if let Some(u) = args.username {
        registry.username = Some(u);
        registry.password = std::env::var("PALISADE_REGISTRY_PASSWORD").ok();
        if registry.password.is_none() {
            eprintln!("error: --username needs the password in $PALISADE_REGISTRY_PASSWORD");
            return exit::USAGE;
        }
    }
    let opts = ScanOptions {
        platform,
        registry,
        secrets: !args.no_secrets,
        secret_rules: args.secret_rules,
        db,
        allowed_registries: args.allowed_registries,
        ..Default::default()
    };
    let scanner = match Scanner::new(opts) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::INPUT_ERRORS;
        }
    };
    let mut reports: Vec<Arc<ImageReport>> = Vec::new();
    let mut failed = false;
    for image in &args.images {
        match scanner.scan(image) {
            Ok(r) => reports.push(r),
            Err(e) => {
                eprintln!("error: {image}: {e}");
                failed = true;
            }
        }
    }
    let refs: Vec<&ImageReport> = reports.iter().map(|r| r.as_ref()).collect();
    let sbom_to_file = outputs.iter().any(|(f, _)| f == "sbom");
    match (&args.sbom, sbom_to_file) {
        (Some(kind), false) => {
            for r in &refs {
                print!("{}", sbom_body(kind, r));
            }
        }
        _ => print!("{}", render(&refs, format)),
    }
    for (f, path) in &outputs {
        let res = match f.as_str() {
            "sbom" | "cyclonedx" | "spdx" => {
                let kind = if f == "sbom" {
                    args.sbom.as_deref().unwrap_or("cyclonedx")
                } else {
                    f.as_str()
                };
                refs.iter().enumerate().try_for_each(|(i, r)| {
                    let p = if i == 0 {
                        path.clone()
                    } else {
                        format!("{path}.{}", i + 1)
                    };
                    write(&p, &sbom_body(kind, r))
                })
            }
            other => match other.parse::<Format>() {
                Ok(fmt) => write(path, &render(&refs, fmt)),
                Err(e) => Err(e),
            },
        };
        if let Err(e) = res {
            eprintln!("error: {e}");
            failed = true;
        }
    }
    let gate = Gate {
        fail_on: args.fail_on_vuln.as_deref().and_then(|s| s.parse().ok()),
        only_fixed: args.only_fixed,
    };
    let breaking: usize = refs.iter().map(|r| gate.failures(r).len()).sum();
    if breaking > 0 {
        eprintln!(
            "{breaking} vulnerabilit{} at or above {}{} — failing",
            if breaking == 1 { "y" } else { "ies" },
            args.fail_on_vuln.as_deref().unwrap_or(""),
            if args.only_fixed { " with a fix" } else { "" }
        );
        return exit::FINDINGS;
    }
    if failed { exit::INPUT_ERRORS } else { exit::OK }
}

/// `palisade scan --images` and its options (flattened into `palisade scan`).
#[derive(clap::Args, Debug, Default)]
pub struct ScanImages {
    /// Also scan the images of every workload container (init and ephemeral too): known
    /// vulnerabilities, secrets in layers, root user. Each image is read once.
    #[arg(long)]
    pub images: bool,
    /// Vulnerability database for --images [default: $PALISADE_DB or <user data dir>/palisade/vulndb.sqlite3].
    #[arg(long, value_name = "PATH", requires = "images")]
    pub db: Option<PathBuf>,
    /// Read image REF from SOURCE (`oci:DIR:TAG`, `docker-archive:FILE`, `dir:ROOTFS` or another
    /// reference) instead of its registry (repeatable). A REF without tag covers every tag.
    #[arg(long = "image-source", value_name = "REF=SOURCE", requires = "images")]
    pub image_sources: Vec<String>,
    /// An OCI layout (directory or archive) mirroring registries: images are looked up by
    /// their reference name, full (`registry/repo:tag`) or tag only (repeatable).
    #[arg(long = "image-mirror", value_name = "DIR", requires = "images")]
    pub image_mirrors: Vec<PathBuf>,
    /// Never contact a registry: images not found through --image-source or --image-mirror are
    /// reported as image-scan-error.
    #[arg(long, requires = "images")]
    pub offline: bool,
    /// Report only vulnerabilities that have a fixed version.
    #[arg(long, requires = "images")]
    pub only_fixed: bool,
    /// Platform picked from multi-arch images.
    #[arg(
        long = "image-platform",
        default_value = "linux/amd64",
        value_name = "OS/ARCH[/VARIANT]"
    )]
    pub platform: String,
}

/// The image evaluator `palisade scan --images` adds to the engine (`None` without `--images`).
/// `Err` is a usage or configuration error, worded for the user; a missing default database is
/// only a warning (secrets and configuration are still checked).
pub fn workload_evaluator(
    a: &ScanImages,
) -> Result<Option<Box<dyn palisade_engine::Evaluator>>, String> {
    if !a.images {
        return Ok(None);
    }
    let platform: Platform = a
        .platform
        .parse()
        .map_err(|e| format!("--image-platform: {e}"))?;
    let mut resolver = palisade_image::Resolver::new(a.offline);
    for s in &a.image_sources {
        resolver
            .add_source(s)
            .map_err(|e| format!("--image-source: {e}"))?;
    }
    for m in &a.image_mirrors {
        resolver
            .add_mirror(m)
            .map_err(|e| format!("--image-mirror {}: {e}", m.display()))?;
    }
    let db = palisade_image::choose_db(a.db.clone())
        .map_err(|w| eprintln!("warning: {w}"))
        .ok();
    let opts = palisade_image::WorkloadImagesOptions {
        scan: ScanOptions {
            platform,
            db,
            ..Default::default()
        },
        resolver,
        only_fixed: a.only_fixed,
    };
    let e = palisade_image::WorkloadImages::new(opts).map_err(|e| e.to_string())?;
    Ok(Some(Box::new(e)))
}
