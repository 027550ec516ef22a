//! One module per subcommand: its arguments and a `run` that returns the exit code.

pub mod checks;
pub mod db;
pub mod image;
pub mod policy;
pub mod pss;
pub mod scan;
pub mod webhook;
