//! Wall-clock time as the store records it: Unix seconds, UTC.

use std::time::{SystemTime, UNIX_EPOCH};

/// Now, in Unix seconds. A clock before 1970 reads as 0 rather than failing a write.
pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
