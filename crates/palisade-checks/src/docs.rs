//! `docs/checks.md`, generated from the checks' metadata.

use crate::{Check, rules};
use std::fmt::Write;

/// All checks sorted by category then id.
pub fn sorted() -> Vec<&'static dyn Check> {
    let mut v: Vec<&'static dyn Check> = rules::ALL.to_vec();
    v.sort_by_key(|c| (c.meta().category, c.meta().id));
    v
}

/// The catalogue as Markdown. A test compares it with `docs/checks.md`; regenerate with
/// `cargo run -p palisade -- checks docs > docs/checks.md`.
pub fn markdown() -> String {
    let mut s = String::new();
    let checks = sorted();
    let _ = writeln!(s, "# Built-in checks\n");
    let _ = writeln!(
        s,
        "<!-- Generated from crates/palisade-checks/src/rules/*.rs by `palisade checks docs`. Do not edit. -->\n"
    );
    let _ = writeln!(s, "{} checks.\n", checks.len());
    let _ = writeln!(s, "| id | title | category | severity |\n|---|---|---|---|");
    for c in &checks {
        let m = c.meta();
        let _ = writeln!(
            s,
            "| [`{}`](#{}) | {} | {} | {} |",
            m.id, m.id, m.title, m.category, m.severity
        );
    }
    for c in &checks {
        let m = c.meta();
        let _ = writeln!(s, "\n## {}\n", m.id);
        let _ = writeln!(s, "**{}**\n", m.title);
        let _ = writeln!(
            s,
            "- Category: {}\n- Default severity: {}{}",
            m.category,
            m.severity,
            if m.enabled_by_default {
                ""
            } else {
                "\n- Off by default (enable it in `.palisade.yaml`)"
            }
        );
        if m.cross_object {
            let _ = writeln!(
                s,
                "- Looks at other objects: the admission webhook, which sees one object at a \
                 time, skips it"
            );
        }
        let _ = writeln!(s, "\n{}\n", m.rationale);
        let _ = writeln!(s, "**Remediation.** {}\n", m.remediation);
        if !m.assumptions.is_empty() {
            let _ = writeln!(s, "**Assumptions.** {}\n", m.assumptions);
        }
        if !m.params.is_empty() {
            let _ = writeln!(s, "| parameter | default | description |\n|---|---|---|");
            for p in m.params {
                let _ = writeln!(s, "| `{}` | `{}` | {} |", p.name, p.default, p.description);
            }
            s.push('\n');
        }
        if !m.references.is_empty() {
            let _ = writeln!(s, "References:");
            for r in m.references {
                let _ = writeln!(s, "- {r}");
            }
            s.push('\n');
        }
        if !m.aliases.is_empty() {
            let _ = writeln!(
                s,
                "Same as: {}",
                m.aliases
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    s
}
