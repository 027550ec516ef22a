//! Rendering through the real tools: no Rust crate renders Helm charts faithfully (sprig,
//! `tpl`, subcharts, schemas), so we run `helm template` and `kubectl kustomize` and read their
//! output, mapping objects back to chart templates through helm's `# Source:` lines.

use crate::{Loaded, Options, Texts, error_only};
use palisade_model::{LoadError, load_bytes};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

/// Where to find helm and kubectl: set here, else `$PALISADE_HELM` / `$PALISADE_KUBECTL`, else
/// `PATH`.
#[derive(Clone, Debug, Default)]
pub struct Tools {
    pub helm: Option<PathBuf>,
    pub kubectl: Option<PathBuf>,
}

fn find(explicit: &Option<PathBuf>, env: &str, name: &str) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.clone());
    }
    if let Some(p) = std::env::var_os(env).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn run(cmd: &mut Command, what: &str, dir: &Path) -> Result<Vec<u8>, String> {
    match cmd.output() {
        Ok(o) if o.status.success() => Ok(o.stdout),
        Ok(o) => Err(format!(
            "{what} failed ({}): {}",
            o.status,
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Err(e) => Err(format!("cannot run {what} for {}: {e}", dir.display())),
    }
}

pub(crate) fn helm(chart: &Path, opts: &Options) -> Loaded {
    let name = chart.display().to_string();
    let Some(bin) = find(&opts.tools.helm, "PALISADE_HELM", "helm") else {
        return error_only(
            &name,
            "this is a Helm chart, but `helm` was not found on PATH: install Helm 3 or later \
             (https://helm.sh/docs/intro/install/) or set PALISADE_HELM to its path; the other \
             inputs were still scanned"
                .into(),
        );
    };
    let mut cmd = Command::new(&bin);
    cmd.arg("template").arg("release-name").arg(chart);
    for v in &opts.helm_values {
        cmd.arg("--values").arg(v);
    }
    for s in &opts.helm_set {
        cmd.arg("--set").arg(s);
    }
    let out = match run(&mut cmd, "helm template", chart) {
        Ok(o) => o,
        Err(e) => return error_only(&name, e),
    };
    let text = String::from_utf8_lossy(&out);
    let mut loaded = Loaded::default();
    for (doc, (source, chunk)) in helm_split(&text).into_iter().enumerate() {
        let doc = doc as u32;
        let part = load_bytes(chunk.as_bytes(), &name, &opts.load);
        let template: Option<Arc<str>> = source.map(Arc::from);
        let relabel = |mut e: LoadError| {
            e.doc = Some(doc);
            if let Some(t) = &template {
                e.file = format!("{name} ({t})").into();
            }
            e
        };
        loaded.errors.extend(part.errors.into_iter().map(relabel));
        loaded
            .warnings
            .extend(part.warnings.into_iter().map(relabel));
        for mut o in part.objects {
            o.source.doc = doc;
            o.source.template = template.clone();
            loaded.objects.push(o);
        }
        if opts.keep_text {
            loaded
                .texts
                .insert((name.as_str().into(), Some(doc)), chunk.into());
        }
    }
    loaded
}

/// Splits helm's output into documents with the template each came from (`# Source: path`).
pub fn helm_split(text: &str) -> Vec<(Option<String>, String)> {
    let mut docs = Vec::new();
    let mut cur = String::new();
    let mut source = None;
    let mut flush = |cur: &mut String, source: &mut Option<String>| {
        if cur
            .lines()
            .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        {
            docs.push((source.take(), std::mem::take(cur)));
        }
        cur.clear();
        *source = None;
    };
    for line in text.split_inclusive('\n') {
        if line.trim_end() == "---" {
            flush(&mut cur, &mut source);
            continue;
        }
        if let Some(s) = line.strip_prefix("# Source: ") {
            source = Some(s.trim().to_string());
        }
        cur.push_str(line);
    }
    flush(&mut cur, &mut source);
    docs
}

pub(crate) fn kustomize(dir: &Path, opts: &Options) -> Loaded {
    let name = dir.display().to_string();
    let out = if let Some(bin) = find(&opts.tools.kubectl, "PALISADE_KUBECTL", "kubectl") {
        run(
            Command::new(bin).arg("kustomize").arg(dir),
            "kubectl kustomize",
            dir,
        )
    } else if let Some(bin) = find(&None, "PALISADE_KUSTOMIZE", "kustomize") {
        run(
            Command::new(bin).arg("build").arg(dir),
            "kustomize build",
            dir,
        )
    } else {
        return error_only(
            &name,
            "this is a Kustomize directory, but neither `kubectl` nor `kustomize` was found on \
             PATH: install kubectl (https://kubernetes.io/docs/tasks/tools/) or set \
             PALISADE_KUBECTL to its path; the other inputs were still scanned"
                .into(),
        );
    };
    match out {
        Ok(bytes) => {
            let part = load_bytes(&bytes, &name, &opts.load);
            let mut texts = Texts::new();
            if opts.keep_text {
                texts.insert(
                    (name.as_str().into(), None),
                    Arc::from(String::from_utf8_lossy(&bytes).as_ref()),
                );
            }
            Loaded {
                objects: part.objects,
                errors: part.errors,
                warnings: part.warnings,
                texts,
            }
        }
        Err(e) => error_only(&name, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_helm_output_by_source() {
        let out = "---\n# Source: web/templates/sa.yaml\napiVersion: v1\nkind: ServiceAccount\n---\n# Source: web/templates/deploy.yaml\napiVersion: apps/v1\nkind: Deployment\n---\n# Source: web/templates/empty.yaml\n";
        let docs = helm_split(out);
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].0.as_deref(), Some("web/templates/sa.yaml"));
        assert!(docs[1].1.contains("kind: Deployment"));
    }

    #[test]
    fn missing_tools_say_what_to_install() {
        let opts = Options {
            tools: Tools {
                helm: Some("/nonexistent/helm".into()),
                kubectl: None,
            },
            ..Options::default()
        };
        let l = helm(Path::new("/tmp"), &opts);
        assert!(
            l.errors[0].message.contains("cannot run helm"),
            "{:?}",
            l.errors
        );
    }
}
