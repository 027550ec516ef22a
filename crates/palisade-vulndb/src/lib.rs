//! Palisade's offline vulnerability database: OSV records imported into SQLite, each
//! ecosystem's version order, and matching of installed packages against the records.

pub mod package;

pub use package::{Ecosystem, Package, distro_ecosystem};
