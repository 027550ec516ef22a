//! Throughput of `load_bytes` on a generated, realistic manifest corpus.
//!
//! `cargo bench -p palisade-model --bench load [-- OBJECTS] [--dump FILE]` prints objects/s,
//! MB/s and peak RSS; `--dump` also writes the corpus, for comparing other tools on it.

use palisade_model::{LoadOptions, load_bytes};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// A small deterministic generator, so every run measures the same corpus.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() as usize) % xs.len()]
    }
}

const TEAMS: &[&str] = &["payments", "search", "platform", "identity", "data"];
const IMAGES: &[&str] = &[
    "registry.example.com/web/frontend:1.27.3",
    "nginx:1.27",
    "ghcr.io/acme/api@sha256:3f1c2d9a8b7e6f5a4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d",
    "redis:7.2-alpine",
    "busybox",
];

fn deployment(out: &mut String, r: &mut Lcg, i: usize) {
    let team = r.pick(TEAMS);
    let ns = format!("{team}-{}", i % 7);
    let _ = write!(
        out,
        "---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  namespace: {ns}
  labels:
    app.kubernetes.io/name: app-{i}
    app.kubernetes.io/part-of: {team}
    team: {team}
  annotations:
    deployment.kubernetes.io/revision: \"{rev}\"
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app.kubernetes.io/name: app-{i}
  strategy:
    type: RollingUpdate
    rollingUpdate: {{maxSurge: 25%, maxUnavailable: 0}}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: app-{i}
        team: {team}
    spec:
      serviceAccountName: app-{i}
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        fsGroup: 2000
        seccompProfile: {{type: RuntimeDefault}}
      initContainers:
      - name: migrate
        image: {img0}
        command: [\"/bin/migrate\", \"--apply\"]
        resources:
          requests: {{cpu: 50m, memory: 64Mi}}
          limits: {{memory: 128Mi}}
      containers:
",
        rev = r.next() % 40,
        replicas = 1 + r.next() % 5,
        img0 = r.pick(IMAGES),
    );
    for c in 0..3 {
        let _ = write!(
            out,
            "      - name: c{c}
        image: {img}
        imagePullPolicy: IfNotPresent
        args: [\"--port=808{c}\", \"--log-level=info\"]
        ports:
        - name: http{c}
          containerPort: {port}
          protocol: TCP
        env:
        - name: TEAM
          value: {team}
        - name: POD_NAME
          valueFrom:
            fieldRef: {{fieldPath: metadata.name}}
        - name: FEATURE_FLAG
          value: \"on\"
        resources:
          requests:
            cpu: {cpu}m
            memory: {mem}Mi
          limits:
            memory: {mem2}Mi
        livenessProbe:
          httpGet: {{path: /healthz, port: {port}}}
          initialDelaySeconds: 10
          periodSeconds: 10
        readinessProbe:
          httpGet: {{path: /ready, port: {port}}}
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities:
            drop: [ALL]
        volumeMounts:
        - name: tmp
          mountPath: /tmp
",
            img = r.pick(IMAGES),
            port = 8080 + c,
            cpu = 50 + r.next() % 500,
            mem = 64 + r.next() % 512,
            mem2 = 600 + r.next() % 512,
        );
    }
    out.push_str("      volumes:\n      - name: tmp\n        emptyDir: {}\n");
}

fn service(out: &mut String, i: usize) {
    let _ = write!(
        out,
        "---
apiVersion: v1
kind: Service
metadata:
  name: app-{i}
  namespace: ns-{n}
  labels: {{app.kubernetes.io/name: app-{i}}}
spec:
  type: ClusterIP
  selector:
    app.kubernetes.io/name: app-{i}
  ports:
  - name: http
    port: 80
    targetPort: 8080
    protocol: TCP
",
        n = i % 7
    );
}

fn rbac(out: &mut String, i: usize) {
    let _ = write!(
        out,
        "---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: app-{i}
  namespace: ns-{n}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: app-{i}
  namespace: ns-{n}
rules:
- apiGroups: [\"\"]
  resources: [configmaps, secrets]
  verbs: [get, list, watch]
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: app-{i}
  namespace: ns-{n}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: app-{i}
subjects:
- kind: ServiceAccount
  name: app-{i}
  namespace: ns-{n}
",
        n = i % 7
    );
}

fn network_policy(out: &mut String, i: usize) {
    let _ = write!(
        out,
        "---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: app-{i}
  namespace: ns-{n}
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/name: app-{i}
  policyTypes: [Ingress, Egress]
  ingress:
  - from:
    - namespaceSelector:
        matchLabels: {{kubernetes.io/metadata.name: ingress-nginx}}
    - podSelector:
        matchExpressions:
        - {{key: role, operator: In, values: [frontend, gateway]}}
    ports:
    - {{protocol: TCP, port: 8080}}
  egress:
  - to:
    - ipBlock: {{cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}
",
        n = i % 7
    );
}

/// Six objects per app: Deployment, Service, ServiceAccount, Role, RoleBinding, NetworkPolicy.
fn corpus(objects: usize) -> (String, usize) {
    let mut r = Lcg(42);
    let mut s = String::with_capacity(objects * 1100);
    let mut n = 0;
    let mut i = 0;
    while n < objects {
        deployment(&mut s, &mut r, i);
        service(&mut s, i);
        rbac(&mut s, i);
        network_policy(&mut s, i);
        n += 6;
        i += 1;
    }
    (s, n)
}

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() {
    let objects: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(20_000);
    let (text, n) = corpus(objects);
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--dump")
        && let Some(path) = args.get(i + 1)
        && let Err(e) = std::fs::write(path, &text)
    {
        eprintln!("cannot write {path}: {e}");
    }
    let mb = text.len() as f64 / 1e6;
    let rss_before = peak_rss_mb().unwrap_or(0.0);
    let opts = LoadOptions::default();

    // One stream of all documents, then the same split into files of ~50 documents (as a
    // repository or `kubectl get -o yaml` dumps are), best of several runs.
    let files: Vec<&str> = {
        let mut v = Vec::new();
        let mut start = 0;
        let mut count = 0;
        for (i, _) in text.match_indices("---\n") {
            count += 1;
            if count % 50 == 0 {
                v.push(&text[start..i]);
                start = i;
            }
        }
        v.push(&text[start..]);
        v
    };
    for (label, inputs) in [
        ("one stream", vec![text.as_str()]),
        ("50-document files", files),
    ] {
        let mut best = Duration::MAX;
        let mut loaded = 0;
        for _ in 0..5 {
            let t = Instant::now();
            let mut count = 0;
            for (i, input) in inputs.iter().enumerate() {
                let out = load_bytes(input.as_bytes(), &format!("f{i}.yaml"), &opts);
                assert!(out.errors.is_empty(), "{:?}", out.errors.first());
                count += out.objects.len();
                std::hint::black_box(&out);
            }
            best = best.min(t.elapsed());
            loaded = count;
        }
        assert_eq!(loaded, n);
        let secs = best.as_secs_f64();
        println!(
            "load_bytes, {label}: {n} objects, {mb:.1} MB in {:.3} s: {:.0} objects/s, {:.1} MB/s (1 core)",
            secs,
            n as f64 / secs,
            mb / secs
        );
    }
    // Peak RSS while holding every object of the corpus at once.
    let out = load_bytes(text.as_bytes(), "all.yaml", &opts);
    let peak = peak_rss_mb().unwrap_or(0.0);
    println!(
        "peak RSS {peak:.0} MB with all {} objects held ({mb:.1} MB input; {:.0} MB before loading, corpus text included)",
        out.objects.len(),
        rss_before
    );
}
