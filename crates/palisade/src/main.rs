//! The `palisade` binary: argument parsing and wiring only; the work happens in the crates.

mod cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Kubernetes security and governance: audit manifests, charts and clusters against built-in
/// checks, the Pod Security Standards and your own policies.
#[derive(Parser)]
#[command(name = "palisade", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Audit manifests, Helm charts and Kustomize directories.
    Scan(Box<cmd::scan::Args>),
    /// List and explain the built-in checks.
    Checks(cmd::checks::Args),
    /// Pod Security Standards: the verdict Pod Security Admission gives, per object.
    Pss(cmd::pss::Args),
    /// Container images: packages (SBOM), known vulnerabilities, secrets in layers, config.
    Image(Box<cmd::image::Args>),
    /// The local vulnerability database: import OSV data, status, update, query.
    Db(cmd::db::Args),
    /// Gatekeeper and ValidatingAdmissionPolicy files: run `suite.yaml` tests.
    Policy(cmd::policy::Args),
    /// The admission webhook: the same verdicts at the cluster's door (HTTPS).
    Webhook(Box<cmd::webhook::Args>),
}

/// Exit codes, documented in docs/exit-codes.md.
pub mod exit {
    pub const OK: u8 = 0;
    pub const FINDINGS: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const INPUT_ERRORS: u8 = 3;
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let code = match cli.command {
        Command::Scan(a) => cmd::scan::run(*a),
        Command::Checks(a) => cmd::checks::run(a),
        Command::Pss(a) => cmd::pss::run(a),
        Command::Image(a) => cmd::image::run(*a),
        Command::Policy(a) => cmd::policy::run(a),
        Command::Db(a) => cmd::db::run(a),
        Command::Webhook(a) => cmd::webhook::run(*a),
    };
    ExitCode::from(code)
}
