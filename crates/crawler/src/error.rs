use thiserror::Error;

use crate::{NetError, SignError, sink::SinkError};

/// What stops a crawl (a host failing does not: it is reported in the summary).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum CrawlError {
    /// The HTTP client could not be set up from the config.
    #[error(transparent)]
    Net(#[from] NetError),
    /// The instance actor's key is unusable.
    #[error(transparent)]
    Sign(#[from] SignError),
    /// The store refused a write; the crawl stops so nothing is lost silently.
    #[error("cannot save what the crawl found: {source}")]
    Sink {
        #[source]
        source: SinkError,
    },
}
