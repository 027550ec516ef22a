//! The checks of Pod Security Admission (`k8s.io/pod-security-admission/policy`), each with its
//! versioned implementations as data: the version a behaviour starts at, what it does (an
//! [`Impl`] with its allowed values), and which baseline checks a restricted one replaces.
//! Reasons and details are Kubernetes' own strings.

use crate::pod::{Ctr, Pod, pointer};
use crate::version::Level;
use palisade_model::{Diagnostic, Node, Pos};
use std::fmt::Write as _;

/// One Pod Security Standards control, as a Pod Security Admission check.
#[derive(Debug)]
pub struct Control {
    /// The PSA check id (`allowPrivilegeEscalation`, `seccompProfile_restricted`, ...).
    pub id: &'static str,
    /// The level the check belongs to; restricted includes baseline checks it does not replace.
    pub level: Level,
    /// The control's name in the Pod Security Standards.
    pub title: &'static str,
    /// What the control requires.
    pub description: &'static str,
    pub references: &'static [&'static str],
    pub(crate) versions: &'static [Versioned],
}

impl Control {
    /// The first Kubernetes minor version (`1.x`) where the check applies.
    pub fn since(&self) -> u32 {
        self.versions.first().map_or(0, |v| v.min)
    }
    /// `(minor version, what changed)` for each versioned implementation.
    pub fn changes(&self) -> impl Iterator<Item = (u32, &'static str)> {
        self.versions.iter().map(|v| (v.min, v.note))
    }
}

#[derive(Debug)]
pub(crate) struct Versioned {
    pub min: u32,
    pub imp: Impl,
    /// Baseline checks this (restricted) implementation replaces at its versions.
    pub overrides: &'static [&'static str],
    pub note: &'static str,
}

/// The behaviours, parameterised by their allowed values.
#[derive(Debug)]
pub(crate) enum Impl {
    AppArmor,
    CapabilitiesBaseline(&'static [&'static str]),
    HostNamespaces,
    HostPathVolumes,
    HostPorts,
    HostProbesAndLifecycle,
    Privileged,
    /// `relax_user_namespaces`: any procMount is allowed when `hostUsers: false`.
    ProcMount {
        relax_user_namespaces: bool,
    },
    SeLinuxOptions(&'static [&'static str]),
    SeccompBaselineAnnotations,
    SeccompBaselineFields,
    /// The union of these lists.
    Sysctls(&'static [&'static [&'static str]]),
    WindowsHostProcess,
    /// Windows pods (`spec.os.name: windows`) are exempt when `windows_exempt`.
    AllowPrivilegeEscalation {
        windows_exempt: bool,
    },
    CapabilitiesRestricted {
        windows_exempt: bool,
        allowed_add: &'static [&'static str],
    },
    RestrictedVolumes(&'static [&'static str]),
    RunAsNonRoot,
    RunAsUser,
    SeccompRestricted {
        windows_exempt: bool,
    },
}

const PSS: &str = "https://kubernetes.io/docs/concepts/security/pod-security-standards/";
const REF_BASELINE: &str =
    "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline";
const REF_RESTRICTED: &str =
    "https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted";

const CAPS_BASELINE_1_0: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];
const SYSCTLS_1_0: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
];
const SYSCTLS_1_27: &[&str] = &["net.ipv4.ip_local_reserved_ports"];
const SYSCTLS_1_29: &[&str] = &[
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];
const SYSCTLS_1_32: &[&str] = &["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"];
const SELINUX_TYPES_1_0: &[&str] = &["", "container_t", "container_init_t", "container_kvm_t"];
const SELINUX_TYPES_1_31: &[&str] = &[
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];
const VOLUMES_RESTRICTED_1_0: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

const fn v(min: u32, imp: Impl, note: &'static str) -> Versioned {
    Versioned {
        min,
        imp,
        overrides: &[],
        note,
    }
}
const fn vo(
    min: u32,
    imp: Impl,
    overrides: &'static [&'static str],
    note: &'static str,
) -> Versioned {
    Versioned {
        min,
        imp,
        overrides,
        note,
    }
}

/// Every check of baseline and restricted, v1.0 to latest.
pub static CONTROLS: &[Control] = &[
    Control {
        id: "appArmorProfile",
        level: Level::Baseline,
        title: "AppArmor",
        description: "The default AppArmor profile must not be overridden or disabled: profiles \
            (annotations `container.apparmor.security.beta.kubernetes.io/*` and \
            `securityContext.appArmorProfile.type`) may only be RuntimeDefault or Localhost.",
        references: &[REF_BASELINE, "PSS baseline: AppArmor"],
        versions: &[v(
            0,
            Impl::AppArmor,
            "annotations, and the appArmorProfile fields (added in Kubernetes 1.30)",
        )],
    },
    Control {
        id: "capabilities_baseline",
        level: Level::Baseline,
        title: "Capabilities",
        description: "Adding capabilities beyond the container runtime's default set is forbidden.",
        references: &[REF_BASELINE, "PSS baseline: Capabilities"],
        versions: &[v(
            0,
            Impl::CapabilitiesBaseline(CAPS_BASELINE_1_0),
            "default capability set",
        )],
    },
    Control {
        id: "hostNamespaces",
        level: Level::Baseline,
        title: "Host Namespaces",
        description: "Sharing the host namespaces (hostNetwork, hostPID, hostIPC) is forbidden.",
        references: &[REF_BASELINE, "PSS baseline: Host Namespaces"],
        versions: &[v(0, Impl::HostNamespaces, "hostNetwork, hostPID, hostIPC")],
    },
    Control {
        id: "hostPathVolumes",
        level: Level::Baseline,
        title: "HostPath Volumes",
        description: "HostPath volumes are forbidden.",
        references: &[REF_BASELINE, "PSS baseline: HostPath Volumes"],
        versions: &[v(0, Impl::HostPathVolumes, "hostPath volumes")],
    },
    Control {
        id: "hostPorts",
        level: Level::Baseline,
        title: "Host Ports",
        description: "HostPorts are forbidden.",
        references: &[REF_BASELINE, "PSS baseline: Host Ports"],
        versions: &[v(0, Impl::HostPorts, "containers[*].ports[*].hostPort")],
    },
    Control {
        id: "hostProbesAndHostLifecycle",
        level: Level::Baseline,
        title: "Host Probes / Lifecycle Hooks",
        description: "The host field of probes and lifecycle handlers (httpGet, tcpSocket) must be \
            unset or empty, so they cannot reach other hosts.",
        references: &[
            REF_BASELINE,
            "PSS baseline: Host Probes / Lifecycle Hooks (v1.34+)",
        ],
        versions: &[v(
            34,
            Impl::HostProbesAndLifecycle,
            "added in Kubernetes 1.34",
        )],
    },
    Control {
        id: "privileged",
        level: Level::Baseline,
        title: "Privileged Containers",
        description: "Privileged containers are forbidden.",
        references: &[REF_BASELINE, "PSS baseline: Privileged Containers"],
        versions: &[v(0, Impl::Privileged, "securityContext.privileged")],
    },
    Control {
        id: "procMount",
        level: Level::Baseline,
        title: "/proc Mount Type",
        description: "The default /proc masks are required: procMount must be unset or Default \
            (from 1.35, any value is allowed for user-namespaced pods with hostUsers: false).",
        references: &[REF_BASELINE, "PSS baseline: /proc Mount Type"],
        versions: &[
            v(
                0,
                Impl::ProcMount {
                    relax_user_namespaces: false,
                },
                "procMount must be Default",
            ),
            v(
                35,
                Impl::ProcMount {
                    relax_user_namespaces: true,
                },
                "user-namespaced pods (hostUsers: false) may set any procMount",
            ),
        ],
    },
    Control {
        id: "seLinuxOptions",
        level: Level::Baseline,
        title: "SELinux",
        description: "Custom SELinux users and roles are forbidden, and the SELinux type may only be \
            one of the container types.",
        references: &[REF_BASELINE, "PSS baseline: SELinux"],
        versions: &[
            v(
                0,
                Impl::SeLinuxOptions(SELINUX_TYPES_1_0),
                "types container_t, container_init_t, container_kvm_t",
            ),
            v(
                31,
                Impl::SeLinuxOptions(SELINUX_TYPES_1_31),
                "container_engine_t allowed",
            ),
        ],
    },
    Control {
        id: "seccompProfile_baseline",
        level: Level::Baseline,
        title: "Seccomp",
        description: "The seccomp profile must not be explicitly set to Unconfined.",
        references: &[REF_BASELINE, "PSS baseline: Seccomp"],
        versions: &[
            v(0, Impl::SeccompBaselineAnnotations, "seccomp annotations"),
            v(
                19,
                Impl::SeccompBaselineFields,
                "securityContext.seccompProfile fields",
            ),
        ],
    },
    Control {
        id: "sysctls",
        level: Level::Baseline,
        title: "Sysctls",
        description: "Only the safe subset of sysctls is allowed.",
        references: &[REF_BASELINE, "PSS baseline: Sysctls"],
        versions: &[
            v(0, Impl::Sysctls(&[SYSCTLS_1_0]), "the safe sysctls of 1.0"),
            v(
                27,
                Impl::Sysctls(&[SYSCTLS_1_0, SYSCTLS_1_27]),
                "net.ipv4.ip_local_reserved_ports allowed",
            ),
            v(
                29,
                Impl::Sysctls(&[SYSCTLS_1_0, SYSCTLS_1_27, SYSCTLS_1_29]),
                "tcp keepalive and fin timeout sysctls allowed",
            ),
            v(
                32,
                Impl::Sysctls(&[SYSCTLS_1_0, SYSCTLS_1_27, SYSCTLS_1_29, SYSCTLS_1_32]),
                "net.ipv4.tcp_rmem and tcp_wmem allowed",
            ),
        ],
    },
    Control {
        id: "windowsHostProcess",
        level: Level::Baseline,
        title: "HostProcess",
        description: "Windows HostProcess containers are forbidden.",
        references: &[REF_BASELINE, "PSS baseline: HostProcess"],
        versions: &[v(0, Impl::WindowsHostProcess, "windowsOptions.hostProcess")],
    },
    Control {
        id: "allowPrivilegeEscalation",
        level: Level::Restricted,
        title: "Privilege Escalation",
        description: "Containers must set securityContext.allowPrivilegeEscalation=false \
            (Windows pods are exempt from 1.25).",
        references: &[REF_RESTRICTED, "PSS restricted: Privilege Escalation"],
        versions: &[
            v(
                8,
                Impl::AllowPrivilegeEscalation {
                    windows_exempt: false,
                },
                "added in 1.8",
            ),
            v(
                25,
                Impl::AllowPrivilegeEscalation {
                    windows_exempt: true,
                },
                "pods with spec.os.name=windows are exempt",
            ),
        ],
    },
    Control {
        id: "capabilities_restricted",
        level: Level::Restricted,
        title: "Capabilities",
        description: "Containers must drop ALL capabilities and may only add back NET_BIND_SERVICE \
            (Windows pods are exempt from 1.25).",
        references: &[REF_RESTRICTED, "PSS restricted: Capabilities"],
        versions: &[
            vo(
                22,
                Impl::CapabilitiesRestricted {
                    windows_exempt: false,
                    allowed_add: &["NET_BIND_SERVICE"],
                },
                &["capabilities_baseline"],
                "added in 1.22",
            ),
            vo(
                25,
                Impl::CapabilitiesRestricted {
                    windows_exempt: true,
                    allowed_add: &["NET_BIND_SERVICE"],
                },
                &["capabilities_baseline"],
                "pods with spec.os.name=windows are exempt",
            ),
        ],
    },
    Control {
        id: "procMount_restricted",
        level: Level::Restricted,
        title: "/proc Mount Type",
        description: "procMount must be unset or Default, also for user-namespaced pods.",
        references: &[REF_RESTRICTED, "PSS restricted: /proc Mount Type"],
        versions: &[vo(
            35,
            Impl::ProcMount {
                relax_user_namespaces: false,
            },
            &["procMount"],
            "added in 1.35",
        )],
    },
    Control {
        id: "restrictedVolumes",
        level: Level::Restricted,
        title: "Volume Types",
        description: "Only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, \
            projected and secret volumes are allowed.",
        references: &[REF_RESTRICTED, "PSS restricted: Volume Types"],
        versions: &[vo(
            0,
            Impl::RestrictedVolumes(VOLUMES_RESTRICTED_1_0),
            &["hostPathVolumes"],
            "allowed volume types",
        )],
    },
    Control {
        id: "runAsNonRoot",
        level: Level::Restricted,
        title: "Running as Non-root",
        description: "Containers must run as non-root: runAsNonRoot=true on the pod or every container.",
        references: &[REF_RESTRICTED, "PSS restricted: Running as Non-root"],
        versions: &[v(0, Impl::RunAsNonRoot, "runAsNonRoot")],
    },
    Control {
        id: "runAsUser",
        level: Level::Restricted,
        title: "Running as Non-root user",
        description: "Containers must not set runAsUser to 0.",
        references: &[
            REF_RESTRICTED,
            "PSS restricted: Running as Non-root user (v1.23+)",
        ],
        versions: &[v(23, Impl::RunAsUser, "added in 1.23")],
    },
    Control {
        id: "seccompProfile_restricted",
        level: Level::Restricted,
        title: "Seccomp",
        description: "The seccomp profile must be set to RuntimeDefault or Localhost, on the pod or \
            every container (Windows pods are exempt from 1.25).",
        references: &[REF_RESTRICTED, "PSS restricted: Seccomp (v1.19+)"],
        versions: &[
            vo(
                19,
                Impl::SeccompRestricted {
                    windows_exempt: false,
                },
                &["seccompProfile_baseline"],
                "added in 1.19",
            ),
            vo(
                25,
                Impl::SeccompRestricted {
                    windows_exempt: true,
                },
                &["seccompProfile_baseline"],
                "pods with spec.os.name=windows are exempt",
            ),
        ],
    },
];

/// The Pod Security Standards page.
pub const STANDARD: &str = PSS;

/// Result of one failed check, in Kubernetes' words plus positions.
#[derive(Debug)]
pub(crate) struct Fail {
    pub reason: String,
    pub detail: String,
    pub diagnostics: Vec<Diagnostic>,
}

/// Runs one implementation; `None` when allowed.
pub(crate) fn run(imp: &Impl, pod: &Pod) -> Option<Fail> {
    match imp {
        Impl::AppArmor => app_armor(pod),
        Impl::CapabilitiesBaseline(allowed) => capabilities_baseline(pod, allowed),
        Impl::HostNamespaces => host_namespaces(pod),
        Impl::HostPathVolumes => host_path_volumes(pod),
        Impl::HostPorts => host_ports(pod),
        Impl::HostProbesAndLifecycle => host_probes(pod),
        Impl::Privileged => privileged(pod),
        Impl::ProcMount {
            relax_user_namespaces,
        } => proc_mount(pod, *relax_user_namespaces),
        Impl::SeLinuxOptions(types) => se_linux(pod, types),
        Impl::SeccompBaselineAnnotations => seccomp_annotations(pod),
        Impl::SeccompBaselineFields => seccomp_fields(pod, false),
        Impl::Sysctls(lists) => sysctls(pod, lists),
        Impl::WindowsHostProcess => windows_host_process(pod),
        Impl::AllowPrivilegeEscalation { windows_exempt } => {
            if *windows_exempt && pod.is_windows() {
                return None;
            }
            allow_privilege_escalation(pod)
        }
        Impl::CapabilitiesRestricted {
            windows_exempt,
            allowed_add,
        } => {
            if *windows_exempt && pod.is_windows() {
                return None;
            }
            capabilities_restricted(pod, allowed_add)
        }
        Impl::RestrictedVolumes(allowed) => restricted_volumes(pod, allowed),
        Impl::RunAsNonRoot => run_as_non_root(pod),
        Impl::RunAsUser => run_as_user(pod),
        Impl::SeccompRestricted { windows_exempt } => {
            if *windows_exempt && pod.is_windows() {
                return None;
            }
            seccomp_fields(pod, true)
        }
    }
}

// ---- helpers mirroring the Go ones -------------------------------------------------------

fn pluralize<'s>(singular: &'s str, plural: &'s str, n: usize) -> &'s str {
    if n == 1 { singular } else { plural }
}

/// `"a", "b"`
fn join_quote<S: AsRef<str>>(items: &[S]) -> String {
    let mut s = String::new();
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        s.push('"');
        s.push_str(it.as_ref());
        s.push('"');
    }
    s
}

/// `container "a"` / `containers "a", "b"`
fn containers_phrase(names: &[&str]) -> String {
    format!(
        "{} {}",
        pluralize("container", "containers", names.len()),
        join_quote(names)
    )
}

/// Go's `%q` for the strings that appear here.
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Sorted, de-duplicated (Go's `sets.String.List()`).
fn set_list(mut v: Vec<&str>) -> Vec<&str> {
    v.sort_unstable();
    v.dedup();
    v
}

/// JSON pointer escaping of one segment (annotation keys contain `/`).
fn escape_segment(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

fn sc_pos(c: &Ctr) -> Pos {
    c.sc.pos.unwrap_or(c.pos)
}

/// The pod and containers that break a rule, each with a diagnostic. Renders PSA's subjects:
/// `pod`, `container "a"`, `pod and containers "a", "b"`.
struct Offenders<'p, 'v> {
    view: &'v Pod<'p>,
    pod: bool,
    names: Vec<&'p str>,
    /// The container last named, so each is named once.
    last: Option<(palisade_model::ContainerKind, usize)>,
    diags: Vec<Diagnostic>,
}

impl<'p, 'v> Offenders<'p, 'v> {
    fn new(view: &'v Pod<'p>) -> Self {
        Offenders {
            view,
            pod: false,
            names: Vec::new(),
            last: None,
            diags: Vec::new(),
        }
    }
    fn is_empty(&self) -> bool {
        !self.pod && self.names.is_empty()
    }
    /// A pod-level offence at `rest` (below the pod spec): diagnostic `pod <what>`.
    fn pod(&mut self, rest: &[&str], pos: Pos, what: &str) {
        self.pod = true;
        self.note(None, rest, pos, what);
    }
    /// A container offence; a container is named once however many fields it breaks.
    fn ctr(&mut self, c: &Ctr<'p>, rest: &[&str], pos: Pos, what: &str) {
        if self.last != Some((c.kind, c.index)) {
            self.last = Some((c.kind, c.index));
            self.names.push(c.name);
        }
        self.note(Some(c), rest, pos, what);
    }
    /// A diagnostic without changing the subject.
    fn note(&mut self, c: Option<&Ctr>, rest: &[&str], pos: Pos, what: &str) {
        let path = pointer(&self.view.prefix, c.map(|c| (c.kind, c.index)), rest);
        let who = match c {
            Some(c) => format!("container {}", go_quote(c.name)),
            None => "pod".to_string(),
        };
        let mut d = Diagnostic::new(format!("{who} {what}"), pos).at_path(path);
        if let Some(c) = c {
            d = d.in_container(c.name);
        }
        self.diags.push(d);
    }
    /// A diagnostic about pod metadata (annotations).
    fn annotation(&mut self, key: &str, pos: Pos, message: String) {
        let meta = self.view.prefix.strip_suffix("/spec").unwrap_or("");
        let path = format!("{meta}/metadata/annotations/{}", escape_segment(key));
        self.diags.push(Diagnostic::new(message, pos).at_path(path));
    }
    fn containers(&self) -> String {
        containers_phrase(&self.names)
    }
    fn subject(&self) -> String {
        match (self.pod, self.names.is_empty()) {
            (true, true) => "pod".to_string(),
            (true, false) => format!("pod and {}", self.containers()),
            _ => self.containers(),
        }
    }
    /// `<subject> <predicate>` when anything broke the rule.
    fn fail(self, reason: &str, predicate: &str) -> Option<Fail> {
        if self.is_empty() {
            return None;
        }
        let detail = format!("{} {predicate}", self.subject());
        self.fail_with(reason, detail)
    }
    fn fail_with(self, reason: &str, detail: String) -> Option<Fail> {
        Some(Fail {
            reason: reason.to_string(),
            detail,
            diagnostics: self.diags,
        })
    }
}

// ---- baseline ----------------------------------------------------------------------------

fn privileged(pod: &Pod) -> Option<Fail> {
    const WHAT: &str = "must not set securityContext.privileged=true";
    let mut o = Offenders::new(pod);
    for c in &pod.containers {
        if let Some(p) = c.sc.privileged.filter(|p| p.v) {
            o.ctr(c, &["securityContext", "privileged"], p.pos, WHAT);
        }
    }
    o.fail("privileged", WHAT)
}

fn host_namespaces(pod: &Pod) -> Option<Fail> {
    let mut o = Offenders::new(pod);
    let mut set = Vec::new();
    for (f, name) in [
        (pod.host_network, "hostNetwork"),
        (pod.host_pid, "hostPID"),
        (pod.host_ipc, "hostIPC"),
    ] {
        if let Some(f) = f.filter(|f| f.v) {
            set.push(format!("{name}=true"));
            o.pod(&[name], f.pos, &format!("must not set {name}=true"));
        }
    }
    if o.is_empty() {
        return None;
    }
    o.fail_with("host namespaces", set.join(", "))
}

fn volume_name(n: &Node) -> &str {
    n.get("name").and_then(Node::as_str).unwrap_or("")
}

/// `volume "a"` / `volumes "a", "b"`
fn volumes_phrase(names: &[&str]) -> String {
    format!(
        "{} {}",
        pluralize("volume", "volumes", names.len()),
        join_quote(names)
    )
}

fn host_path_volumes(pod: &Pod) -> Option<Fail> {
    let mut o = Offenders::new(pod);
    let mut names = Vec::new();
    for (i, vol) in pod.volumes.iter().enumerate() {
        if vol.get("hostPath").is_some_and(|v| !v.is_null()) {
            let name = volume_name(vol);
            names.push(name);
            let idx = i.to_string();
            o.pod(
                &["volumes", &idx, "hostPath"],
                vol.key_pos("hostPath"),
                &format!("must not use hostPath volume {}", go_quote(name)),
            );
        }
    }
    if o.is_empty() {
        return None;
    }
    o.fail_with("hostPath volumes", volumes_phrase(&names))
}

/// `<containers> uses|use <noun>|<nouns> <values>` (hostPort and probe-host details).
fn uses_detail(o: &Offenders, singular: &str, plural: &str, values: &str, count: usize) -> String {
    format!(
        "{} {} {} {values}",
        o.containers(),
        pluralize("uses", "use", o.names.len()),
        pluralize(singular, plural, count)
    )
}

fn host_ports(pod: &Pod) -> Option<Fail> {
    let mut o = Offenders::new(pod);
    let mut ports: Vec<String> = Vec::new();
    for c in &pod.containers {
        for (i, p) in c.ports.iter().enumerate() {
            let Some(hp) = p.get("hostPort").and_then(Node::as_i64) else {
                continue;
            };
            if hp != 0 {
                ports.push(hp.to_string());
                let idx = i.to_string();
                o.ctr(
                    c,
                    &["ports", &idx, "hostPort"],
                    p.key_pos("hostPort"),
                    &format!("must not use hostPort {hp}"),
                );
            }
        }
    }
    if o.is_empty() {
        return None;
    }
    let ports = set_list(ports.iter().map(String::as_str).collect());
    let detail = uses_detail(&o, "hostPort", "hostPorts", &ports.join(", "), ports.len());
    o.fail_with("hostPort", detail)
}

fn host_probes(pod: &Pod) -> Option<Fail> {
    let mut o = Offenders::new(pod);
    let mut hosts: Vec<&str> = Vec::new();
    for c in &pod.containers {
        let lifecycle = |k: &str| c.lifecycle.and_then(|l| l.get(k));
        let handlers: [(Option<&Node>, &[&str]); 5] = [
            (c.liveness, &["livenessProbe"]),
            (c.readiness, &["readinessProbe"]),
            (c.startup, &["startupProbe"]),
            (lifecycle("postStart"), &["lifecycle", "postStart"]),
            (lifecycle("preStop"), &["lifecycle", "preStop"]),
        ];
        for (h, at) in handlers {
            let Some(h) = h else { continue };
            for action in ["httpGet", "tcpSocket"] {
                let Some(a) = h.get(action) else { continue };
                let Some(host) = a
                    .get("host")
                    .and_then(Node::as_str)
                    .filter(|s| !s.is_empty())
                else {
                    continue;
                };
                hosts.push(host);
                let mut rest: Vec<&str> = at.to_vec();
                rest.extend([action, "host"]);
                let what = format!("must not set {} to {}", rest.join("."), go_quote(host));
                o.ctr(c, &rest, a.key_pos("host"), &what);
            }
        }
    }
    if o.is_empty() {
        return None;
    }
    let hosts = set_list(hosts);
    let detail = uses_detail(
        &o,
        "probe or lifecycle host",
        "probe or lifecycle hosts",
        &join_quote(&hosts),
        hosts.len(),
    );
    o.fail_with("probe or lifecycle host", detail)
}

/// Adds the capabilities of `c` not in `allowed` to `caps` and `o`.
fn forbidden_adds<'p>(
    o: &mut Offenders<'p, '_>,
    c: &Ctr<'p>,
    allowed: &[&str],
    caps: &mut Vec<&'p str>,
) {
    let Some(add) = c.sc.caps_add else { return };
    for (i, cap) in add.v.iter().enumerate() {
        let Some(s) = cap.as_str() else { continue };
        if !allowed.contains(&s) {
            caps.push(s);
            let idx = i.to_string();
            o.ctr(
                c,
                &["securityContext", "capabilities", "add", &idx],
                cap.pos,
                &format!("must not add capability {}", go_quote(s)),
            );
        }
    }
}

fn capabilities_baseline(pod: &Pod, allowed: &[&str]) -> Option<Fail> {
    let mut o = Offenders::new(pod);
    let mut caps = Vec::new();
    for c in &pod.containers {
        forbidden_adds(&mut o, c, allowed, &mut caps);
    }
    if o.is_empty() {
        return None;
    }
    let predicate = format!(
        "must not include {} in securityContext.capabilities.add",
        join_quote(&set_list(caps))
    );
    o.fail("non-default capabilities", &predicate)
}

fn proc_mount(pod: &Pod, relax_user_namespaces: bool) -> Option<Fail> {
    // Pod validation rejects malformed procMount values, so a user-namespaced pod may set any.
    if relax_user_namespaces && pod.host_users.is_some_and(|h| !h.v) {
        return None;
    }
    let mut o = Offenders::new(pod);
    let mut types: Vec<&str> = Vec::new();
    for c in &pod.containers {
        if let Some(pm) = c.sc.proc_mount.filter(|pm| pm.v != "Default") {
            types.push(pm.v);
            o.ctr(
                c,
                &["securityContext", "procMount"],
                pm.pos,
                &format!(
                    "must not set securityContext.procMount to {}",
                    go_quote(pm.v)
                ),
            );
        }
    }
    if o.is_empty() {
        return None;
    }
    let predicate = format!(
        "must not set securityContext.procMount to {}",
        join_quote(&set_list(types))
    );
    o.fail("procMount", &predicate)
}

fn se_linux<'a>(pod: &Pod<'a>, allowed_types: &[&str]) -> Option<Fail> {
    let mut o = Offenders::new(pod);
    let mut types: Vec<&'a str> = Vec::new();
    let (mut user, mut role) = (false, false);
    let sources = std::iter::once((None, pod.sc.selinux))
        .chain(pod.containers.iter().map(|c| (Some(c), c.sc.selinux)));
    for (c, se) in sources {
        let Some(se) = se else { continue };
        let mut what = Vec::new();
        if !allowed_types.contains(&se.type_) {
            types.push(se.type_);
            what.push(format!("type {}", go_quote(se.type_)));
        }
        if !se.user.is_empty() {
            user = true;
            what.push("user".to_string());
        }
        if !se.role.is_empty() {
            role = true;
            what.push("role".to_string());
        }
        if what.is_empty() {
            continue;
        }
        let what = format!(
            "sets forbidden securityContext.seLinuxOptions: {}",
            what.join(", ")
        );
        match c {
            Some(c) => o.ctr(c, &["securityContext", "seLinuxOptions"], se.pos, &what),
            None => o.pod(&["securityContext", "seLinuxOptions"], se.pos, &what),
        }
    }
    if o.is_empty() {
        return None;
    }
    let mut data = Vec::new();
    let types = set_list(types);
    if !types.is_empty() {
        data.push(format!(
            "{} {}",
            pluralize("type", "types", types.len()),
            join_quote(&types)
        ));
    }
    if user {
        data.push("user may not be set".to_string());
    }
    if role {
        data.push("role may not be set".to_string());
    }
    let predicate = format!(
        "set forbidden securityContext.seLinuxOptions: {}",
        data.join("; ")
    );
    o.fail("seLinuxOptions", &predicate)
}

const SECCOMP_POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";
const APPARMOR_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

fn seccomp_annotations(pod: &Pod) -> Option<Fail> {
    let ok =
        |v: &str| v == "runtime/default" || v == "docker/default" || v.starts_with("localhost/");
    let mut o = Offenders::new(pod);
    let mut forbidden: Vec<String> = Vec::new();
    let mut check = |key: &str, o: &mut Offenders| {
        if let Some(e) = pod.annotation(key) {
            let v = e.value.as_str().unwrap_or("");
            if !ok(v) {
                let item = format!("{key}={}", go_quote(v));
                o.annotation(key, e.key_pos, format!("forbidden annotation {item}"));
                forbidden.push(item);
            }
        }
    };
    check(SECCOMP_POD_ANNOTATION, &mut o);
    if pod.annotations.is_some() {
        for c in &pod.containers {
            check(&format!("{SECCOMP_CONTAINER_PREFIX}{}", c.name), &mut o);
        }
    }
    if forbidden.is_empty() {
        return None;
    }
    forbidden.sort_unstable();
    forbidden.dedup();
    let detail = format!(
        "forbidden {} {}",
        pluralize("annotation", "annotations", forbidden.len()),
        forbidden.join(", ")
    );
    o.fail_with("seccompProfile", detail)
}

/// Profile types other than these are forbidden (seccomp and AppArmor alike).
fn profile_type_ok(t: &str) -> bool {
    t == "Localhost" || t == "RuntimeDefault"
}

/// Explicitly forbidden profile types on the pod and containers (`seccompProfile` or
/// `appArmorProfile`), with the sorted bad values. Returns whether the pod sets a valid one.
fn bad_profiles<'a>(
    o: &mut Offenders<'a, '_>,
    field: &str,
    what: &str,
    get: impl Fn(&crate::pod::SecCtx<'a>) -> Option<crate::pod::Profile<'a>>,
    values: &mut Vec<&'a str>,
) -> bool {
    let view = o.view;
    let mut pod_ok = false;
    if let Some(p) = get(&view.sc) {
        if profile_type_ok(p.kind) {
            pod_ok = true;
        } else {
            values.push(p.kind);
            o.pod(
                &["securityContext", field, "type"],
                p.pos,
                &format!("{what} {}", go_quote(p.kind)),
            );
        }
    }
    for c in &view.containers {
        if let Some(p) = get(&c.sc).filter(|p| !profile_type_ok(p.kind)) {
            values.push(p.kind);
            o.ctr(
                c,
                &["securityContext", field, "type"],
                p.pos,
                &format!("{what} {}", go_quote(p.kind)),
            );
        }
    }
    pod_ok
}

/// Baseline (`require == false`): explicitly bad types only. Restricted: also every container
/// must be covered by a valid pod or container profile.
fn seccomp_fields(pod: &Pod, require: bool) -> Option<Fail> {
    const WHAT: &str = "must not set securityContext.seccompProfile.type to";
    let mut o = Offenders::new(pod);
    let mut values = Vec::new();
    let pod_set = bad_profiles(&mut o, "seccompProfile", WHAT, |sc| sc.seccomp, &mut values);
    if !o.is_empty() {
        let predicate = format!("{WHAT} {}", join_quote(&set_list(values)));
        return o.fail("seccompProfile", &predicate);
    }
    if !require || pod_set {
        return None;
    }
    const MUST: &str =
        "must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"";
    let mut o = Offenders::new(pod);
    for c in pod.containers.iter().filter(|c| c.sc.seccomp.is_none()) {
        o.ctr(
            c,
            &["securityContext", "seccompProfile"],
            sc_pos(c),
            &format!("(or the pod) {MUST}"),
        );
    }
    if o.is_empty() {
        return None;
    }
    let detail = format!("pod or {} {MUST}", o.containers());
    o.fail_with("seccompProfile", detail)
}

fn app_armor(pod: &Pod) -> Option<Fail> {
    const WHAT: &str = "must not set AppArmor profile type to";
    let mut o = Offenders::new(pod);
    let mut values = Vec::new();
    bad_profiles(
        &mut o,
        "appArmorProfile",
        WHAT,
        |sc| sc.apparmor,
        &mut values,
    );
    let mut subject = if o.is_empty() {
        String::new()
    } else {
        o.subject()
    };
    let mut annotations: Vec<String> = Vec::new();
    for e in pod.annotations.iter().flat_map(|m| m.entries.iter()) {
        let Some(v) = e.value.as_str() else { continue };
        let allowed = v.is_empty() || v == "runtime/default" || v.starts_with("localhost/");
        if e.key.starts_with(APPARMOR_PREFIX) && !allowed {
            let item = format!("{}={}", e.key, go_quote(v));
            o.annotation(
                &e.key,
                e.key_pos,
                format!("forbidden AppArmor profile annotation {item}"),
            );
            annotations.push(item);
        }
    }
    if subject.is_empty() && annotations.is_empty() {
        return None;
    }
    let mut list: Vec<String> = set_list(values).into_iter().map(String::from).collect();
    if !annotations.is_empty() {
        annotations.sort_unstable();
        if !subject.is_empty() {
            subject.push_str(" and ");
        }
        subject.push_str(pluralize("annotation", "annotations", annotations.len()));
        list.extend(annotations);
    }
    let reason = pluralize(
        "forbidden AppArmor profile",
        "forbidden AppArmor profiles",
        list.len(),
    );
    o.fail_with(reason, format!("{subject} {WHAT} {}", join_quote(&list)))
}

fn sysctls(pod: &Pod, lists: &[&[&str]]) -> Option<Fail> {
    let s = pod.sc.sysctls?;
    let mut o = Offenders::new(pod);
    let mut bad: Vec<&str> = Vec::new();
    for (i, item) in s.v.iter().enumerate() {
        let Some(name) = item.get("name").and_then(Node::as_str) else {
            continue;
        };
        if !lists.iter().any(|l| l.contains(&name)) {
            bad.push(name);
            let idx = i.to_string();
            o.pod(
                &["securityContext", "sysctls", &idx, "name"],
                item.key_pos("name"),
                &format!("must not set sysctl {}", go_quote(name)),
            );
        }
    }
    if o.is_empty() {
        return None;
    }
    o.fail_with("forbidden sysctls", bad.join(", "))
}

fn windows_host_process(pod: &Pod) -> Option<Fail> {
    const WHAT: &str = "must not set securityContext.windowsOptions.hostProcess=true";
    const AT: &[&str] = &["securityContext", "windowsOptions", "hostProcess"];
    let mut o = Offenders::new(pod);
    for c in &pod.containers {
        if let Some(h) = c.sc.host_process.filter(|h| h.v) {
            o.ctr(c, AT, h.pos, WHAT);
        }
    }
    // PSA lists the pod first, whatever order it finds them in.
    if let Some(h) = pod.sc.host_process.filter(|h| h.v) {
        o.pod(AT, h.pos, WHAT);
    }
    o.fail("hostProcess", WHAT)
}

// ---- restricted --------------------------------------------------------------------------

fn allow_privilege_escalation(pod: &Pod) -> Option<Fail> {
    const WHAT: &str = "must set securityContext.allowPrivilegeEscalation=false";
    let mut o = Offenders::new(pod);
    for c in &pod.containers {
        match c.sc.allow_privilege_escalation {
            Some(a) if !a.v => {}
            a => o.ctr(
                c,
                &["securityContext", "allowPrivilegeEscalation"],
                a.map_or(sc_pos(c), |a| a.pos),
                WHAT,
            ),
        }
    }
    o.fail("allowPrivilegeEscalation != false", WHAT)
}

fn capabilities_restricted(pod: &Pod, allowed_add: &[&str]) -> Option<Fail> {
    const DROP: &str = "must set securityContext.capabilities.drop=[\"ALL\"]";
    let mut drop = Offenders::new(pod);
    let mut add = Offenders::new(pod);
    let mut caps = Vec::new();
    for c in &pod.containers {
        let dropped_all = c.sc.capabilities.is_some()
            && c.sc
                .caps_drop
                .is_some_and(|d| d.v.iter().any(|n| n.as_str() == Some("ALL")));
        if !dropped_all {
            let pos =
                c.sc.caps_drop
                    .map(|d| d.pos)
                    .or(c.sc.capabilities)
                    .unwrap_or(sc_pos(c));
            drop.ctr(c, &["securityContext", "capabilities", "drop"], pos, DROP);
        }
        forbidden_adds(&mut add, c, allowed_add, &mut caps);
    }
    let mut details = Vec::new();
    if !drop.is_empty() {
        details.push(format!("{} {DROP}", drop.containers()));
    }
    if !add.is_empty() {
        details.push(format!(
            "{} must not include {} in securityContext.capabilities.add",
            add.containers(),
            join_quote(&set_list(caps))
        ));
    }
    if details.is_empty() {
        return None;
    }
    drop.diags.append(&mut add.diags);
    drop.fail_with("unrestricted capabilities", details.join("; "))
}

/// Restricted volume types in the order `restrictedVolumes` names them.
const RESTRICTED_VOLUME_TYPES: &[&str] = &[
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
    "image",
];

fn restricted_volumes(pod: &Pod, allowed: &[&str]) -> Option<Fail> {
    let mut o = Offenders::new(pod);
    let mut bad: Vec<&str> = Vec::new();
    let mut types: Vec<&str> = Vec::new();
    for (i, vol) in pod.volumes.iter().enumerate() {
        let Some(m) = vol.as_map() else { continue };
        let set = |k: &&str| m.get(k).is_some_and(|v| !v.is_null());
        if allowed.iter().any(set) {
            continue;
        }
        // A volume without a known source is defaulted to emptyDir by the API server (unknown
        // fields are dropped first).
        let Some((t, src)) = RESTRICTED_VOLUME_TYPES.iter().find_map(|t| {
            m.get_entry(t)
                .filter(|e| !e.value.is_null())
                .map(|e| (*t, e))
        }) else {
            continue;
        };
        let name = volume_name(vol);
        bad.push(name);
        types.push(t);
        let idx = i.to_string();
        o.pod(
            &["volumes", &idx, &src.key],
            src.key_pos,
            &format!(
                "must not use restricted volume type {} (volume {})",
                go_quote(t),
                go_quote(name)
            ),
        );
    }
    if o.is_empty() {
        return None;
    }
    let types = set_list(types);
    let detail = format!(
        "{} {} {} {}",
        volumes_phrase(&bad),
        pluralize("uses", "use", bad.len()),
        pluralize(
            "restricted volume type",
            "restricted volume types",
            types.len()
        ),
        join_quote(&types)
    );
    o.fail_with("restricted volume types", detail)
}

/// `runAsNonRoot`: explicit `false` anywhere is reported first; otherwise every container must
/// be covered by `true` on itself or the pod.
fn run_as_non_root(pod: &Pod) -> Option<Fail> {
    const NOT_FALSE: &str = "must not set securityContext.runAsNonRoot=false";
    const AT: &[&str] = &["securityContext", "runAsNonRoot"];
    let mut o = Offenders::new(pod);
    let pod_ok = pod.sc.run_as_non_root.is_some_and(|r| r.v);
    if let Some(r) = pod.sc.run_as_non_root.filter(|r| !r.v) {
        o.pod(AT, r.pos, NOT_FALSE);
    }
    for c in &pod.containers {
        if let Some(r) = c.sc.run_as_non_root.filter(|r| !r.v) {
            o.ctr(c, AT, r.pos, NOT_FALSE);
        }
    }
    if !o.is_empty() {
        return o.fail("runAsNonRoot != true", NOT_FALSE);
    }
    if pod_ok {
        return None;
    }
    const MUST: &str = "must set securityContext.runAsNonRoot=true";
    for c in pod
        .containers
        .iter()
        .filter(|c| c.sc.run_as_non_root.is_none())
    {
        o.ctr(c, AT, sc_pos(c), &format!("(or the pod) {MUST}"));
    }
    if o.is_empty() {
        return None;
    }
    let detail = format!("pod or {} {MUST}", o.containers());
    o.fail_with("runAsNonRoot != true", detail)
}

fn run_as_user(pod: &Pod) -> Option<Fail> {
    const WHAT: &str = "must not set runAsUser=0";
    const AT: &[&str] = &["securityContext", "runAsUser"];
    let mut o = Offenders::new(pod);
    if let Some(u) = pod.sc.run_as_user.filter(|u| u.v == 0) {
        o.pod(AT, u.pos, WHAT);
    }
    for c in &pod.containers {
        if let Some(u) = c.sc.run_as_user.filter(|u| u.v == 0) {
            o.ctr(c, AT, u.pos, WHAT);
        }
    }
    o.fail("runAsUser=0", WHAT)
}
