//! Report formats. Every format is a pure function of the scan, so the CLI, CI and the webhook
//! print the same facts.

mod json;
mod junit;
mod markdown;
mod sarif;
mod text;

use palisade_engine::{Finding, Scan};
use palisade_model::Severity;
use palisade_render::Texts;
use std::str::FromStr;

pub use json::to_json;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Junit,
    Markdown,
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Format, String> {
        Ok(match s {
            "text" => Format::Text,
            "json" => Format::Json,
            "sarif" => Format::Sarif,
            "junit" => Format::Junit,
            "markdown" | "md" => Format::Markdown,
            _ => {
                return Err(format!(
                    "unknown format `{s}`; expected text, json, sarif, junit or markdown"
                ));
            }
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum GroupBy {
    #[default]
    Check,
    Owner,
    Namespace,
    File,
}

impl FromStr for GroupBy {
    type Err = String;
    fn from_str(s: &str) -> Result<GroupBy, String> {
        Ok(match s {
            "check" => GroupBy::Check,
            "owner" => GroupBy::Owner,
            "namespace" => GroupBy::Namespace,
            "file" => GroupBy::File,
            _ => {
                return Err(format!(
                    "unknown grouping `{s}`; expected owner, check, namespace or file"
                ));
            }
        })
    }
}

impl GroupBy {
    pub fn key(self, scan: &Scan, f: &Finding) -> String {
        let o = scan.object(f);
        match self {
            GroupBy::Check => scan.rule(f).id.clone(),
            GroupBy::Owner => scan.owner(f).to_string(),
            GroupBy::Namespace => o.effective_namespace().unwrap_or("(cluster)").to_string(),
            GroupBy::File => o.source.display_file().to_string(),
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            GroupBy::Check => "check",
            GroupBy::Owner => "owner",
            GroupBy::Namespace => "namespace",
            GroupBy::File => "file",
        }
    }
}

pub struct Options<'a> {
    pub texts: &'a Texts,
    pub group_by: GroupBy,
    pub fail_on: Severity,
    pub color: bool,
    pub tool_version: &'a str,
}

pub fn render(format: Format, scan: &Scan, opts: &Options) -> String {
    let mut buf = Vec::new();
    // Writing to a Vec cannot fail, and every format is UTF-8.
    let _ = write(format, scan, opts, &mut buf);
    String::from_utf8(buf).unwrap_or_default()
}

/// Writes the report to `w`. JSON, SARIF and text are streamed; the others are rendered first.
pub fn write(
    format: Format,
    scan: &Scan,
    opts: &Options,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Json => json::write(scan, opts, w),
        Format::Text => text::write(scan, opts, w),
        Format::Sarif => sarif::write(scan, opts, w),
        Format::Junit => junit::write(scan, opts, w),
        Format::Markdown => w.write_all(markdown::render(scan, opts).as_bytes()),
    }
}

/// Renders `items` on all cores and writes them in order: byte for byte what rendering them
/// one after another writes. `render(buf, i, item)` appends item `i`; `typical` is the bytes an
/// item usually takes; `state` starts afresh for each chunk (for what consecutive items share).
/// A chunk per thread at a time, so the buffers stay small.
pub(crate) fn write_in_order<'a, T: Sync, S: Default>(
    w: &mut (impl std::io::Write + ?Sized),
    items: &'a [T],
    typical: usize,
    render: impl Fn(&mut S, &mut Vec<u8>, usize, &'a T) -> std::io::Result<()> + Sync,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    const CHUNK: usize = 256;
    let window = CHUNK * rayon::current_num_threads();
    for (k, part) in items.chunks(window).enumerate() {
        let bufs: Vec<std::io::Result<Vec<u8>>> = part
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(c, chunk)| {
                let mut buf = Vec::with_capacity(chunk.len() * typical);
                let mut state = S::default();
                for (j, item) in chunk.iter().enumerate() {
                    render(&mut state, &mut buf, k * window + c * CHUNK + j, item)?;
                }
                Ok(buf)
            })
            .collect();
        for b in bufs {
            w.write_all(&b?)?;
        }
    }
    Ok(())
}

/// Findings grouped by `group_by`, groups in first-seen order of the sorted findings.
pub(crate) fn grouped<'s>(
    scan: &'s Scan,
    by: GroupBy,
    list: impl IntoIterator<Item = &'s Finding>,
) -> Vec<(String, Vec<&'s Finding>)> {
    let mut groups: Vec<(String, Vec<&Finding>)> = Vec::new();
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for f in list {
        let k = by.key(scan, f);
        match at.get(&k) {
            Some(&i) => groups[i].1.push(f),
            None => {
                at.insert(k.clone(), groups.len());
                groups.push((k, vec![f]));
            }
        }
    }
    groups
}

/// Scans objects with the default configuration, for the report tests.
#[cfg(test)]
pub(crate) fn test_scan(
    objects: Vec<palisade_model::Object>,
    errors: Vec<palisade_model::LoadError>,
) -> Scan {
    let engine = palisade_engine::Engine::new(
        &palisade_engine::Config::default(),
        Vec::new(),
        palisade_engine::Date::today(),
    )
    .expect("the default configuration is valid");
    engine.run(objects, errors, Vec::new())
}
