use crate::support::pod::pod_of;
use crate::support::container_diag;
use crate::{Check, CheckMeta, Ctx, Param};
use palisade_model::{Category, Diagnostic, Node, Object, Pos, Severity};

pub struct EnvValueFrom;

pub static CHECK: &dyn Check = &EnvValueFrom;

static META: CheckMeta = CheckMeta {
    id: "env-value-from",
    title: "Environment references must name an existing Secret or ConfigMap key",
    category: Category::Reliability,
    severity: Severity::Medium,
    rationale: "A container whose `env` reads a key of a Secret or ConfigMap that does not \
        exist (or lacks that key) does not start: the pod stays in CreateContainerConfigError \
        until someone creates it, typically after a rename in one place only.",
    remediation: "Fix the `secretKeyRef`/`configMapKeyRef` name and key (or `envFrom` name) to \
        match an object in the same namespace, add the missing object, or mark the reference \
        `optional: true` if the container copes without it.",
    references: &[
        "https://kubernetes.io/docs/tasks/inject-data-application/distribute-credentials-secure/",
        "https://kubernetes.io/docs/tasks/configure-pod-container/configure-pod-configmap/",
    ],
    params: &[
        Param {
            name: "ignored_secrets",
            description: "Secret names never reported (e.g. created by an operator).",
            default: "[]",
        },
        Param {
            name: "ignored_config_maps",
            description: "ConfigMap names never reported.",
            default: "[]",
        },
    ],
    aliases: &["kube-linter:env-value-from"],
    enabled_by_default: false,
    cross_object: true,
    assumptions: "Secrets and ConfigMaps are looked up in the scanned objects of the pod's \
        namespace. They are often created outside the manifests (sealed secrets, operators, \
        `kubectl create secret`), so the check is off by default; references marked \
        `optional: true` are never reported.",
};

/// (reference field, kind, param listing ignored names)
const REFS: &[(&str, &str, &str)] = &[
    ("secretKeyRef", "Secret", "ignored_secrets"),
    ("configMapKeyRef", "ConfigMap", "ignored_config_maps"),
];

/// `pos` when the source position is known, else `fallback`.
fn known_or(pos: Pos, fallback: Pos) -> Pos {
    if pos.is_known() { pos } else { fallback }
}

fn has_key(obj: &Object, key: &str) -> bool {
    ["data", "stringData", "binaryData"]
        .iter()
        .any(|f| obj.root.path(&[f, key]).is_some())
}

impl Check for EnvValueFrom {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pods_only(&self) -> bool {
        true
    }

    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>) {
        let Some(pod) = pod_of(obj, ctx) else {
            return;
        };
        let ns = obj.effective_namespace();
        let ns_text = ns.unwrap_or("default");
        for c in pod.all_containers() {
            for (i, e) in c
                .get("env")
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .enumerate()
            {
                for (field, kind, ignored) in REFS {
                    let Some(r) = e.path(&["valueFrom", field]) else {
                        continue;
                    };
                    if r.get("optional").and_then(Node::as_bool) == Some(true) {
                        continue;
                    }
                    let name = r.get("name").and_then(Node::as_str).unwrap_or("");
                    let key = r.get("key").and_then(Node::as_str).unwrap_or("");
                    if ctx.param_strs(ignored).contains(name) {
                        continue;
                    }
                    let var = e.get("name").and_then(Node::as_str).unwrap_or("");
                    let problem = match ctx.index.get(kind, ns, name) {
                        None => format!(
                            "{kind} `{name}`, which is not among the scanned objects in namespace `{ns_text}`"
                        ),
                        Some(o) if !has_key(o, key) => {
                            format!("key `{key}` of {kind} `{name}`, which has no such key")
                        }
                        Some(_) => continue,
                    };
                    let idx = i.to_string();
                    let mut d = container_diag(
                        &pod,
                        &c,
                        &["env", &idx, "valueFrom", field],
                        format!(
                            "container `{}` reads environment variable `{var}` from {problem}",
                            c.name
                        ),
                    );
                    d.pos = known_or(r.key_pos("name"), d.pos);
                    out.push(d);
                }
            }
            for (i, e) in c
                .get("envFrom")
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .enumerate()
            {
                for (field, kind, ignored) in [
                    ("secretRef", "Secret", "ignored_secrets"),
                    ("configMapRef", "ConfigMap", "ignored_config_maps"),
                ] {
                    let Some(r) = e.get(field) else { continue };
                    let name = r.get("name").and_then(Node::as_str).unwrap_or("");
                    if r.get("optional").and_then(Node::as_bool) == Some(true)
                        || ctx.param_strs(ignored).contains(name)
                        || ctx.index.get(kind, ns, name).is_some()
                    {
                        continue;
                    }
                    let idx = i.to_string();
                    let mut d = container_diag(
                        &pod,
                        &c,
                        &["envFrom", &idx, field],
                        format!(
                            "container `{}` loads its environment from {kind} `{name}`, which is not among the scanned objects in namespace `{ns_text}`",
                            c.name
                        ),
                    );
                    d.pos = known_or(r.key_pos("name"), d.pos);
                    out.push(d);
                }
            }
        }
    }
}
