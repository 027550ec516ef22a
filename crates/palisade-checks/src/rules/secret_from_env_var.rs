use crate::support::pod::{item_diag, pod_of};
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Diagnostic, Node, Object, Severity};

pub struct SecretFromEnvVar;

pub static CHECK: &dyn Check = &SecretFromEnvVar;

static META: CheckMeta = CheckMeta {
    id: "secret-from-env-var",
    title: "Secrets should be mounted as files rather than read into environment variables",
    category: Category::Security,
    severity: Severity::Low,
    rationale: "Environment variables are inherited by every child process, printed by crash \
        handlers and debug endpoints, visible in `/proc/<pid>/environ` and often logged; they \
        also never change while the pod runs, so a rotated Secret is not picked up. A Secret \
        mounted as a file has none of these problems.",
    remediation: "Mount the Secret as a volume (`secret:` volume and a `volumeMount`) and have the \
        application read the file, instead of `valueFrom.secretKeyRef` or `envFrom.secretRef`.",
    references: &[
        "CIS Kubernetes Benchmark 5.4.1: Prefer using secrets as files over secrets as environment variables",
        "https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-files-from-a-pod",
    ],
    params: &[],
    aliases: &[
        "kube-linter:read-secret-from-env-var",
        "checkov:CKV_K8S_35",
        "kubescape:C-0207",
    ],
    enabled_by_default: false,
    cross_object: false,
    assumptions: "",
};

impl Check for SecretFromEnvVar {
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
        for c in pod.all_containers() {
            let env = c.get("env").map(Node::items).unwrap_or(&[]);
            for (i, e) in env.iter().enumerate() {
                let Some(secret) = e.path(&["valueFrom", "secretKeyRef"]) else {
                    continue;
                };
                let var = e.get("name").and_then(Node::as_str).unwrap_or("");
                let name = secret.get("name").and_then(Node::as_str).unwrap_or("?");
                out.push(item_diag(
                    &pod,
                    &c,
                    "env",
                    i,
                    Some("valueFrom"),
                    format!(
                        "container `{}` reads Secret `{name}` into environment variable `{var}`",
                        c.name
                    ),
                ));
            }
            let env_from = c.get("envFrom").map(Node::items).unwrap_or(&[]);
            for (i, e) in env_from.iter().enumerate() {
                let Some(secret) = e.get("secretRef") else {
                    continue;
                };
                let name = secret.get("name").and_then(Node::as_str).unwrap_or("?");
                out.push(item_diag(
                    &pod,
                    &c,
                    "envFrom",
                    i,
                    Some("secretRef"),
                    format!(
                        "container `{}` reads every key of Secret `{name}` into environment variables",
                        c.name
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::support::pod::run_json;
    use serde_json::json;

    #[test]
    fn secret_key_refs_and_env_from() {
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"initContainers": [{"name": "init", "envFrom": [{"configMapRef": {"name": "c"}}, {"secretRef": {"name": "s"}}]}],
                     "containers": [{"name": "app", "env": [
                        {"name": "A", "valueFrom": {"configMapKeyRef": {"name": "c", "key": "a"}}},
                        {"name": "B", "valueFrom": {"secretKeyRef": {"name": "s", "key": "b"}}}]}]}});
        let d = run_json(super::CHECK, &[pod]);
        let paths: Vec<_> = d.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "/spec/initContainers/0/envFrom/1/secretRef",
                "/spec/containers/0/env/1/valueFrom"
            ]
        );
    }
}
