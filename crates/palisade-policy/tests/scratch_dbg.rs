use palisade_policy::cel;
#[test]
fn dbg() {
    for e in ["{'a': 1}.b", "has({'a': 1}.b.c)", "{'a': {'x': 1}}.a.x", "'s'.b", "null.b", "has(null.b)", "[1].exists(x, x.y == 1)", "{'a': 1}['b']"] {
        let r = cel::compile(e).and_then(|p| cel::with_scope(|s| s.eval(&p)));
        println!("{e} => {r:?}");
    }
}
