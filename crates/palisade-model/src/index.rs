//! An index over all objects of a scan, built once, so cross-object checks are lookups.

use crate::node::Node;
use crate::object::Object;
use crate::selector::LabelSelector;
use crate::workload::{CustomWorkloads, PodSpec};
// foldhash: the index hashes every object's kind, names and labels, and checks look them up
// for every object; SipHash's flood resistance is not worth its cost here.
use foldhash::HashMap;
use std::hash::BuildHasher;

pub struct Index<'a> {
    pub objects: &'a [Object],
    by_kind: HashMap<&'a str, Vec<usize>>,
    by_name: ByName,
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
    /// Per key: `items[start..end]`.
    ranges: HashMap<K, (usize, usize)>,
    items: Vec<usize>,
}

impl<K: std::hash::Hash + Eq + Copy> Buckets<K> {
    /// Groups `(key, object)` pairs given in object order; an object is listed once per key.
    /// Counted first, then placed: no vector per key (most keys, such as a Service's own
    /// `app` label, have one object), and no second map.
    fn from_pairs(pairs: &[(K, usize)]) -> Self {
        // Per key, while counting: (count, last object counted).
        // Sized for every pair to have its own key (most do): growing rehashed it (a seventh
        // of the index's time).
        let mut ranges: HashMap<K, (usize, usize)> =
            HashMap::with_capacity_and_hasher(pairs.len(), Default::default());
        for &(k, i) in pairs {
            let r = ranges.entry(k).or_insert((0, usize::MAX));
            if r.1 != i {
                *r = (r.0 + 1, i);
            }
        }
        // Then, while placing: (start, next free slot); the object placed last sits just
        // before the free slot, since pairs come in object order.
        let mut total = 0;
        for r in ranges.values_mut() {
            let count = r.0;
            *r = (total, total);
            total += count;
        }
        let mut items = vec![0; total];
        for &(k, i) in pairs {
            if let Some(r) = ranges.get_mut(&k)
                && (r.1 == r.0 || items[r.1 - 1] != i)
            {
                items[r.1] = i;
                r.1 += 1;
            }
        }
        Buckets { ranges, items }
    }

    /// From lists already grouped (few keys, long lists). Kinds by namespace are grouped so:
    /// as pairs, one per object, their 0.8 MB of pairs raised the scan's peak RSS by 2 MB.
    fn from_groups(groups: HashMap<K, Vec<usize>>) -> Self {
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

    /// `items[start..end]` of `key`, if it has any.
    fn range(&self, key: &K) -> Option<(usize, usize)> {
        self.ranges.get(key).copied()
    }
}

/// Objects by kind, and by kind and namespace.
struct KindTables<'a> {
    by_kind: HashMap<&'a str, Vec<usize>>,
    by_kind_ns: Buckets<(&'a str, Option<&'a str>)>,
}

impl<'a> KindTables<'a> {
    fn new(objects: &'a [Object]) -> Self {
        let mut by_kind: HashMap<&str, Vec<usize>> = HashMap::default();
        let mut by_kind_ns: HashMap<_, Vec<usize>> = HashMap::default();
        for (i, o) in objects.iter().enumerate() {
            by_kind.entry(o.kind()).or_default().push(i);
            by_kind_ns
                .entry((o.kind(), o.effective_namespace()))
                .or_default()
                .push(i);
        }
        KindTables {
            by_kind,
            by_kind_ns: Buckets::from_groups(by_kind_ns),
        }
    }
}

/// (kind, effective namespace, name).
type Identity<'a> = (&'a str, Option<&'a str>, &'a str);

fn identity(o: &Object) -> Identity<'_> {
    (o.kind(), o.effective_namespace(), o.name())
}

/// Objects by identity: a table of object numbers, hashed by identity and compared against
/// the objects themselves. A map keyed by the identity's three string slices took 56 bytes a
/// slot (1.8 MB at 20,000 objects, while every check of a scan holds it) where this takes 4.
struct ByName {
    table: hashbrown::HashTable<u32>,
    hasher: foldhash::fast::FixedState,
}

impl ByName {
    /// One entry per identity; of objects that share one, the last (as a map insert would).
    fn new(objects: &[Object]) -> Self {
        let hasher = foldhash::fast::FixedState::with_seed(0);
        let rehash = |&j: &u32| hasher.hash_one(identity(&objects[j as usize]));
        let mut table = hashbrown::HashTable::with_capacity(objects.len());
        for (i, o) in objects.iter().enumerate() {
            let id = identity(o);
            let hash = hasher.hash_one(id);
            let same = |&j: &u32| identity(&objects[j as usize]) == id;
            match table.find_mut(hash, same) {
                Some(slot) => *slot = i as u32,
                None => {
                    table.insert_unique(hash, i as u32, rehash);
                }
            }
        }
        ByName { table, hasher }
    }

    fn get(&self, objects: &[Object], id: Identity) -> Option<usize> {
        let hash = self.hasher.hash_one(id);
        self.table
            .find(hash, |&j| identity(&objects[j as usize]) == id)
            .map(|&j| j as usize)
    }
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
        let mut by_ns = Vec::new();
        let mut by_label = Vec::new();
        for (i, o) in objects.iter().enumerate() {
            if let Some(pod) = PodSpec::of(o, custom) {
                workloads.push(i);
                let ns = o.effective_namespace();
                by_ns.push((ns, i));
                by_label.extend(pod.labels().map(|(k, v)| ((ns, k, v), i)));
            }
        }
        WorkloadTables {
            workloads,
            workloads_by_ns: Buckets::from_pairs(&by_ns),
            workloads_by_label: Buckets::from_pairs(&by_label),
        }
    }
}

/// Objects that select pods (NetworkPolicy, PodDisruptionBudget, Service), by their first
/// equality requirement.
struct SelectorTables<'a> {
    selectors_by_label: Buckets<(&'a str, Option<&'a str>, &'a str, &'a str)>,
    selectors_other: Buckets<(&'a str, Option<&'a str>)>,
}

impl<'a> SelectorTables<'a> {
    fn new(objects: &'a [Object]) -> Self {
        let mut by_label = Vec::new();
        let mut other = Vec::new();
        for (i, o) in objects.iter().enumerate() {
            if let Some(first) = pod_selector_first_equality(o) {
                let ns = o.effective_namespace();
                match first {
                    Some((k, v)) => by_label.push(((o.kind(), ns, k, v), i)),
                    None => other.push(((o.kind(), ns), i)),
                }
            }
        }
        SelectorTables {
            selectors_by_label: Buckets::from_pairs(&by_label),
            selectors_other: Buckets::from_pairs(&other),
        }
    }
}

/// Bindings by the ServiceAccounts they name, HPAs by their scale target.
struct ReferenceTables<'a> {
    bindings_by_sa: Buckets<(&'a str, &'a str)>,
    scale_targets: Buckets<(Option<&'a str>, &'a str, &'a str)>,
}

impl<'a> ReferenceTables<'a> {
    fn new(objects: &'a [Object]) -> Self {
        let mut bindings = Vec::new();
        let mut targets = Vec::new();
        for (i, o) in objects.iter().enumerate() {
            // A binding may name the same account twice: `from_pairs` lists it once.
            bindings.extend(service_account_subjects(o).into_iter().map(|k| (k, i)));
            if o.kind() == "HorizontalPodAutoscaler" {
                let r = |k: &str| {
                    o.root
                        .path(&["spec", "scaleTargetRef", k])
                        .and_then(Node::as_str)
                };
                if let (Some(kind), Some(name)) = (r("kind"), r("name")) {
                    targets.push(((o.effective_namespace(), kind, name), i));
                }
            }
        }
        ReferenceTables {
            bindings_by_sa: Buckets::from_pairs(&bindings),
            scale_targets: Buckets::from_pairs(&targets),
        }
    }
}

impl<'a> Index<'a> {
    pub fn new(objects: &'a [Object], custom: &'a CustomWorkloads) -> Self {
        // Five independent groups of tables, each built in input order, on all cores, paired so
        // that each core gets about half. Measured on the benchmark corpus (20,000 objects):
        // identities 1.5 ms, kinds 0.9 ms, workloads 6 ms, selectors and references 8.5 ms
        // together (so those two are split); the index went from 10 to 7.6 ms.
        let ((w, (by_name, kinds)), (sel, refs)) = rayon::join(
            || {
                rayon::join(
                    || WorkloadTables::new(objects, custom),
                    || rayon::join(|| ByName::new(objects), || KindTables::new(objects)),
                )
            },
            || {
                rayon::join(
                    || SelectorTables::new(objects),
                    || ReferenceTables::new(objects),
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
        let SelectorTables {
            selectors_by_label,
            selectors_other,
        } = sel;
        let ReferenceTables {
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
            if let Some((start, end)) = b.range(&key) {
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
            if let Some((start, end)) = b.range(&(kind, namespace, k, v)) {
                out.extend(b.items[start..end].iter().map(|&i| &self.objects[i]));
            }
        }
        let o = &self.selectors_other;
        if let Some((start, end)) = o.range(&(kind, namespace)) {
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
        let (start, end) = b.range(&(namespace, kind, name)).unwrap_or((0, 0));
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
        let (start, end) = b.range(&(kind, namespace)).unwrap_or((0, 0));
        b.items[start..end].iter().map(|&i| &self.objects[i])
    }

    /// Whether any object of `kind` is in `namespace`.
    pub fn has_kind_in(&self, kind: &str, namespace: Option<&str>) -> bool {
        self.by_kind_ns.range(&(kind, namespace)).is_some()
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
            .get(self.objects, (kind, namespace, name))
            .map(|i| &self.objects[i])
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
                self.workloads_by_label.range(&(namespace, k, v)),
            ),
            None => (
                &self.workloads_by_ns.items,
                self.workloads_by_ns.range(&namespace),
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

    #[test]
    fn buckets_list_each_object_once_per_key_in_input_order() {
        // Object 1 names key "a" twice, apart; object 3 twice in a row.
        let pairs = [
            ("a", 1),
            ("b", 1),
            ("a", 1),
            ("b", 2),
            ("a", 3),
            ("a", 3),
            ("c", 0),
        ];
        let b = Buckets::from_pairs(&pairs);
        let get = |k| b.range(&k).map(|(s, e)| b.items[s..e].to_vec());
        assert_eq!(get("a"), Some(vec![1, 3]));
        assert_eq!(get("b"), Some(vec![1, 2]));
        assert_eq!(get("c"), Some(vec![0]));
        assert_eq!(get("d"), None);
        assert_eq!(b.items.len(), 5);
        assert!(Buckets::<&str>::from_pairs(&[]).items.is_empty());
    }

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
