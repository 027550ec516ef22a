//! OCI layout archives and the OCI-style `docker save` format, built from the shared layout.

mod common;

use palisade_image::{Ecosystem, ScanOptions, Scanner};
use serde_json::{Value, json};
use std::path::Path;

fn read_json(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

/// The manifest, config and layer digests of a tag in the shared layout.
fn parts(tag: &str) -> (String, Vec<String>) {
    let layout = common::shared().join("images/oci");
    let index = read_json(&layout.join("index.json"));
    let desc = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == tag)
        .unwrap()
        .clone();
    let manifest_digest = desc["digest"].as_str().unwrap().to_string();
    let manifest = read_json(
        &layout
            .join("blobs/sha256")
            .join(manifest_digest.trim_start_matches("sha256:")),
    );
    let mut blobs = vec![
        manifest_digest.clone(),
        manifest["config"]["digest"].as_str().unwrap().to_string(),
    ];
    blobs.extend(
        manifest["layers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["digest"].as_str().unwrap().to_string()),
    );
    (
        serde_json::to_string(&json!({"schemaVersion": 2, "manifests": [desc]})).unwrap(),
        blobs,
    )
}

fn add(b: &mut tar::Builder<std::fs::File>, name: &str, data: &[u8]) {
    let mut h = tar::Header::new_gnu();
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    b.append_data(&mut h, name, data).unwrap();
}

fn blob(d: &str) -> Vec<u8> {
    std::fs::read(
        common::shared()
            .join("images/oci/blobs/sha256")
            .join(d.trim_start_matches("sha256:")),
    )
    .unwrap()
}

#[test]
fn oci_layout_archive() {
    let (index, blobs) = parts("rocky9-rpm-fixture");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rocky.oci.tar");
    let mut b = tar::Builder::new(std::fs::File::create(&path).unwrap());
    add(&mut b, "oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#);
    add(&mut b, "index.json", index.as_bytes());
    for d in &blobs {
        add(
            &mut b,
            &format!("blobs/sha256/{}", d.trim_start_matches("sha256:")),
            &blob(d),
        );
    }
    b.finish().unwrap();
    drop(b);
    let s = Scanner::new(ScanOptions::default()).unwrap();
    // The only image needs no tag; naming it works too.
    for r in [
        format!("oci:{}", path.display()),
        format!("oci:{}:rocky9-rpm-fixture", path.display()),
    ] {
        let rep = s.scan(&r).unwrap();
        assert_eq!(
            rep.packages
                .iter()
                .filter(|p| p.ecosystem == Ecosystem::Rpm)
                .count(),
            5,
            "{r}"
        );
        assert_eq!(rep.manifest_digest.as_deref(), Some(blobs[0].as_str()));
    }
}

#[test]
fn docker_save_oci_style() {
    // Newer `docker save`: an OCI layout plus manifest.json pointing into blobs/sha256.
    let (index, blobs) = parts("alpine320-apk-fixture");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alpine.docker.tar");
    let hex = |d: &str| d.trim_start_matches("sha256:").to_string();
    let manifest = json!([{
        "Config": format!("blobs/sha256/{}", hex(&blobs[1])),
        "RepoTags": ["palisade-test/alpine:3.20"],
        "Layers": blobs[2..].iter().map(|d| format!("blobs/sha256/{}", hex(d))).collect::<Vec<_>>(),
    }]);
    let mut b = tar::Builder::new(std::fs::File::create(&path).unwrap());
    add(&mut b, "oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#);
    add(&mut b, "index.json", index.as_bytes());
    add(&mut b, "manifest.json", manifest.to_string().as_bytes());
    for d in &blobs {
        add(&mut b, &format!("blobs/sha256/{}", hex(d)), &blob(d));
    }
    b.finish().unwrap();
    drop(b);
    let s = Scanner::new(ScanOptions::default()).unwrap();
    let rep = s
        .scan(&format!(
            "docker-archive:{}:palisade-test/alpine:3.20",
            path.display()
        ))
        .unwrap();
    assert_eq!(
        rep.packages
            .iter()
            .filter(|p| p.ecosystem == Ecosystem::Apk)
            .count(),
        14
    );
    assert_eq!(rep.layers[0].digest, blobs[2]);
    let err = s
        .scan(&format!("docker-archive:{}:nope", path.display()))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no image tagged `nope`") && err.contains("palisade-test/alpine:3.20"),
        "{err}"
    );
}

#[test]
fn tampered_layout_blob_is_rejected() {
    let (index, blobs) = parts("alpine320-apk-fixture");
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("blobs/sha256")).unwrap();
    std::fs::write(root.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    std::fs::write(root.join("index.json"), &index).unwrap();
    for d in &blobs {
        let mut data = blob(d);
        if d == &blobs[2] {
            let n = data.len();
            data[n - 1] ^= 0xff;
        }
        std::fs::write(
            root.join("blobs/sha256")
                .join(d.trim_start_matches("sha256:")),
            data,
        )
        .unwrap();
    }
    let err = Scanner::new(ScanOptions::default())
        .unwrap()
        .scan(&format!("oci:{}", root.display()))
        .unwrap_err()
        .to_string();
    assert!(err.contains(&blobs[2]), "{err}");
}
