//! An index over all objects of a scan, built once, so cross-object checks are lookups.

use crate::node::Node;
use crate::object::Object;
use crate::selector::LabelSelector;
use crate::workload::{CustomWorkloads, PodSpec};
use std::collections::HashMap;

pub struct Index<'a> {
    pub objects: &'a [Object],
    by_kind: HashMap<&'a str, Vec<usize>>,
    by_name: HashMap<(&'a str, Option<&'a str>, &'a str), usize>,
    /// Objects that carry a pod spec, in input order.
    workloads: Vec<usize>,
    pub custom: &'a CustomWorkloads,
}

impl<'a> Index<'a> {
    pub fn new(objects: &'a [Object], custom: &'a CustomWorkloads) -> Self {
        let mut by_kind: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut by_name = HashMap::new();
        let mut workloads = Vec::new();
        for (i, o) in objects.iter().enumerate() {
            by_kind.entry(o.kind()).or_default().push(i);
            by_name.insert((o.kind(), o.effective_namespace(), o.name()), i);
            if PodSpec::of(o, custom).is_some() {
                workloads.push(i);
            }
        }
        Index {
            objects,
            by_kind,
            by_name,
            workloads,
            custom,
        }
    }

    pub fn of_kind(&self, kind: &str) -> impl Iterator<Item = &'a Object> + '_ {
        self.by_kind
            .get(kind)
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .map(|&i| &self.objects[i])
    }

    /// Looks an object up by kind, namespace (`None` for cluster-scoped; an unset namespace is
    /// `default`) and name.
    pub fn get(&self, kind: &str, namespace: Option<&str>, name: &str) -> Option<&'a Object> {
        self.by_name
            .get(&(kind, namespace, name))
            .map(|&i| &self.objects[i])
    }

    /// Whether any object of this kind is in the scanned set (cross-object checks say what they
    /// assumed when the counterpart kind is absent altogether).
    pub fn has_kind(&self, kind: &str) -> bool {
        self.by_kind.contains_key(kind)
    }

    pub fn namespace(&self, name: &str) -> Option<&'a Object> {
        self.get("Namespace", None, name)
    }

    /// Every workload with its pod spec.
    pub fn pod_specs(&self) -> impl Iterator<Item = PodSpec<'a>> + '_ {
        self.workloads
            .iter()
            .filter_map(|&i| PodSpec::of(&self.objects[i], self.custom))
    }

    /// Workloads in `namespace` whose pod template labels match `selector`. Bare ReplicaSets and
    /// Pods owned by a controller are included as written.
    pub fn pods_selected(
        &self,
        namespace: Option<&str>,
        selector: &LabelSelector,
    ) -> impl Iterator<Item = PodSpec<'a>> + '_ {
        let sel = selector.clone();
        let ns = namespace.map(String::from);
        self.pod_specs().filter(move |p| {
            p.object.effective_namespace() == ns.as_deref() && sel.matches(p.labels())
        })
    }

    /// The object's pod spec, if it has one.
    pub fn pod_spec(&self, obj: &'a Object) -> Option<PodSpec<'a>> {
        PodSpec::of(obj, self.custom)
    }
}

/// Reads `spec.selector` of a workload (label selector) or a Service (map).
pub fn workload_selector(obj: &Object) -> Option<LabelSelector> {
    let sel = obj.root.path(&["spec", "selector"])?;
    Some(match obj.kind() {
        "Service" | "ReplicationController" => LabelSelector::from_map(sel),
        _ => LabelSelector::from_label_selector(sel),
    })
}

/// `true` when `node` is a non-empty mapping.
pub fn non_empty_map(node: Option<&Node>) -> bool {
    node.and_then(Node::as_map).is_some_and(|m| !m.is_empty())
}
