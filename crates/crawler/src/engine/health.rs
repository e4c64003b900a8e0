//! How each host met in a crawl can be crawled: whether it answered, what its
//! robots.txt allowed, its Crawl-delay, and whether it refused unsigned fetches. The
//! store keeps it on the instance's row (`reachability`, `robots_state`...), and the
//! instance page shows it.

use std::{
    collections::{BTreeSet, HashMap},
    time::Duration,
};

use fedireach_core::{ConsentReason, Host, HostHealth, Reachability, RobotsState, Route};

use super::summary::HostFailure;
use crate::{HostCounts, locked};

/// What one crawl saw of its hosts.
pub(super) struct Seen<'a> {
    /// Requests per host, by status, and those that got no answer.
    pub counts: &'a HashMap<String, HostCounts>,
    /// robots.txt of each host asked, with the Crawl-delay honoured.
    pub robots: Vec<(Host, RobotsState, Option<Duration>)>,
    pub failures: &'a [HostFailure],
    /// Refusals by host, route and reason (see `Ctx::refused`).
    pub refusals: &'a BTreeSet<(String, Route, ConsentReason)>,
}

impl super::ctx::Ctx {
    /// How each host the crawl asked something of can be crawled.
    pub fn host_health(&self) -> Vec<HostHealth> {
        let counts = self.fetcher.stats().per_host();
        let failures = locked(&self.failures).clone();
        let refusals = locked(&self.refusals).clone();
        assess(&Seen {
            counts: &counts,
            robots: self.fetcher.robots_states(),
            failures: &failures,
            refusals: &refusals,
        })
    }
}

/// One [`HostHealth`] per host the crawl sent a request to, by host.
pub(super) fn assess(seen: &Seen<'_>) -> Vec<HostHealth> {
    let robots: HashMap<&Host, (RobotsState, Option<Duration>)> = seen
        .robots
        .iter()
        .map(|(host, state, delay)| (host, (*state, *delay)))
        .collect();
    let mut out: Vec<HostHealth> = seen
        .counts
        .iter()
        .filter_map(|(name, counts)| {
            let host = Host::parse(name).ok()?;
            // Any answer below 500 is the server speaking for itself, a 4xx too.
            let answered = counts.by_status.keys().any(|s| *s < 500);
            let (robots, delay) = robots
                .get(&host)
                .map_or((None, None), |(state, delay)| (Some(*state), *delay));
            Some(HostHealth {
                reachability: if answered {
                    Reachability::Ok
                } else {
                    Reachability::Failing
                },
                last_error: seen
                    .failures
                    .iter()
                    .find(|f| f.host == *name)
                    .map(|f| f.message.clone()),
                robots,
                crawl_delay_ms: delay.map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
                refused_unsigned: seen.refusals.contains(&(
                    name.clone(),
                    Route::Activitypub,
                    ConsentReason::AuthorizedFetch,
                )),
                refusals: seen
                    .refusals
                    .iter()
                    .filter(|(h, _, _)| h == name)
                    .map(|(_, route, reason)| format!("{reason}:{route}"))
                    .collect(),
                host,
            })
        })
        .collect();
    out.sort_by(|a, b| a.host.as_str().cmp(b.host.as_str()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(statuses: &[u16], failures: u64) -> HostCounts {
        let mut c = HostCounts {
            requests: statuses.len() as u64 + failures,
            failures,
            ..HostCounts::default()
        };
        for s in statuses {
            *c.by_status.entry(*s).or_default() += 1;
        }
        c
    }

    /// What four hosts answered: one fine, one refusing unsigned fetches, one down,
    /// one failing with 5xx.
    fn answers() -> HashMap<String, HostCounts> {
        [
            ("ok.example", counts(&[200, 404], 0)),
            ("gts.example", counts(&[200, 401], 0)),
            ("down.example", counts(&[], 3)),
            ("broken.example", counts(&[503, 502], 0)),
        ]
        .into_iter()
        .map(|(h, c)| (h.to_owned(), c))
        .collect()
    }

    /// Their robots.txt as the crawl read them.
    fn robots() -> Result<Vec<(Host, RobotsState, Option<Duration>)>, fedireach_core::CoreError> {
        Ok(vec![
            (
                Host::parse("gts.example")?,
                RobotsState::Partial,
                Some(Duration::from_secs(60)),
            ),
            (Host::parse("ok.example")?, RobotsState::Allowed, None),
            (Host::parse("down.example")?, RobotsState::Unknown, None),
        ])
    }

    /// gts.example refused unsigned ActivityPub fetches; ok.example only its client API.
    fn refusals() -> BTreeSet<(String, Route, ConsentReason)> {
        [
            (
                "gts.example".to_owned(),
                Route::Activitypub,
                ConsentReason::AuthorizedFetch,
            ),
            (
                "ok.example".to_owned(),
                Route::Api,
                ConsentReason::AuthorizedFetch,
            ),
        ]
        .into_iter()
        .collect()
    }

    #[test]
    fn each_host_is_assessed_from_what_it_answered() -> Result<(), fedireach_core::CoreError> {
        let counts = answers();
        let failures = [HostFailure {
            host: "down.example".into(),
            url: "https://down.example/robots.txt".into(),
            kind: fedireach_core::FailureKind::Unreachable,
            message: "connection refused".into(),
        }];
        let refusals = refusals();
        let seen = Seen {
            counts: &counts,
            robots: robots()?,
            failures: &failures,
            refusals: &refusals,
        };
        let got: Vec<_> = assess(&seen)
            .into_iter()
            .map(|h| {
                (
                    h.host.to_string(),
                    h.reachability,
                    h.last_error,
                    h.robots,
                    h.crawl_delay_ms,
                    h.refused_unsigned,
                    h.refusals,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "broken.example".to_owned(),
                    Reachability::Failing,
                    None,
                    None,
                    None,
                    false,
                    vec![]
                ),
                (
                    "down.example".to_owned(),
                    Reachability::Failing,
                    Some("connection refused".to_owned()),
                    Some(RobotsState::Unknown),
                    None,
                    false,
                    vec![]
                ),
                (
                    "gts.example".to_owned(),
                    Reachability::Ok,
                    None,
                    Some(RobotsState::Partial),
                    Some(60_000),
                    true,
                    vec!["authorized_fetch:activitypub".to_owned()]
                ),
                // A refusal on the client API is not a want of signatures.
                (
                    "ok.example".to_owned(),
                    Reachability::Ok,
                    None,
                    Some(RobotsState::Allowed),
                    None,
                    false,
                    vec!["authorized_fetch:api".to_owned()]
                ),
            ]
        );
        Ok(())
    }
}
