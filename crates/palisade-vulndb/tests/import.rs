//! Import semantics: zips, updates by `modified`, problems, alias merging, versions lists, limits.

use palisade_vulndb::{Ecosystem, Package, Severity, VulnDb};
use std::io::Write;
use std::path::Path;

fn write(dir: &Path, name: &str, body: &str) {
    std::fs::write(dir.join(name), body).expect("write");
}

fn record(
    id: &str,
    modified: &str,
    aliases: &str,
    eco: &str,
    name: &str,
    events: &str,
    extra: &str,
) -> String {
    format!(
        r#"{{"id":"{id}","modified":"{modified}","aliases":{aliases},"summary":"{id} summary",
        "affected":[{{"package":{{"ecosystem":"{eco}","name":"{name}"}},
        "ranges":[{{"type":"ECOSYSTEM","events":{events}}}]}}]{extra}}}"#
    )
}

fn setup() -> (tempfile::TempDir, VulnDb) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = VulnDb::open(dir.path().join("db/v.db")).expect("open creates the directory");
    (dir, db)
}

#[test]
fn zip_archives_as_osv_publishes_them() {
    let (dir, db) = setup();
    let zpath = dir.path().join("npm.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&zpath).expect("create"));
    let opts = zip::write::SimpleFileOptions::default();
    for (name, body) in [
        (
            "GHSA-aaaa-0001.json",
            record(
                "GHSA-aaaa-0001",
                "2024-01-01T00:00:00Z",
                "[]",
                "npm",
                "lodash",
                r#"[{"introduced":"0"},{"fixed":"4.17.21"}]"#,
                "",
            ),
        ),
        (
            "GHSA-aaaa-0002.json",
            record(
                "GHSA-aaaa-0002",
                "2024-01-01T00:00:00Z",
                "[]",
                "npm",
                "minimist",
                r#"[{"introduced":"0"},{"fixed":"1.2.6"}]"#,
                "",
            ),
        ),
        ("README.txt", "not a record".to_string()),
    ] {
        z.start_file(name, opts).expect("entry");
        z.write_all(body.as_bytes()).expect("write entry");
    }
    z.finish().expect("finish");
    let r = db.import(&[zpath]).expect("import");
    assert_eq!((r.files, r.inserted), (2, 2));
    let ms = db
        .match_packages(&[
            Package::new(Ecosystem::Npm, "lodash", "4.17.15"),
            Package::new(Ecosystem::Npm, "minimist", "1.2.0"),
            Package::new(Ecosystem::Npm, "minimist", "1.2.6"),
        ])
        .expect("match");
    assert_eq!(
        ms.iter()
            .map(|m| (m.package, m.fixed.clone()))
            .collect::<Vec<_>>(),
        vec![
            (0, vec!["4.17.21".to_string()]),
            (1, vec!["1.2.6".to_string()])
        ]
    );
}

#[test]
fn updates_follow_modified() {
    let (dir, db) = setup();
    let src = dir.path().join("src");
    std::fs::create_dir(&src).expect("mkdir");
    let ev1 = r#"[{"introduced":"0"},{"fixed":"1.0.0"}]"#;
    let ev2 = r#"[{"introduced":"0"},{"fixed":"2.0.0"}]"#;
    write(
        &src,
        "X.json",
        &record(
            "CRATE-1",
            "2024-01-01T00:00:00Z",
            "[]",
            "crates.io",
            "demo",
            ev1,
            "",
        ),
    );
    assert_eq!(
        db.import(std::slice::from_ref(&src))
            .expect("import")
            .inserted,
        1
    );
    let p = [Package::new(Ecosystem::CratesIo, "demo", "1.5.0")];
    assert!(db.match_packages(&p).expect("match").is_empty());
    // A newer revision widens the range: it replaces the stored one.
    write(
        &src,
        "X.json",
        &record(
            "CRATE-1",
            "2024-02-01T00:00:00.5Z",
            "[]",
            "crates.io",
            "demo",
            ev2,
            "",
        ),
    );
    let r = db.import(std::slice::from_ref(&src)).expect("import");
    assert_eq!((r.inserted, r.updated), (0, 1));
    assert_eq!(
        db.match_packages(&p).expect("match")[0].fixed,
        vec!["2.0.0"]
    );
    // An older copy (by `modified`) does not overwrite it.
    write(
        &src,
        "X.json",
        &record(
            "CRATE-1",
            "2024-02-01T00:00:00Z",
            "[]",
            "crates.io",
            "demo",
            ev1,
            "",
        ),
    );
    let r = db.import(std::slice::from_ref(&src)).expect("import");
    assert_eq!((r.updated, r.older), (0, 1));
    assert_eq!(db.match_packages(&p).expect("match").len(), 1);
    assert_eq!(db.status().expect("status").records, 1);
}

#[test]
fn bad_inputs_are_reported_and_the_rest_imported() {
    let (dir, db) = setup();
    let src = dir.path().join("src");
    std::fs::create_dir(&src).expect("mkdir");
    write(&src, "bad.json", "{\n  \"id\": \"X\",\n  oops\n}");
    write(&src, "bad.yaml", "id: [unclosed");
    write(
        &src,
        "good.yaml",
        "id: PYSEC-1\nmodified: '2024-01-01T00:00:00Z'\naffected:\n- package: {ecosystem: PyPI, name: Demo_Pkg}\n  versions: ['1.0']\n",
    );
    write(&src, "notes.txt", "ignored");
    let r = db
        .import(&[src.clone(), dir.path().join("missing")])
        .expect("import");
    assert_eq!(r.inserted, 1);
    let shown: Vec<String> = r.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(shown.len(), 3, "{shown:?}");
    assert!(shown.iter().any(|s| s.contains("bad.json:3:")), "{shown:?}");
    assert!(shown.iter().any(|s| s.contains("bad.yaml")), "{shown:?}");
    assert!(shown.iter().any(|s| s.contains("missing")), "{shown:?}");
    // `versions` lists are compared in the ecosystem's order (1.0 == 1.0.0) and names per PEP 503.
    let ms = db
        .match_packages(&[Package::new(Ecosystem::PyPI, "demo.pkg", "1.0.0")])
        .expect("match");
    assert_eq!(ms.len(), 1);
    assert!(
        db.match_packages(&[Package::new(Ecosystem::PyPI, "demo-pkg", "1.0.1")])
            .expect("match")
            .is_empty()
    );
}

#[test]
fn aliases_are_merged_into_one_report() {
    let (dir, db) = setup();
    let ev = r#"[{"introduced":"0"},{"fixed":"2.0.0"}]"#;
    let v3 = r#","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]"#;
    let ghsa = r#","database_specific":{"severity":"MODERATE"}"#;
    write(
        dir.path(),
        "a.json",
        &record(
            "PYSEC-2024-1",
            "2024-01-01T00:00:00Z",
            r#"["CVE-2024-1"]"#,
            "PyPI",
            "demo",
            ev,
            "",
        ),
    );
    write(
        dir.path(),
        "b.json",
        &record(
            "GHSA-xxxx-yyyy-zzzz",
            "2024-01-01T00:00:00Z",
            r#"["CVE-2024-1"]"#,
            "PyPI",
            "demo",
            ev,
            v3,
        ),
    );
    write(
        dir.path(),
        "c.json",
        &record(
            "GHSA-other",
            "2024-01-01T00:00:00Z",
            "[]",
            "PyPI",
            "demo",
            r#"[{"introduced":"1.0"},{"limit":"1.5"}]"#,
            ghsa,
        ),
    );
    db.import(&[dir.path().to_path_buf()]).expect("import");
    let ms = db
        .match_packages(&[Package::new(Ecosystem::PyPI, "demo", "1.2")])
        .expect("match");
    assert_eq!(ms.len(), 2, "{ms:?}");
    assert_eq!(ms[0].id, "PYSEC-2024-1");
    assert_eq!(ms[0].aliases, vec!["CVE-2024-1", "GHSA-xxxx-yyyy-zzzz"]);
    assert_eq!(ms[0].severity, Some(Severity::Critical));
    assert_eq!(ms[0].score, Some(9.8));
    assert_eq!(ms[0].summary, "PYSEC-2024-1 summary");
    assert_eq!(ms[1].id, "GHSA-other");
    assert_eq!(ms[1].severity, Some(Severity::Medium));
    // `limit` bounds the range: 1.5 and later are outside it.
    let ids = |v: &str| -> Vec<String> {
        db.match_packages(&[Package::new(Ecosystem::PyPI, "demo", v)])
            .expect("match")
            .into_iter()
            .map(|m| m.id)
            .collect()
    };
    assert_eq!(ids("1.6"), vec!["PYSEC-2024-1"]);
    assert!(ids("2.0").is_empty());
}
