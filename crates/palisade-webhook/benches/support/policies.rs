//! The ten Gatekeeper templates (directories of ../shared/corpora/gatekeeper-library/library)
//! and the sample constraint of each that the webhook benchmarks load; included by path from
//! crates/palisade-webhook/benches/decide.rs and crates/palisade/benches/webhook_load.rs.

pub const POLICIES: [(&str, &str); 10] = [
    ("general/requiredlabels", "verify-label-key-only"),
    ("general/allowedrepos", "repo-must-be-openpolicyagent"),
    (
        "general/disallowedtags",
        "container-image-must-not-have-latest-tag",
    ),
    ("general/containerlimits", "container-must-have-limits"),
    ("general/requiredprobes", "must-have-probes"),
    ("general/replicalimits", "replicalimits"),
    (
        "pod-security-policy/allow-privilege-escalation",
        "psp-allow-privilege-escalation-container",
    ),
    (
        "pod-security-policy/read-only-root-filesystem",
        "psp-readonlyrootfilesystem",
    ),
    ("pod-security-policy/host-namespaces", "psp-host-namespace"),
    ("pod-security-policy/seccompv2", "psp-seccomp-restricted"),
];
