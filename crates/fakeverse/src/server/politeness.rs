//! robots.txt and rate limits, as each simulated software enforces them.
//!
//! Mastodon throttles `/api/*` (300 requests per 5 minutes, 1500 with a token) and any
//! request carrying a paging parameter (300 per 15 minutes); its answers carry
//! `X-RateLimit-Limit/Remaining/Reset` (an ISO time) and its 429 has no `Retry-After`.
//! Every other software here throttles all requests (300 per 5 minutes) and says
//! `Retry-After` on its 429. Windows are divided by [`ServerOptions::time_scale`] so
//! tests see them in seconds.

use std::{
    sync::atomic::Ordering,
    time::{Duration, Instant, SystemTime},
};

use chrono::{DateTime, Utc};

use super::{ServerOptions, state::State, state::Window};
use crate::world::{Instance, Quirk, SimSoftware, robots};

pub use crate::world::robots::CRAWL_DELAY_SECS;

/// The robots.txt of a host; `None` means 410 Gone (the host opted out). A
/// well-behaved host serves its software's real file ([`crate::recorded_robots`]),
/// with its `Crawl-delay` divided by the time scale.
pub(crate) fn robots_txt(inst: &Instance, time_scale: f64) -> Option<String> {
    let body = robots::host_body(inst)?;
    Some(match inst.quirk {
        Quirk::CrawlDelay => body.into_owned(),
        _ => robots::scaled(&body, time_scale),
    })
}

/// The rules of a host's robots.txt that apply to fedireach; `None` for 410 Gone.
/// (Served requests ask [`super::state::State::robots_rules`], which sees an admin's
/// edit.)
#[cfg(test)]
fn rules(inst: &Instance, time_scale: f64) -> Option<robots::Rules> {
    robots_txt(inst, time_scale).map(|body| robots::Rules::parse(&body))
}

/// Whether the host's robots.txt disallows `path` to fedireach.
#[cfg(test)]
fn disallowed(inst: &Instance, path: &str) -> bool {
    path != "/robots.txt" && rules(inst, 1.0).is_some_and(|r| !r.allows(path))
}

/// A rate-limit verdict's figures, for the headers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RateInfo {
    pub limit: u64,
    pub remaining: u64,
    /// Time left in the window.
    pub reset_in: Duration,
    /// Whether the software answers with Mastodon's headers.
    pub mastodon: bool,
}

impl RateInfo {
    /// `X-RateLimit-Reset`: an ISO time with microseconds, as Mastodon writes it.
    pub fn reset_iso(&self) -> String {
        let at: DateTime<Utc> = (SystemTime::now() + self.reset_in).into();
        at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
    }

    /// `Retry-After`, whole seconds, at least 1.
    pub fn retry_after(&self) -> u64 {
        self.reset_in.as_secs() + u64::from(self.reset_in.subsec_nanos() > 0)
    }
}

/// The bucket a request falls in and its limit, or `None` when the software does not
/// throttle it.
fn bucket(
    options: &ServerOptions,
    software: SimSoftware,
    path: &str,
    query: &str,
    token: bool,
) -> Option<(u8, u64, Duration)> {
    let scaled = |secs: u64| Duration::from_secs(secs).div_f64(options.time_scale.max(0.001));
    if let Some((limit, window)) = options.rate_limit {
        return Some((0, limit, window));
    }
    if software == SimSoftware::Mastodon {
        let paging = query.split('&').any(|kv| {
            let key = kv.split('=').next().unwrap_or("");
            matches!(key, "page" | "min_id" | "max_id" | "since_id")
        });
        if path.starts_with("/api/") {
            let limit = if token { 1500 } else { 300 };
            return Some((1, limit, scaled(300)));
        }
        return paging.then(|| (2, 300, scaled(900)));
    }
    Some((0, 300, scaled(300)))
}

/// Counts a request against its host's limit: `Ok` with the figures to report, or
/// `Err` when it is over the limit (and counts it as such).
pub(crate) fn check_rate(
    state: &State,
    instance: u32,
    path: &str,
    query: &str,
    token: bool,
) -> Result<Option<RateInfo>, RateInfo> {
    let Some(inst) = state.world.instances().get(instance as usize) else {
        return Ok(None);
    };
    let Some((bucket, limit, window)) = bucket(&state.options, inst.software, path, query, token)
    else {
        return Ok(None);
    };
    state.count_bucket(instance, bucket, limit, window);
    let now = Instant::now();
    let (count, started) = {
        let Ok(mut windows) = state.windows.lock() else {
            return Ok(None);
        };
        let w = windows.entry((instance, bucket)).or_insert(Window {
            started: now,
            count: 0,
        });
        if now.duration_since(w.started) >= window {
            *w = Window {
                started: now,
                count: 0,
            };
        }
        w.count += 1;
        (w.count, w.started)
    };
    let info = RateInfo {
        limit,
        remaining: limit.saturating_sub(count),
        reset_in: window.saturating_sub(now.duration_since(started)),
        mastodon: inst.software == SimSoftware::Mastodon,
    };
    if count > limit {
        if let Some(s) = state.host_stats(instance) {
            s.over_limit.fetch_add(1, Ordering::Relaxed);
            s.status_429.fetch_add(1, Ordering::Relaxed);
        }
        return Err(info);
    }
    Ok(Some(info))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance(software: SimSoftware, quirk: Quirk) -> Instance {
        Instance {
            host: "h.example".to_owned(),
            software,
            quirk,
            users_total: 1,
            active_month: 1,
            local_posts: 1,
            actors: 0..0,
        }
    }

    #[test]
    fn robots_rules() {
        for (software, quirk, path, expected) in [
            (SimSoftware::Mastodon, Quirk::Normal, "/users/a", false),
            (SimSoftware::Mastodon, Quirk::Normal, "/media_proxy/1", true),
            (SimSoftware::Mastodon, Quirk::RobotsAll, "/users/a", true),
            (
                SimSoftware::Mastodon,
                Quirk::RobotsAll,
                "/robots.txt",
                false,
            ),
            (
                SimSoftware::Threads,
                Quirk::Normal,
                "/.well-known/nodeinfo",
                true,
            ),
            (
                SimSoftware::Threads,
                Quirk::Normal,
                "/.well-known/webfinger",
                false,
            ),
            (SimSoftware::Misskey, Quirk::Normal, "/notes/x", false),
        ] {
            assert_eq!(
                disallowed(&instance(software, quirk), path),
                expected,
                "{software:?} {quirk:?} {path}"
            );
        }
        assert!(robots_txt(&instance(SimSoftware::Mastodon, Quirk::Gone), 1.0).is_none());
    }

    #[test]
    fn buckets() {
        let options = ServerOptions::default();
        let m = SimSoftware::Mastodon;
        assert_eq!(
            bucket(&options, m, "/users/a", "", false).map(|b| b.0),
            None
        );
        assert_eq!(
            bucket(&options, m, "/users/a/outbox", "page=true", false).map(|b| b.1),
            Some(300)
        );
        assert_eq!(
            bucket(&options, m, "/api/v1/statuses/1", "", true).map(|b| b.1),
            Some(1500)
        );
        assert_eq!(
            bucket(&options, SimSoftware::Misskey, "/notes/x", "", false).map(|b| b.1),
            Some(300)
        );
    }
}
