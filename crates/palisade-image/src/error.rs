//! Errors of the image scanner: each names the image, file or layer involved and what to do.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid image reference `{reference}`: {reason}")]
    Reference { reference: String, reason: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{what}: {reason}")]
    Format { what: String, reason: String },
    #[error("{0}: not found in the image source (check the tag or digest)")]
    NotFound(String),
    #[error("layer {digest}: {reason}")]
    Layer { digest: String, reason: String },
    #[error(
        "limit exceeded in {what}: {reason} (raise the limit in ScanOptions::limits if the image is trusted)"
    )]
    Limit { what: String, reason: String },
    #[error("registry {registry}: {reason}")]
    Registry { registry: String, reason: String },
    #[error(
        "blob {digest}: digest mismatch (computed {computed}); the source is corrupt or was tampered with"
    )]
    Digest { digest: String, computed: String },
    #[error("vulnerability database: {0}")]
    Database(String),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
    pub(crate) fn format(what: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Format {
            what: what.into(),
            reason: reason.into(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
