//! `palisade pss LEVEL[:VERSION] PATH...`: the verdict Pod Security Admission would give.

use crate::exit;
use palisade_model::{CustomWorkloads, LoadOptions, Object, load_bytes};
use palisade_pss::policy::{Config, ObjectResult, Policy, evaluate_all};
use palisade_pss::{Forbidden, LevelVersion};
use serde_json::json;
use std::io::Read;
use std::path::Path;

#[derive(clap::Args)]
pub struct Args {
    /// `baseline`, `restricted` or `privileged`, optionally with a version: `restricted:v1.30`,
    /// `baseline:latest`. Applies where no Namespace in the input carries
    /// `pod-security.kubernetes.io/*` labels.
    policy: String,
    /// Files, directories (YAML and JSON files below them) or `-` for stdin.
    #[arg(required = true)]
    paths: Vec<String>,
    /// Output format.
    #[arg(long, value_parser = ["text", "json"], default_value = "text")]
    format: String,
    /// Ignore `pod-security.kubernetes.io/*` labels of Namespaces in the input.
    #[arg(long)]
    ignore_namespace_labels: bool,
    /// Exempt a namespace (repeatable), as the admission configuration's `exemptions.namespaces`.
    #[arg(long = "exempt-namespace", value_name = "NAMESPACE")]
    exempt_namespaces: Vec<String>,
    /// Exempt pods with this `runtimeClassName` (repeatable).
    #[arg(long = "exempt-runtime-class", value_name = "NAME")]
    exempt_runtime_classes: Vec<String>,
}

pub fn run(args: Args) -> u8 {
    let lv: LevelVersion = match args.policy.parse() {
        Ok(lv) => lv,
        Err(e) => {
            eprintln!(
                "error: {e}\n  expected LEVEL[:VERSION], e.g. `restricted:v1.30` or `baseline`"
            );
            return exit::USAGE;
        }
    };
    let mut cfg = Config::new(Policy::uniform(lv));
    cfg.use_namespace_labels = !args.ignore_namespace_labels;
    cfg.exemptions.namespaces = args.exempt_namespaces;
    cfg.exemptions.runtime_classes = args.exempt_runtime_classes;

    let mut objects = Vec::new();
    let mut input_errors = Vec::new();
    for p in &args.paths {
        if let Err(e) = read_path(p, &mut objects, &mut input_errors) {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    }
    let results = evaluate_all(&objects, &cfg, &CustomWorkloads::default());
    let count = |v: &str| results.iter().filter(|r| verdict(r) == v).count();
    let (denied, invalid) = (count("denied"), count("invalid"));

    if args.format == "json" {
        let v = json!({
            "policy": lv.to_string(),
            "note": lv.version.note(),
            "objects": results.iter().map(result_json).collect::<Vec<_>>(),
            "input_errors": input_errors,
            "summary": {"evaluated": results.len(), "denied": denied, "invalid": invalid},
        });
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        if let Some(n) = lv.version.note() {
            println!("note: {n}");
        }
        for e in &input_errors {
            println!("error: {e}");
        }
        for r in &results {
            print_text(r);
        }
        if results.is_empty() {
            println!("no Pods or pod templates found in the input");
        } else {
            println!(
                "{} evaluated: {} allowed, {denied} denied{}",
                results.len(),
                count("allowed") + count("exempt"),
                if invalid > 0 {
                    format!(", {invalid} invalid")
                } else {
                    String::new()
                }
            );
        }
    }
    // As in `scan`, unreadable input takes precedence: the verdict is incomplete. An invalid
    // object is one the cluster rejects, so it counts like a denial.
    if !input_errors.is_empty() {
        exit::INPUT_ERRORS
    } else if denied > 0 || invalid > 0 {
        exit::FINDINGS
    } else {
        exit::OK
    }
}

/// Loads `path` (file, directory or `-`). Unreadable or unparsable inputs go to `errors`;
/// a path that does not exist is a usage error.
fn read_path(
    path: &str,
    objects: &mut Vec<Object>,
    errors: &mut Vec<String>,
) -> Result<(), String> {
    let opts = LoadOptions::default();
    let mut load = |bytes: &[u8], name: &str, errors: &mut Vec<String>| {
        let out = load_bytes(bytes, name, &opts);
        errors.extend(out.errors.iter().map(|e| e.to_string()));
        objects.extend(out.objects);
    };
    if path == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| format!("cannot read stdin: {e}"))?;
        load(&buf, "<stdin>", errors);
        return Ok(());
    }
    let p = Path::new(path);
    if !p.exists() {
        return Err(format!("{path}: no such file or directory"));
    }
    let mut files = Vec::new();
    collect(p, &mut files, errors);
    for f in files {
        let name = f.display().to_string();
        match std::fs::read(&f) {
            Ok(bytes) => load(&bytes, &name, errors),
            Err(e) => errors.push(format!("{name}: cannot read: {e}")),
        }
    }
    Ok(())
}

/// `p` itself when a file; YAML and JSON files below it, sorted, when a directory.
fn collect(p: &Path, out: &mut Vec<std::path::PathBuf>, errors: &mut Vec<String>) {
    if !p.is_dir() {
        out.push(p.to_path_buf());
        return;
    }
    let mut entries: Vec<_> = match std::fs::read_dir(p) {
        Ok(rd) => rd.flatten().map(|e| e.path()).collect(),
        Err(e) => {
            errors.push(format!("{}: cannot read directory: {e}", p.display()));
            return;
        }
    };
    entries.sort();
    for e in entries {
        let hidden = e
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if e.is_dir() {
            collect(&e, out, errors);
        } else if e
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| matches!(x, "yaml" | "yml" | "json"))
        {
            out.push(e);
        }
    }
}

fn location(o: &Object, pos: palisade_model::Pos) -> String {
    if pos.is_known() {
        format!("{}:{}:{}", o.source.display_file(), pos.line, pos.col)
    } else {
        o.source.display_file().to_string()
    }
}

fn verdict(r: &ObjectResult) -> &'static str {
    if r.exempt.is_some() {
        "exempt"
    } else if r.denied() {
        "denied"
    } else if r.invalid() {
        "invalid"
    } else {
        "allowed"
    }
}

fn print_text(r: &ObjectResult) {
    let o = r.object;
    let what = match o.namespace() {
        Some(ns) => format!("{} {ns}/{}", o.kind(), o.name()),
        None => format!("{} {}", o.kind(), o.name()),
    };
    let policy = r.enforce.policy;
    let verdict = verdict(r).to_uppercase();
    println!(
        "{verdict:<8} {what}  {}  [{policy}, {}]",
        location(o, o.pos()),
        r.policy_source
    );
    if let Some(why) = &r.exempt {
        println!("  {why}");
    }
    for n in &r.notes {
        println!("  note: {n}");
    }
    for p in &r.problems {
        let kind = if p.error { "error" } else { "warning" };
        println!("  {kind}: {}: {}", location(o, p.pos), p.message);
    }
    if r.denied() {
        println!("  {}", r.enforce.message());
        print_forbidden(o, &r.enforce.forbidden);
    }
    for m in &r.others {
        println!("  {}: {}", m.mode, m.evaluation.message());
        print_forbidden(o, &m.evaluation.forbidden);
    }
}

fn print_forbidden(o: &Object, forbidden: &[Forbidden]) {
    for f in forbidden {
        println!("  - {} [{}: {}]", f.reason, f.control.id, f.control.title);
        for d in &f.diagnostics {
            println!("      {}: {}", location(o, d.pos), d.message);
        }
    }
}

fn forbidden_json(o: &Object, forbidden: &[Forbidden]) -> serde_json::Value {
    forbidden
        .iter()
        .map(|f| {
            json!({
                "check": f.control.id, "title": f.control.title, "level": f.control.level,
                "reason": f.reason, "detail": f.detail, "references": f.control.references,
                "locations": f.diagnostics.iter().map(|d| json!({
                    "file": o.source.display_file(), "line": d.pos.line, "column": d.pos.col,
                    "path": d.path, "container": d.container, "message": d.message,
                })).collect::<Vec<_>>(),
            })
        })
        .collect()
}

fn result_json(r: &ObjectResult) -> serde_json::Value {
    let o = r.object;
    json!({
        "file": o.source.display_file(), "line": o.pos().line, "document": o.source.doc,
        "apiVersion": o.id.api_version.as_str(), "kind": o.kind(), "name": o.name(), "namespace": o.namespace(),
        "verdict": verdict(r),
        "policy": r.enforce.policy.to_string(), "policy_source": r.policy_source,
        "exempt": r.exempt,
        "message": (!r.enforce.allowed()).then(|| r.enforce.message()),
        "forbidden": forbidden_json(o, &r.enforce.forbidden),
        "other_modes": r.others.iter().map(|m| json!({
            "mode": m.mode, "policy": m.evaluation.policy.to_string(), "message": m.evaluation.message(),
            "forbidden": forbidden_json(o, &m.evaluation.forbidden),
        })).collect::<Vec<_>>(),
        "problems": r.problems.iter().map(|p| json!({
            "error": p.error, "message": p.message, "line": p.pos.line, "column": p.pos.col, "path": p.path,
        })).collect::<Vec<_>>(),
        "notes": r.notes,
    })
}
