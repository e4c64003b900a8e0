//! The crate's error type.

use std::{io, net::SocketAddr};

/// What can go wrong when building or serving the simulated fediverse.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FakeverseError {
    /// A scale name other than small, medium or large was given.
    #[error("unknown scale `{0}`: use small, medium or large")]
    UnknownScale(String),
    /// The listen address could not be bound (in use, or not a local address).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: io::Error,
    },
    /// Writing the truth or CA file failed.
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: io::Error,
    },
    /// The truth could not be serialised (a bug: every value is plain data).
    #[error("cannot serialise the ground truth: {0}")]
    Json(#[from] serde_json::Error),
    /// Generating the CA or a host certificate failed.
    #[error("cannot generate TLS certificates: {0}")]
    Certificate(#[from] rcgen::Error),
    /// The TLS configuration was refused by rustls.
    #[error("cannot configure TLS: {0}")]
    Tls(#[from] rustls::Error),
    /// The truth holds a value the core types refuse (a bug of the generator).
    #[error("the ground truth cannot be turned into crawl records: {0}")]
    BadTruth(String),
    /// A host the world does not have.
    #[error("the simulated world has no host `{0}`")]
    UnknownHost(String),
    /// The server stopped with an IO error.
    #[error("the server failed: {0}")]
    Serve(#[source] io::Error),
}
