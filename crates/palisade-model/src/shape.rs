//! The structural type errors kubectl refuses when it decodes an object into its Go type
//! (`json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type
//! []v1.Container`). Only the fields checks rely on are looked at, so this stays cheap.

use crate::node::{Node, Pos, Value};
use std::fmt::Write as _;

/// The JSON type a Go field accepts (null is accepted everywhere, as encoding/json does).
enum Ty {
    Bool,
    Int,
    Str,
    /// `map[string]string`.
    StrMap,
    /// A struct; only the listed fields are checked.
    Obj(&'static [(&'static str, Ty)]),
    List(&'static Ty),
    /// A struct or map whose fields are not checked.
    AnyObj,
}

const META: Ty = Ty::Obj(&[
    ("name", Ty::Str),
    ("namespace", Ty::Str),
    ("generateName", Ty::Str),
    ("labels", Ty::StrMap),
    ("annotations", Ty::StrMap),
]);

const CAPS: Ty = Ty::Obj(&[("add", Ty::List(&Ty::Str)), ("drop", Ty::List(&Ty::Str))]);

const CONTAINER_SC: Ty = Ty::Obj(&[
    ("privileged", Ty::Bool),
    ("allowPrivilegeEscalation", Ty::Bool),
    ("readOnlyRootFilesystem", Ty::Bool),
    ("runAsNonRoot", Ty::Bool),
    ("runAsUser", Ty::Int),
    ("runAsGroup", Ty::Int),
    ("procMount", Ty::Str),
    ("capabilities", CAPS),
    ("seccompProfile", Ty::AnyObj),
    ("seLinuxOptions", Ty::AnyObj),
    ("appArmorProfile", Ty::AnyObj),
]);

const PORT: Ty = Ty::Obj(&[
    ("name", Ty::Str),
    ("containerPort", Ty::Int),
    ("hostPort", Ty::Int),
    ("protocol", Ty::Str),
]);

const RESOURCES: Ty = Ty::Obj(&[("limits", Ty::AnyObj), ("requests", Ty::AnyObj)]);

const CONTAINER: Ty = Ty::Obj(&[
    ("name", Ty::Str),
    ("image", Ty::Str),
    ("imagePullPolicy", Ty::Str),
    ("command", Ty::List(&Ty::Str)),
    ("args", Ty::List(&Ty::Str)),
    ("ports", Ty::List(&PORT)),
    ("env", Ty::List(&Ty::AnyObj)),
    ("envFrom", Ty::List(&Ty::AnyObj)),
    ("volumeMounts", Ty::List(&Ty::AnyObj)),
    ("resources", RESOURCES),
    ("securityContext", CONTAINER_SC),
    ("livenessProbe", Ty::AnyObj),
    ("readinessProbe", Ty::AnyObj),
    ("startupProbe", Ty::AnyObj),
    ("stdin", Ty::Bool),
    ("tty", Ty::Bool),
]);

const POD_SC: Ty = Ty::Obj(&[
    ("runAsNonRoot", Ty::Bool),
    ("runAsUser", Ty::Int),
    ("runAsGroup", Ty::Int),
    ("fsGroup", Ty::Int),
    ("supplementalGroups", Ty::List(&Ty::Int)),
    ("sysctls", Ty::List(&Ty::AnyObj)),
    ("seccompProfile", Ty::AnyObj),
    ("seLinuxOptions", Ty::AnyObj),
    ("appArmorProfile", Ty::AnyObj),
]);

const POD_SPEC: Ty = Ty::Obj(&[
    ("containers", Ty::List(&CONTAINER)),
    ("initContainers", Ty::List(&CONTAINER)),
    ("ephemeralContainers", Ty::List(&CONTAINER)),
    ("securityContext", POD_SC),
    ("hostNetwork", Ty::Bool),
    ("hostPID", Ty::Bool),
    ("hostIPC", Ty::Bool),
    ("hostUsers", Ty::Bool),
    ("shareProcessNamespace", Ty::Bool),
    ("automountServiceAccountToken", Ty::Bool),
    ("serviceAccountName", Ty::Str),
    ("serviceAccount", Ty::Str),
    ("nodeName", Ty::Str),
    ("restartPolicy", Ty::Str),
    ("priorityClassName", Ty::Str),
    ("runtimeClassName", Ty::Str),
    ("nodeSelector", Ty::StrMap),
    ("volumes", Ty::List(&Ty::AnyObj)),
    ("tolerations", Ty::List(&Ty::AnyObj)),
    ("imagePullSecrets", Ty::List(&Ty::AnyObj)),
    ("affinity", Ty::AnyObj),
    ("terminationGracePeriodSeconds", Ty::Int),
    ("activeDeadlineSeconds", Ty::Int),
]);

const TEMPLATE: Ty = Ty::Obj(&[("metadata", META), ("spec", POD_SPEC)]);
const TEMPLATED_SPEC: Ty = Ty::Obj(&[("replicas", Ty::Int), ("template", TEMPLATE)]);
const TEMPLATED: Ty = Ty::Obj(&[("metadata", META), ("spec", TEMPLATED_SPEC)]);
const POD: Ty = Ty::Obj(&[("metadata", META), ("spec", POD_SPEC)]);
const POD_TEMPLATE: Ty = Ty::Obj(&[("metadata", META), ("template", TEMPLATE)]);
const CRONJOB: Ty = Ty::Obj(&[
    ("metadata", META),
    (
        "spec",
        Ty::Obj(&[("jobTemplate", Ty::Obj(&[("spec", TEMPLATED_SPEC)]))]),
    ),
]);
const OTHER: Ty = Ty::Obj(&[("metadata", META)]);

/// A structural type error: where, and the message (path first, as kubectl names it).
pub(crate) struct ShapeError {
    pub pos: Pos,
    pub message: String,
}

enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// Checks the fields kubectl's typed decoding would refuse, for the object's kind.
pub(crate) fn check(kind: &str, root: &Node) -> Result<(), ShapeError> {
    let ty = match kind {
        "Pod" => &POD,
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job" => &TEMPLATED,
        "CronJob" => &CRONJOB,
        "PodTemplate" => &POD_TEMPLATE,
        _ => &OTHER,
    };
    let mut path = Vec::with_capacity(8);
    walk(root, ty, &mut path)
}

fn walk<'a>(node: &'a Node, ty: &Ty, path: &mut Vec<Seg<'a>>) -> Result<(), ShapeError> {
    let ok = match (&node.value, ty) {
        (Value::Null, _) => return Ok(()),
        (Value::Bool(_), Ty::Bool) => true,
        (Value::Int(_), Ty::Int) => true,
        (Value::Str(_), Ty::Str) => true,
        (Value::Map(m), Ty::StrMap) => {
            for e in &m.entries {
                if !matches!(e.value.value, Value::Str(_) | Value::Null) {
                    path.push(Seg::Key(&e.key));
                    return Err(error(path, &e.value, "a string"));
                }
            }
            true
        }
        (Value::Map(_), Ty::AnyObj) => true,
        (Value::Map(m), Ty::Obj(fields)) => {
            for (name, fty) in fields.iter() {
                if let Some(child) = m.get(name) {
                    path.push(Seg::Key(name));
                    walk(child, fty, path)?;
                    path.pop();
                }
            }
            true
        }
        (Value::Seq(items), Ty::List(ity)) => {
            for (i, it) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                walk(it, ity, path)?;
                path.pop();
            }
            true
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(error(path, node, expected(ty)))
    }
}

fn expected(ty: &Ty) -> &'static str {
    match ty {
        Ty::Bool => "a boolean",
        Ty::Int => "an integer",
        Ty::Str => "a string",
        Ty::StrMap | Ty::Obj(_) | Ty::AnyObj => "a map",
        Ty::List(_) => "a list",
    }
}

fn got(node: &Node) -> &'static str {
    match &node.value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Int(_) => "an integer",
        Value::Float(_) => "a number with a fraction",
        Value::Str(_) => "a string",
        Value::Seq(_) => "a list",
        Value::Map(_) => "a map",
    }
}

fn error(path: &[Seg], node: &Node, want: &str) -> ShapeError {
    let mut p = String::new();
    for s in path {
        match s {
            Seg::Key(k) => {
                if !p.is_empty() {
                    p.push('.');
                }
                p.push_str(k);
            }
            Seg::Index(i) => {
                let _ = write!(p, "[{i}]");
            }
        }
    }
    let mut message = format!("{p}: expected {want}, got {}", got(node));
    if let Value::Str(s) = &node.value
        && want == "a boolean"
        && matches!(s.as_str(), "true" | "false")
    {
        message.push_str(" (remove the quotes)");
    }
    message.push_str("; kubectl refuses this object, so it is not checked");
    ShapeError {
        pos: node.pos,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(j: serde_json::Value) -> Node {
        Node::from_json(&j)
    }

    #[test]
    fn containers_as_map_is_refused() {
        let n = node(serde_json::json!({"spec": {"template": {"spec": {
            "containers": {"app": {"image": "nginx"}}}}}}));
        let e = check("Deployment", &n).err().unwrap();
        assert_eq!(
            e.message,
            "spec.template.spec.containers: expected a list, got a map; kubectl refuses this object, so it is not checked"
        );
    }

    #[test]
    fn container_not_a_mapping_and_string_bool() {
        let n = node(serde_json::json!({"spec": {"containers": ["nginx"]}}));
        let e = check("Pod", &n).err().unwrap();
        assert!(
            e.message
                .starts_with("spec.containers[0]: expected a map, got a string")
        );
        let n = node(
            serde_json::json!({"spec": {"jobTemplate": {"spec": {"template": {"spec": {
            "containers": [{"name": "a", "securityContext": {"privileged": "true"}}]}}}}}}),
        );
        let e = check("CronJob", &n).err().unwrap();
        assert!(e.message.starts_with(
            "spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged: expected a boolean, got a string (remove the quotes)"
        ), "{}", e.message);
    }

    #[test]
    fn labels_must_be_strings_and_nulls_pass() {
        let n = node(serde_json::json!({"metadata": {"labels": {"v": 1}}}));
        let e = check("ConfigMap", &n).err().unwrap();
        assert!(
            e.message
                .starts_with("metadata.labels.v: expected a string, got an integer")
        );
        let n = node(serde_json::json!({"metadata": {"labels": null},
            "spec": {"containers": null, "ephemeralContainers": [{"name": "e"}]}}));
        assert!(check("Pod", &n).is_ok());
        // Kinds without a pod spec only get their metadata checked.
        let n = node(serde_json::json!({"spec": {"containers": "x"}}));
        assert!(check("Service", &n).is_ok());
    }
}
