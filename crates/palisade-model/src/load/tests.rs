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
