//! Cost of the built-in checks on a generated corpus, next to the cost of parsing it, at two
//! sizes: cross-object checks go through the index, so doubling the input should roughly double
//! the time. Run with `cargo bench -p palisade-checks --bench cross_object`; figures go to
//! docs/performance.md ("Built-in checks").

use palisade_checks::{Ctx, default_params, rules};
use palisade_model::{CustomWorkloads, Index, LoadOptions, load_bytes};
use std::fmt::Write;
use std::time::{Duration, Instant};

/// Per app: a Deployment with three containers, its Service, NetworkPolicy, ServiceAccount,
/// Role, RoleBinding, ConfigMap and Ingress; apps spread over 20 namespaces.
fn corpus(apps: usize) -> String {
    let mut y = String::new();
    for i in 0..apps {
        let ns = format!("ns{}", i % 20);
        let _ = write!(
            y,
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app{i}\n  namespace: {ns}\nspec:\n  replicas: 3\n  selector:\n    matchLabels:\n      app: app{i}\n  template:\n    metadata:\n      labels:\n        app: app{i}\n        tier: web\n    spec:\n      serviceAccountName: app{i}\n      containers:\n"
        );
        for c in 0..3 {
            let _ = write!(
                y,
                "        - name: c{c}\n          image: registry.example.com/app{i}:1.{c}.0\n          ports:\n            - name: http{c}\n              containerPort: {}\n          env:\n            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef:\n                  name: db\n                  key: password\n            - name: LOG_LEVEL\n              value: info\n          resources:\n            requests:\n              cpu: 100m\n              memory: 128Mi\n            limits:\n              memory: 256Mi\n",
                8080 + c
            );
        }
        let _ = write!(
            y,
            "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: app{i}\n  namespace: {ns}\nspec:\n  selector:\n    app: app{i}\n  ports:\n    - port: 80\n      targetPort: http0\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: app{i}\n  namespace: {ns}\nspec:\n  podSelector:\n    matchLabels:\n      app: app{i}\n  policyTypes: [Ingress, Egress]\n  ingress:\n    - from:\n        - podSelector:\n            matchLabels:\n              app: app{}\n",
            (i + 1) % apps
        );
        let _ = write!(
            y,
            "---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app{i}\n  namespace: {ns}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: app{i}\n  namespace: {ns}\nrules:\n  - apiGroups: [\"\"]\n    resources: [configmaps, secrets]\n    verbs: [get, list]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: app{i}\n  namespace: {ns}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: app{i}\nsubjects:\n  - kind: ServiceAccount\n    name: app{i}\n"
        );
        let _ = write!(
            y,
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app{i}\n  namespace: {ns}\ndata:\n  LOG_LEVEL: info\n  UPSTREAM: http://app{}.{ns}.svc\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: app{i}\n  namespace: {ns}\nspec:\n  tls:\n    - hosts: [app{i}.example.com]\n      secretName: app{i}-tls\n  rules:\n    - host: app{i}.example.com\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service:\n                name: app{i}\n                port:\n                  number: 80\n",
            (i + 7) % apps
        );
    }
    y
}

/// The fastest of `runs` timings of `f`, to keep noise from other processes out.
fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..runs {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed());
        out = Some(r);
    }
    // `runs` is at least 1 at every call site, so a result exists.
    (best, out.expect("at least one run"))
}

fn main() {
    let cross_object = [
        "pod-not-covered-by-network-policy",
        "pod-network-isolation-incomplete",
        "network-policy-selects-no-pods",
        "network-policy-peer-selects-no-pods",
        "service-selects-no-pods",
        "service-target-port-not-exposed",
        "ingress-backend-service-missing",
        "service-account-not-found",
        "binding-grants-secret-access",
        "binding-grants-pod-exec",
        "workload-service-account-privileged",
    ];
    for apps in [1250, 2500] {
        let yaml = corpus(apps);
        let (parse, out) = best(3, || {
            load_bytes(yaml.as_bytes(), "bench.yaml", &LoadOptions::default())
        });
        let objects = out.objects;
        let custom = CustomWorkloads::default();
        let (index_time, index) = best(3, || Index::new(&objects, &custom));
        let mut all = Duration::ZERO;
        let mut cross = Duration::ZERO;
        let mut findings = 0;
        let mut slowest: Vec<(Duration, &str)> = Vec::new();
        for check in rules::ALL {
            let params = default_params(check.meta());
            let ctx = Ctx::new(&index, &params);
            let (t, n) = best(3, || {
                let mut d = Vec::new();
                for o in &objects {
                    check.run(o, &ctx, &mut d);
                }
                d.len()
            });
            all += t;
            findings += n;
            if cross_object.contains(&check.meta().id) {
                cross += t;
            }
            slowest.push((t, check.meta().id));
        }
        slowest.sort();
        println!(
            "{} objects, {:.1} MB: parse {:.0?}, index {:.0?}, all {} checks {:.0?} ({:.2}x parse; {} findings), of which {} cross-object checks {:.0?}",
            objects.len(),
            yaml.len() as f64 / 1e6,
            parse,
            index_time,
            rules::ALL.len(),
            all,
            all.as_secs_f64() / parse.as_secs_f64(),
            findings,
            cross_object.len(),
            cross
        );
        let top: Vec<String> = slowest
            .iter()
            .rev()
            .take(5)
            .map(|(t, id)| format!("{id} {t:.1?}"))
            .collect();
        println!("  slowest: {}", top.join(", "));
    }
}
