//! Views over the pod spec of workloads. Nothing is copied: a view borrows the object's tree.

use crate::node::{Node, Pos};
use crate::object::Object;

/// Where the pod template lives in each built-in workload kind.
/// Where the pod template (the mapping holding `metadata` and `spec`) lives in each built-in
/// workload kind; for a Pod it is the object itself.
/// Kind, keys to the pod template, JSON pointer of the pod spec.
const POD_TEMPLATE_PATHS: &[(&str, &[&str], &str)] = &[
    ("Pod", &[], "/spec"),
    ("Deployment", &["spec", "template"], "/spec/template/spec"),
    ("StatefulSet", &["spec", "template"], "/spec/template/spec"),
    ("DaemonSet", &["spec", "template"], "/spec/template/spec"),
    ("ReplicaSet", &["spec", "template"], "/spec/template/spec"),
    (
        "ReplicationController",
        &["spec", "template"],
        "/spec/template/spec",
    ),
    // OpenShift's apps.openshift.io/v1 DeploymentConfig (kube-linter and Checkov read it too).
    (
        "DeploymentConfig",
        &["spec", "template"],
        "/spec/template/spec",
    ),
    ("Job", &["spec", "template"], "/spec/template/spec"),
    ("PodTemplate", &["template"], "/template/spec"),
    (
        "CronJob",
        &["spec", "jobTemplate", "spec", "template"],
        "/spec/jobTemplate/spec/template/spec",
    ),
];

/// Extra pod-template locations for custom resources, from config: e.g. kind `Rollout` with
/// path `spec.template` (the path of the *template*, whose `spec` is the pod spec).
#[derive(Clone, Debug, Default)]
pub struct CustomWorkloads {
    pub entries: Vec<CustomWorkload>,
}

#[derive(Clone, Debug)]
pub struct CustomWorkload {
    pub kind: String,
    /// Keys from the object to the pod template.
    pub template: Vec<String>,
    /// JSON pointer of the pod spec (`/spec/template/spec`), for findings and fixes.
    pub spec_pointer: String,
}

impl CustomWorkloads {
    pub fn add(&mut self, kind: &str, template_path: &str) {
        let template: Vec<String> = template_path
            .split('.')
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        let mut spec_pointer = String::new();
        for k in &template {
            spec_pointer.push('/');
            spec_pointer.push_str(&k.replace('~', "~0").replace('/', "~1"));
        }
        spec_pointer.push_str("/spec");
        self.entries.push(CustomWorkload {
            kind: kind.to_string(),
            template,
            spec_pointer,
        });
    }

    fn find(&self, kind: &str) -> Option<&CustomWorkload> {
        self.entries.iter().find(|w| w.kind == kind)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContainerKind {
    Init,
    Regular,
    Ephemeral,
}

impl ContainerKind {
    /// In `PodSpec::lists` order.
    const ALL: [ContainerKind; 3] = [
        ContainerKind::Init,
        ContainerKind::Regular,
        ContainerKind::Ephemeral,
    ];

    /// The pod spec field holding this kind of container.
    pub fn field(self) -> &'static str {
        match self {
            ContainerKind::Init => "initContainers",
            ContainerKind::Regular => "containers",
            ContainerKind::Ephemeral => "ephemeralContainers",
        }
    }
}

/// The pod spec of a workload, with the template metadata (labels, annotations) that goes with it.
#[derive(Clone, Copy, Debug)]
pub struct PodSpec<'a> {
    pub object: &'a Object,
    /// The pod spec mapping; `Node::null()` if the workload has none written.
    pub spec: &'a Node,
    /// The pod template's `metadata` (the object's own metadata for a Pod).
    pub meta: &'a Node,
    /// The deepest existing node on the way to the spec, for findings about missing fields.
    pub anchor: &'a Node,
    /// JSON pointer of the pod spec in the object (`/spec/template/spec`, `/spec` for a Pod).
    pub spec_pointer: &'a str,
    /// The init, regular and ephemeral container lists, looked up once: some 40 checks list
    /// an object's containers.
    lists: [&'a [Node]; 3],
}

#[derive(Clone, Copy, Debug)]
pub struct Container<'a> {
    pub node: &'a Node,
    pub name: &'a str,
    pub kind: ContainerKind,
    pub index: usize,
}

impl<'a> Container<'a> {
    pub fn get(&self, key: &str) -> Option<&'a Node> {
        self.node.get(key)
    }
    pub fn path(&self, keys: &[&str]) -> Option<&'a Node> {
        self.node.path(keys)
    }
    pub fn image(&self) -> Option<&'a str> {
        self.node.get("image").and_then(Node::as_str)
    }
    pub fn pos(&self) -> Pos {
        self.node.pos
    }
    /// Position of `keys` if present, else of the deepest existing parent.
    pub fn pos_of(&self, keys: &[&str]) -> Pos {
        match self.node.path(keys) {
            Some(_) if !keys.is_empty() => {
                let parent = self.node.path(&keys[..keys.len() - 1]).unwrap_or(self.node);
                parent.key_pos(keys[keys.len() - 1])
            }
            Some(n) => n.pos,
            None => self.node.deepest(keys).pos,
        }
    }
}

/// Follows `keys` from `root`; returns the deepest existing non-null node and whether the whole
/// path exists.
fn walk<'n, 'k>(root: &'n Node, keys: impl Iterator<Item = &'k str>) -> (&'n Node, bool) {
    let mut n = root;
    for k in keys {
        match n.get(k) {
            Some(c) if !c.is_null() => n = c,
            _ => return (n, false),
        }
    }
    (n, true)
}

impl<'a> PodSpec<'a> {
    /// The pod spec of `obj`, if its kind carries one (built-in kinds, plus `custom`).
    pub fn of(obj: &'a Object, custom: &'a CustomWorkloads) -> Option<PodSpec<'a>> {
        let kind = obj.kind();
        // Walks the template path without allocating: this runs once per check per object.
        let ((template, complete), spec_pointer) =
            if let Some((_, p, ptr)) = POD_TEMPLATE_PATHS.iter().find(|(k, _, _)| *k == kind) {
                (walk(&obj.root, p.iter().copied()), *ptr)
            } else if let Some(w) = custom.find(kind) {
                (
                    walk(&obj.root, w.template.iter().map(String::as_str)),
                    w.spec_pointer.as_str(),
                )
            } else {
                return None;
            };
        let (spec, meta, anchor) = if complete {
            let [spec, meta] = template.get_each(["spec", "metadata"]);
            let spec = spec.filter(|n| !n.is_null());
            (
                spec.unwrap_or(Node::null()),
                meta.unwrap_or(Node::null()),
                spec.unwrap_or(template),
            )
        } else {
            (Node::null(), Node::null(), template)
        };
        let lists = spec
            .get_each(ContainerKind::ALL.map(ContainerKind::field))
            .map(|l| l.map_or(&[][..], Node::items));
        Some(PodSpec {
            object: obj,
            spec,
            meta,
            anchor,
            spec_pointer,
            lists,
        })
    }

    pub fn get(&self, key: &str) -> Option<&'a Node> {
        self.spec.get(key)
    }

    /// Position of a pod-spec field if present, else where it belongs.
    pub fn pos_of(&self, key: &str) -> Pos {
        if self.spec.get(key).is_some() {
            self.spec.key_pos(key)
        } else {
            self.anchor.pos
        }
    }

    pub fn labels(&self) -> impl Iterator<Item = (&'a str, &'a str)> + Clone {
        self.meta.get("labels").unwrap_or(Node::null()).string_map()
    }
    pub fn annotation(&self, key: &str) -> Option<&'a str> {
        self.meta.path(&["annotations", key]).and_then(Node::as_str)
    }

    /// Containers of one kind. Entries that are not mappings are skipped (the loader reports them).
    pub fn containers_of(&self, kind: ContainerKind) -> impl Iterator<Item = Container<'a>> {
        self.lists[kind as usize]
            .iter()
            .enumerate()
            .filter(|(_, n)| n.as_map().is_some())
            .map(move |(index, node)| Container {
                node,
                name: node.get("name").and_then(Node::as_str).unwrap_or(""),
                kind,
                index,
            })
    }
    /// Regular containers only.
    pub fn containers(&self) -> impl Iterator<Item = Container<'a>> {
        self.containers_of(ContainerKind::Regular)
    }
    /// Init, regular and ephemeral containers, in that order.
    pub fn all_containers(&self) -> impl Iterator<Item = Container<'a>> {
        self.containers_of(ContainerKind::Init)
            .chain(self.containers_of(ContainerKind::Regular))
            .chain(self.containers_of(ContainerKind::Ephemeral))
    }
    /// Init and regular containers: the ones that run with the pod's resources and probes.
    pub fn init_and_regular(&self) -> impl Iterator<Item = Container<'a>> {
        self.containers_of(ContainerKind::Init)
            .chain(self.containers_of(ContainerKind::Regular))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::Source;

    fn obj(j: serde_json::Value) -> Object {
        Object::new(Node::from_json(&j), Source::new("t.yaml", 0))
    }

    #[test]
    fn deployment_and_cronjob_specs() {
        let d = obj(serde_json::json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
            "spec": {"template": {"metadata": {"labels": {"app": "x"}},
                "spec": {"initContainers": [{"name": "i"}], "containers": [{"name": "a"}, {"name": "b"}],
                         "ephemeralContainers": [{"name": "e"}]}}}
        }));
        let none = CustomWorkloads::default();
        let ps = PodSpec::of(&d, &none).unwrap();
        let names: Vec<_> = ps.all_containers().map(|c| c.name).collect();
        assert_eq!(names, ["i", "a", "b", "e"]);
        assert_eq!(ps.labels().collect::<Vec<_>>(), [("app", "x")]);

        let c = obj(serde_json::json!({
            "apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"},
            "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "j"}]}}}}}
        }));
        let none = CustomWorkloads::default();
        let ps = PodSpec::of(&c, &none).unwrap();
        assert_eq!(ps.containers().next().unwrap().name, "j");

        let dc = obj(serde_json::json!({
            "apiVersion": "apps.openshift.io/v1", "kind": "DeploymentConfig", "metadata": {"name": "dc"},
            "spec": {"template": {"spec": {"containers": [{"name": "d"}]}}}
        }));
        let none = CustomWorkloads::default();
        let ps = PodSpec::of(&dc, &none).unwrap();
        assert_eq!(ps.containers().next().unwrap().name, "d");
    }

    #[test]
    fn custom_workload_paths() {
        let r = obj(serde_json::json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "r"},
            "spec": {"template": {"spec": {"containers": [{"name": "r"}]}}}
        }));
        assert!(PodSpec::of(&r, &CustomWorkloads::default()).is_none());
        let mut cw = CustomWorkloads::default();
        cw.add("Rollout", "spec.template");
        assert_eq!(PodSpec::of(&r, &cw).unwrap().containers().count(), 1);
        assert_eq!(
            PodSpec::of(&r, &cw).unwrap().spec_pointer,
            "/spec/template/spec"
        );
        let w = obj(serde_json::json!({
            "apiVersion": "example.com/v1", "kind": "Worker", "metadata": {"name": "w"},
            "spec": {"pod/template": {"spec": {"containers": [{"name": "w"}]}}}
        }));
        cw.add("Worker", "spec.pod/template");
        assert_eq!(
            PodSpec::of(&w, &cw).unwrap().spec_pointer,
            "/spec/pod~1template/spec"
        );
        let none = CustomWorkloads::default();
        let cron = obj(
            serde_json::json!({"apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": {"name": "c"}, "spec": {}}),
        );
        assert_eq!(
            PodSpec::of(&cron, &none).unwrap().spec_pointer,
            "/spec/jobTemplate/spec/template/spec"
        );
    }
}
