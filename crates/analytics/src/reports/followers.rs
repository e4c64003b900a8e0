//! `report followers`: the follower-count series of each tracked actor of a brand.

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{
    Analytics, Result, Window,
    columns::{i64s, opt_i64s},
    window::rfc3339,
};

/// `report followers`: snapshots taken in the window, sorted by actor then time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowersReport {
    pub brand: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub rows: Vec<FollowersRow>,
}

/// One tracked actor's follower count at one crawl.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowersRow {
    /// The actor id, or `tracked actor #N` while the first crawl has not resolved it.
    pub actor: String,
    /// When the crawl took the count, RFC 3339 UTC.
    pub taken: String,
    /// `null` where the server hides the count.
    pub followers: Option<u64>,
    /// Change since the previous known count of this actor in the window.
    pub change: Option<i64>,
}

/// One actor's first and last known count in a window, for follower growth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub first: u64,
    pub last: u64,
    /// Whether some actor has two known counts or more: otherwise the counts show no
    /// growth yet (one crawl), and growth is unknown, not 0.
    pub repeated: bool,
}

impl Analytics {
    /// The follower counts of the brand's tracked actors taken in the window.
    pub fn followers(&self, brand: &str, window: &Window) -> Result<FollowersReport> {
        let actors = self.brand(brand)?;
        let names = |id: i64| {
            actors
                .iter()
                .find(|a| a.tracked_actor_id == id)
                .and_then(|a| a.actor_uri.clone())
                .unwrap_or_else(|| format!("tracked actor #{id}"))
        };
        let ids = df!("tracked_actor_id" => actors.iter().map(|a| a.tracked_actor_id).collect::<Vec<_>>())?;
        let (start, end) = window.bounds();
        let df = self
            .frames
            .snapshots
            .clone()
            .lazy()
            .filter(
                col("taken_at")
                    .gt_eq(lit(start))
                    .and(col("taken_at").lt(lit(end))),
            )
            .inner_join(ids.lazy(), col("tracked_actor_id"), col("tracked_actor_id"))
            .collect()?;
        let mut series: Vec<(String, i64, Option<u64>)> = i64s(&df, "tracked_actor_id")?
            .into_iter()
            .zip(i64s(&df, "taken_at")?)
            .zip(opt_i64s(&df, "followers")?)
            .map(|((id, at), n)| (names(id), at, n.and_then(|n| u64::try_from(n).ok())))
            .collect();
        series.sort();
        let mut rows = Vec::with_capacity(series.len());
        let mut last: Option<(String, u64)> = None;
        for (actor, at, followers) in series {
            let before = last.as_ref().filter(|(a, _)| *a == actor).map(|(_, n)| *n);
            let change = before.zip(followers).map(|(b, n)| signed(n) - signed(b));
            if let Some(n) = followers {
                last = Some((actor.clone(), n));
            }
            rows.push(FollowersRow {
                actor,
                taken: rfc3339(at),
                followers,
                change,
            });
        }
        Ok(FollowersReport {
            brand: brand.to_owned(),
            from: window.from_label(),
            to: window.to_label(),
            rows,
        })
    }
}

impl FollowersReport {
    /// Per actor, the first and last known count; summed over the actors that have
    /// one. `None` when no actor has a known count in the window.
    pub(crate) fn span(&self) -> Option<Span> {
        let mut spans: Vec<(&str, Span)> = Vec::new();
        for row in &self.rows {
            let Some(n) = row.followers else { continue };
            match spans.last_mut() {
                Some((actor, span)) if *actor == row.actor => {
                    span.last = n;
                    span.repeated = true;
                }
                _ => spans.push((
                    &row.actor,
                    Span {
                        first: n,
                        last: n,
                        repeated: false,
                    },
                )),
            }
        }
        (!spans.is_empty()).then(|| Span {
            first: spans.iter().map(|(_, s)| s.first).sum(),
            last: spans.iter().map(|(_, s)| s.last).sum(),
            repeated: spans.iter().any(|(_, s)| s.repeated),
        })
    }
}

/// A count as a signed number for differences; counts never reach 2^63.
pub(crate) fn signed(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{ACME, analytics, august};

    #[test]
    fn follower_series_in_august() -> Result<()> {
        // Jul 31's snapshot is outside; Aug 3 hides the count; Aug 20 is 110 up on
        // the last known count (Aug 2).
        let report = analytics()?.followers("acme", &august("UTC")?)?;
        let got: Vec<_> = report
            .rows
            .iter()
            .map(|r| (r.actor.as_str(), r.taken.as_str(), r.followers, r.change))
            .collect();
        assert_eq!(
            got,
            [
                (ACME, "2026-08-02T00:00:00Z", Some(1100), None),
                (ACME, "2026-08-03T00:00:00Z", None, None),
                (ACME, "2026-08-20T00:00:00Z", Some(1210), Some(110)),
            ]
        );
        assert_eq!(
            report.span(),
            Some(Span {
                first: 1100,
                last: 1210,
                repeated: true
            })
        );
        let rival = analytics()?.followers("rival", &august("UTC")?)?;
        assert!(rival.rows.is_empty());
        assert_eq!(rival.span(), None);
        Ok(())
    }
}
