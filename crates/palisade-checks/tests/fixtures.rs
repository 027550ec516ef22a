//! Fixture-driven tests, one folder per check (as ruff does):
//! `tests/fixtures/<id>/pass.yaml` must give no diagnostic for the check and
//! `tests/fixtures/<id>/fail.yaml` at least one; `fail.snap` pins every diagnostic
//! (`line:col [container] message`). Regenerate snapshots with `UPDATE_SNAPSHOTS=1 cargo test`.
//! A check without both fixtures fails the test.

use palisade_checks::{Ctx, default_params, rules};
use palisade_model::{CustomWorkloads, Index, LoadOptions, Object, PodSpec, load_bytes};
use std::path::Path;

fn load(file: &Path) -> Vec<Object> {
    let bytes = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let out = load_bytes(&bytes, &file.display().to_string(), &LoadOptions::default());
    assert!(
        out.errors.is_empty(),
        "{}: {:?}",
        file.display(),
        out.errors
    );
    assert!(
        !out.objects.is_empty(),
        "{}: no objects loaded",
        file.display()
    );
    out.objects
}

/// Diagnostics of check `id` on every object of `objects`, as snapshot lines. With `alone`,
/// each object is checked with an index holding only itself (as the admission webhook sees it).
fn diagnostics(id: &str, objects: &[Object], alone: bool) -> Vec<String> {
    let custom = CustomWorkloads::default();
    let check = palisade_checks::find(id).expect("registered");
    let params = default_params(check.meta());
    let mut lines = Vec::new();
    for obj in objects {
        // Alone: with nothing indexed, as a scan runs the checks that are not cross-object.
        let set = if alone { &[] } else { objects };
        let index = Index::new(set, &custom);
        let ctx = Ctx::new(&index, &params);
        let mut diags = Vec::new();
        check.run(obj, &ctx, &mut diags);
        // The engine hands every check the pod spec it worked out once, and what the check
        // prepared from its parameters: same verdict.
        let prepared = check.prepare(&params);
        let memo = palisade_checks::Memo::default();
        let judged = Ctx {
            judged: Some((obj, PodSpec::of(obj, &custom))),
            prepared: prepared.as_deref(),
            memo: Some(&memo),
            ..Ctx::new(&index, &params)
        };
        let mut with_pod = Vec::new();
        check.run(obj, &judged, &mut with_pod);
        assert_eq!(
            format!("{diags:?}"),
            format!("{with_pod:?}"),
            "{id} on {}: the pod spec or prepared parameters given by the caller changed the verdict",
            obj.id
        );
        for d in diags {
            lines.push(format!(
                "{}:{} {} {}{}",
                d.pos.line,
                d.pos.col,
                obj.id,
                d.container.map(|c| format!("[{c}] ")).unwrap_or_default(),
                d.message
            ));
        }
    }
    lines
}

fn run(id: &str, file: &Path) -> Vec<String> {
    diagnostics(id, &load(file), false)
}

#[test]
fn every_check_passes_and_fails_its_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut problems = Vec::new();
    for check in rules::ALL {
        let id = check.meta().id;
        let dir = root.join(id);
        let (pass, fail) = (dir.join("pass.yaml"), dir.join("fail.yaml"));
        if !pass.exists() || !fail.exists() {
            problems.push(format!(
                "{id}: missing tests/fixtures/{id}/pass.yaml or fail.yaml"
            ));
            continue;
        }
        let p = run(id, &pass);
        if !p.is_empty() {
            problems.push(format!(
                "{id}: pass.yaml gave diagnostics:\n  {}",
                p.join("\n  ")
            ));
        }
        let f = run(id, &fail);
        if f.is_empty() {
            problems.push(format!("{id}: fail.yaml gave no diagnostic"));
        }
        let snap = dir.join("fail.snap");
        let got = f.join("\n") + "\n";
        if update {
            std::fs::write(&snap, &got).expect("write snapshot");
        } else {
            match std::fs::read_to_string(&snap) {
                Ok(want) if want == got => {}
                Ok(want) => problems.push(format!(
                    "{id}: fail.snap differs\n--- want\n{want}--- got\n{got}"
                )),
                Err(_) => {
                    problems.push(format!("{id}: no fail.snap (run with UPDATE_SNAPSHOTS=1)"))
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn ids_are_unique_kebab_case_and_documented() {
    let mut seen = std::collections::HashSet::new();
    for c in rules::ALL {
        let m = c.meta();
        assert!(seen.insert(m.id), "duplicate id {}", m.id);
        assert!(
            m.id.chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-'),
            "{} is not kebab-case",
            m.id
        );
        assert!(
            !m.title.is_empty() && !m.rationale.is_empty() && !m.remediation.is_empty(),
            "{}",
            m.id
        );
        for p in m.params {
            assert!(
                serde_json::from_str::<serde_json::Value>(p.default).is_ok(),
                "{}: param {} default is not JSON",
                m.id,
                p.name
            );
        }
    }
}

/// `cross_object` must be true exactly for the checks whose verdict on an object changes when
/// the other objects of its fixtures are left out: the webhook skips those, and must run the rest,
/// and a scan runs the rest with nothing indexed, releasing each object's tree once judged.
/// A check that says it only judges objects with a pod spec (`Check::pods_only`, which the
/// engine uses to skip it) finds nothing in any object without one, across every fixture.
#[test]
fn pods_only_checks_pass_objects_without_pods() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let custom = CustomWorkloads::default();
    let mut files: Vec<_> = std::fs::read_dir(&root)
        .expect("fixtures")
        .flat_map(|d| ["pass.yaml", "fail.yaml"].map(|f| d.as_ref().expect("entry").path().join(f)))
        .filter(|f| f.exists())
        .collect();
    files.sort();
    let sets: Vec<Vec<Object>> = files.iter().map(|f| load(f)).collect();
    let podless = sets
        .iter()
        .flatten()
        .filter(|o| PodSpec::of(o, &custom).is_none())
        .count();
    // Services, RBAC, NetworkPolicies, PDBs, HPAs, Ingresses, ConfigMaps, Namespaces, ...
    assert!(podless > 100, "only {podless} objects without a pod spec");
    let mut marked = 0;
    let mut problems = Vec::new();
    for check in rules::ALL.iter().filter(|c| c.pods_only()) {
        marked += 1;
        let params = default_params(check.meta());
        for objects in &sets {
            let index = Index::new(objects, &custom);
            for obj in objects.iter().filter(|o| PodSpec::of(o, &custom).is_none()) {
                let mut diags = Vec::new();
                check.run(obj, &Ctx::new(&index, &params), &mut diags);
                if !diags.is_empty() {
                    problems.push(format!(
                        "{} finds {:?} in {}",
                        check.meta().id,
                        diags,
                        obj.id
                    ));
                }
            }
        }
    }
    eprintln!(
        "{marked} checks marked pods_only, none finds anything in {podless} objects without a pod spec"
    );
    assert!(marked > 50, "only {marked} checks marked pods_only");
    assert!(
        problems.is_empty(),
        "checks marked pods_only judge objects without a pod spec; unmark them:\n{}",
        problems.join("\n")
    );
}

#[test]
fn cross_object_flag_matches_behaviour() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut problems = Vec::new();
    for check in rules::ALL {
        let m = check.meta();
        let mut differs = false;
        for f in ["pass.yaml", "fail.yaml"] {
            let file = root.join(m.id).join(f);
            if !file.exists() {
                continue;
            }
            let objects = load(&file);
            differs |= diagnostics(m.id, &objects, true) != diagnostics(m.id, &objects, false);
        }
        if differs && !m.cross_object {
            problems.push(format!(
                "{}: its verdict depends on other objects; set `cross_object: true`",
                m.id
            ));
        }
        if !differs && m.cross_object {
            problems.push(format!(
                "{}: marked cross_object but no fixture shows it; add a fixture object whose \
                 verdict depends on another, or unset the flag",
                m.id
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}
