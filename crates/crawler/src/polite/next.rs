//! What to do after a request: send it again, give up on the host, or hand back a
//! document or a refusal. Pure, so that the rules are read (and tested) as a table,
//! apart from the I/O of [`super::Fetcher`].

use std::time::Duration;

use super::headers::MAX_SERVER_WAIT;
use crate::net::NetError;

/// What follows an answer, or its absence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Next {
    /// Send it again, after the host's backoff.
    Retry,
    /// The host did not answer: nothing more is asked of it in this crawl.
    Dead,
    /// Refused for safety: an address, a size, redirects, an encoding, a scheme.
    Unsafe,
    /// Another transport failure (TLS, protocol).
    Transport,
    /// A document (2xx, or 304 to a conditional request).
    Document,
    /// 401 or 403: no consent.
    Refused,
    /// 410: opted out, to purge.
    Gone,
    /// Still 429 after every retry, or asked to wait longer than we would.
    RateLimited,
    /// Any other unsuccessful status, 5xx after every retry included.
    Failed,
}

/// After a request that got no answer. A timeout is tried once more; a host that still
/// does not answer is dead for the crawl.
pub(super) fn after_error(error: &NetError, attempt: u32, max_retries: u32) -> Next {
    match error {
        NetError::Timeout { .. } if attempt < max_retries.min(1) => Next::Retry,
        NetError::Unreachable { .. } | NetError::Timeout { .. } => Next::Dead,
        NetError::Refused { .. }
        | NetError::Redirects { .. }
        | NetError::TooLarge { .. }
        | NetError::Encoding { .. }
        | NetError::Scheme { .. } => Next::Unsafe,
        _ => Next::Transport,
    }
}

/// After an answer with `status`; `wait` is the backoff it asked for (its Retry-After,
/// its rate-limit reset, or ours). 429, 503 and other 5xx are retried while retries
/// remain and the wait is one we accept.
pub(super) fn after_status(status: u16, attempt: u32, max_retries: u32, wait: Duration) -> Next {
    match status {
        status if backs_off(status) && attempt < max_retries && wait <= MAX_SERVER_WAIT => {
            Next::Retry
        }
        429 => Next::RateLimited,
        401 | 403 => Next::Refused,
        410 => Next::Gone,
        200..=299 | 304 => Next::Document,
        _ => Next::Failed,
    }
}

/// Whether an answer with `status` asks for a backoff (and may say how long).
pub(super) fn backs_off(status: u16) -> bool {
    matches!(status, 429 | 500..=599)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_as_a_table() {
        let short = Duration::from_secs(1);
        let long = MAX_SERVER_WAIT + Duration::from_secs(1);
        for (status, attempt, wait, next) in [
            (200, 0, short, Next::Document),
            (204, 0, short, Next::Document),
            (304, 0, short, Next::Document),
            (429, 0, short, Next::Retry),
            (429, 3, short, Next::RateLimited),
            (429, 0, long, Next::RateLimited),
            (503, 0, short, Next::Retry),
            (503, 3, short, Next::Failed),
            (500, 2, short, Next::Retry),
            (502, 0, long, Next::Failed),
            (401, 0, short, Next::Refused),
            (403, 0, short, Next::Refused),
            (410, 0, short, Next::Gone),
            (404, 0, short, Next::Failed),
            (301, 0, short, Next::Failed),
        ] {
            assert_eq!(
                after_status(status, attempt, 3, wait),
                next,
                "{status} at attempt {attempt}, wait {wait:?}"
            );
        }
    }

    #[test]
    fn failures_as_a_table() {
        let url = || "https://a.example/x".to_owned();
        let timeout = NetError::Timeout {
            url: url(),
            timeout: Duration::from_secs(20),
        };
        for (error, attempt, next) in [
            (&timeout, 0, Next::Retry),
            (&timeout, 1, Next::Dead),
            (
                &NetError::Unreachable {
                    url: url(),
                    detail: "refused".into(),
                },
                0,
                Next::Dead,
            ),
            (
                &NetError::TooLarge {
                    url: url(),
                    limit: 10,
                },
                0,
                Next::Unsafe,
            ),
            (
                &NetError::Encoding {
                    url: url(),
                    encoding: "gzip".into(),
                },
                0,
                Next::Unsafe,
            ),
            (
                &NetError::Redirects {
                    url: url(),
                    detail: "a loop".into(),
                },
                0,
                Next::Unsafe,
            ),
            (&NetError::Scheme { url: url() }, 0, Next::Unsafe),
            (
                &NetError::Setup {
                    detail: "no TLS".into(),
                },
                0,
                Next::Transport,
            ),
        ] {
            assert_eq!(after_error(error, attempt, 3), next, "{error}");
        }
        // No retries at all: a timeout is final at once.
        assert_eq!(after_error(&timeout, 0, 0), Next::Dead);
    }
}
