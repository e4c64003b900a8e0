//! Why a fetch gave no document.

use std::{fmt, sync::Arc};

use thiserror::Error;

use crate::net::NetError;

/// What lies below a fetch that got no answer or was refused for safety: the network
/// error itself (its own source chain kept), or what the crawler knew without asking
/// (a host found dead earlier, a crawl being stopped).
#[derive(Debug, Clone)]
pub enum Cause {
    Net(Arc<NetError>),
    Known(String),
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Net(error) => error.fmt(f),
            Self::Known(what) => f.write_str(what),
        }
    }
}

impl std::error::Error for Cause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Net(error) => error.source(),
            Self::Known(_) => None,
        }
    }
}

impl From<NetError> for Cause {
    fn from(error: NetError) -> Self {
        Self::Net(Arc::new(error))
    }
}

/// Why a fetch gave no document. Refusals (robots, 401/403, 410) are a "no", not a
/// failure of the host: the crawl's summary and exit code treat them apart.
#[derive(Debug, Clone, Error)]
#[non_exhaustive]
pub enum FetchError {
    /// robots.txt disallows the path for our agent.
    #[error("{url}: disallowed by robots.txt")]
    RobotsDisallowed { url: String },
    /// robots.txt could not be read (5xx or no answer), so the host is not crawled.
    #[error("{host}: robots.txt could not be read, so nothing is fetched from it in this crawl")]
    RobotsUnavailable { host: String },
    /// The host, or the document, answered 410 Gone: an opt-out; purge it.
    #[error("{url}: gone (410); what is stored of it is purged")]
    Gone { url: String },
    /// robots.txt answered 410 Gone: the whole host opted out; purge it.
    #[error("{host}: robots.txt is gone (410): the host opted out; what is stored of it is purged")]
    HostGone { host: String },
    /// 401 or 403: no consent (authorized fetch, a private document, a disabled API).
    #[error("{url}: refused ({status}); recorded in the consent report")]
    Refused { url: String, status: u16 },
    /// Any other unsuccessful status.
    #[error("{url}: HTTP {status}")]
    Status { url: String, status: u16 },
    /// Still limited after every retry.
    #[error("{url}: still rate-limited after {retries} retries")]
    RateLimited { url: String, retries: u32 },
    /// The host is down (no answer), found dead earlier in this crawl, or too slow.
    #[error(transparent)]
    Unreachable(Cause),
    /// Refused by the address guard, too large, too many redirects, not https.
    #[error(transparent)]
    Unsafe(Cause),
    /// A transport failure (TLS, protocol).
    #[error(transparent)]
    Transport(Cause),
    /// The host is on the operator's denylist: nothing is asked of it.
    #[error("{host}: on the denylist (crawl.denylist_file), so nothing is asked of it")]
    Denied { host: String },
    /// The host was forgotten (`forget instance`): nothing is asked of it.
    #[error("{host}: forgotten (forget instance), so nothing is asked of it")]
    Forgotten { host: String },
    /// The host cost the crawl more than a cap allows (requests, time, items, pages).
    #[error("{host}: {what}; nothing more is asked of it in this crawl, what was read is kept")]
    OverLimit { host: String, what: String },
    /// Asked for again after its document was released (see [`Fetcher::release`]).
    #[error("{key}: fetched earlier in this crawl, and no longer kept")]
    Released { key: String },
}

impl FetchError {
    /// Whether this counts as the host failing (exit code 3), rather than a refusal.
    pub fn is_host_failure(&self) -> bool {
        matches!(
            self,
            Self::Status { .. }
                | Self::RateLimited { .. }
                | Self::Unreachable(_)
                | Self::Unsafe(_)
                | Self::Transport(_)
                | Self::OverLimit { .. }
        ) && !matches!(self, Self::Status { status: 404, .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_network_error_is_kept_whole_and_said_once() {
        let net = NetError::Unreachable {
            url: "https://down.example/x".into(),
            detail: "connection refused".into(),
        };
        let said = net.to_string();
        let error = FetchError::Unreachable(net.into());
        // Transparent: the message is the network error's, not repeated by a wrapper.
        assert_eq!(error.to_string(), said);
        // The error itself is there to match on, not a string made of it.
        assert!(matches!(
            &error,
            FetchError::Unreachable(Cause::Net(net)) if matches!(**net, NetError::Unreachable { .. })
        ));
        assert!(error.is_host_failure());
        let known = FetchError::Unreachable(Cause::Known("down.example: did not answer".into()));
        assert_eq!(known.to_string(), "down.example: did not answer");
    }
}
