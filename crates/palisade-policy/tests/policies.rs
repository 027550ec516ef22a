//! End-to-end behaviour of the policy API on small YAML inputs.

use palisade_model::{CustomWorkloads, Index, LoadOptions, Object, load_bytes};
use palisade_policy::{Action, AdmissionRequest, EngineChoice, PolicySet};

fn objects(yaml: &str, file: &str) -> Vec<Object> {
    let out = load_bytes(yaml.as_bytes(), file, &LoadOptions::default());
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    out.objects
}

const VAP: &str = r#"
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: replica-limit
spec:
  failurePolicy: Fail
  paramKind:
    apiVersion: v1
    kind: ConfigMap
  matchConstraints:
    resourceRules:
    - apiGroups: ["apps"]
      apiVersions: ["v1"]
      operations: ["CREATE", "UPDATE"]
      resources: ["deployments"]
  matchConditions:
  - name: not-system
    expression: "object.metadata.namespace != 'kube-system'"
  variables:
  - name: max
    expression: "int(params.data.maxReplicas)"
  validations:
  - expression: "object.spec.replicas <= variables.max"
    messageExpression: "'replicas ' + string(object.spec.replicas) + ' > ' + string(variables.max)"
    reason: Forbidden
  - expression: "object.metadata.name.startsWith('web')"
  auditAnnotations:
  - key: replicas
    valueExpression: "string(object.spec.replicas)"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: replica-limit-binding
spec:
  policyName: replica-limit
  validationActions: [Warn, Audit]
  paramRef:
    name: limits
    namespace: default
    parameterNotFoundAction: Deny
"#;

const WORKLOADS: &str = r#"
apiVersion: v1
kind: ConfigMap
metadata: {name: limits, namespace: default}
data: {maxReplicas: "3"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: default}
spec: {replicas: 5}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: kube-system}
spec: {replicas: 9}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
"#;

#[test]
fn validating_admission_policy_with_params() {
    let (set, errors) =
        PolicySet::from_objects(&objects(VAP, "vap.yaml"), EngineChoice::CelPreferred);
    assert!(errors.is_empty(), "{errors:?}");
    let objs = objects(WORKLOADS, "app.yaml");
    let custom = CustomWorkloads::default();
    let index = Index::new(&objs, &custom);
    let ev = set.evaluator(&index);
    let api = ev.evaluate(&objs[1], None);
    let msgs: Vec<_> = api
        .violations
        .iter()
        .map(|v| v.message().to_string())
        .collect();
    assert_eq!(
        msgs,
        [
            "replicas 5 > 3",
            "failed expression: object.metadata.name.startsWith('web')"
        ]
    );
    let v = &api.violations[0];
    assert_eq!(
        (v.check_id.as_str(), v.action, v.also.as_slice()),
        ("replica-limit", Action::Warn, &[Action::Audit][..])
    );
    assert_eq!(v.reason.as_deref(), Some("Forbidden"));
    assert_eq!(v.diagnostic.pos.line, objs[1].pos().line);
    assert_eq!(
        api.audit_annotations,
        [("replica-limit/replicas".to_string(), "5".to_string())]
    );
    // matchConditions exclude kube-system; resource rules exclude Services.
    assert!(ev.evaluate(&objs[2], None).violations.is_empty());
    assert!(ev.evaluate(&objs[3], None).violations.is_empty());
    // DELETE is not among the operations.
    let del = AdmissionRequest {
        operation: "DELETE".into(),
        ..Default::default()
    };
    assert!(ev.evaluate(&objs[1], Some(&del)).violations.is_empty());
    // Without the ConfigMap: parameterNotFoundAction Deny.
    let no_params = &objs[1..];
    let index = Index::new(no_params, &custom);
    let ev = set.evaluator(&index);
    let r = ev.evaluate(&no_params[0], None);
    assert!(
        r.violations[0].message().contains("no params found"),
        "{r:?}"
    );
}

const TEMPLATE: &str = r#"
apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata: {name: k8sdenyname}
spec:
  crd:
    spec:
      names: {kind: K8sDenyName}
  targets:
  - target: admission.k8s.gatekeeper.sh
    rego: |
      package k8sdenyname
      violation[{"msg": msg}] {
        input.review.object.metadata.name == input.parameters.name
        msg := sprintf("name %v is denied", [input.parameters.name])
      }
      violation[{"msg": msg}] {
        some ing
        other := data.inventory.namespace[input.review.namespace]["v1"]["Service"][ing]
        other.metadata.name == input.review.object.metadata.name
        input.review.object.kind == "Pod"
        msg := "a Service has this name"
      }
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sDenyName
metadata: {name: no-web}
spec:
  enforcementAction: warn
  match:
    kinds: [{apiGroups: [""], kinds: ["Pod", "Service"]}]
    excludedNamespaces: ["kube-*"]
  parameters: {name: web}
"#;

#[test]
fn gatekeeper_rego_with_inventory_and_match() {
    let (set, errors) =
        PolicySet::from_objects(&objects(TEMPLATE, "gk.yaml"), EngineChoice::RegoOnly);
    assert!(errors.is_empty(), "{errors:?}");
    let objs = objects(
        "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: default}\n---\n\
         apiVersion: v1\nkind: Pod\nmetadata: {name: web}\n---\n\
         apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: kube-system}\n",
        "app.yaml",
    );
    let custom = CustomWorkloads::default();
    let index = Index::new(&objs, &custom);
    let ev = set.evaluator(&index);
    let mut msgs: Vec<_> = ev
        .evaluate(&objs[1], None)
        .violations
        .iter()
        .map(|v| v.message().to_string())
        .collect();
    msgs.sort();
    assert_eq!(msgs, ["a Service has this name", "name web is denied"]);
    let svc = ev.evaluate(&objs[0], None);
    assert_eq!(svc.violations.len(), 1);
    assert_eq!(svc.violations[0].action, Action::Warn);
    assert_eq!(svc.violations[0].check_id, "no-web");
    assert!(
        ev.evaluate(&objs[2], None).violations.is_empty(),
        "excluded namespace"
    );
}

#[test]
fn policy_errors_name_file_policy_and_line() {
    let bad = TEMPLATE.replace("msg := sprintf", "msg := sprintf(((");
    let mut objs = objects(&bad, "bad.yaml");
    objs.extend(objects(
        "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sNothing\nmetadata: {name: orphan}\n",
        "orphan.yaml",
    ));
    objs.extend(objects(
        "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata: {name: p}\n\
         spec:\n  validations:\n  - expression: \"object.spec.replicas >\"\n",
        "vap.yaml",
    ));
    let (set, errors) = PolicySet::from_objects(&objs, EngineChoice::RegoOnly);
    let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(errors.len(), 4, "{text:#?}");
    assert!(
        text[0].starts_with("bad.yaml:")
            && text[0].contains("k8sdenyname")
            && text[0].contains("line 4:"),
        "{}",
        text[0]
    );
    assert!(text.iter().any(
        |t| t.contains("orphan") && t.contains("no ConstraintTemplate defines kind K8sNothing")
    ));
    assert!(
        text.iter()
            .any(|t| t.starts_with("vap.yaml:6:") && t.contains("line 1:")),
        "{text:#?}"
    );
    assert!(set.is_empty());
}

#[test]
fn cel_template_runs_when_preferred() {
    let t = r#"
apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata: {name: k8sreplicas}
spec:
  crd: {spec: {names: {kind: K8sReplicas}}}
  targets:
  - target: admission.k8s.gatekeeper.sh
    code:
    - engine: K8sNativeValidation
      source:
        variables:
        - name: max
          expression: "has(variables.params.max) ? variables.params.max : 1"
        validations:
        - expression: "variables.anyObject.spec.replicas <= variables.max"
          messageExpression: "'too many replicas: ' + string(variables.anyObject.spec.replicas)"
    - engine: Rego
      source:
        rego: |
          package k8sreplicas
          violation[{"msg": "rego says no"}] { input.review.object.spec.replicas > input.parameters.max }
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sReplicas
metadata: {name: max-two}
spec:
  parameters: {max: 2}
"#;
    let objs = objects(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec: {replicas: 3}\n",
        "d.yaml",
    );
    let custom = CustomWorkloads::default();
    let index = Index::new(&objs, &custom);
    for (choice, want) in [
        (EngineChoice::CelPreferred, "too many replicas: 3"),
        (EngineChoice::RegoOnly, "rego says no"),
    ] {
        let (set, errors) = PolicySet::from_objects(&objects(t, "t.yaml"), choice);
        assert!(errors.is_empty(), "{errors:?}");
        let r = set.evaluator(&index).evaluate(&objs[0], None);
        assert_eq!(r.violations.len(), 1);
        assert_eq!(r.violations[0].message(), want);
    }
}

#[test]
fn params_shipped_with_the_policies_are_found() {
    let mut policy_objects = objects(VAP, "vap.yaml");
    policy_objects.extend(objects(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: limits, namespace: default}\ndata: {maxReplicas: \"9\"}\n",
        "params.yaml",
    ));
    let (set, errors) = PolicySet::from_objects(&policy_objects, EngineChoice::CelPreferred);
    assert!(errors.is_empty(), "{errors:?}");
    let objs = objects(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web-a, namespace: default}\nspec: {replicas: 12}\n",
        "d.yaml",
    );
    let custom = CustomWorkloads::default();
    let index = Index::new(&objs, &custom);
    let r = set.evaluator(&index).evaluate(&objs[0], None);
    let msgs: Vec<_> = r
        .violations
        .iter()
        .map(|v| v.message().to_string())
        .collect();
    assert_eq!(msgs, ["replicas 12 > 9"]);
}
