//! A scan (`Engine::run`: chunks judged on all cores, texts shared within a chunk, findings
//! sorted) must give exactly what judging the objects one by one over the same index gives:
//! same findings, positions, messages, exemptions.

use super::*;
use palisade_model::Str;
use std::path::Path;

fn load_dir(dir: &Path, out: &mut Vec<Object>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("fixture dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            load_dir(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml") {
            let bytes = std::fs::read(&p).expect("fixture");
            let loaded =
                palisade_model::load_bytes(&bytes, &p.display().to_string(), &Default::default());
            out.extend(loaded.objects);
        }
    }
}

type Key = (u32, u32, Pos, String, String, Option<Str>, bool);

fn key(f: &Finding) -> Key {
    (
        f.rule,
        f.object,
        f.pos,
        f.message().to_string(),
        f.path().to_string(),
        f.container().map(Str::from),
        f.exemption.is_some(),
    )
}

#[test]
fn a_scan_gives_what_judging_objects_one_by_one_gives() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut objects = Vec::new();
    load_dir(
        &root.join("crates/palisade-checks/tests/fixtures"),
        &mut objects,
    );
    load_dir(&root.join("examples"), &mut objects);
    assert!(objects.len() > 300, "{} objects", objects.len());
    let config = Config::parse(
        "checks:\n  enable: [\"*\"]\nexemptions:\n  - checks: [host-network]\n    objects: [\"Pod/*\"]\n    reason: test\n",
        "test.yaml",
    )
    .expect("config");
    let pss = pss::Pss::new("restricted", &config.pss).expect("pss");
    let engine = Engine::new(&config, vec![Box::new(pss)], Date::today()).expect("engine");

    let enabled = &engine.enabled;
    let mut want: Vec<Key> = {
        let index = Index::new(&objects, &engine.custom);
        let prepared = engine.prepare_for(&index, enabled, None);
        let mut s = Scratch::default();
        for (i, obj) in objects.iter().enumerate() {
            let pod = PodSpec::of(obj, &engine.custom);
            engine.evaluate_into(&prepared, enabled, i as u32, obj, pod, &mut s);
        }
        s.finish().iter().map(key).collect()
    };
    want.sort();

    let again = engine.run(objects.clone(), Vec::new(), Vec::new());
    let scan = engine.run(objects, Vec::new(), Vec::new());
    let in_order =
        |s: &Scan| -> Vec<Key> { s.findings.iter().chain(&s.exempted).map(key).collect() };
    assert!(
        in_order(&scan) == in_order(&again),
        "the order of findings is not deterministic"
    );
    let mut got = in_order(&scan);
    got.sort();
    let cross = |k: &&Key| engine.rules[k.0 as usize].cross_object;
    assert!(want.iter().filter(cross).count() > 100);
    assert!(want.iter().filter(|k| !cross(k)).count() > 100);
    assert!(want.iter().any(|k| k.6), "an exemption applies");
    assert_eq!(got.len(), want.len());
    assert!(
        got == want,
        "the scan differs from judging objects one by one"
    );
}

#[test]
fn a_finding_keeps_message_path_and_container_apart() {
    let engine = Engine::new(&Config::default(), Vec::new(), Date::today()).expect("engine");
    let obj = palisade_model::load_bytes(
        b"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: []\n",
        "p.yaml",
        &Default::default(),
    )
    .objects
    .remove(0);
    struct One(Diagnostic);
    impl Prepared for One {
        fn evaluate<'o>(
            &self,
            _: &'o Object,
            _: Option<PodSpec<'o>>,
            out: &mut Vec<(usize, Diagnostic)>,
        ) {
            out.push((0, self.0.clone()));
        }
    }
    let all = vec![true; engine.rules.len()];
    // Findings of one chunk, their texts in one shared buffer; repeated texts are shared, and
    // texts that only look alike (a path that is another's path and container run together, a
    // message equal to a path) keep their own parts.
    let mut s = Scratch::default();
    let cases = [
        ("msg", "/spec/x", Some("web")),
        ("", "", None),
        ("another message", "/spec/y", Some("")),
        ("msg", "/spec/x", Some("web")),
        ("msg", "/spec/xweb", None),
        ("msg", "/spec/x", Some("we")),
        ("/spec/x", "msg", None),
        ("another message", "/spec/y", None),
        ("", "", Some("")),
    ];
    for (i, (message, path, container)) in cases.into_iter().enumerate() {
        let mut d = Diagnostic::new(message, Pos::new(3, 1)).at_path(path);
        if let Some(c) = container {
            d = d.in_container(c);
        }
        let prepared: Vec<(usize, Box<dyn Prepared>)> = vec![(0, Box::new(One(d)))];
        engine.evaluate_into(&prepared, &all, (i / 2) as u32, &obj, None, &mut s);
    }
    let found = s.finish();
    let got: Vec<_> = found
        .iter()
        .map(|f| (f.message(), f.path(), f.container()))
        .collect();
    assert_eq!(got, cases);
    let texts = found[0].texts.as_ref().unwrap();
    assert_eq!(
        texts.as_str(),
        "msg/spec/xwebanother message/spec/y/spec/xweb/spec/xwe/spec/x/spec/y",
        "repeated messages and (path, container) pairs are stored once"
    );
    assert!(
        found
            .windows(2)
            .all(|w| Arc::ptr_eq(w[0].texts.as_ref().unwrap(), w[1].texts.as_ref().unwrap())),
        "one chunk, one text buffer"
    );
    assert_eq!(
        std::mem::size_of::<Finding>(),
        56,
        "a scan holds hundreds of thousands"
    );
}

#[test]
fn fingerprints_keep_their_values() {
    let load = |y: &str| {
        palisade_model::load_bytes(y.as_bytes(), "f.yaml", &Default::default())
            .objects
            .remove(0)
    };
    let web =
        load("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\n");
    let path = "/spec/template/spec/containers/0/securityContext";
    let print = fingerprint("run-as-non-root", &web, Some("app"), path, "ignored");
    assert_eq!(format!("{print:016x}"), "26c0036a7d93cdba");
    let db = load("apiVersion: v1\nkind: Service\nmetadata: {name: db}\n");
    let message = "Service default/db selects no pods";
    let print = fingerprint("service-selects-no-pods", &db, None, "", message);
    assert_eq!(format!("{print:016x}"), "65166b18258055f3");
}

/// `Fingerprints` (a batch ahead, four at a time) gives what `Scan::fingerprint` gives one by
/// one, wherever reading starts and in whatever order.
#[test]
fn batched_fingerprints_match_one_by_one() {
    let mut objects = Vec::new();
    load_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../palisade-checks/tests/fixtures"),
        &mut objects,
    );
    let config = Config::parse("checks:\n  enable: [\"*\"]\n", "test.yaml").expect("config");
    let engine = Engine::new(&config, Vec::new(), Date::today()).expect("engine");
    let scan = engine.run(objects, Vec::new(), Vec::new());
    assert!(scan.findings.len() > 300, "findings of many lengths");
    assert!(
        scan.findings
            .iter()
            .any(|f| f.message().len() > 256 && f.path().is_empty()),
        "and identities too long for a lane's buffer"
    );
    let one: Vec<u64> = scan.findings.iter().map(|f| scan.fingerprint(f)).collect();
    // Read in order, from any start, and out of order.
    for start in 0..5 {
        let mut prints = Fingerprints::default();
        for (i, want) in one.iter().enumerate().skip(start) {
            assert_eq!(prints.get(&scan, &scan.findings, i), *want, "finding {i}");
        }
    }
    let mut prints = Fingerprints::default();
    for i in (0..scan.findings.len()).rev().step_by(7) {
        assert_eq!(prints.get(&scan, &scan.findings, i), one[i], "finding {i}");
    }
}

/// Objects in file order sort on their indexes (`Engine::run`'s fast path); objects in any
/// other order sort on their (file, document) rank. Both give the same list, in file order.
#[test]
fn findings_come_in_file_order_whichever_way_objects_arrive() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut objects = Vec::new();
    // One example app: cross-object verdicts do not depend on the order of a set whose objects
    // are all distinct (the fixtures and the two variants repeat names).
    load_dir(&root.join("examples/insecure"), &mut objects);
    let ids: std::collections::HashSet<_> = objects.iter().map(|o| o.id.to_string()).collect();
    assert_eq!(ids.len(), objects.len(), "the examples repeat an object");
    // One object per document, in file order: the fast path applies.
    let place = |o: &Object| (o.source.display_file().to_string(), o.source.doc);
    objects.sort_by_key(place);
    let places: Vec<_> = objects.iter().map(place).collect();
    assert!(
        places.windows(2).all(|w| w[0] < w[1]),
        "two objects share a document"
    );
    let engine = Engine::new(&Config::default(), Vec::new(), Date::today()).expect("engine");
    let listed = |scan: &Scan| -> Vec<(String, u32, Pos, String, String, String)> {
        scan.findings
            .iter()
            .map(|f| {
                let (file, doc) = place(scan.object(f));
                let rule = scan.rule(f).id.clone();
                (
                    file,
                    doc,
                    f.pos,
                    rule,
                    f.path().to_string(),
                    f.message().to_string(),
                )
            })
            .collect()
    };
    let in_order = listed(&engine.run(objects.clone(), Vec::new(), Vec::new()));
    objects.reverse();
    let reversed = listed(&engine.run(objects, Vec::new(), Vec::new()));
    assert!(in_order.len() > 20, "{} findings", in_order.len());
    let head =
        |x: &(String, u32, Pos, String, String, String)| (x.0.clone(), x.1, x.2, x.3.clone());
    assert!(in_order.windows(2).all(|w| head(&w[0]) <= head(&w[1])));
    assert_eq!(in_order, reversed);
}
