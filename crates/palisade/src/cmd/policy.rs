//! `palisade policy test PATH`: runs Gatekeeper suites as `gator verify` does.

use crate::exit;
use palisade_policy::EngineChoice;
use palisade_policy::suite;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Run Gatekeeper `suite.yaml` suites (a file, or every suite below a directory).
    Test {
        path: PathBuf,
        /// Which engine runs templates that carry both Rego and CEL (K8sNativeValidation).
        #[arg(long, value_parser = ["cel", "rego"], default_value = "cel")]
        engine: String,
        /// Print passing cases too.
        #[arg(short, long)]
        verbose: bool,
    },
}

pub fn run(args: Args) -> u8 {
    match args.action {
        Action::Test {
            path,
            engine,
            verbose,
        } => {
            if !path.exists() {
                eprintln!(
                    "error: {} does not exist; give a suite.yaml or a directory of suites",
                    path.display()
                );
                return exit::USAGE;
            }
            let choice = if engine == "rego" {
                EngineChoice::RegoOnly
            } else {
                EngineChoice::CelPreferred
            };
            let results = suite::run_path(&path, choice);
            if results.is_empty() {
                eprintln!(
                    "error: no Gatekeeper suite (kind: Suite, test.gatekeeper.sh) under {}",
                    path.display()
                );
                return exit::USAGE;
            }
            let (mut passed, mut failed, mut skipped) = (0, 0, 0);
            for r in &results {
                match (&r.failure, r.skipped) {
                    (_, true) => {
                        skipped += 1;
                        if verbose {
                            println!("skip {}", r.name);
                        }
                    }
                    (None, false) => {
                        passed += 1;
                        if verbose {
                            println!("ok   {}", r.name);
                        }
                    }
                    (Some(why), false) => {
                        failed += 1;
                        println!("FAIL {}\n     {}", r.name, why);
                    }
                }
            }
            if skipped > 0 {
                println!("{passed} passed, {failed} failed, {skipped} skipped");
            } else {
                println!("{passed} passed, {failed} failed");
            }
            if failed > 0 { exit::FINDINGS } else { exit::OK }
        }
    }
}
