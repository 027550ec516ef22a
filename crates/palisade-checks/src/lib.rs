//! Palisade's built-in check catalogue.
//!
//! One check per file in `src/rules/`, each with its id, title, category, default severity,
//! rationale, remediation, references and parameters beside the code; `build.rs` registers
//! them. `docs/checks.md` is generated from this metadata (see [`docs::markdown`]).

/// Joins string pieces into one `String`, sized once, for the messages of most findings:
/// `cat!("container `", c.name, "` runs as root")`. See `support::cat` for why not `format!`.
macro_rules! cat {
    ($($part:expr),+ $(,)?) => {
        $crate::support::cat(&[$(::core::convert::AsRef::<str>::as_ref(&$part)),+])
    };
}

pub mod docs;
pub mod support;

use palisade_model::{Category, Diagnostic, Index, Object, PodSpec, Severity};

pub mod rules {
    include!(concat!(env!("OUT_DIR"), "/rules.rs"));
}

/// A tunable setting of a check, with its default as JSON text.
#[derive(Debug)]
pub struct Param {
    pub name: &'static str,
    pub description: &'static str,
    /// The default, as JSON (`["docker.io"]`, `2`, `"owner"`).
    pub default: &'static str,
}

/// Everything a user (and the generated docs) needs to know about a check.
#[derive(Debug)]
pub struct CheckMeta {
    /// kebab-case, stable: config, exemptions and fingerprints use it.
    pub id: &'static str,
    pub title: &'static str,
    pub category: Category,
    pub severity: Severity,
    /// Why it matters.
    pub rationale: &'static str,
    /// What to change, concretely.
    pub remediation: &'static str,
    /// "CIS 5.2.7", "NSA/CISA: Pod security", "PSS restricted: Running as Non-root", URLs.
    pub references: &'static [&'static str],
    pub params: &'static [Param],
    /// The same check in other tools, `tool:id`: `polaris:runAsRootAllowed`,
    /// `kube-linter:run-as-non-root`, `kube-score:container-security-context-user-group-id`,
    /// `checkov:CKV_K8S_23`, `trivy:KSV012`, `kubescape:C-0013`.
    pub aliases: &'static [&'static str],
    /// Off by default (opt-in) checks are listed but only run when enabled in config.
    pub enabled_by_default: bool,
    /// The check looks at other objects (a Service's pods, a workload's budget, a binding's
    /// role): its verdict on an object depends on what else was scanned. A door that sees one
    /// object at a time (the admission webhook) cannot give it and skips it. Guarded by a test
    /// that runs every fixture object alone.
    pub cross_object: bool,
    /// For cross-object checks: what the check assumes when the objects it needs may live
    /// outside the scanned set. Shown in docs and `checks explain`.
    pub assumptions: &'static str,
}

/// What a check sees besides the object itself.
pub struct Ctx<'a> {
    pub index: &'a Index<'a>,
    /// This check's parameters: defaults merged with config.
    pub params: &'a serde_json::Map<String, serde_json::Value>,
    /// The object being judged and its pod spec, worked out once for all checks by a caller
    /// that runs many of them on one object; `pod_of` answers from it for that object.
    pub judged: Option<(&'a Object, Option<PodSpec<'a>>)>,
    /// What `Check::prepare` worked out from `params`, when the caller prepared it.
    pub prepared: Option<&'a Prepared>,
    /// What several checks of the `judged` object work out alike, kept for the others.
    pub memo: Option<&'a Memo>,
}

/// What several checks of one object work out alike (see `Ctx::memo`): a caller that runs many
/// checks on one object gives them one fresh `Memo` per object.
#[derive(Default)]
pub struct Memo {
    /// How NetworkPolicies isolate the pod: two checks ask, and it takes a selector lookup.
    pub(crate) isolation: std::cell::OnceCell<Option<support::network::Isolation>>,
}

/// Parameters a check worked out once (see `Check::prepare`).
pub type Prepared = dyn std::any::Any + Send + Sync;

impl<'a> Ctx<'a> {
    pub fn new(
        index: &'a Index<'a>,
        params: &'a serde_json::Map<String, serde_json::Value>,
    ) -> Self {
        Ctx {
            index,
            params,
            judged: None,
            prepared: None,
            memo: None,
        }
    }

    /// What the check's `prepare` gave, if the caller prepared it and it is a `T`.
    pub fn prepared<T: 'static>(&self) -> Option<&'a T> {
        self.prepared?.downcast_ref()
    }

    pub fn param(&self, name: &str) -> Option<&serde_json::Value> {
        self.params.get(name)
    }
    /// A list-of-strings parameter, read in place: checks read theirs for every object, and
    /// collecting it each time was a twentieth of the checks' time.
    pub fn param_strs(&self, name: &str) -> Strs<'a> {
        let params: &'a serde_json::Map<String, serde_json::Value> = self.params;
        Strs(
            params
                .get(name)
                .and_then(|v| v.as_array())
                .map_or(&[], Vec::as_slice),
        )
    }
    pub fn param_str(&self, name: &str) -> Option<&str> {
        self.params.get(name).and_then(|v| v.as_str())
    }
    pub fn param_i64(&self, name: &str) -> Option<i64> {
        self.params.get(name).and_then(|v| v.as_i64())
    }
    pub fn param_bool(&self, name: &str) -> Option<bool> {
        self.params.get(name).and_then(|v| v.as_bool())
    }
}

/// The strings of a list parameter (other items are skipped), borrowed from the config.
#[derive(Clone, Copy, Debug, Default)]
pub struct Strs<'a>(&'a [serde_json::Value]);

impl<'a> Strs<'a> {
    pub fn iter(self) -> impl Iterator<Item = &'a str> + Clone {
        self.into_iter()
    }
    pub fn contains(self, s: &str) -> bool {
        self.iter().any(|x| x == s)
    }
    pub fn is_empty(self) -> bool {
        self.iter().next().is_none()
    }
    pub fn to_vec(self) -> Vec<&'a str> {
        self.iter().collect()
    }
}

impl<'a> IntoIterator for Strs<'a> {
    type Item = &'a str;
    type IntoIter = std::iter::FilterMap<
        std::slice::Iter<'a, serde_json::Value>,
        fn(&'a serde_json::Value) -> Option<&'a str>,
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().filter_map(serde_json::Value::as_str)
    }
}

impl<'a> IntoIterator for &Strs<'a> {
    type Item = &'a str;
    type IntoIter = <Strs<'a> as IntoIterator>::IntoIter;
    fn into_iter(self) -> Self::IntoIter {
        (*self).into_iter()
    }
}

pub trait Check: Send + Sync {
    fn meta(&self) -> &'static CheckMeta;
    /// Appends one diagnostic per problem in `obj`. Must not panic on any input.
    fn run(&self, obj: &Object, ctx: &Ctx, out: &mut Vec<Diagnostic>);
    /// True when `run` finds nothing in an object without a pod spec (it starts from `pod_of`):
    /// the engine then skips the check for Services, RBAC objects and the like, which are most
    /// objects of a large scan. The fixtures test `pods_only_checks_pass_objects_without_pods`
    /// holds every check to it.
    fn pods_only(&self) -> bool {
        false
    }
    /// JSON Patch operations (RFC 6902) that fix the object safely, for `palisade fix` and the
    /// mutating webhook. Only fixes that need no invented values (no made-up probes, resource
    /// figures or image tags). Empty when there is no safe fix.
    fn fix(&self, _obj: &Object, _ctx: &Ctx) -> Vec<serde_json::Value> {
        Vec::new()
    }
    /// Works out from the parameters, once per scan, what `run` would otherwise work out for
    /// every object (a parsed table); `run` finds it with `Ctx::prepared` and must give the
    /// same verdict without it.
    fn prepare(
        &self,
        _params: &serde_json::Map<String, serde_json::Value>,
    ) -> Option<Box<Prepared>> {
        None
    }
}

/// The check with this id.
pub fn find(id: &str) -> Option<&'static dyn Check> {
    rules::ALL.iter().copied().find(|c| c.meta().id == id)
}

/// Default parameters of a check, parsed from its metadata.
pub fn default_params(meta: &CheckMeta) -> serde_json::Map<String, serde_json::Value> {
    meta.params
        .iter()
        .map(|p| {
            let v = serde_json::from_str(p.default)
                .unwrap_or_else(|_| serde_json::Value::String(p.default.to_string()));
            (p.name.to_string(), v)
        })
        .collect()
}
