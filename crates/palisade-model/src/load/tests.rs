use super::*;

fn load(s: &str) -> LoadOutput {
    load_bytes(s.as_bytes(), "t.yaml", &LoadOptions::default())
}

#[test]
fn multi_document_stream_with_positions() {
    let out = load(
        "# comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n---\n---\n# only a comment\n---\napiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: ns}\n",
    );
    assert_eq!(out.errors, vec![]);
    assert_eq!(out.objects.len(), 2);
    let a = &out.objects[0];
    assert_eq!(a.source.doc, 0);
    assert_eq!(a.kind(), "ConfigMap");
    assert_eq!(a.root.key_pos("kind"), Pos::new(4, 1));
    let data = a.root.get("data").unwrap();
    assert_eq!(data.key_pos("k"), Pos::new(8, 3));
    assert_eq!(data.get("k").unwrap().pos, Pos::new(8, 6));
    let s = &out.objects[1];
    assert_eq!(s.source.doc, 3);
    assert_eq!(s.namespace(), Some("ns"));
    let md = s.root.get("metadata").unwrap();
    assert_eq!(md.key_pos("namespace"), Pos::new(15, 21));
    assert_eq!(md.get("namespace").unwrap().pos, Pos::new(15, 32));
}

fn load_with(s: &[u8], opts: &LoadOptions) -> LoadOutput {
    load_bytes(s, "t.yaml", opts)
}

const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n";

fn messages(v: &[LoadError]) -> Vec<String> {
    v.iter().map(ToString::to_string).collect()
}

#[test]
fn block_and_flow_positions_for_keys_and_values() {
    let out = load(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: nginx:1.27\n          ports: [{containerPort: 80}]\n",
    );
    assert_eq!(out.errors, vec![]);
    let o = &out.objects[0];
    assert_eq!(o.pos(), Pos::new(2, 1));
    let c = &o
        .root
        .path(&["spec", "template", "spec", "containers"])
        .unwrap()
        .items()[0];
    assert_eq!(c.pos, Pos::new(9, 11));
    assert_eq!(c.key_pos("image"), Pos::new(10, 11));
    assert_eq!(c.get("image").unwrap().pos, Pos::new(10, 18));
    let port = &c.get("ports").unwrap().items()[0];
    assert_eq!(port.key_pos("containerPort"), Pos::new(11, 20));
    assert_eq!(port.get("containerPort").unwrap().pos, Pos::new(11, 35));
    assert_eq!(port.get("containerPort").unwrap().as_i64(), Some(80));
    // Every value and every key has a position.
    fn all_known(n: &Node) -> bool {
        n.pos.is_known()
            && match &n.value {
                Value::Map(m) => m
                    .entries
                    .iter()
                    .all(|e| e.key_pos.is_known() && all_known(&e.value)),
                Value::Seq(s) => s.iter().all(all_known),
                _ => true,
            }
    }
    assert!(all_known(&o.root));
}

#[test]
fn json_files_load_with_positions_and_json_numbers() {
    let src = "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"ConfigMap\",\n  \"metadata\": {\"name\": \"j\"},\n  \"data\": {\"on\": \"yes\", \"n\": 0644, \"big\": 12345678901234567890, \"f\": 1.5}\n}\n";
    let out = load(src);
    assert_eq!(out.errors, vec![]);
    let o = &out.objects[0];
    assert_eq!(o.pos(), Pos::new(3, 3));
    assert_eq!(o.root.get("kind").unwrap().pos, Pos::new(3, 11));
    let data = o.root.get("data").unwrap();
    // Quoted JSON keys and strings stay as written.
    assert_eq!(data.get("on").unwrap().as_str(), Some("yes"));
    assert_eq!(data.key_pos("on"), Pos::new(5, 12));
    // encoding/json reads 0644 as... it is invalid JSON; kubectl's JSON decoder refuses it, we
    // read the integer literal.
    assert_eq!(data.get("n").unwrap().as_i64(), Some(644));
    assert_eq!(
        data.get("big").unwrap().value,
        Value::Float(1.2345678901234567e19)
    );
    assert_eq!(data.get("f").unwrap().as_f64(), Some(1.5));
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
}

#[test]
fn kubectl_reading_pinned() {
    // `kubectl label --local -f FILE x=y -o json` on this file printed (kubectl 1.32):
    // labels {"1": "c", "1.5": "d", "true": "e"}, name "dup2", data {"a": 1, "b": "x",
    // "<<": "q", "m": {"k1": "v1", "k2": "v2", "k3": "v3"}, "base": {...}, "off": false}.
    let src = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dup\n  name: dup2\n  labels:\n    on: a\n    y: b\n    1: c\n    1.5: d\n    true: e\ndata:\n  a: 1\t\n  b: x\t# tab comment\n  base: &b {k1: v1, k2: v2}\n  m:\n    k1: own\n    <<: *b\n    k3: v3\n  \"<<\": q\n  off: off\n";
    let out = load(src);
    assert_eq!(out.errors, vec![]);
    let got = out.objects[0].root.to_json();
    let want = serde_json::json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "dup2", "labels": {"true": "e", "1": "c", "1.5": "d"}},
        "data": {"a": 1, "b": "x", "base": {"k1": "v1", "k2": "v2"},
                 "m": {"k1": "v1", "k2": "v2", "k3": "v3"}, "<<": "q", "false": false}
    });
    assert_eq!(got, want);
    let w = messages(&out.warnings);
    let has = |s: &str| w.iter().any(|m| m.contains(s));
    assert!(
        has("t.yaml:5:3: duplicate key `name` (first at line 4)"),
        "{w:#?}"
    );
    assert!(has("t.yaml:7:5: key `on` is read as `true`"), "{w:#?}");
    assert!(has("duplicate key `true` (first at line 7)"), "{w:#?}");
    assert!(has("merge key `<<` replaces `k1` set at line 17"), "{w:#?}");
    assert!(has("t.yaml:21:3: key `off` is read as `false`"), "{w:#?}");
    assert!(
        has("t.yaml:21:8: `off` is read as the boolean `false`"),
        "{w:#?}"
    );
    // The replaced key keeps its place and points at the winning line.
    let md = out.objects[0].root.get("metadata").unwrap();
    assert_eq!(md.key_pos("name"), Pos::new(5, 3));
}

#[test]
fn anchors_aliases_and_merge_sequences() {
    let src = format!(
        "{CM}data:\n  a: &x hello\n  b: *x\n  m: &m {{p: 1, q: 2}}\n  nn:\n    <<: [*m, {{p: 9, r: 3}}]\n    q: 5\n"
    );
    let out = load(&src);
    assert_eq!(out.errors, vec![]);
    let data = out.objects[0].root.get("data").unwrap().to_json();
    assert_eq!(
        data,
        serde_json::json!({"a": "hello", "b": "hello", "m": {"p": 1, "q": 2},
                           "nn": {"p": 1, "q": 5, "r": 3}})
    );
    // An alias value points at the alias; a merged key at where it is written.
    let d = out.objects[0].root.get("data").unwrap();
    assert_eq!(d.get("b").unwrap().pos, Pos::new(7, 6));
    assert_eq!(d.get("nn").unwrap().key_pos("p"), Pos::new(8, 10));
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
}

#[test]
fn semantic_errors_skip_one_document_only() {
    let src = format!(
        "{CM}data:\n  a: .inf\n---\n{CM}data: &a\n  x: *a\n---\n{CM}data:\n  m:\n    <<: 5\n---\n{CM}data:\n  ~: v\n---\n{CM}data:\n  ? [a]\n  : v\n---\n{CM}data:\n  ok: fine\n"
    );
    let out = load(&src);
    let e = messages(&out.errors);
    assert_eq!(e.len(), 5, "{e:#?}");
    assert!(
        e[0].starts_with("t.yaml:6:6: json: unsupported value: +Inf"),
        "{e:#?}"
    );
    assert!(e[1].contains("anchor value contains itself"), "{e:#?}");
    assert!(
        e[2].contains("map merge requires map or sequence of maps"),
        "{e:#?}"
    );
    assert!(
        e[3].contains("unsupported map key of type: <nil>"),
        "{e:#?}"
    );
    assert!(e[4].contains("invalid map key"), "{e:#?}");
    assert_eq!(out.errors[4].doc, Some(4));
    assert_eq!(out.objects.len(), 1);
    assert_eq!(out.objects[0].source.doc, 5);
}

#[test]
fn lists_are_expanded_with_positions() {
    let src = "apiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: p1}\n  spec: {containers: [{name: a, image: nginx}]}\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p2}\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata:\n    name: s\n- metadata: {name: nokind}\n- just a string\n";
    let out = load(src);
    let names: Vec<_> = out
        .objects
        .iter()
        .map(|o| (o.kind(), o.name(), o.source.doc, o.source.list_item))
        .collect();
    // kubectl gives kind-less items of a typed list the list's apiVersion and item kind.
    assert_eq!(
        names,
        [
            ("Pod", "p1", 0, Some(0)),
            ("Pod", "p2", 0, Some(1)),
            ("Service", "s", 1, Some(0))
        ]
    );
    assert_eq!(
        out.objects[0].root.get("apiVersion").unwrap().as_str(),
        Some("v1")
    );
    assert_eq!(out.objects[2].root.key_pos("kind"), Pos::new(14, 3));
    assert_eq!(
        out.objects[2]
            .root
            .get("metadata")
            .unwrap()
            .get("name")
            .unwrap()
            .pos,
        Pos::new(16, 11)
    );
    let e = messages(&out.errors);
    assert_eq!(e.len(), 2, "{e:#?}");
    assert!(
        e[0].starts_with("t.yaml:17:3: item 1 of document 2 has no `apiVersion`"),
        "{e:#?}"
    );
    assert!(
        e[1].starts_with("t.yaml:18:3: item 2 of document 2 is a string"),
        "{e:#?}"
    );
}

#[test]
fn documents_that_are_not_objects_are_reported_and_others_loaded() {
    let src = format!(
        "just text\n---\n- a\n- b\n---\n{CM}---\nmetadata: {{name: x}}\nkind: Pod\n---\napiVersion: v1\nmetadata: {{name: y}}\n---\napiVersion: 1\nkind: Pod\n---\n42\n"
    );
    let out = load(&src);
    let e = messages(&out.errors);
    assert_eq!(
        e,
        [
            "t.yaml:1:1: document 1 is a string, not a Kubernetes object (expected a mapping with `apiVersion` and `kind`)",
            "t.yaml:3:1: document 2 is a list, not a Kubernetes object (expected a mapping with `apiVersion` and `kind`)",
            "t.yaml:11:1: document 4 has no `apiVersion`; every Kubernetes object needs `apiVersion` and `kind` (is this a Kubernetes manifest?)",
            "t.yaml:14:1: document 5 has no `kind`; every Kubernetes object needs `apiVersion` and `kind` (is this a Kubernetes manifest?)",
            "t.yaml:17:13: document 6 has an integer as `apiVersion`, expected a string; every Kubernetes object needs `apiVersion` and `kind` (is this a Kubernetes manifest?)",
            "t.yaml:20:1: document 7 is an integer, not a Kubernetes object (expected a mapping with `apiVersion` and `kind`)",
        ]
    );
    assert_eq!(out.objects.len(), 1);
    assert_eq!(out.objects[0].source.doc, 2);
    assert!(out.errors.iter().all(LoadError::is_not_an_object));
    let syntax = load("a: [\n");
    assert!(!syntax.errors[0].is_not_an_object());
}

#[test]
fn structural_errors_refuse_the_object_like_kubectl() {
    let dep = |spec: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n{spec}"
        )
    };
    // kubectl: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container
    let out = load(&dep(
        "      containers:\n        app:\n          image: nginx\n",
    ));
    assert!(out.objects.is_empty());
    assert_eq!(
        messages(&out.errors),
        [
            "t.yaml:9:9: spec.template.spec.containers: expected a list, got a map; kubectl refuses this object, so it is not checked"
        ]
    );
    // kubectl: cannot unmarshal string into Go struct field PodSpec.spec.containers of type v1.Container
    let out =
        load("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - nginx\n");
    assert!(out.objects.is_empty());
    assert!(
        messages(&out.errors)[0]
            .starts_with("t.yaml:7:5: spec.containers[0]: expected a map, got a string")
    );
    // kubectl: cannot unmarshal string into Go struct field SecurityContext...privileged of type bool
    let out = load(&dep(
        "      containers:\n      - name: a\n        securityContext:\n          privileged: \"true\"\n",
    ));
    assert!(out.objects.is_empty());
    assert_eq!(
        messages(&out.errors),
        [
            "t.yaml:11:23: spec.template.spec.containers[0].securityContext.privileged: expected a boolean, got a string (remove the quotes); kubectl refuses this object, so it is not checked"
        ]
    );
    // Pods with only ephemeralContainers load fine.
    let out = load(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  ephemeralContainers:\n  - name: debug\n    image: busybox\n",
    );
    assert_eq!(out.errors, vec![]);
    assert_eq!(out.objects.len(), 1);
}

#[test]
fn encodings_bom_and_utf16_are_transcoded() {
    let src = format!("{CM}data:\n  k: é\n");
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(src.as_bytes());
    let mut le = vec![0xFF, 0xFE];
    le.extend(src.encode_utf16().flat_map(u16::to_le_bytes));
    let mut be = vec![0xFE, 0xFF];
    be.extend(src.encode_utf16().flat_map(u16::to_be_bytes));
    for bytes in [bom, le, be] {
        let out = load_with(&bytes, &LoadOptions::default());
        assert_eq!(out.errors, vec![]);
        let o = &out.objects[0];
        assert_eq!(o.root.path(&["data", "k"]).unwrap().as_str(), Some("é"));
        assert_eq!(o.root.path(&["data", "k"]).unwrap().pos, Pos::new(6, 6));
    }
}

#[test]
fn bad_bytes_are_refused_with_a_reason() {
    let opts = LoadOptions::default();
    let out = load_with(b"apiVersion: v1\nkind: \xff\xfe\x41\n", &opts);
    assert_eq!(
        messages(&out.errors),
        [
            "t.yaml:2:7: invalid UTF-8 (a binary file, or text in another encoding such as Latin-1); re-save it as UTF-8"
        ]
    );
    let out = load_with(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", &opts);
    assert_eq!(out.errors.len(), 1);
    assert!(
        out.errors[0]
            .message
            .starts_with("binary file (contains NUL bytes), skipped")
    );
    // UTF-16 without a byte-order mark.
    let no_bom: Vec<u8> = CM.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let out = load_with(&no_bom, &opts);
    assert!(
        out.errors[0]
            .message
            .contains("UTF-16 without a byte-order mark")
    );
    // Unpaired surrogate.
    let out = load_with(&[0xFF, 0xFE, 0x00, 0xD8, 0x41, 0x00], &opts);
    assert!(out.errors[0].message.starts_with("invalid UTF-16"));
    let out = load_with(&[0xFF, 0xFE, 0x41], &opts);
    assert!(out.errors[0].message.contains("odd number of bytes"));
    assert!(out.objects.is_empty());
}

#[test]
fn oversized_files_are_skipped() {
    let opts = LoadOptions {
        max_file_bytes: 100,
        ..LoadOptions::default()
    };
    let big = format!("{CM}data:\n  k: {}\n", "x".repeat(200));
    let out = load_with(big.as_bytes(), &opts);
    assert!(out.objects.is_empty());
    assert_eq!(out.errors.len(), 1);
    assert!(
        out.errors[0]
            .message
            .contains("over the limit of 100 bytes")
    );
}

#[test]
fn deep_nesting_is_refused_and_the_stream_goes_on() {
    let opts = LoadOptions {
        max_depth: 20,
        ..LoadOptions::default()
    };
    let deep = format!(
        "{CM}data:\n  k: {}{}\n---\n{CM}",
        "[".repeat(30),
        "]".repeat(30)
    );
    let out = load_with(deep.as_bytes(), &opts);
    assert_eq!(out.errors.len(), 1, "{:?}", out.errors);
    assert!(
        out.errors[0]
            .message
            .starts_with("nesting deeper than 20 levels"),
        "{}",
        out.errors[0]
    );
    assert_eq!(out.objects.len(), 1);
    assert_eq!(out.objects[0].source.doc, 1);
    // Far deeper than the parser's own limit: still an error, never a stack overflow.
    let very = format!("{CM}data:\n  k: {}\n", "[".repeat(100_000));
    let out = load(&very);
    assert_eq!(out.errors.len(), 1);
    assert!(out.objects.is_empty());
    let block: String = (0..2000)
        .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
        .collect();
    let out = load(&block);
    assert_eq!(out.errors.len(), 1);
}

#[test]
fn alias_bombs_are_stopped() {
    let mut src = format!("{CM}data:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        src.push_str(&format!("  a{i}: &a{i} [{refs}]\n"));
    }
    src.push_str(&format!("---\n{CM}"));
    let out = load(&src);
    assert_eq!(out.errors.len(), 1, "{:?}", out.errors);
    assert!(
        out.errors[0]
            .message
            .starts_with("aliases expand to more than 1000000 nodes")
    );
    assert_eq!(out.objects.len(), 1);
    // A tight budget counts every expanded node.
    let opts = LoadOptions {
        max_alias_nodes: 20,
        ..LoadOptions::default()
    };
    let src = format!("{CM}data:\n  a: &a [1, 2, 3, 4]\n  b: [*a, *a, *a, *a, *a]\n");
    let out = load_with(src.as_bytes(), &opts);
    assert_eq!(out.errors.len(), 1);
    let src = format!("{CM}data:\n  a: &a [1, 2, 3, 4]\n  b: [*a, *a, *a, *a]\n");
    let out = load_with(src.as_bytes(), &opts);
    assert_eq!(out.errors, vec![]);
}

#[test]
fn syntax_errors_end_the_stream_and_keep_earlier_documents() {
    let src = format!("{CM}---\n{CM}data:\n  a: [1, 2\n---\n{CM}");
    let out = load(&src);
    assert_eq!(out.objects.len(), 1);
    assert_eq!(out.errors.len(), 1);
    let e = &out.errors[0];
    assert_eq!(e.doc, Some(1));
    assert!(e.message.starts_with("YAML syntax error"), "{e}");
    assert!(
        e.message
            .ends_with("this and any later documents in the file are not read")
    );
    assert!(e.pos.is_some_and(|p| p.line >= 11));
    // Tabs as indentation, an unknown alias, garbage.
    for bad in [
        "a:\n\tb: c\n",
        "a: *nope\n",
        "a: 'unterminated\n",
        "]]]\n",
        "a: b: c\n",
        "\u{7}",
    ] {
        let out = load(bad);
        assert_eq!(out.errors.len(), 1, "{bad:?}: {:?}", out.errors);
        assert!(out.objects.is_empty());
    }
}

#[test]
fn surprising_values_warn() {
    let src = format!("{CM}data:\n  a: yes\n  b: 0644\n  c: true\n  d: 'no'\n  e: 1.5\n  f: 00\n");
    let out = load(&src);
    assert_eq!(
        messages(&out.warnings),
        [
            "t.yaml:6:6: `yes` is read as the boolean `true` by kubectl (YAML 1.1); quote it if it is meant as text",
            "t.yaml:7:6: `0644` is read as the octal number 420 by kubectl (YAML 1.1); quote it if it is meant as text",
        ]
    );
}

#[test]
fn large_streams_parse_in_chunks_exactly_as_in_one_piece() {
    let mut src = String::new();
    let mut kind_lines = Vec::new();
    let mut lines = 0;
    for i in 0..5000 {
        // `kind` is on the third line of each document.
        kind_lines.push(lines + 3);
        src.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\ndata:\n  script: |\n    ---x not a marker\n    echo {i}\n  flag: {}\n",
            if i % 1000 == 999 { "on" } else { "'on'" }
        ));
        lines += 10;
        if i == 2000 {
            src.push_str("---\n- not an object\n");
            lines += 2;
        }
    }
    src.push_str(
        "---\nbad: [1, 2\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: after}\n",
    );
    assert!(src.len() > PARALLEL_MIN_BYTES);
    if rayon::current_num_threads() > 1 {
        assert!(split_documents(&src, false).len() > 1);
    }
    let out = load(&src);
    // The same stream in one piece.
    let limits = Limits {
        max_depth: 256,
        max_alias_nodes: 1_000_000,
    };
    let whole = parse_chunk(&src, false, limits, 0);
    assert!(whole.fatal);
    let docs: Vec<u32> = whole
        .events
        .iter()
        .filter_map(|e| match e {
            DocEvent::Doc(d, n) if n.get("kind").is_some() => Some(*d),
            _ => None,
        })
        .collect();
    let got: Vec<u32> = out.objects.iter().map(|o| o.source.doc).collect();
    assert_eq!(got, docs);
    assert_eq!(out.objects.len(), 5000);
    for (o, line) in out.objects.iter().zip(&kind_lines) {
        assert_eq!(o.pos().line, *line, "{}", o.name());
    }
    assert_eq!(out.warnings.len(), 5);
    let e = messages(&out.errors);
    assert_eq!(e.len(), 2, "{e:#?}");
    assert!(e[0].contains("document 2002 is a list"), "{e:#?}");
    assert!(e[1].contains("YAML syntax error"), "{e:#?}");
    assert_eq!(out.errors[1].doc, Some(5001));
}

#[test]
fn crlf_line_endings_and_document_end_markers() {
    let src = "apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: crlf\r\ndata:\r\n  a: |\r\n    line1\r\n    line2\r\n  b: x\r\n  c:\r\n...\r\n---\r\napiVersion: v1\r\nkind: ConfigMap\r\nmetadata: {name: two}\r\n";
    let out = load(src);
    assert_eq!(out.errors, vec![]);
    // kubectl 1.32 printed {"a": "line1\nline2\n", "b": "x", "c": null}.
    assert_eq!(
        out.objects[0].root.get("data").unwrap().to_json(),
        serde_json::json!({"a": "line1\nline2\n", "b": "x", "c": null})
    );
    assert_eq!(
        out.objects[0].root.path(&["data", "b"]).unwrap().pos,
        Pos::new(9, 6)
    );
    assert_eq!(out.objects[1].name(), "two");
    assert_eq!(out.objects[1].pos(), Pos::new(14, 1));
    assert_eq!(out.objects[1].source.doc, 1);
}

/// Mutated and truncated manifests never panic, and whatever loads is a well-formed object.
#[test]
fn mutated_input_never_panics() {
    let base = format!(
        "{CM}data:\n  a: &x \"quoted \\u00e9\"\n  b: *x\n  c: |\n    block\n  d: {{k: [1, 2.5, yes, ~]}}\n  <<: {{m: 1}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d}}\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        image: nginx\n        securityContext: {{privileged: false}}\n"
    );
    let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n.max(1) as u64) as usize
    };
    let alphabet = b"-:[]{}&*!|>'\"#%@`,? \t\n\r\x00\xff0aZ~.";
    for _ in 0..3000 {
        let mut b = base.clone().into_bytes();
        for _ in 0..1 + next(3) {
            if b.is_empty() {
                break;
            }
            let i = next(b.len());
            match next(4) {
                0 => b[i] = alphabet[next(alphabet.len())],
                1 => b.insert(i, alphabet[next(alphabet.len())]),
                2 => {
                    b.remove(i);
                }
                _ => b.truncate(i),
            }
        }
        let out = load_with(&b, &LoadOptions::default());
        for o in &out.objects {
            assert!(!o.kind().is_empty() && !o.id.api_version.is_empty());
            assert!(o.pos().is_known());
        }
        for e in out.errors.iter().chain(&out.warnings) {
            assert_eq!(&*e.file, "t.yaml");
            assert!(!e.message.is_empty());
        }
    }
}

#[test]
fn json_objects_get_the_checks_of_documents() {
    let good = serde_json::json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "x"}]}});
    let out = load_json(&good, "<admission>");
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(out.objects.len(), 1);
    assert_eq!(out.objects[0].name(), "p");
    // The same object read from text gives the same tree.
    let text = load_with(good.to_string().as_bytes(), &LoadOptions::default());
    assert_eq!(
        text.objects[0].root.to_json(),
        out.objects[0].root.to_json()
    );

    let as_map = serde_json::json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "p"}, "spec": {"containers": {"c": {"image": "x"}}}});
    let out = load_json(&as_map, "<admission>");
    assert!(out.objects.is_empty());
    assert!(
        out.errors[0].message.contains("containers"),
        "{:?}",
        out.errors
    );

    let no_kind = serde_json::json!({"apiVersion": "v1", "metadata": {"name": "p"}});
    let out = load_json(&no_kind, "<admission>");
    assert!(out.errors[0].message.contains("`kind`"), "{:?}", out.errors);
}
