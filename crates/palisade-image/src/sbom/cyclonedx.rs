//! CycloneDX 1.5 JSON: the image as the metadata component, one component per package (with
//! purl, layer and file as properties) and the known vulnerabilities.

use crate::ImageReport;
use crate::inventory::kind;
use serde_json::{Value, json};
use std::collections::HashSet;

pub fn to_json(report: &ImageReport) -> Value {
    let now = super::now_rfc3339();
    let mut refs = HashSet::new();
    let mut bom_refs = Vec::new();
    let mut components = Vec::new();
    if let Some(os) = &report.os {
        components.push(json!({
            "type": "operating-system",
            "bom-ref": "os",
            "name": os.id,
            "version": os.version_id,
            "description": os.display(),
        }));
        refs.insert("os".to_string());
        bom_refs.push("os".to_string());
    }
    let mut purl_ref = std::collections::HashMap::new();
    for p in &report.packages {
        let mut r = p.purl.clone();
        let mut n = 1;
        while !refs.insert(r.clone()) {
            n += 1;
            r = format!("{}#{n}", p.purl);
        }
        purl_ref.entry(p.purl.clone()).or_insert_with(|| r.clone());
        let mut props = vec![json!({"name": "palisade:package:type", "value": kind(p)})];
        if let Some(l) = &p.layer_digest {
            props.push(json!({"name": "palisade:layer:digest", "value": l}));
        }
        if let Some(f) = &p.file_path {
            props.push(json!({"name": "palisade:location:path", "value": f}));
        }
        if let Some(s) = &p.source_name {
            props.push(json!({"name": "palisade:package:source-name", "value": s}));
        }
        components.push(json!({
            "type": "library",
            "bom-ref": r,
            "name": p.name,
            "version": p.version,
            "purl": p.purl,
            "properties": props,
        }));
        bom_refs.push(r);
    }
    let image_ref = "image";
    let mut vulns = Vec::new();
    for v in &report.vulnerabilities {
        let Some(target) = purl_ref.get(&v.purl) else {
            continue;
        };
        let mut rating = json!({"severity": palisade_vulndb::rating_str(v.severity)});
        if let Some(s) = v.cvss_score {
            rating["score"] = json!(s);
            rating["method"] = json!("CVSSv31");
        }
        let mut entry = json!({
            "bom-ref": format!("{}@{}", v.id, target),
            "id": v.id,
            "source": {"name": "OSV", "url": format!("https://osv.dev/vulnerability/{}", v.id)},
            "ratings": [rating],
            "description": v.summary,
            "affects": [{"ref": target}],
        });
        if !v.aliases.is_empty() {
            entry["references"] = Value::Array(
                v.aliases
                    .iter()
                    .map(|a| json!({"id": a, "source": {"name": if a.starts_with("CVE-") { "NVD" } else { "OSV" }}}))
                    .collect(),
            );
        }
        if v.has_fix() {
            entry["recommendation"] = json!(format!(
                "Upgrade {} to {}",
                v.package,
                v.fixed_versions.join(" or ")
            ));
        }
        vulns.push(entry);
    }
    let mut doc = json!({
        "$schema": "http://cyclonedx.org/schema/bom-1.5.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": format!("urn:uuid:{}", super::uuid_for(report, &now)),
        "version": 1,
        "metadata": {
            "timestamp": now,
            "tools": {"components": [{"type": "application", "name": "palisade", "version": env!("CARGO_PKG_VERSION")}]},
            "component": {
                "type": "container",
                "bom-ref": image_ref,
                "name": report.name,
                "version": report.digest().unwrap_or("unknown"),
            },
        },
        "components": components,
        "dependencies": [{"ref": image_ref, "dependsOn": bom_refs}],
    });
    if !vulns.is_empty() {
        doc["vulnerabilities"] = Value::Array(vulns);
    }
    doc
}
