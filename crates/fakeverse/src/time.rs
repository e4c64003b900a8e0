//! Times as the documents and the truth write them.

use chrono::{DateTime, SecondsFormat};

/// `2026-08-01T12:00:00Z`: RFC 3339, UTC, whole seconds.
pub fn rfc3339(secs: i64) -> String {
    DateTime::from_timestamp(secs, 0)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// `2026-08-01T12:00:00.000Z`: with milliseconds, as Misskey and PeerTube write them.
pub fn rfc3339_millis(secs: i64) -> String {
    DateTime::from_timestamp(secs, 0)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(rfc3339(1_780_272_000), "2026-06-01T00:00:00Z");
        assert_eq!(rfc3339_millis(1_780_272_000), "2026-06-01T00:00:00.000Z");
    }
}
