use super::*;
use palisade_model::{Node, Source};
use serde_json::json;

fn obj(j: serde_json::Value) -> Object {
    Object::new(Node::from_json(&j), Source::new("t.yaml", 0))
}

fn pod(spec: serde_json::Value) -> Object {
    obj(json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}))
}

fn lv(s: &str) -> LevelVersion {
    s.parse().unwrap()
}

fn eval(o: &Object, p: &str) -> Evaluation {
    evaluate(o, lv(p)).unwrap()
}

fn restricted_ok_container(name: &str) -> serde_json::Value {
    json!({"name": name, "image": "x", "securityContext": {
        "allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}})
}

#[test]
fn restricted_pod_is_allowed_and_message_matches_kubernetes() {
    let good = pod(json!({
        "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [restricted_ok_container("app")]
    }));
    assert!(eval(&good, "restricted:latest").allowed());

    let bad =
        pod(json!({"containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "x"}]}));
    let e = eval(&bad, "restricted:v1.30");
    assert_eq!(
        e.message(),
        "violates PodSecurity \"restricted:v1.30\": allowPrivilegeEscalation != false \
         (containers \"a\", \"b\" must set securityContext.allowPrivilegeEscalation=false), \
         unrestricted capabilities (containers \"a\", \"b\" must set securityContext.capabilities.drop=[\"ALL\"]), \
         runAsNonRoot != true (pod or containers \"a\", \"b\" must set securityContext.runAsNonRoot=true), \
         seccompProfile (pod or containers \"a\", \"b\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")"
    );
    // Each offending container gets its own diagnostic with a JSON pointer.
    let ape = &e.forbidden[0];
    assert_eq!(ape.control.id, "allowPrivilegeEscalation");
    assert_eq!(ape.diagnostics.len(), 2);
    assert_eq!(
        ape.diagnostics[1].path,
        "/spec/containers/1/securityContext/allowPrivilegeEscalation"
    );
    assert_eq!(ape.diagnostics[1].container.as_deref(), Some("b"));
}

#[test]
fn baseline_checks_come_before_restricted_in_sorted_order() {
    let ids: Vec<_> = controls_for(lv("restricted:latest"))
        .map(|c| c.id)
        .collect();
    assert_eq!(
        ids,
        [
            "appArmorProfile",
            "hostNamespaces",
            "hostPorts",
            "hostProbesAndHostLifecycle",
            "privileged",
            "seLinuxOptions",
            "sysctls",
            "windowsHostProcess",
            "allowPrivilegeEscalation",
            "capabilities_restricted",
            "procMount_restricted",
            "restrictedVolumes",
            "runAsNonRoot",
            "runAsUser",
            "seccompProfile_restricted"
        ]
    );
    let v10: Vec<_> = controls_for(lv("restricted:v1.0")).map(|c| c.id).collect();
    assert!(v10.contains(&"capabilities_baseline") && v10.contains(&"seccompProfile_baseline"));
    assert!(!v10.contains(&"allowPrivilegeEscalation") && !v10.contains(&"runAsUser"));
    assert!(controls_for(lv("privileged")).next().is_none());
    assert_eq!(controls_for(lv("baseline:v1.33")).count(), 11);
    assert_eq!(controls_for(lv("baseline:v1.34")).count(), 12);
}

#[test]
fn windows_pods_skip_three_restricted_checks_from_1_25() {
    let w = pod(
        json!({"os": {"name": "windows"}, "securityContext": {"runAsNonRoot": true},
        "containers": [{"name": "w", "image": "x"}]}),
    );
    assert!(eval(&w, "restricted:v1.25").allowed());
    let ids: Vec<_> = eval(&w, "restricted:v1.24")
        .forbidden
        .iter()
        .map(|f| f.control.id)
        .collect();
    assert_eq!(
        ids,
        [
            "allowPrivilegeEscalation",
            "capabilities_restricted",
            "seccompProfile_restricted"
        ]
    );
}

#[test]
fn sysctls_list_grows_with_versions() {
    let p = |name: &str| {
        pod(
            json!({"securityContext": {"sysctls": [{"name": name, "value": "1"}]},
        "containers": [{"name": "c", "image": "x"}]}),
        )
    };
    let cases = [
        ("net.ipv4.ip_local_reserved_ports", 27),
        ("net.ipv4.tcp_keepalive_time", 29),
        ("net.ipv4.tcp_fin_timeout", 29),
        ("net.ipv4.tcp_rmem", 32),
        ("net.ipv4.tcp_wmem", 32),
    ];
    for (name, since) in cases {
        let o = p(name);
        assert!(
            !eval(&o, &format!("baseline:v1.{}", since - 1)).allowed(),
            "{name}"
        );
        assert!(
            eval(&o, &format!("baseline:v1.{since}")).allowed(),
            "{name}"
        );
    }
    let e = eval(&p("kernel.msgmax"), "baseline:latest");
    assert_eq!(e.forbidden[0].reason, "forbidden sysctls");
    assert_eq!(e.forbidden[0].detail, "kernel.msgmax");
}

#[test]
fn host_probes_checked_from_1_34() {
    let o = pod(json!({"containers": [{"name": "c", "image": "x",
        "livenessProbe": {"httpGet": {"host": "10.0.0.1", "port": 80}},
        "lifecycle": {"preStop": {"tcpSocket": {"host": "evil", "port": 1}}}}]}));
    assert!(eval(&o, "baseline:v1.33").allowed());
    let e = eval(&o, "baseline:v1.34");
    assert_eq!(e.forbidden.len(), 1);
    assert_eq!(e.forbidden[0].reason, "probe or lifecycle host");
    assert_eq!(e.forbidden[0].diagnostics.len(), 2);
    assert_eq!(
        e.forbidden[0].diagnostics[1].path,
        "/spec/containers/0/lifecycle/preStop/tcpSocket/host"
    );
    let empty = pod(json!({"containers": [{"name": "c", "image": "x",
        "readinessProbe": {"httpGet": {"host": "", "port": 80}}}]}));
    assert!(eval(&empty, "baseline:latest").allowed());
}

#[test]
fn proc_mount_user_namespaces_from_1_35() {
    let o = pod(
        json!({"hostUsers": false, "containers": [{"name": "c", "image": "x",
        "securityContext": {"procMount": "Unmasked"}}]}),
    );
    assert!(!eval(&o, "baseline:v1.34").allowed());
    assert!(eval(&o, "baseline:v1.35").allowed());
    let e = eval(&o, "restricted:v1.35");
    let f = e
        .forbidden
        .iter()
        .find(|f| f.reason == "procMount")
        .unwrap();
    assert_eq!(f.control.id, "procMount_restricted");
    assert_eq!(
        f.detail,
        "container \"c\" must not set securityContext.procMount to \"Unmasked\""
    );
}

#[test]
fn selinux_engine_type_from_1_31() {
    let o = pod(
        json!({"securityContext": {"seLinuxOptions": {"type": "container_engine_t"}},
        "containers": [{"name": "c", "image": "x", "securityContext": {"seLinuxOptions": {"user": "u", "type": "spc_t"}}}]}),
    );
    let e = eval(&o, "baseline:v1.30");
    assert_eq!(
        e.forbidden[0].detail,
        "pod and container \"c\" set forbidden securityContext.seLinuxOptions: types \"container_engine_t\", \"spc_t\"; user may not be set"
    );
    let e = eval(&o, "baseline:v1.31");
    assert_eq!(
        e.forbidden[0].detail,
        "container \"c\" set forbidden securityContext.seLinuxOptions: type \"spc_t\"; user may not be set"
    );
}

#[test]
fn seccomp_annotations_before_1_19_fields_after() {
    let o = obj(
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "annotations": {
        "seccomp.security.alpha.kubernetes.io/pod": "unconfined"}},
        "spec": {"containers": [{"name": "c", "image": "x"}]}}),
    );
    let e = eval(&o, "baseline:v1.18");
    assert_eq!(
        e.forbidden[0].detail,
        "forbidden annotation seccomp.security.alpha.kubernetes.io/pod=\"unconfined\""
    );
    assert!(eval(&o, "baseline:v1.19").allowed());
}

#[test]
fn workload_templates_are_evaluated_with_template_paths() {
    let d = obj(
        json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"},
        "spec": {"jobTemplate": {"spec": {"template": {"spec": {"hostPID": true,
            "containers": [{"name": "j", "image": "x", "ports": [{"containerPort": 80, "hostPort": 80}, {"hostPort": 9090}]}]}}}}}}),
    );
    let e = eval(&d, "baseline:latest");
    let details: Vec<_> = e
        .forbidden
        .iter()
        .map(|f| (f.reason.as_str(), f.detail.as_str()))
        .collect();
    assert_eq!(
        details,
        [
            ("host namespaces", "hostPID=true"),
            ("hostPort", "container \"j\" uses hostPorts 80, 9090")
        ]
    );
    assert_eq!(
        e.forbidden[1].diagnostics[0].path,
        "/spec/jobTemplate/spec/template/spec/containers/0/ports/0/hostPort"
    );
    // A CRD named Deployment in another group is not a pod template PSA knows.
    let crd = obj(
        json!({"apiVersion": "example.com/v1", "kind": "Deployment", "metadata": {"name": "x"}}),
    );
    assert!(evaluate(&crd, lv("baseline")).is_none());
}

#[test]
fn restricted_volumes_and_capabilities_details() {
    let o = pod(
        json!({"volumes": [{"name": "a", "hostPath": {"path": "/"}}, {"name": "b", "nfs": {"server": "s", "path": "/"}},
            {"name": "c"}, {"name": "d", "configMap": {"name": "x"}}, {"name": "e", "bogus": {}}],
        "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{"name": "c", "image": "x", "securityContext": {"allowPrivilegeEscalation": false,
            "capabilities": {"add": ["SYS_ADMIN", "NET_BIND_SERVICE"], "drop": ["ALL"]}}}]}),
    );
    let e = eval(&o, "restricted:latest");
    let details: Vec<_> = e
        .forbidden
        .iter()
        .map(|f| (f.reason.as_str(), f.detail.as_str()))
        .collect();
    assert_eq!(
        details,
        [
            (
                "unrestricted capabilities",
                "container \"c\" must not include \"SYS_ADMIN\" in securityContext.capabilities.add"
            ),
            (
                "restricted volume types",
                "volumes \"a\", \"b\" use restricted volume types \"hostPath\", \"nfs\""
            ),
        ]
    );
    let e = eval(&o, "baseline:latest");
    let details: Vec<_> = e
        .forbidden
        .iter()
        .map(|f| (f.reason.as_str(), f.detail.as_str()))
        .collect();
    assert_eq!(
        details,
        [
            (
                "non-default capabilities",
                "container \"c\" must not include \"SYS_ADMIN\" in securityContext.capabilities.add"
            ),
            ("hostPath volumes", "volume \"a\""),
        ]
    );
}

#[test]
fn app_armor_annotations_and_fields() {
    let o = obj(
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "annotations": {
        "container.apparmor.security.beta.kubernetes.io/c": "unconfined"}},
        "spec": {"securityContext": {"appArmorProfile": {"type": "Unconfined"}},
            "containers": [{"name": "c", "image": "x"}]}}),
    );
    let e = eval(&o, "baseline:latest");
    assert_eq!(e.forbidden[0].reason, "forbidden AppArmor profiles");
    assert_eq!(
        e.forbidden[0].detail,
        "pod and annotation must not set AppArmor profile type to \"Unconfined\", \"container.apparmor.security.beta.kubernetes.io/c=\"unconfined\"\""
    );
}

#[test]
fn run_as_user_and_non_root_explicit() {
    let o = pod(
        json!({"securityContext": {"runAsNonRoot": false, "runAsUser": 0,
        "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{"name": "c", "image": "x", "securityContext": {"allowPrivilegeEscalation": false,
            "capabilities": {"drop": ["ALL"]}, "runAsUser": 0}}]}),
    );
    let e = eval(&o, "restricted:v1.23");
    let details: Vec<_> = e.forbidden.iter().map(|f| f.detail.as_str()).collect();
    assert_eq!(
        details,
        [
            "pod must not set securityContext.runAsNonRoot=false",
            "pod and container \"c\" must not set runAsUser=0"
        ]
    );
    assert_eq!(eval(&o, "restricted:v1.22").forbidden.len(), 1);
}

#[test]
fn bad_input_is_reported_never_panics() {
    let o = pod(
        json!({"hostNetwork": "true", "securityContext": {"runAsNonRot": true},
        "containers": [{"image": "x", "securityContext": {"privileged": "yes", "capabilities": {"add": [1]}}}, "oops"]}),
    );
    let d = Decoded::of(&o, &CustomWorkloads::default()).unwrap();
    assert!(d.invalid());
    let msgs: Vec<_> = d.problems.iter().map(|p| p.message.as_str()).collect();
    assert!(msgs.contains(&"spec.hostNetwork: expected boolean, got string \"true\"; Kubernetes rejects this object"), "{msgs:?}");
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("spec.securityContext.runAsNonRot: unknown field")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m
                .starts_with("spec.containers[0].securityContext.privileged: expected boolean"))
    );
    assert!(msgs.iter().any(|m| {
        m.starts_with("spec.containers[0].securityContext.capabilities.add[0]: expected string")
    }));
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("spec.containers[0].name: Required value"))
    );
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("spec.containers[1]: expected a container"))
    );
    // Still evaluates what it can.
    assert!(!d.evaluate(lv("restricted")).allowed());

    let none = pod(json!({}));
    let d = Decoded::of(&none, &CustomWorkloads::default()).unwrap();
    assert!(d.problems[0].message.contains("at least one container"));
    let nospec = obj(
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": 3}),
    );
    let d = Decoded::of(&nospec, &CustomWorkloads::default()).unwrap();
    assert!(d.invalid());
    for junk in [
        json!(null),
        json!([]),
        json!("x"),
        json!({"containers": {"a": 1}}),
        json!({"volumes": [1, {"hostPath": 1}]}),
    ] {
        let o = pod(junk);
        if let Some(d) = Decoded::of(&o, &CustomWorkloads::default()) {
            let _ = d.evaluate(lv("restricted"));
        }
    }
}

#[test]
fn namespace_labels_choose_the_policy() {
    use crate::policy::*;
    let objects = vec![
        obj(
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "strict", "labels": {
            "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "v1.99"}}}),
        ),
        obj(
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "broken", "labels": {
            "pod-security.kubernetes.io/enforce": "banana"}}}),
        ),
        obj(
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a", "namespace": "strict"},
            "spec": {"containers": [{"name": "c", "image": "x"}]}}),
        ),
        obj(
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "b"},
            "spec": {"hostNetwork": true, "containers": [{"name": "c", "image": "x"}]}}),
        ),
        obj(
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "c", "namespace": "broken"},
            "spec": {"runtimeClassName": "kata", "containers": [{"name": "c", "image": "x"}]}}),
        ),
    ];
    let mut cfg = Config::new(Policy::uniform(lv("baseline:latest")));
    let res = evaluate_all(&objects, &cfg, &CustomWorkloads::default());
    assert_eq!(res.len(), 4);
    assert!(res[0].invalid() && res[0].object.name() == "broken");
    let a = &res[1];
    assert_eq!(a.enforce.policy.to_string(), "restricted:v1.99");
    assert!(a.denied());
    assert!(a.notes[0].contains("evaluated as latest"));
    assert!(res[2].denied() && res[2].policy_source == "default");
    assert_eq!(res[3].enforce.policy.to_string(), "restricted:latest");
    assert!(res[3].notes[0].contains("evaluated as restricted"));
    cfg.exemptions.runtime_classes.push("kata".into());
    cfg.exemptions.namespaces.push("default".into());
    let res = evaluate_all(&objects, &cfg, &CustomWorkloads::default());
    assert!(!res[2].denied() && res[2].exempt.as_deref() == Some("namespace default is exempt"));
    assert!(!res[3].denied() && res[3].exempt.is_some());
}

#[test]
fn warn_follows_a_stricter_enforce() {
    use crate::policy::*;
    let labels = [
        ("pod-security.kubernetes.io/enforce", "baseline"),
        ("pod-security.kubernetes.io/enforce-version", "v1.20"),
    ];
    let (p, errs) = policy_from_labels(labels.iter().copied(), Policy::default());
    assert!(errs.is_empty());
    assert_eq!(p.warn.to_string(), "baseline:v1.20");
    assert_eq!(p.audit.to_string(), "privileged:latest");
}
