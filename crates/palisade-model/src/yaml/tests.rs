use super::*;

fn docs(s: &str) -> Vec<DocEvent> {
    let mut v = Vec::new();
    parse_stream(
        s,
        false,
        Limits {
            max_depth: 64,
            max_alias_nodes: 1000,
        },
        |e| v.push(e),
    );
    v
}

#[test]
fn empty_documents_are_skipped() {
    let d = docs("---\n---\n# c\n---\na: 1\n");
    assert_eq!(d.len(), 1);
    assert!(matches!(&d[0], DocEvent::Doc(2, n) if n.get("a").and_then(Node::as_i64) == Some(1)));
}
