//! The parts of a pod that Pod Security Admission reads, decoded in one pass over the tree.
//!
//! Decoding mirrors Go's JSON decoding into `corev1.PodSpec`: a `null` is an unset field, a value
//! of the wrong type makes the object invalid (the API server would reject it), and unknown fields
//! are reported (kubectl's default strict validation rejects them). Nothing is copied: the view
//! borrows the object's tree, and a well-formed pod with up to eight containers decodes without
//! touching the heap.

use palisade_model::{ContainerKind, CustomWorkloads, Entry, Map, Node, Object, Pos, Value};
use smallvec::SmallVec;
use std::borrow::Cow;
use std::fmt::Write as _;

/// A decoded value and where its key was written.
#[derive(Clone, Copy, Debug)]
pub(crate) struct At<T> {
    pub v: T,
    pub pos: Pos,
}

/// A problem with the input itself, found while decoding.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Problem {
    /// Errors make the object invalid (Kubernetes would refuse it); warnings do not.
    pub error: bool,
    pub message: String,
    #[serde(skip)]
    pub pos: Pos,
    /// JSON pointer of the field.
    pub path: String,
}

/// `seccompProfile` / `appArmorProfile`: set (non-null) with its `type` (`""` when missing).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Profile<'a> {
    pub kind: &'a str,
    pub pos: Pos,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct SeLinux<'a> {
    pub type_: &'a str,
    pub user: &'a str,
    pub role: &'a str,
    pub pos: Pos,
}

/// A pod or container `securityContext`; every field `None` when it is unset.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct SecCtx<'a> {
    /// Set (non-null) at all.
    pub set: bool,
    pub pos: Option<Pos>,
    pub privileged: Option<At<bool>>,
    pub allow_privilege_escalation: Option<At<bool>>,
    pub run_as_non_root: Option<At<bool>>,
    pub run_as_user: Option<At<i64>>,
    pub proc_mount: Option<At<&'a str>>,
    /// `capabilities` set (non-null).
    pub capabilities: Option<Pos>,
    pub caps_add: Option<At<&'a [Node]>>,
    pub caps_drop: Option<At<&'a [Node]>>,
    pub seccomp: Option<Profile<'a>>,
    pub apparmor: Option<Profile<'a>>,
    pub selinux: Option<SeLinux<'a>>,
    pub host_process: Option<At<bool>>,
    /// Pod level only.
    pub sysctls: Option<At<&'a [Node]>>,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Ctr<'a> {
    pub name: &'a str,
    pub kind: ContainerKind,
    pub index: usize,
    pub pos: Pos,
    pub sc: SecCtx<'a>,
    pub ports: &'a [Node],
    pub liveness: Option<&'a Node>,
    pub readiness: Option<&'a Node>,
    pub startup: Option<&'a Node>,
    pub lifecycle: Option<&'a Node>,
}

/// A pod (or pod template) as Pod Security Admission sees it.
#[derive(Debug)]
pub(crate) struct Pod<'a> {
    /// JSON pointer of the pod spec in the object (`/spec`, `/spec/template/spec`, ...).
    pub prefix: Cow<'static, str>,
    /// Where findings about the pod as a whole point.
    pub pos: Pos,
    pub annotations: Option<&'a Map>,
    pub host_network: Option<At<bool>>,
    pub host_pid: Option<At<bool>>,
    pub host_ipc: Option<At<bool>>,
    pub host_users: Option<At<bool>>,
    pub os_name: Option<&'a str>,
    pub runtime_class: Option<&'a str>,
    pub volumes: &'a [Node],
    pub sc: SecCtx<'a>,
    /// Init, regular, then ephemeral containers: the order PSA visits them in.
    pub containers: SmallVec<[Ctr<'a>; 8]>,
}

/// Where the pod template sits in each kind PSA evaluates, with the API groups it accepts.
const LOCATIONS: &[(&str, &[&str], &[&str], &str)] = &[
    // kind, groups, path of the template (empty for a Pod), JSON pointer of the spec
    ("Pod", &[""], &[], "/spec"),
    (
        "ReplicationController",
        &[""],
        &["spec", "template"],
        "/spec/template/spec",
    ),
    ("PodTemplate", &[""], &["template"], "/template/spec"),
    (
        "ReplicaSet",
        &["apps", "extensions"],
        &["spec", "template"],
        "/spec/template/spec",
    ),
    (
        "Deployment",
        &["apps", "extensions"],
        &["spec", "template"],
        "/spec/template/spec",
    ),
    (
        "DaemonSet",
        &["apps", "extensions"],
        &["spec", "template"],
        "/spec/template/spec",
    ),
    (
        "StatefulSet",
        &["apps"],
        &["spec", "template"],
        "/spec/template/spec",
    ),
    (
        "Job",
        &["batch"],
        &["spec", "template"],
        "/spec/template/spec",
    ),
    (
        "CronJob",
        &["batch"],
        &["spec", "jobTemplate", "spec", "template"],
        "/spec/jobTemplate/spec/template/spec",
    ),
];

/// The metadata and spec nodes of the pod (template) in `obj`, or `None` when PSA does not
/// evaluate this kind. Missing nodes are `None` (reported by [`decode`]).
pub(crate) struct Located<'a> {
    pub meta: Option<&'a Node>,
    pub spec: Option<&'a Node>,
    pub prefix: Cow<'static, str>,
    pub anchor: Pos,
}

pub(crate) fn locate<'a>(obj: &'a Object, custom: &CustomWorkloads) -> Option<Located<'a>> {
    let kind = obj.kind();
    let group = obj.id.group();
    let (template, prefix): (Option<&Node>, Cow<'static, str>) = if let Some((_, _, path, ptr)) =
        LOCATIONS
            .iter()
            .find(|(k, groups, _, _)| *k == kind && groups.contains(&group))
    {
        (walk(&obj.root, path.iter().copied()), Cow::Borrowed(*ptr))
    } else if let Some(w) = custom.entries.iter().find(|w| w.kind == kind) {
        (
            walk(&obj.root, w.template.iter().map(String::as_str)),
            Cow::Owned(w.spec_pointer.clone()),
        )
    } else {
        return None;
    };
    let template = template.filter(|n| !n.is_null());
    let anchor = template.map(|t| t.pos).unwrap_or_else(|| obj.pos());
    Some(Located {
        meta: template.and_then(|t| t.get("metadata")),
        spec: template
            .and_then(|t| t.get("spec"))
            .filter(|n| !n.is_null()),
        prefix,
        anchor,
    })
}

fn walk<'a, 'k>(root: &'a Node, path: impl Iterator<Item = &'k str>) -> Option<&'a Node> {
    let mut n = root;
    for k in path {
        n = n.get(k)?;
    }
    Some(n)
}

/// Builds a JSON pointer on the failure path only.
pub(crate) fn pointer(prefix: &str, ctr: Option<(ContainerKind, usize)>, rest: &[&str]) -> String {
    let mut s = String::from(prefix);
    if let Some((k, i)) = ctr {
        let _ = write!(s, "/{}/{}", k.field(), i);
    }
    for r in rest {
        s.push('/');
        s.push_str(r);
    }
    s
}

/// `spec.containers[0].securityContext` for a JSON pointer, for messages.
pub(crate) fn dotted(ptr: &str) -> String {
    let mut out = String::with_capacity(ptr.len());
    for seg in ptr.split('/').filter(|s| !s.is_empty()) {
        if seg.bytes().all(|b| b.is_ascii_digit()) {
            let _ = write!(out, "[{seg}]");
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(seg);
        }
    }
    out
}

struct Dec<'p> {
    prefix: &'p str,
    problems: &'p mut Vec<Problem>,
}

impl Dec<'_> {
    fn error(&mut self, pos: Pos, ctr: Option<(ContainerKind, usize)>, rest: &[&str], msg: &str) {
        let path = pointer(self.prefix, ctr, rest);
        self.problems.push(Problem {
            error: true,
            message: format!("{}: {msg}", dotted(&path)),
            pos,
            path,
        });
    }
    fn type_error(
        &mut self,
        e: &Entry,
        ctr: Option<(ContainerKind, usize)>,
        rest: &[&str],
        want: &str,
    ) {
        let got = match e.value.scalar_text() {
            Some(t) if matches!(e.value.value, Value::Str(_)) => {
                format!("{} \"{t}\"", e.value.type_name())
            }
            Some(t) => format!("{} {t}", e.value.type_name()),
            None => e.value.type_name().to_string(),
        };
        self.error(
            e.key_pos,
            ctr,
            rest,
            &format!("expected {want}, got {got}; Kubernetes rejects this object"),
        );
    }
    fn unknown(&mut self, e: &Entry, ctr: Option<(ContainerKind, usize)>, rest: &[&str]) {
        let mut full: SmallVec<[&str; 6]> = SmallVec::from_slice(rest);
        full.push(&e.key);
        let path = pointer(self.prefix, ctr, &full);
        self.problems.push(Problem {
            error: false,
            message: format!(
                "{}: unknown field; the API server rejects it under kubectl's default strict \
                 validation, or drops it (and Pod Security then sees it unset)",
                dotted(&path)
            ),
            pos: e.key_pos,
            path,
        });
    }

    fn bool(
        &mut self,
        e: &Entry,
        c: Option<(ContainerKind, usize)>,
        r: &[&str],
    ) -> Option<At<bool>> {
        match e.value.value {
            Value::Null => None,
            Value::Bool(b) => Some(At {
                v: b,
                pos: e.key_pos,
            }),
            _ => {
                self.type_error(e, c, r, "boolean");
                None
            }
        }
    }
    fn int(&mut self, e: &Entry, c: Option<(ContainerKind, usize)>, r: &[&str]) -> Option<At<i64>> {
        match e.value.value {
            Value::Null => None,
            Value::Int(i) => Some(At {
                v: i,
                pos: e.key_pos,
            }),
            _ => match e.value.as_i64() {
                Some(i) => Some(At {
                    v: i,
                    pos: e.key_pos,
                }),
                None => {
                    self.type_error(e, c, r, "integer");
                    None
                }
            },
        }
    }
    fn str<'a>(
        &mut self,
        e: &'a Entry,
        c: Option<(ContainerKind, usize)>,
        r: &[&str],
    ) -> Option<At<&'a str>> {
        match &e.value.value {
            Value::Null => None,
            Value::Str(s) => Some(At {
                v: s.as_str(),
                pos: e.key_pos,
            }),
            _ => {
                self.type_error(e, c, r, "string");
                None
            }
        }
    }
    fn map<'a>(
        &mut self,
        e: &'a Entry,
        c: Option<(ContainerKind, usize)>,
        r: &[&str],
    ) -> Option<&'a Map> {
        match &e.value.value {
            Value::Null => None,
            Value::Map(m) => Some(m),
            _ => {
                self.type_error(e, c, r, "object");
                None
            }
        }
    }
    fn seq<'a>(
        &mut self,
        e: &'a Entry,
        c: Option<(ContainerKind, usize)>,
        r: &[&str],
    ) -> Option<At<&'a [Node]>> {
        match &e.value.value {
            Value::Null => None,
            Value::Seq(s) => Some(At {
                v: s,
                pos: e.key_pos,
            }),
            _ => {
                self.type_error(e, c, r, "array");
                None
            }
        }
    }
    /// A list whose items must all be strings (capabilities).
    fn str_seq<'a>(
        &mut self,
        e: &'a Entry,
        c: Option<(ContainerKind, usize)>,
        r: &[&str],
    ) -> Option<At<&'a [Node]>> {
        let s = self.seq(e, c, r)?;
        for (i, n) in s.v.iter().enumerate() {
            if n.as_str().is_none() {
                let idx = i.to_string();
                let mut full: SmallVec<[&str; 6]> = SmallVec::from_slice(r);
                full.push(&idx);
                self.error(
                    n.pos,
                    c,
                    &full,
                    &format!(
                        "expected string, got {}; Kubernetes rejects this object",
                        n.type_name()
                    ),
                );
            }
        }
        Some(s)
    }

    /// A `securityContext` (pod level when `ctr` is `None`).
    fn sec_ctx<'a>(&mut self, e: &'a Entry, ctr: Option<(ContainerKind, usize)>) -> SecCtx<'a> {
        let mut sc = SecCtx::default();
        let Some(m) = self.map(e, ctr, &["securityContext"]) else {
            return sc;
        };
        sc.set = true;
        sc.pos = Some(e.key_pos);
        let pod = ctr.is_none();
        for f in &m.entries {
            let r = |k: &'static str| -> [&'static str; 2] { ["securityContext", k] };
            match f.key.as_str() {
                "privileged" if !pod => sc.privileged = self.bool(f, ctr, &r("privileged")),
                "allowPrivilegeEscalation" if !pod => {
                    sc.allow_privilege_escalation =
                        self.bool(f, ctr, &r("allowPrivilegeEscalation"))
                }
                "runAsNonRoot" => sc.run_as_non_root = self.bool(f, ctr, &r("runAsNonRoot")),
                "runAsUser" => sc.run_as_user = self.int(f, ctr, &r("runAsUser")),
                "runAsGroup" => {
                    self.int(f, ctr, &r("runAsGroup"));
                }
                "procMount" if !pod => sc.proc_mount = self.str(f, ctr, &r("procMount")),
                "readOnlyRootFilesystem" if !pod => {
                    self.bool(f, ctr, &r("readOnlyRootFilesystem"));
                }
                "capabilities" if !pod => {
                    if let Some(cm) = self.map(f, ctr, &r("capabilities")) {
                        sc.capabilities = Some(f.key_pos);
                        for c in &cm.entries {
                            match c.key.as_str() {
                                "add" => {
                                    sc.caps_add = self.str_seq(
                                        c,
                                        ctr,
                                        &["securityContext", "capabilities", "add"],
                                    )
                                }
                                "drop" => {
                                    sc.caps_drop = self.str_seq(
                                        c,
                                        ctr,
                                        &["securityContext", "capabilities", "drop"],
                                    )
                                }
                                _ => self.unknown(c, ctr, &["securityContext", "capabilities"]),
                            }
                        }
                    }
                }
                "seccompProfile" => sc.seccomp = self.profile(f, ctr, "seccompProfile"),
                "appArmorProfile" => sc.apparmor = self.profile(f, ctr, "appArmorProfile"),
                "seLinuxOptions" => {
                    if let Some(sm) = self.map(f, ctr, &r("seLinuxOptions")) {
                        let mut se = SeLinux {
                            type_: "",
                            user: "",
                            role: "",
                            pos: f.key_pos,
                        };
                        for o in &sm.entries {
                            let rr = ["securityContext", "seLinuxOptions", o.key.as_str()];
                            match o.key.as_str() {
                                "type" => se.type_ = self.str(o, ctr, &rr).map_or("", |a| a.v),
                                "user" => se.user = self.str(o, ctr, &rr).map_or("", |a| a.v),
                                "role" => se.role = self.str(o, ctr, &rr).map_or("", |a| a.v),
                                "level" => {
                                    self.str(o, ctr, &rr);
                                }
                                _ => self.unknown(o, ctr, &["securityContext", "seLinuxOptions"]),
                            }
                        }
                        sc.selinux = Some(se);
                    }
                }
                "windowsOptions" => {
                    if let Some(wm) = self.map(f, ctr, &r("windowsOptions")) {
                        for o in &wm.entries {
                            let rr = ["securityContext", "windowsOptions", o.key.as_str()];
                            match o.key.as_str() {
                                "hostProcess" => sc.host_process = self.bool(o, ctr, &rr),
                                "gmsaCredentialSpecName"
                                | "gmsaCredentialSpec"
                                | "runAsUserName" => {
                                    self.str(o, ctr, &rr);
                                }
                                _ => self.unknown(o, ctr, &["securityContext", "windowsOptions"]),
                            }
                        }
                    }
                }
                "sysctls" if pod => {
                    sc.sysctls = self.seq(f, ctr, &r("sysctls"));
                    if let Some(s) = sc.sysctls {
                        for (i, n) in s.v.iter().enumerate() {
                            let ok = n.get("name").is_some_and(|v| v.as_str().is_some());
                            if !ok {
                                let idx = i.to_string();
                                self.error(
                                    n.pos,
                                    ctr,
                                    &["securityContext", "sysctls", &idx, "name"],
                                    "Required value: a sysctl needs a string name",
                                );
                            }
                        }
                    }
                }
                "supplementalGroups"
                | "supplementalGroupsPolicy"
                | "fsGroup"
                | "fsGroupChangePolicy"
                | "seLinuxChangePolicy"
                    if pod => {}
                _ => self.unknown(f, ctr, &["securityContext"]),
            }
        }
        sc
    }

    fn profile<'a>(
        &mut self,
        e: &'a Entry,
        ctr: Option<(ContainerKind, usize)>,
        field: &'static str,
    ) -> Option<Profile<'a>> {
        let m = self.map(e, ctr, &["securityContext", field])?;
        let mut p = Profile {
            kind: "",
            pos: e.key_pos,
        };
        for o in &m.entries {
            let rr = ["securityContext", field, o.key.as_str()];
            match o.key.as_str() {
                "type" => {
                    if let Some(t) = self.str(o, ctr, &rr) {
                        p.kind = t.v;
                        p.pos = t.pos;
                    }
                }
                "localhostProfile" => {
                    self.str(o, ctr, &rr);
                }
                _ => self.unknown(o, ctr, &["securityContext", field]),
            }
        }
        Some(p)
    }

    fn container<'a>(
        &mut self,
        node: &'a Node,
        kind: ContainerKind,
        index: usize,
    ) -> Option<Ctr<'a>> {
        let c = Some((kind, index));
        let Some(m) = node.as_map() else {
            self.error(
                node.pos,
                c,
                &[],
                &format!("expected a container (object), got {}", node.type_name()),
            );
            return None;
        };
        let mut ctr = Ctr {
            name: "",
            kind,
            index,
            pos: node.pos,
            sc: SecCtx::default(),
            ports: &[],
            liveness: None,
            readiness: None,
            startup: None,
            lifecycle: None,
        };
        let mut named = false;
        for e in &m.entries {
            match e.key.as_str() {
                "name" => {
                    if let Some(n) = self.str(e, c, &["name"]) {
                        ctr.name = n.v;
                        named = !n.v.is_empty();
                    }
                }
                "securityContext" => ctr.sc = self.sec_ctx(e, c),
                "ports" => {
                    if let Some(p) = self.seq(e, c, &["ports"]) {
                        ctr.ports = p.v;
                        for (i, port) in p.v.iter().enumerate() {
                            if let Some(h) = port.as_map().and_then(|pm| pm.get_entry("hostPort")) {
                                let idx = i.to_string();
                                self.int(h, c, &["ports", &idx, "hostPort"]);
                            }
                        }
                    }
                }
                "livenessProbe" => ctr.liveness = self.handler(e, c, "livenessProbe"),
                "readinessProbe" => ctr.readiness = self.handler(e, c, "readinessProbe"),
                "startupProbe" => ctr.startup = self.handler(e, c, "startupProbe"),
                "lifecycle" => {
                    if let Some(lm) = self.map(e, c, &["lifecycle"]) {
                        ctr.lifecycle = Some(&e.value);
                        for h in &lm.entries {
                            match h.key.as_str() {
                                "postStart" | "preStop" => {
                                    self.handler_hosts(h, c, &["lifecycle", h.key.as_str()]);
                                }
                                "stopSignal" => {}
                                _ => self.unknown(h, c, &["lifecycle"]),
                            }
                        }
                    }
                }
                "targetContainerName" if kind == ContainerKind::Ephemeral => {}
                k if CONTAINER_FIELDS.contains(&k) => {}
                _ => self.unknown(e, c, &[]),
            }
        }
        if !named {
            self.error(
                node.pos,
                c,
                &["name"],
                "Required value: every container needs a name",
            );
        }
        Some(ctr)
    }

    fn handler<'a>(
        &mut self,
        e: &'a Entry,
        c: Option<(ContainerKind, usize)>,
        field: &str,
    ) -> Option<&'a Node> {
        self.map(e, c, &[field])?;
        self.handler_hosts(e, c, &[field]);
        Some(&e.value)
    }

    /// Type-checks `httpGet.host` and `tcpSocket.host` of a probe or lifecycle handler.
    fn handler_hosts(&mut self, e: &Entry, c: Option<(ContainerKind, usize)>, at: &[&str]) {
        for action in ["httpGet", "tcpSocket"] {
            if let Some(h) = e
                .value
                .get(action)
                .and_then(|a| a.as_map())
                .and_then(|a| a.get_entry("host"))
            {
                let mut full: SmallVec<[&str; 6]> = SmallVec::from_slice(at);
                full.push(action);
                full.push("host");
                self.str(h, c, &full);
            }
        }
    }
}

/// Container fields other than the ones decoded above (Kubernetes v1.37).
const CONTAINER_FIELDS: &[&str] = &[
    "image",
    "command",
    "args",
    "workingDir",
    "envFrom",
    "env",
    "resources",
    "resizePolicy",
    "restartPolicy",
    "restartPolicyRules",
    "volumeMounts",
    "volumeDevices",
    "terminationMessagePath",
    "terminationMessagePolicy",
    "imagePullPolicy",
    "stdin",
    "stdinOnce",
    "tty",
];

/// Pod spec fields other than the ones decoded here (Kubernetes v1.37).
const POD_FIELDS: &[&str] = &[
    "restartPolicy",
    "terminationGracePeriodSeconds",
    "activeDeadlineSeconds",
    "dnsPolicy",
    "nodeSelector",
    "serviceAccountName",
    "serviceAccount",
    "automountServiceAccountToken",
    "nodeName",
    "shareProcessNamespace",
    "imagePullSecrets",
    "hostname",
    "subdomain",
    "affinity",
    "schedulerName",
    "tolerations",
    "hostAliases",
    "priorityClassName",
    "priority",
    "dnsConfig",
    "readinessGates",
    "enableServiceLinks",
    "preemptionPolicy",
    "overhead",
    "topologySpreadConstraints",
    "setHostnameAsFQDN",
    "schedulingGates",
    "resourceClaims",
    "resources",
    "hostnameOverride",
    "workloadRef",
];

/// Decodes the pod (template) at `loc`. Problems are appended to `problems`.
pub(crate) fn decode<'a>(loc: Located<'a>, problems: &mut Vec<Problem>) -> Pod<'a> {
    let mut pod = Pod {
        prefix: loc.prefix,
        pos: loc.anchor,
        annotations: None,
        host_network: None,
        host_pid: None,
        host_ipc: None,
        host_users: None,
        os_name: None,
        runtime_class: None,
        volumes: &[],
        sc: SecCtx::default(),
        containers: SmallVec::new(),
    };
    let prefix = pod.prefix.clone();
    let mut d = Dec {
        prefix: &prefix,
        problems,
    };
    let meta_prefix = prefix.strip_suffix("/spec").unwrap_or("");

    if let Some(ann) = loc.meta.and_then(|m| m.get("annotations")) {
        match &ann.value {
            Value::Map(am) => {
                pod.annotations = Some(am);
                for e in &am.entries {
                    if !matches!(e.value.value, Value::Str(_)) {
                        let path = format!("{meta_prefix}/metadata/annotations/{}", e.key);
                        d.problems.push(Problem {
                            error: true,
                            message: format!(
                                "{}: annotation values must be strings, got {}",
                                dotted(&path),
                                e.value.type_name()
                            ),
                            pos: e.key_pos,
                            path,
                        });
                    }
                }
            }
            Value::Null => {}
            _ => {
                let path = format!("{meta_prefix}/metadata/annotations");
                d.problems.push(Problem {
                    error: true,
                    message: format!(
                        "{}: expected object, got {}",
                        dotted(&path),
                        ann.type_name()
                    ),
                    pos: ann.pos,
                    path,
                });
            }
        }
    }

    let Some(spec) = loc.spec else {
        d.error(
            pod.pos,
            None,
            &[],
            "Required value: no pod spec to evaluate",
        );
        return pod;
    };
    pod.pos = spec.pos;
    let Some(sm) = spec.as_map() else {
        d.error(
            spec.pos,
            None,
            &[],
            &format!("expected object, got {}", spec.type_name()),
        );
        return pod;
    };
    let mut lists: [Option<&'a [Node]>; 3] = [None; 3];
    for e in &sm.entries {
        match e.key.as_str() {
            "hostNetwork" => pod.host_network = d.bool(e, None, &["hostNetwork"]),
            "hostPID" => pod.host_pid = d.bool(e, None, &["hostPID"]),
            "hostIPC" => pod.host_ipc = d.bool(e, None, &["hostIPC"]),
            "hostUsers" => pod.host_users = d.bool(e, None, &["hostUsers"]),
            "runtimeClassName" => {
                pod.runtime_class = d.str(e, None, &["runtimeClassName"]).map(|a| a.v)
            }
            "os" => {
                if let Some(om) = d.map(e, None, &["os"]) {
                    for o in &om.entries {
                        match o.key.as_str() {
                            "name" => pod.os_name = d.str(o, None, &["os", "name"]).map(|a| a.v),
                            _ => d.unknown(o, None, &["os"]),
                        }
                    }
                }
            }
            "securityContext" => pod.sc = d.sec_ctx(e, None),
            "volumes" => {
                if let Some(v) = d.seq(e, None, &["volumes"]) {
                    pod.volumes = v.v;
                    for (i, vol) in v.v.iter().enumerate() {
                        let named = vol
                            .get("name")
                            .and_then(Node::as_str)
                            .is_some_and(|n| !n.is_empty());
                        if !named {
                            let idx = i.to_string();
                            d.error(
                                vol.pos,
                                None,
                                &["volumes", &idx, "name"],
                                "Required value: every volume needs a name",
                            );
                        }
                    }
                }
            }
            "initContainers" => lists[0] = d.seq(e, None, &["initContainers"]).map(|a| a.v),
            "containers" => lists[1] = d.seq(e, None, &["containers"]).map(|a| a.v),
            "ephemeralContainers" => {
                lists[2] = d.seq(e, None, &["ephemeralContainers"]).map(|a| a.v)
            }
            k if POD_FIELDS.contains(&k) => {}
            _ => d.unknown(e, None, &[]),
        }
    }
    if lists[1].is_none_or(|c| c.is_empty()) {
        d.error(
            spec.key_pos("containers"),
            None,
            &["containers"],
            "Required value: a pod needs at least one container; Kubernetes rejects this object",
        );
    }
    let kinds = [
        ContainerKind::Init,
        ContainerKind::Regular,
        ContainerKind::Ephemeral,
    ];
    for (list, kind) in lists.iter().zip(kinds) {
        for (i, n) in list.unwrap_or(&[]).iter().enumerate() {
            if let Some(c) = d.container(n, kind, i) {
                pod.containers.push(c);
            }
        }
    }
    pod
}

impl<'a> Pod<'a> {
    pub fn annotation(&self, key: &str) -> Option<&'a Entry> {
        self.annotations?
            .get_entry(key)
            .filter(|e| e.value.as_str().is_some())
    }
    pub fn is_windows(&self) -> bool {
        self.os_name == Some("windows")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_paths() {
        assert_eq!(
            dotted("/spec/template/spec/containers/0/securityContext"),
            "spec.template.spec.containers[0].securityContext"
        );
    }
}
