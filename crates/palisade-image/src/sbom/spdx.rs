//! SPDX 2.3 JSON: the image as the described package, which CONTAINS one package per installed
//! package (purl external reference; layer and file in the comment).

use crate::ImageReport;
use serde_json::{Value, json};

/// SPDX identifiers allow letters, digits, `.` and `-` only.
fn spdx_id(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

pub fn to_json(report: &ImageReport) -> Value {
    let now = super::now_rfc3339();
    let uuid = super::uuid_for(report, &now);
    let mut packages = vec![json!({
        "SPDXID": "SPDXRef-Image",
        "name": report.name,
        "versionInfo": report.digest().unwrap_or("unknown"),
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": false,
        "primaryPackagePurpose": "CONTAINER",
        "licenseConcluded": "NOASSERTION",
        "licenseDeclared": "NOASSERTION",
        "copyrightText": "NOASSERTION",
    })];
    let mut rels = vec![json!({
        "spdxElementId": "SPDXRef-DOCUMENT",
        "relationshipType": "DESCRIBES",
        "relatedSpdxElement": "SPDXRef-Image",
    })];
    for (i, p) in report.packages.iter().enumerate() {
        let id = format!("SPDXRef-Package-{}-{}", i + 1, spdx_id(&p.name));
        let mut comment = Vec::new();
        if let Some(f) = &p.file_path {
            comment.push(format!("found in {f}"));
        }
        if let Some(l) = &p.layer_digest {
            comment.push(format!("layer {l}"));
        }
        let mut pkg = json!({
            "SPDXID": id,
            "name": p.name,
            "versionInfo": p.version,
            "downloadLocation": "NOASSERTION",
            "filesAnalyzed": false,
            "primaryPackagePurpose": if p.ecosystem.is_os() { "OPERATING_SYSTEM" } else { "LIBRARY" },
            "licenseConcluded": "NOASSERTION",
            "licenseDeclared": "NOASSERTION",
            "copyrightText": "NOASSERTION",
            "externalRefs": [{
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": p.purl,
            }],
        });
        if let Some(src) = &p.source_name {
            pkg["sourceInfo"] = json!(format!("built from source package {src}"));
        }
        if !comment.is_empty() {
            pkg["comment"] = json!(comment.join("; "));
        }
        packages.push(pkg);
        rels.push(json!({
            "spdxElementId": "SPDXRef-Image",
            "relationshipType": "CONTAINS",
            "relatedSpdxElement": id,
        }));
    }
    json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": report.name,
        "documentNamespace": format!("https://palisade.dev/spdx/image/{uuid}"),
        "creationInfo": {
            "created": now,
            "creators": [format!("Tool: palisade-{}", env!("CARGO_PKG_VERSION"))],
        },
        "packages": packages,
        "relationships": rels,
    })
}
