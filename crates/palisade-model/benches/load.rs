//! Throughput of `load_bytes` on a generated, realistic manifest corpus.
//!
//! `cargo bench -p palisade-model --bench load [-- OBJECTS] [--dump FILE]` prints objects/s,
//! MB/s and peak RSS; `--dump` also writes the corpus, for comparing other tools on it.

use palisade_model::{LoadOptions, load_bytes};
use std::fmt::Write as _;
use std::time::Instant;

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

/// CPU time of the whole process (all threads), from /proc: on a shared machine wall time
/// says little, CPU time says what the work costs.
fn cpu_secs() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name, which is in parentheses: utime is the 12th, stime 13th.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|x| x.parse().ok())
        .collect();
    f.iter().sum::<f64>() / 100.0
}

/// Runs `f` five times; returns the best wall time and the CPU time of that run.
fn measure(mut f: impl FnMut() -> usize, expect: usize) -> (f64, f64) {
    let mut best = (f64::MAX, 0.0);
    for _ in 0..5 {
        let (t, c) = (Instant::now(), cpu_secs());
        let n = f();
        let wall = t.elapsed().as_secs_f64();
        assert_eq!(n, expect);
        if wall < best.0 {
            best = (wall, cpu_secs() - c);
        }
    }
    best
}

fn load_all(inputs: &[&str], opts: &LoadOptions) -> usize {
    let mut count = 0;
    for (i, input) in inputs.iter().enumerate() {
        let out = load_bytes(input.as_bytes(), &format!("f{i}.yaml"), opts);
        assert!(out.errors.is_empty(), "{:?}", out.errors.first());
        count += out.objects.len();
    }
    count
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
    let threads = rayon::current_num_threads();
    // The corpus split into files of 50 documents, as in a repository.
    let files: Vec<&str> = {
        let mut v = Vec::new();
        let mut start = 0;
        for (count, (i, _)) in text.match_indices("---\n").enumerate() {
            if count > 0 && count % 50 == 0 {
                v.push(&text[start..i]);
                start = i;
            }
        }
        v.push(&text[start..]);
        v
    };
    println!(
        "corpus: {n} objects, {mb:.1} MB, {} files of 50 documents; {threads} threads",
        files.len()
    );
    let report = |label: &str, (wall, cpu): (f64, f64)| {
        println!(
            "{label:<44} wall {wall:.3} s: {:>7.0} objects/s, {:>5.1} MB/s | CPU {cpu:.2} s: {:>7.0} objects/s per core-second",
            n as f64 / wall,
            mb / wall,
            n as f64 / cpu.max(1e-9),
        );
    };
    report(
        "files, one after another (1 core)",
        measure(|| load_all(&files, &opts), n),
    );
    report(
        "files in parallel (rayon, as a scan does)",
        measure(
            || {
                use rayon::prelude::*;
                files.par_iter().map(|f| load_all(&[f], &opts)).sum()
            },
            n,
        ),
    );
    report(
        "one stream (chunked on all cores)",
        measure(|| load_all(&[text.as_str()], &opts), n),
    );
    // Peak RSS while holding every object of the corpus at once.
    let out = load_bytes(text.as_bytes(), "all.yaml", &opts);
    let peak = peak_rss_mb().unwrap_or(0.0);
    println!(
        "peak RSS {peak:.0} MB holding all {} objects: {mb:.1} MB input ({rss_before:.0} MB before loading, corpus text included); target 4 x input + 30 MB = {:.0} MB",
        out.objects.len(),
        4.0 * mb + 30.0
    );
}
