use crate::support::pod::set_op;
use crate::support::rule::ContainerRule;
use crate::{Check, CheckMeta, Ctx};
use palisade_model::{Category, Container, Node, PodSpec, Severity};

pub static CHECK: &dyn Check = &ContainerRule {
    meta: &META,
    field: &FIELD,
    linux_only: false,
    locate: None,
    problem,
    fix: Some(fix),
};

static META: CheckMeta = CheckMeta {
    id: "privileged-container",
    title: "Containers must not run privileged",
    category: Category::Security,
    severity: Severity::Critical,
    rationale: "A privileged container has every Linux capability, sees every host device and is \
        not confined by seccomp or AppArmor: root in it is root on the node. This holds for init \
        and ephemeral containers too.",
    remediation: "Remove `securityContext.privileged: true` (or set it to `false`). Grant only \
        the specific capabilities the process needs through `capabilities.add`.",
    references: &[
        "PSS baseline: Privileged Containers",
        "CIS Kubernetes Benchmark v1.8 5.2.2",
        "NSA/CISA Kubernetes Hardening Guide: Pod security (privileged containers)",
    ],
    params: &[],
    aliases: &[
        "polaris:runAsPrivileged",
        "kube-linter:privileged-container",
        "kube-score:container-security-context-privileged",
        "trivy:KSV017",
        "kubescape:C-0057",
        "checkov:CKV_K8S_16",
    ],
    enabled_by_default: true,
    cross_object: false,
    assumptions: "",
};

const FIELD: [&str; 2] = ["securityContext", "privileged"];

fn problem(_: &PodSpec, c: &Container, _: &Ctx) -> Option<String> {
    (c.path(&FIELD).and_then(Node::as_bool) == Some(true)).then(|| {
        format!(
            "container `{}` runs privileged (securityContext.privileged: true)",
            c.name
        )
    })
}

fn fix(c: &Container, base: &str, _: &Ctx) -> Option<serde_json::Value> {
    Some(set_op(c.node, base, &FIELD, serde_json::json!(false)))
}

#[cfg(test)]
mod tests {
    use crate::support::pod::{fix_json, run_json};
    use serde_json::json;

    #[test]
    fn flags_init_and_ephemeral_containers() {
        let d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
            "spec": {"template": {"spec": {
                "initContainers": [{"name": "i", "securityContext": {"privileged": true}}],
                "containers": [{"name": "a", "securityContext": {"privileged": false}}],
                "ephemeralContainers": [{"name": "e", "securityContext": {"privileged": true}}]}}}});
        let diags = run_json(super::CHECK, std::slice::from_ref(&d));
        let names: Vec<_> = diags.iter().filter_map(|d| d.container.clone()).collect();
        assert_eq!(names, ["i", "e"]);
        assert_eq!(
            diags[0].path,
            "/spec/template/spec/initContainers/0/securityContext/privileged"
        );
        let fix = fix_json(super::CHECK, &[d]);
        assert_eq!(
            fix[1],
            json!({"op": "add", "path": "/spec/template/spec/ephemeralContainers/0/securityContext/privileged", "value": false})
        );
    }
}
