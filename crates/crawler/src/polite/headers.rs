//! What servers say about their limits: `Retry-After` (seconds or an HTTP date) and
//! Mastodon's `X-RateLimit-Limit/Remaining/Reset` (an ISO 8601 time).

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

/// Longest wait a server may ask for before the crawler gives up on it for this crawl.
pub const MAX_SERVER_WAIT: Duration = Duration::from_secs(15 * 60);

/// A server's rate-limit state after a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitState {
    pub limit: Option<u64>,
    pub remaining: u64,
    /// When the window resets, as a wait from now (zero when it is already past).
    pub reset_in: Duration,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// `Retry-After` as a wait from `now`: delay-seconds or an HTTP date, capped.
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = header(headers, "retry-after")?;
    let wait = if let Ok(secs) = value.parse::<u64>() {
        Duration::from_secs(secs)
    } else if let Ok(secs) = value.parse::<f64>() {
        Duration::try_from_secs_f64(secs).ok()?
    } else {
        let at = httpdate::parse_http_date(value).ok()?;
        at.duration_since(now).unwrap_or(Duration::ZERO)
    };
    Some(wait.min(MAX_SERVER_WAIT))
}

/// `X-RateLimit-*`, where the server sends at least Remaining and Reset. Reset may be an
/// ISO 8601 time (Mastodon), a Unix time, or seconds from now.
pub fn rate_limit(headers: &HeaderMap, now: SystemTime) -> Option<RateLimitState> {
    let remaining = header(headers, "x-ratelimit-remaining")?
        .parse::<f64>()
        .ok()?;
    if !remaining.is_finite() || remaining < 0.0 {
        return None;
    }
    let reset = header(headers, "x-ratelimit-reset")?;
    let reset_in = parse_reset(reset, now)?.min(MAX_SERVER_WAIT);
    let limit = header(headers, "x-ratelimit-limit").and_then(|v| v.parse::<u64>().ok());
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let remaining = remaining.floor() as u64;
    Some(RateLimitState {
        limit,
        remaining,
        reset_in,
    })
}

fn parse_reset(value: &str, now: SystemTime) -> Option<Duration> {
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(value) {
        let at = SystemTime::from(at.with_timezone(&chrono::Utc));
        return Some(at.duration_since(now).unwrap_or(Duration::ZERO));
    }
    let number = value
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n >= 0.0)?;
    // A large number is a Unix time, a small one seconds from now.
    let unix_now = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .ok()?
        .as_secs_f64();
    let secs = if number > 1_000_000_000.0 {
        number - unix_now
    } else {
        number
    };
    Some(Duration::try_from_secs_f64(secs.max(0.0)).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use reqwest::header::{HeaderName, HeaderValue};

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            if let Ok(value) = HeaderValue::from_str(v) {
                map.insert(HeaderName::from_static(k), value);
            }
        }
        map
    }

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn retry_after_forms() {
        let now = at(1_784_000_000);
        for (value, expected) in [
            ("120", Some(Duration::from_secs(120))),
            ("0", Some(Duration::ZERO)),
            ("1.5", Some(Duration::from_millis(1500))),
            ("999999", Some(MAX_SERVER_WAIT)),
            (
                &httpdate::fmt_http_date(now + Duration::from_secs(30)),
                Some(Duration::from_secs(30)),
            ),
            (
                &httpdate::fmt_http_date(now - Duration::from_secs(30)),
                Some(Duration::ZERO),
            ),
            ("soon", None),
            ("-5", None),
        ] {
            assert_eq!(
                retry_after(&headers(&[("retry-after", value)]), now),
                expected,
                "{value}"
            );
        }
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn mastodon_rate_limit_headers() {
        let now = SystemTime::from(
            chrono::DateTime::parse_from_rfc3339("2026-11-26T10:00:00Z").unwrap_or_default(),
        );
        let state = rate_limit(
            &headers(&[
                ("x-ratelimit-limit", "300"),
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "2026-11-26T10:00:02.500000Z"),
            ]),
            now,
        );
        assert_eq!(
            state,
            Some(RateLimitState {
                limit: Some(300),
                remaining: 0,
                reset_in: Duration::from_millis(2500)
            })
        );
        let seconds = rate_limit(
            &headers(&[("x-ratelimit-remaining", "7"), ("x-ratelimit-reset", "12")]),
            now,
        );
        assert_eq!(
            seconds.map(|s| (s.remaining, s.reset_in)),
            Some((7, Duration::from_secs(12)))
        );
        let past = rate_limit(
            &headers(&[
                ("x-ratelimit-remaining", "3"),
                ("x-ratelimit-reset", "2026-11-26T09:00:00Z"),
            ]),
            now,
        );
        assert_eq!(past.map(|s| s.reset_in), Some(Duration::ZERO));
        assert_eq!(
            rate_limit(&headers(&[("x-ratelimit-remaining", "3")]), now),
            None
        );
        assert_eq!(
            rate_limit(
                &headers(&[("x-ratelimit-remaining", "x"), ("x-ratelimit-reset", "1")]),
                now
            ),
            None
        );
    }
}
