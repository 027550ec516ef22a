//! An index over all objects of a scan, built once, so cross-object checks are lookups.

use crate::node::Node;
use crate::object::Object;
use crate::selector::LabelSelector;
use crate::workload::{CustomWorkloads, PodSpec};
// foldhash: the index hashes every object's kind, names and labels, and checks look them up
// for every object; SipHash's flood resistance is not worth its cost here.
use foldhash::HashMap;

/// Object indices by key, as the tables are built.
type Groups<K> = HashMap<K, Vec<usize>>;

pub struct Index<'a> {
    pub objects: &'a [Object],
    by_kind: HashMap<&'a str, Vec<usize>>,
    by_name: HashMap<(&'a str, Option<&'a str>, &'a str), usize>,
    /// Objects that carry a pod spec, in input order.
    workloads: Vec<usize>,
    pub custom: &'a CustomWorkloads,
    /// Objects by kind and effective namespace, so per-namespace lookups never scan all objects.
    by_kind_ns: Buckets<(&'a str, Option<&'a str>)>,
    /// Workloads by effective namespace.
    workloads_by_ns: Buckets<Option<&'a str>>,
    /// Workloads by (namespace, pod label key, value): selectors with an equality requirement
    /// only look at the workloads carrying that label.
    workloads_by_label: Buckets<(Option<&'a str>, &'a str, &'a str)>,
    /// Objects that select pods (NetworkPolicy, PodDisruptionBudget, Service), by (kind,
    /// namespace, label, value) of one `key = value` requirement of their selector.
    selectors_by_label: Buckets<(&'a str, Option<&'a str>, &'a str, &'a str)>,
    /// Objects that select pods with no `key = value` requirement (empty or expression-only
    /// selectors), by (kind, namespace).
    selectors_other: Buckets<(&'a str, Option<&'a str>)>,
    /// RoleBindings and ClusterRoleBindings by the (namespace, name) of the ServiceAccounts
    /// among their subjects; the name `*` stands for the `system:serviceaccounts[:ns]` groups.
    bindings_by_sa: Buckets<(&'a str, &'a str)>,
    /// HorizontalPodAutoscalers by (namespace, scaleTargetRef kind, scaleTargetRef name).
    scale_targets: Buckets<(Option<&'a str>, &'a str, &'a str)>,
}

/// Object indices grouped by a key, stored flat. Lookups copy a range out of the map, so a key
/// borrowed for less than `'a` can still yield a slice that lives as long as the index.
struct Buckets<K> {
    ranges: HashMap<K, (usize, usize)>,
    items: Vec<usize>,
}

impl<K: std::hash::Hash + Eq> Buckets<K> {
    fn new(groups: HashMap<K, Vec<usize>>) -> Self {
        let mut items = Vec::with_capacity(groups.values().map(Vec::len).sum());
        let ranges = groups
            .into_iter()
            .map(|(k, v)| {
                let start = items.len();
                items.extend(v);
                (k, (start, items.len()))
            })
            .collect();
        Buckets { ranges, items }
    }
}

/// Objects by kind, and by kind and namespace.
struct KindTables<'a> {
    by_kind: HashMap<&'a str, Vec<usize>>,
    by_kind_ns: Buckets<(&'a str, Option<&'a str>)>,
}

impl<'a> KindTables<'a> {
    fn new(objects: &'a [Object]) -> Self {
        let mut by_kind: Groups<&str> = HashMap::default();
        let mut by_kind_ns: Groups<_> = HashMap::default();
        for (i, o) in objects.iter().enumerate() {
            by_kind.entry(o.kind()).or_default().push(i);
            by_kind_ns
                .entry((o.kind(), o.effective_namespace()))
                .or_default()
                .push(i);
        }
        KindTables {
            by_kind,
            by_kind_ns: Buckets::new(by_kind_ns),
        }
    }
}

/// Objects by identity (kind, namespace, name): one entry per object, so sized up front.
fn by_name(objects: &[Object]) -> HashMap<(&str, Option<&str>, &str), usize> {
    let mut by_name = HashMap::with_capacity_and_hasher(objects.len(), Default::default());
    for (i, o) in objects.iter().enumerate() {
        by_name.insert((o.kind(), o.effective_namespace(), o.name()), i);
    }
    by_name
}

/// Objects with a pod spec: all of them, by namespace, and by pod label.
struct WorkloadTables<'a> {
    workloads: Vec<usize>,
    workloads_by_ns: Buckets<Option<&'a str>>,
    workloads_by_label: Buckets<(Option<&'a str>, &'a str, &'a str)>,
}

impl<'a> WorkloadTables<'a> {
    fn new(objects: &'a [Object], custom: &'a CustomWorkloads) -> Self {
        let mut workloads = Vec::new();
        let mut workloads_by_ns: Groups<_> = HashMap::default();
        let mut workloads_by_label: Groups<_> = HashMap::default();
        for (i, o) in objects.iter().enumerate() {
            if let Some(pod) = PodSpec::of(o, custom) {
                workloads.push(i);
                let ns = o.effective_namespace();
                workloads_by_ns.entry(ns).or_default().push(i);
                for (k, v) in pod.labels() {
                    let list = workloads_by_label.entry((ns, k, v)).or_default();
                    // A label key is unique within a mapping; guard against repeats anyway.
                    if list.last() != Some(&i) {
                        list.push(i);
                    }
                }
            }
        }
        WorkloadTables {
            workloads,
            workloads_by_ns: Buckets::new(workloads_by_ns),
            workloads_by_label: Buckets::new(workloads_by_label),
        }
    }
}

/// Objects that point at others: pod selectors (by their first equality requirement),
/// bindings by the ServiceAccounts they name, HPAs by their scale target.
struct ReferenceTables<'a> {
    selectors_by_label: Buckets<(&'a str, Option<&'a str>, &'a str, &'a str)>,
    selectors_other: Buckets<(&'a str, Option<&'a str>)>,
    bindings_by_sa: Buckets<(&'a str, &'a str)>,
    scale_targets: Buckets<(Option<&'a str>, &'a str, &'a str)>,
}

impl<'a> ReferenceTables<'a> {
    fn new(objects: &'a [Object]) -> Self {
        let mut selectors_by_label: Groups<_> = HashMap::default();
        let mut selectors_other: Groups<_> = HashMap::default();
        let mut bindings_by_sa: Groups<_> = HashMap::default();
        let mut scale_targets: Groups<_> = HashMap::default();
        for (i, o) in objects.iter().enumerate() {
            for key in service_account_subjects(o) {
                let list = bindings_by_sa.entry(key).or_default();
                // A binding may name the same account twice; list it once.
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
            if o.kind() == "HorizontalPodAutoscaler" {
                let r = |k: &str| {
                    o.root
                        .path(&["spec", "scaleTargetRef", k])
                        .and_then(Node::as_str)
                };
                if let (Some(kind), Some(name)) = (r("kind"), r("name")) {
                    scale_targets
                        .entry((o.effective_namespace(), kind, name))
                        .or_default()
                        .push(i);
                }
            }
            if let Some(first) = pod_selector_first_equality(o) {
                let ns = o.effective_namespace();
                match first {
                    Some((k, v)) => selectors_by_label
                        .entry((o.kind(), ns, k, v))
                        .or_default()
                        .push(i),
                    None => selectors_other.entry((o.kind(), ns)).or_default().push(i),
                }
            }
        }
        ReferenceTables {
            selectors_by_label: Buckets::new(selectors_by_label),
            selectors_other: Buckets::new(selectors_other),
            bindings_by_sa: Buckets::new(bindings_by_sa),
            scale_targets: Buckets::new(scale_targets),
        }
    }
}

impl<'a> Index<'a> {
    pub fn new(objects: &'a [Object], custom: &'a CustomWorkloads) -> Self {
        // Four independent groups of tables, each built in input order, on all cores: with
        // three, one core built the largest group alone for half the time.
        let (by_name, (kinds, (w, refs))) = rayon::join(
            || by_name(objects),
            || {
                rayon::join(
                    || KindTables::new(objects),
                    || {
                        rayon::join(
                            || WorkloadTables::new(objects, custom),
                            || ReferenceTables::new(objects),
                        )
                    },
                )
            },
        );
        let KindTables {
            by_kind,
            by_kind_ns,
        } = kinds;
        let WorkloadTables {
            workloads,
            workloads_by_ns,
            workloads_by_label,
        } = w;
        let ReferenceTables {
            selectors_by_label,
            selectors_other,
            bindings_by_sa,
            scale_targets,
        } = refs;
        Index {
            objects,
            by_kind,
            by_name,
            workloads,
            custom,
            by_kind_ns,
            workloads_by_ns,
            workloads_by_label,
            selectors_by_label,
            selectors_other,
            bindings_by_sa,
            scale_targets,
        }
    }

    /// The RoleBindings and ClusterRoleBindings that name the ServiceAccount `name` of
    /// `namespace` as a subject, directly or through the `system:serviceaccounts` and
    /// `system:serviceaccounts:<namespace>` groups. A RoleBinding only grants within its own
    /// namespace, which callers must take into account.
    pub fn bindings_for_service_account(&self, namespace: &str, name: &str) -> Vec<&'a Object> {
        let b = &self.bindings_by_sa;
        let mut out: Vec<&'a Object> = Vec::new();
        for key in [(namespace, name), (namespace, "*"), ("*", "*")] {
            if let Some(&(start, end)) = b.ranges.get(&key) {
                for &i in &b.items[start..end] {
                    let o = &self.objects[i];
                    if !out.iter().any(|x| std::ptr::eq(*x, o)) {
                        out.push(o);
                    }
                }
            }
        }
        out
    }

    /// The objects of `kind` (NetworkPolicy, PodDisruptionBudget or Service) in `namespace`
    /// whose selector may select a pod with `labels`: those filed under one of the labels, plus
    /// those without an equality requirement. Callers still evaluate the selector; this only
    /// narrows the candidates so that matching pods to selectors is not quadratic.
    pub fn selector_candidates<'l>(
        &self,
        kind: &str,
        namespace: Option<&str>,
        labels: impl Iterator<Item = (&'l str, &'l str)>,
    ) -> Vec<&'a Object> {
        let mut out: Vec<&'a Object> = Vec::new();
        let b = &self.selectors_by_label;
        for (k, v) in labels {
            if let Some(&(start, end)) = b.ranges.get(&(kind, namespace, k, v)) {
                out.extend(b.items[start..end].iter().map(|&i| &self.objects[i]));
            }
        }
        let o = &self.selectors_other;
        if let Some(&(start, end)) = o.ranges.get(&(kind, namespace)) {
            out.extend(o.items[start..end].iter().map(|&i| &self.objects[i]));
        }
        out
    }

    /// HorizontalPodAutoscalers in `namespace` whose `scaleTargetRef` names `kind`/`name`.
    pub fn hpas_targeting(
        &self,
        namespace: Option<&str>,
        kind: &str,
        name: &str,
    ) -> impl Iterator<Item = &'a Object> + '_ {
        let b = &self.scale_targets;
        let (start, end) = b
            .ranges
            .get(&(namespace, kind, name))
            .copied()
            .unwrap_or((0, 0));
        b.items[start..end].iter().map(|&i| &self.objects[i])
    }

    /// Objects of `kind` in `namespace` (`None` for cluster-scoped kinds; an unset namespace is
    /// `default`), in input order.
    pub fn of_kind_in(
        &self,
        kind: &str,
        namespace: Option<&str>,
    ) -> impl Iterator<Item = &'a Object> + '_ {
        let b = &self.by_kind_ns;
        let (start, end) = b.ranges.get(&(kind, namespace)).copied().unwrap_or((0, 0));
        b.items[start..end].iter().map(|&i| &self.objects[i])
    }

    /// Whether any object of `kind` is in `namespace`.
    pub fn has_kind_in(&self, kind: &str, namespace: Option<&str>) -> bool {
        self.by_kind_ns.ranges.contains_key(&(kind, namespace))
    }

    /// Whether the scan holds any workload (an object with a pod spec).
    pub fn has_workloads(&self) -> bool {
        !self.workloads.is_empty()
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
        let candidates = self.candidates(namespace, selector);
        let sel = selector.clone();
        candidates
            .iter()
            .filter_map(|&i| PodSpec::of(&self.objects[i], self.custom))
            .filter(move |p| sel.matches(p.labels()))
    }

    /// The workloads that can match `selector` in `namespace`: those carrying one of its required
    /// labels, else all workloads of the namespace; never all objects.
    fn candidates(&self, namespace: Option<&str>, selector: &LabelSelector) -> &[usize] {
        let (items, range) = match selector.first_equality() {
            Some((k, v)) => (
                &self.workloads_by_label.items,
                self.workloads_by_label
                    .ranges
                    .get(&(namespace, k, v))
                    .copied(),
            ),
            None => (
                &self.workloads_by_ns.items,
                self.workloads_by_ns.ranges.get(&namespace).copied(),
            ),
        };
        let (start, end) = range.unwrap_or((0, 0));
        &items[start..end]
    }

    /// The object's pod spec, if it has one.
    pub fn pod_spec(&self, obj: &'a Object) -> Option<PodSpec<'a>> {
        PodSpec::of(obj, self.custom)
    }
}

/// The ServiceAccount subjects of a RoleBinding or ClusterRoleBinding as (namespace, name):
/// `(ns, "*")` for the group `system:serviceaccounts:<ns>`, `("*", "*")` for
/// `system:serviceaccounts`. A subject without a namespace in a RoleBinding means the binding's.
fn service_account_subjects(obj: &Object) -> Vec<(&str, &str)> {
    if !matches!(obj.kind(), "RoleBinding" | "ClusterRoleBinding") {
        return Vec::new();
    }
    let subjects = obj.root.get("subjects").map(Node::items).unwrap_or(&[]);
    subjects
        .iter()
        .filter_map(|s| {
            let field = |k: &str| s.get(k).and_then(Node::as_str);
            match (field("kind")?, field("name")?) {
                ("ServiceAccount", name) => {
                    let ns = field("namespace")
                        .filter(|n| !n.is_empty())
                        .or(obj.effective_namespace())?;
                    Some((ns, name))
                }
                ("Group", "system:serviceaccounts") => Some(("*", "*")),
                ("Group", g) => g
                    .strip_prefix("system:serviceaccounts:")
                    .map(|ns| (ns, "*")),
                _ => None,
            }
        })
        .collect()
}

/// For objects that select pods (NetworkPolicy, PodDisruptionBudget, Service): `Some(first)`
/// with the first `key = value` requirement of the selector, or `Some(None)` when it has none
/// (it may select any pod); `None` for other objects and for selectors that select nothing.
fn pod_selector_first_equality(obj: &Object) -> Option<Option<(&str, &str)>> {
    let spec = obj.root.get("spec")?;
    fn first_entry(m: &Node) -> Option<(&str, &str)> {
        m.string_map().next()
    }
    match obj.kind() {
        // An absent podSelector selects every pod of the namespace.
        "NetworkPolicy" => Some(
            spec.get("podSelector")
                .and_then(|s| s.get("matchLabels"))
                .and_then(first_entry),
        ),
        // An absent PDB selector selects nothing (policy/v1).
        "PodDisruptionBudget" => {
            let sel = spec.get("selector").filter(|s| !s.is_null())?;
            Some(sel.get("matchLabels").and_then(first_entry))
        }
        // A Service without a selector selects no pods.
        "Service" => Some(Some(spec.get("selector").and_then(first_entry)?)),
        _ => None,
    }
}

/// Reads `spec.selector` of a workload (label selector) or a Service (map).
pub fn workload_selector(obj: &Object) -> Option<LabelSelector> {
    let sel = obj.root.path(&["spec", "selector"])?;
    Some(match obj.kind() {
        "Service" | "ReplicationController" | "DeploymentConfig" => LabelSelector::from_map(sel),
        _ => LabelSelector::from_label_selector(sel),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::Source;

    fn obj(j: serde_json::Value) -> Object {
        Object::new(Node::from_json(&j), Source::new("t.yaml", 0))
    }

    #[test]
    fn selection_uses_namespace_and_labels() {
        let objs = vec![
            obj(
                serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "a", "namespace": "x"},
                "spec": {"template": {"metadata": {"labels": {"app": "a", "tier": "web"}}, "spec": {}}}}),
            ),
            obj(
                serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "b"},
                "spec": {"template": {"metadata": {"labels": {"app": "a"}}, "spec": {}}}}),
            ),
            obj(serde_json::json!({"apiVersion": "v1", "kind": "Service",
                "metadata": {"name": "s", "namespace": "x"}, "spec": {}})),
        ];
        let custom = CustomWorkloads::default();
        let idx = Index::new(&objs, &custom);
        let sel = LabelSelector::from_map(&Node::from_json(&serde_json::json!({"app": "a"})));
        let names = |ns| {
            idx.pods_selected(ns, &sel)
                .map(|p| p.object.name().to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(Some("x")), ["a"]);
        assert_eq!(names(Some("default")), ["b"]);
        let expr = LabelSelector::from_label_selector(&Node::from_json(&serde_json::json!(
            {"matchExpressions": [{"key": "tier", "operator": "Exists"}]}
        )));
        assert_eq!(idx.pods_selected(Some("x"), &expr).count(), 1);
        assert_eq!(idx.pods_selected(Some("default"), &expr).count(), 0);
        assert!(idx.has_kind_in("Service", Some("x")));
        assert!(!idx.has_kind_in("Service", Some("default")));
        assert_eq!(idx.of_kind_in("Deployment", Some("x")).count(), 1);
        assert!(idx.has_workloads());
    }

    #[test]
    fn selector_candidates_by_label() {
        let np = |name: &str, sel: serde_json::Value| {
            obj(
                serde_json::json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                "metadata": {"name": name, "namespace": "x"}, "spec": {"podSelector": sel}}),
            )
        };
        let objs = vec![
            np("web", serde_json::json!({"matchLabels": {"app": "web"}})),
            np("db", serde_json::json!({"matchLabels": {"app": "db"}})),
            np("all", serde_json::json!({})),
            np(
                "expr",
                serde_json::json!({"matchExpressions": [{"key": "app", "operator": "Exists"}]}),
            ),
            obj(serde_json::json!({"apiVersion": "v1", "kind": "Service",
                "metadata": {"name": "s", "namespace": "x"}, "spec": {"selector": {"app": "web"}}})),
        ];
        let custom = CustomWorkloads::default();
        let idx = Index::new(&objs, &custom);
        let names = |kind: &str| {
            let mut v: Vec<_> = idx
                .selector_candidates(kind, Some("x"), [("app", "web"), ("tier", "a")].into_iter())
                .iter()
                .map(|o| o.name().to_string())
                .collect();
            v.sort();
            v
        };
        assert_eq!(names("NetworkPolicy"), ["all", "expr", "web"]);
        assert_eq!(names("Service"), ["s"]);
        assert!(
            idx.selector_candidates("NetworkPolicy", Some("y"), [("app", "web")].into_iter())
                .is_empty()
        );
    }

    #[test]
    fn hpas_by_scale_target() {
        let objs = vec![
            obj(
                serde_json::json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                "metadata": {"name": "h", "namespace": "x"},
                "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}}}),
            ),
            obj(
                serde_json::json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                "metadata": {"name": "broken"}, "spec": {}}),
            ),
        ];
        let custom = CustomWorkloads::default();
        let idx = Index::new(&objs, &custom);
        assert_eq!(
            idx.hpas_targeting(Some("x"), "Deployment", "web").count(),
            1
        );
        assert_eq!(
            idx.hpas_targeting(Some("default"), "Deployment", "web")
                .count(),
            0
        );
        assert_eq!(
            idx.hpas_targeting(Some("x"), "StatefulSet", "web").count(),
            0
        );
    }

    #[test]
    fn bindings_by_service_account() {
        let rb = |name: &str, ns: &str, subjects: serde_json::Value| {
            obj(
                serde_json::json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                "metadata": {"name": name, "namespace": ns}, "subjects": subjects}),
            )
        };
        let objs = vec![
            rb(
                "direct",
                "x",
                serde_json::json!([{"kind": "ServiceAccount", "name": "web"}]),
            ),
            rb(
                "other-ns",
                "y",
                serde_json::json!([{"kind": "ServiceAccount", "name": "web", "namespace": "x"}]),
            ),
            rb(
                "group",
                "x",
                serde_json::json!([{"kind": "Group", "name": "system:serviceaccounts:x"}]),
            ),
            rb(
                "all",
                "z",
                serde_json::json!([{"kind": "Group", "name": "system:serviceaccounts"}]),
            ),
            rb(
                "user",
                "x",
                serde_json::json!([{"kind": "User", "name": "web"}]),
            ),
        ];
        let custom = CustomWorkloads::default();
        let idx = Index::new(&objs, &custom);
        let names: Vec<_> = idx
            .bindings_for_service_account("x", "web")
            .iter()
            .map(|o| o.name().to_string())
            .collect();
        assert_eq!(names, ["direct", "other-ns", "group", "all"]);
        assert_eq!(idx.bindings_for_service_account("y", "web").len(), 1);
    }
}
