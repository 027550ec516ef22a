//! The YAML reader behind `load_bytes`: granit-parser events, go-yaml v2 scalar semantics.

mod build;
mod resolve;

pub(crate) use build::{Issue, Limits};

use crate::node::{Node, Pos};
use build::DocBuilder;
use granit_parser::{ErrorKind, Event, Parser, ScalarStyle};
use resolve::TagKind;

/// What the stream reader reports, document by document.
#[derive(Debug)]
pub(crate) enum DocEvent {
    /// A non-empty document (0-based index in the stream).
    Doc(u32, Node),
    /// A document that could not be read; the stream goes on with the next one.
    Error(u32, Issue),
    /// A syntax error: the rest of the stream is not read.
    Fatal(u32, Issue),
    Warning(u32, Issue),
}

/// A 1-based position from a parser marker, shifted by the lines before this chunk.
fn marker_pos(m: &granit_parser::Marker, line_offset: u32) -> Pos {
    Pos::new(
        u32::try_from(m.line())
            .unwrap_or(u32::MAX)
            .saturating_add(line_offset),
        u32::try_from(m.col() + 1).unwrap_or(u32::MAX),
    )
}

fn tag_kind(tag: Option<&granit_parser::Tag>) -> TagKind {
    match tag {
        None => TagKind::None,
        // go-yaml v2 keeps the text of any other tag, `!` included, as a string.
        Some(t) => match t.suffix_in_namespace("tag:yaml.org,2002:") {
            Some(s) => TagKind::from_core_suffix(&s),
            None => TagKind::Other,
        },
    }
}

pub(crate) fn too_deep(limits: Limits) -> String {
    format!(
        "nesting deeper than {} levels; the document is skipped",
        limits.max_depth
    )
}

/// Reads a whole stream (or a chunk of one that starts `line_offset` lines into the file),
/// calling `sink` for each document, error and warning in order. Returns the number of
/// documents seen (empty ones included) and whether a syntax error ended the stream.
pub(crate) fn parse_stream(
    text: &str,
    json: bool,
    limits: Limits,
    line_offset: u32,
    mut sink: impl FnMut(DocEvent),
) -> (u32, bool) {
    let nesting = limits.max_depth.max(1);
    let options = granit_parser::options! {
        emit_comments: false,
        flow_nesting_limit: nesting,
        block_nesting_limit: nesting,
    };
    let mut parser = Parser::new_from_str_with_options(text, options);
    let mut doc_index: u32 = 0;
    let mut builder = DocBuilder::new(limits, json);
    let mut in_doc = false;
    // The parser is fused after an error, but never rely on that: every error ends the loop,
    // and the event count is bounded by the input size.
    let mut events: usize = 0;
    let max_events = text.len().saturating_mul(4).saturating_add(64);
    while let Some(next) = parser.next_event() {
        events += 1;
        if events > max_events {
            sink(DocEvent::Fatal(
                doc_index,
                Issue::new(
                    Pos::UNKNOWN,
                    "the YAML parser made no progress; stopped reading",
                ),
            ));
            return (doc_index, true);
        }
        let (event, span) = match next {
            Ok(x) => x,
            Err(e) => {
                let p = marker_pos(e.marker(), line_offset);
                // Our limit, not a syntax error: skip to the next document like any other
                // document we refuse.
                if matches!(e.kind(), ErrorKind::RecursionLimitExceeded) {
                    builder.reset();
                    in_doc = false;
                    sink(DocEvent::Error(doc_index, Issue::new(p, too_deep(limits))));
                    doc_index = doc_index.saturating_add(1);
                    match parser.proceed_next_document() {
                        Ok(true) => continue,
                        _ => return (doc_index, false),
                    }
                }
                sink(DocEvent::Fatal(
                    doc_index,
                    Issue::new(
                        p,
                        format!(
                            "YAML syntax error: {}; this and any later documents in the file are not read",
                            e.info()
                        ),
                    ),
                ));
                return (doc_index, true);
            }
        };
        let result = match event {
            Event::StreamStart | Event::StreamEnd => Ok(()),
            Event::DocumentStart(..) => {
                builder.reset();
                in_doc = true;
                Ok(())
            }
            Event::DocumentEnd => {
                if std::mem::take(&mut in_doc) {
                    let (root, warnings) = builder.finish();
                    for w in warnings {
                        sink(DocEvent::Warning(doc_index, w));
                    }
                    // Empty documents (and `~`) are skipped, as kubectl skips `null`.
                    if let Some(root) = root.filter(|r| !r.is_null()) {
                        sink(DocEvent::Doc(doc_index, root));
                    }
                }
                doc_index = doc_index.saturating_add(1);
                Ok(())
            }
            Event::Scalar(text, style, anchor, tag) => match in_doc.then_some(&mut builder) {
                Some(b) => {
                    let tk = tag_kind(tag.as_deref());
                    let plain = style == ScalarStyle::Plain;
                    b.scalar(
                        &text,
                        plain,
                        tk,
                        anchor,
                        marker_pos(&span.start, line_offset),
                    )
                }
                None => Ok(()),
            },
            Event::SequenceStart(_, anchor, _) => match in_doc.then_some(&mut builder) {
                Some(b) => b.start(false, anchor, marker_pos(&span.start, line_offset)),
                None => Ok(()),
            },
            Event::MappingStart(_, anchor, _) => match in_doc.then_some(&mut builder) {
                Some(b) => b.start(true, anchor, marker_pos(&span.start, line_offset)),
                None => Ok(()),
            },
            Event::SequenceEnd | Event::MappingEnd => match in_doc.then_some(&mut builder) {
                Some(b) => b.end(),
                None => Ok(()),
            },
            Event::Alias(id) => match in_doc.then_some(&mut builder) {
                Some(b) => b.alias(id, marker_pos(&span.start, line_offset)),
                None => Ok(()),
            },
            Event::UnresolvedAlias(name) => Err(Issue::new(
                marker_pos(&span.start, line_offset),
                format!("unknown anchor '{name}' referenced"),
            )),
            _ => Ok(()),
        };
        if let Err(issue) = result {
            if std::mem::take(&mut in_doc) {
                let (_, warnings) = builder.finish();
                for w in warnings {
                    sink(DocEvent::Warning(doc_index, w));
                }
            }
            sink(DocEvent::Error(doc_index, issue));
            doc_index = doc_index.saturating_add(1);
            // Skip the rest of this document; the parser resumes at the next `---`.
            match parser.proceed_next_document() {
                Ok(true) => {}
                Ok(false) => return (doc_index, false),
                Err(e) => {
                    sink(DocEvent::Fatal(
                        doc_index,
                        Issue::new(
                            marker_pos(e.marker(), line_offset),
                            format!("YAML syntax error: {}", e.info()),
                        ),
                    ));
                    return (doc_index, true);
                }
            }
        }
    }
    (doc_index, false)
}

#[cfg(test)]
mod tests;
