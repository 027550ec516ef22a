//! `palisade db`: the local vulnerability database (import, status, update, query).

use crate::exit;
use palisade_vulndb::update::{self, DEFAULT_ECOSYSTEMS, DEFAULT_MIRROR};
use palisade_vulndb::{Ecosystem, Package, VulnDb, db};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Database file [default: <user data dir>/palisade/vulndb.sqlite3, or $PALISADE_DB].
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Import OSV records: JSON or YAML files, directories (recursively) and the OSV project's
    /// per-ecosystem zips. Re-importing updates changed records and keeps the rest.
    Import {
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Records per ecosystem, the newest modification and the age of the data.
    Status {
        #[arg(long, value_parser = ["text", "json"], default_value = "text")]
        format: String,
    },
    /// Download and import the OSV zips (needs the network): the ecosystems given (remembered
    /// for later updates), else the remembered ones, else those in the database, else a default set.
    Update {
        /// OSV ecosystem to update (repeatable), e.g. `PyPI`, `Debian`, `Alpine`.
        #[arg(long = "ecosystem", value_name = "NAME")]
        ecosystems: Vec<String>,
        /// Base URL serving `<ecosystem>/all.zip`.
        #[arg(long, default_value = DEFAULT_MIRROR)]
        mirror: String,
    },
    /// Vulnerabilities of one package version, e.g. `palisade db query PyPI requests 2.19.1`
    /// or `palisade db query Debian:12 openssl 3.0.11-1~deb12u1`.
    Query {
        /// OSV ecosystem: PyPI, npm, crates.io, Go, Maven, or a distro release (Debian:12).
        ecosystem: String,
        /// Package name (source package for Debian, origin for Alpine).
        name: String,
        version: String,
        #[arg(long, value_parser = ["text", "json"], default_value = "text")]
        format: String,
    },
}

fn ago(secs: i64) -> String {
    match secs {
        s if s < 120 => format!("{s} seconds ago"),
        s if s < 7200 => format!("{} minutes ago", s / 60),
        s if s < 172_800 => format!("{} hours ago", s / 3600),
        s => format!("{} days ago", s / 86_400),
    }
}

pub fn run(args: Args) -> u8 {
    let path = args.db.unwrap_or_else(db::default_path);
    let vdb = match VulnDb::open(&path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::INPUT_ERRORS;
        }
    };
    match args.action {
        Action::Import { paths } => import(&vdb, &paths),
        Action::Status { format } => status(&vdb, &format),
        Action::Update { ecosystems, mirror } => {
            let ecosystems = if ecosystems.is_empty() {
                vdb.update_ecosystems(DEFAULT_ECOSYSTEMS)
            } else {
                vdb.set_update_ecosystems(&ecosystems).map(|_| ecosystems)
            };
            let ecosystems = match ecosystems {
                Ok(e) => e,
                Err(e) => {
                    eprintln!("error: {e}");
                    return exit::INPUT_ERRORS;
                }
            };
            let work = path
                .parent()
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("."));
            match update::update(&vdb, &ecosystems, &mirror, &work, |s| eprintln!("{s}")) {
                Ok(done) => {
                    let mut code = exit::OK;
                    for u in done {
                        println!(
                            "{}: {} new, {} updated, {} unchanged",
                            u.ecosystem, u.report.inserted, u.report.updated, u.report.unchanged
                        );
                        for p in &u.report.problems {
                            eprintln!("warning: {p}");
                            code = exit::INPUT_ERRORS;
                        }
                    }
                    code
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    exit::INPUT_ERRORS
                }
            }
        }
        Action::Query {
            ecosystem,
            name,
            version,
            format,
        } => {
            let Some((eco, distro)) = Ecosystem::from_osv(&ecosystem) else {
                eprintln!(
                    "error: ecosystem `{ecosystem}` is not matched by palisade: use PyPI, npm, crates.io, Go, Maven \
                     or a distro release such as Debian:12, Alpine:v3.20, Rocky Linux:9"
                );
                return exit::USAGE;
            };
            let mut p = Package::new(eco, name, version);
            if let Some(d) = distro {
                p = p.with_distro(d);
            }
            match vdb.match_packages(std::slice::from_ref(&p)) {
                Ok(ms) => {
                    if format == "json" {
                        println!("{}", serde_json::to_string_pretty(&ms).unwrap_or_default());
                    } else if ms.is_empty() {
                        println!("no known vulnerabilities for {} {}", p.name, p.version);
                    } else {
                        for m in &ms {
                            let score = m.score.map(|s| format!(" {s:.1}")).unwrap_or_default();
                            let fixed = if m.fixed.is_empty() {
                                "no fix".to_string()
                            } else {
                                format!("fixed in {}", m.fixed.join(", "))
                            };
                            println!(
                                "{:<20} {:<8}{score}  {fixed}  {}",
                                m.id,
                                palisade_vulndb::rating_str(m.severity),
                                m.summary
                            );
                            if !m.aliases.is_empty() {
                                println!("{:<20} aliases: {}", "", m.aliases.join(", "));
                            }
                        }
                    }
                    if ms.is_empty() {
                        exit::OK
                    } else {
                        exit::FINDINGS
                    }
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    exit::INPUT_ERRORS
                }
            }
        }
    }
}

fn import(vdb: &VulnDb, paths: &[PathBuf]) -> u8 {
    let started = std::time::Instant::now();
    match vdb.import(paths) {
        Ok(r) => {
            for p in &r.problems {
                eprintln!("warning: {p}");
            }
            println!(
                "{} files: {} new, {} updated, {} unchanged, {} older than the stored copy ({:.1} s) into {}",
                r.files,
                r.inserted,
                r.updated,
                r.unchanged,
                r.older,
                started.elapsed().as_secs_f64(),
                vdb.path()
            );
            if r.problems.is_empty() {
                exit::OK
            } else {
                exit::INPUT_ERRORS
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            exit::INPUT_ERRORS
        }
    }
}

fn status(vdb: &VulnDb, format: &str) -> u8 {
    let st = match vdb.status() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::INPUT_ERRORS;
        }
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let newest_age = st
        .newest_modified
        .as_deref()
        .and_then(db::parse_unix)
        .map(|t| now - t);
    let import_age = st.last_import.map(|t| now - t as i64);
    if format == "json" {
        let v = serde_json::json!({
            "path": st.path, "records": st.records, "withdrawn": st.withdrawn,
            "ecosystems": st.ecosystems, "newest_modified": st.newest_modified.as_deref().map(db::display_time),
            "newest_modified_age_seconds": newest_age, "last_import": st.last_import,
            "last_import_age_seconds": import_age,
        });
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        return exit::OK;
    }
    println!("database:        {}", st.path);
    println!(
        "records:         {} ({} withdrawn)",
        st.records, st.withdrawn
    );
    if st.records == 0 {
        println!("empty: run `palisade db import PATH...` or `palisade db update`");
        return exit::OK;
    }
    if let Some(m) = &st.newest_modified {
        let age = newest_age
            .map(|a| format!(" ({})", ago(a)))
            .unwrap_or_default();
        println!("newest modified: {}{age}", db::display_time(m));
    }
    if let Some(a) = import_age {
        println!("last import:     {}", ago(a));
    }
    let w = st
        .ecosystems
        .keys()
        .map(|k| k.len())
        .max()
        .unwrap_or(9)
        .max(9);
    println!("{:<w$}  records", "ecosystem");
    for (e, n) in &st.ecosystems {
        println!("{e:<w$}  {n:>7}");
    }
    exit::OK
}
