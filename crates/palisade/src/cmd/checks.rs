use crate::exit;
use palisade_checks::docs;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand)]
enum Action {
    /// List every built-in check.
    List {
        /// Output format.
        #[arg(long, value_parser = ["text", "json"], default_value = "text")]
        format: String,
    },
    /// Show everything about one check.
    Explain { id: String },
    /// Print docs/checks.md (generated from the code).
    Docs,
}

pub fn run(args: Args) -> u8 {
    match args.action {
        Action::List { format } => {
            let checks = docs::sorted();
            if format == "json" {
                let v: Vec<_> = checks
                    .iter()
                    .map(|c| {
                        let m = c.meta();
                        serde_json::json!({
                            "id": m.id, "title": m.title, "category": m.category,
                            "severity": m.severity, "rationale": m.rationale,
                            "remediation": m.remediation, "references": m.references,
                            "aliases": m.aliases, "enabled_by_default": m.enabled_by_default,
                            "assumptions": m.assumptions,
                            "cross_object": m.cross_object,
                            "params": m.params.iter().map(|p| serde_json::json!({
                                "name": p.name, "description": p.description,
                                "default": serde_json::from_str::<serde_json::Value>(p.default).unwrap_or(serde_json::Value::Null),
                            })).collect::<Vec<_>>(),
                        })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
            } else {
                let w = checks.iter().map(|c| c.meta().id.len()).max().unwrap_or(10);
                for c in checks {
                    let m = c.meta();
                    println!(
                        "{:<w$}  {:<11}  {:<8}  {}",
                        m.id,
                        m.category.as_str(),
                        m.severity.as_str(),
                        m.title
                    );
                }
            }
            exit::OK
        }
        Action::Explain { id } => match palisade_checks::find(&id) {
            Some(c) => {
                let m = c.meta();
                println!("{} — {}\n", m.id, m.title);
                println!(
                    "category: {}   default severity: {}\n",
                    m.category, m.severity
                );
                println!("Why: {}\n", m.rationale);
                println!("Fix: {}\n", m.remediation);
                if m.cross_object {
                    println!(
                        "Looks at other objects: yes (the admission webhook, which sees one \
                         object at a time, skips it)\n"
                    );
                }
                if !m.assumptions.is_empty() {
                    println!("Assumes: {}\n", m.assumptions);
                }
                for p in m.params {
                    println!(
                        "param {} (default {}): {}",
                        p.name, p.default, p.description
                    );
                }
                for r in m.references {
                    println!("ref: {r}");
                }
                if !m.aliases.is_empty() {
                    println!("same as: {}", m.aliases.join(", "));
                }
                exit::OK
            }
            None => {
                eprintln!("error: no check with id `{id}`; `palisade checks list` shows them all");
                exit::USAGE
            }
        },
        Action::Docs => {
            print!("{}", docs::markdown());
            exit::OK
        }
    }
}
