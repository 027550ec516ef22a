//! SBOMs validated against JSON schemas: the official CycloneDX 1.5 and SPDX 2.3 schemas
//! (vendored with their sources under tests/schemas), and the SPDX 2.3 specification's
//! constraints the official schema leaves out (identifier patterns), written from the text.

mod common;

use common::{advisory_db, oci};
use palisade_image::{ScanOptions, Scanner, sbom};
use serde_json::Value;

fn load(name: &str) -> Value {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/schemas")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
}

fn errors(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

/// The official SPDX 2.3 schema and our spec-constraints schema.
fn spdx_validators() -> [jsonschema::Validator; 2] {
    ["spdx-2.3.schema.json", "spdx-2.3.constraints.schema.json"].map(|n| {
        jsonschema::options()
            .should_validate_formats(true)
            .build(&load(n))
            .unwrap()
    })
}

fn cyclonedx_validator() -> jsonschema::Validator {
    let res = |n: &str| jsonschema::Resource::from_contents(load(n)).unwrap();
    jsonschema::options()
        .with_resource(
            "http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json",
            res("spdx.SNAPSHOT.schema.json"),
        )
        .with_resource(
            "http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json",
            res("jsf-0.82.SNAPSHOT.schema.json"),
        )
        .should_validate_formats(true)
        .build(&load("bom-1.5.SNAPSHOT.schema.json"))
        .unwrap()
}

#[test]
fn sboms_of_real_images_are_valid() {
    let scanner = Scanner::new(ScanOptions {
        db: Some(advisory_db()),
        ..Default::default()
    })
    .unwrap();
    let cdx = cyclonedx_validator();
    let spdx = spdx_validators();
    for tag in [
        "bookworm-app",
        "rocky9-rpm-fixture",
        "alpine320-apk-fixture",
    ] {
        let r = scanner.scan(&oci(tag)).unwrap();
        let doc = sbom::cyclonedx::to_json(&r);
        assert_eq!(errors(&cdx, &doc), Vec::<String>::new(), "{tag} CycloneDX");
        let comps = doc["components"].as_array().unwrap();
        assert!(
            comps.len() > r.packages.len() - 1,
            "{tag}: every package is a component"
        );
        let doc = sbom::spdx::to_json(&r);
        for v in &spdx {
            assert_eq!(errors(v, &doc), Vec::<String>::new(), "{tag} SPDX");
        }
        assert_eq!(
            doc["packages"].as_array().unwrap().len(),
            r.packages.len() + 1
        );
        if tag == "bookworm-app" {
            let cdx_doc = sbom::cyclonedx::to_json(&r);
            let vulns = cdx_doc["vulnerabilities"]
                .as_array()
                .expect("vulnerabilities");
            assert!(
                vulns
                    .iter()
                    .any(|v| v["affects"][0]["ref"] == "pkg:cargo/smallvec@1.6.0")
            );
            assert!(
                comps
                    .iter()
                    .any(|c| c["purl"] == "pkg:pypi/requests@2.19.1")
            );
        }
    }
}

#[test]
fn validators_reject_broken_documents() {
    // The schemas are real constraints: a document missing required parts fails.
    let cdx = cyclonedx_validator();
    let bad = serde_json::json!({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"type": "library"}]});
    assert!(!errors(&cdx, &bad).is_empty());
    let [official, constraints] = spdx_validators();
    let bad = serde_json::json!({"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "packages": [{"SPDXID": "bad id", "name": "x"}]});
    assert!(!errors(&official, &bad).is_empty());
    assert!(!errors(&constraints, &bad).is_empty());
    // The official schema on its own: a package without its required download location fails.
    let doc = serde_json::json!({"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "dataLicense": "CC0-1.0",
        "name": "x", "documentNamespace": "https://example.com/x",
        "creationInfo": {"created": "2024-01-01T00:00:00Z", "creators": ["Tool: t"]},
        "packages": [{"SPDXID": "SPDXRef-p", "name": "p"}]});
    assert!(!errors(&official, &doc).is_empty());
}
