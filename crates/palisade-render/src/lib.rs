//! Turns what the user named on the command line into objects: YAML/JSON files, directories
//! (recursively, honouring .gitignore), stdin, Helm charts (`helm template`) and Kustomize
//! directories (`kubectl kustomize`). A chart or kustomization is rendered as a whole and its
//! files are not read one by one. Problems with one input never stop the others.

mod external;

use palisade_model::{LoadError, LoadOptions, Object, load_bytes};
use rayon::prelude::*;
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use external::{Tools, helm_split};

#[derive(Clone, Debug, Default)]
pub struct Options {
    pub load: LoadOptions,
    /// `helm template --values`.
    pub helm_values: Vec<PathBuf>,
    /// `helm template --set`.
    pub helm_set: Vec<String>,
    pub tools: Tools,
    /// Keep each input's text for source snippets in reports.
    pub keep_text: bool,
}

/// The text an object was read from, for snippets: keyed by file and, for rendered output, the
/// document index.
pub type Texts = HashMap<(Arc<str>, Option<u32>), Arc<str>>;

#[derive(Debug, Default)]
pub struct Loaded {
    pub objects: Vec<Object>,
    pub errors: Vec<LoadError>,
    pub warnings: Vec<LoadError>,
    pub texts: Texts,
}

impl Loaded {
    fn absorb(&mut self, other: Loaded) {
        self.objects.extend(other.objects);
        self.errors.extend(other.errors);
        self.warnings.extend(other.warnings);
        self.texts.extend(other.texts);
    }
}

/// One unit of work found by walking the inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Input {
    Stdin,
    /// `explicit`: named by the user (errors are errors), else found by walking (files that are
    /// not Kubernetes manifests are skipped with a warning).
    File {
        path: PathBuf,
        explicit: bool,
    },
    Helm(PathBuf),
    Kustomize(PathBuf),
}

const KUSTOMIZATION: &[&str] = &["kustomization.yaml", "kustomization.yml", "Kustomization"];

fn is_chart(dir: &Path) -> bool {
    dir.join("Chart.yaml").is_file()
}
fn is_kustomization(dir: &Path) -> bool {
    KUSTOMIZATION.iter().any(|k| dir.join(k).is_file())
}
fn is_manifest_name(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

/// Expands the user's arguments into inputs, in a stable order.
fn discover(args: &[String], errors: &mut Vec<LoadError>) -> Vec<Input> {
    let mut out = Vec::new();
    for a in args {
        if a == "-" {
            out.push(Input::Stdin);
            continue;
        }
        let p = PathBuf::from(a);
        if p.is_dir() {
            walk(&p, &mut out);
        } else if p.is_file() {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.ends_with(".tgz") || name.ends_with(".tar.gz") {
                out.push(Input::Helm(p));
            } else {
                out.push(Input::File {
                    path: p,
                    explicit: true,
                });
            }
        } else {
            errors.push(LoadError {
                file: a.as_str().into(),
                pos: None,
                doc: None,
                message: if p.exists() {
                    "not a regular file or directory".into()
                } else {
                    "no such file or directory".into()
                },
            });
        }
    }
    out
}

fn walk(root: &Path, out: &mut Vec<Input>) {
    if is_chart(root) {
        out.push(Input::Helm(root.to_path_buf()));
        return;
    }
    if is_kustomization(root) {
        out.push(Input::Kustomize(root.to_path_buf()));
        return;
    }
    // Charts and kustomizations are rendered whole; their files must not be read one by one.
    let mut rendered: Vec<PathBuf> = Vec::new();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(true)
        .require_git(false)
        .sort_by_file_path(|a, b| a.cmp(b))
        .build();
    for entry in walker.flatten() {
        let p = entry.path();
        if rendered.iter().any(|r| p.starts_with(r)) {
            continue;
        }
        if entry.file_type().is_some_and(|t| t.is_dir()) {
            if p != root && is_chart(p) {
                rendered.push(p.to_path_buf());
                out.push(Input::Helm(p.to_path_buf()));
            } else if p != root && is_kustomization(p) {
                rendered.push(p.to_path_buf());
                out.push(Input::Kustomize(p.to_path_buf()));
            }
        } else if entry.file_type().is_some_and(|t| t.is_file()) && is_manifest_name(p) {
            out.push(Input::File {
                path: p.to_path_buf(),
                explicit: false,
            });
        }
    }
}

/// Loads every input; never fails as a whole.
pub fn load(args: &[String], opts: &Options) -> Loaded {
    let mut errors = Vec::new();
    let inputs = discover(args, &mut errors);
    let parts: Vec<Loaded> = inputs.par_iter().map(|i| load_one(i, opts)).collect();
    let mut all = Loaded {
        errors,
        ..Loaded::default()
    };
    for p in parts {
        all.absorb(p);
    }
    all
}

fn load_one(input: &Input, opts: &Options) -> Loaded {
    match input {
        Input::Stdin => {
            let mut buf = Vec::new();
            match std::io::stdin().lock().read_to_end(&mut buf) {
                Ok(_) => from_bytes(&buf, "<stdin>", true, opts),
                Err(e) => error_only("<stdin>", format!("cannot read stdin: {e}")),
            }
        }
        Input::File { path, explicit } => {
            let name = path.display().to_string();
            match std::fs::metadata(path) {
                Ok(m) if m.len() as usize > opts.load.max_file_bytes => {
                    return error_only(
                        &name,
                        format!(
                            "file is {} bytes, over the limit of {} bytes; skipped",
                            m.len(),
                            opts.load.max_file_bytes
                        ),
                    );
                }
                _ => {}
            }
            match std::fs::read(path) {
                Ok(bytes) => from_bytes(&bytes, &name, *explicit, opts),
                Err(e) => error_only(&name, format!("cannot read file: {e}")),
            }
        }
        Input::Helm(dir) => external::helm(dir, opts),
        Input::Kustomize(dir) => external::kustomize(dir, opts),
    }
}

pub(crate) fn error_only(file: &str, message: String) -> Loaded {
    Loaded {
        errors: vec![LoadError {
            file: file.into(),
            pos: None,
            doc: None,
            message,
        }],
        ..Loaded::default()
    }
}

/// Loads one stream. Files found by walking a directory that hold no Kubernetes object at all
/// (CI workflows, docker-compose files, Helm values) are skipped with a warning, not an error.
pub(crate) fn from_bytes(bytes: &[u8], name: &str, explicit: bool, opts: &Options) -> Loaded {
    let out = load_bytes(bytes, name, &opts.load);
    let mut texts = Texts::new();
    if opts.keep_text {
        texts.insert(
            (name.into(), None),
            Arc::from(String::from_utf8_lossy(bytes).as_ref()),
        );
    }
    let not_k8s = !explicit
        && out.objects.is_empty()
        && !out.errors.is_empty()
        && out.errors.iter().all(|e| e.is_not_an_object());
    if not_k8s {
        return Loaded {
            warnings: vec![LoadError {
                file: name.into(),
                pos: None,
                doc: None,
                message: "no Kubernetes objects (no apiVersion/kind); skipped".into(),
            }],
            ..Loaded::default()
        };
    }
    Loaded {
        objects: out.objects,
        errors: out.errors,
        warnings: out.warnings,
        texts,
    }
}
