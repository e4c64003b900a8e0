//! Top engagers of an owned brand: who engaged most with the brand's posts published in
//! the window, for engagers who may be named (the store keeps a name only for indexable
//! engagers of owned brands, BRIEF section 3); everyone else is one summed row, never a
//! row of their own. Watched brands get aggregates only, so this report refuses them.

use fedireach_core::KindCounts;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{
    Analytics, AnalyticsError, Result, Window,
    analytics::read_kind_counts,
    columns::{bools, i64s, strings},
};

/// The engagers of an owned brand's posts in a window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EngagersReport {
    pub brand: String,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Engagers who may be named, by engagements descending, then thread replies
    /// descending, then id. The store's id: the dashboard looks their name up.
    pub rows: Vec<EngagerRow>,
    /// Everyone who may not be named (opted out, or not indexable), summed.
    pub anonymised: EngagerCounts,
}

/// One named engager's engagements with the brand's posts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EngagerRow {
    pub actor_id: i64,
    /// The engager's instance and its software.
    pub host: String,
    pub software: String,
    #[serde(flatten)]
    pub counts: EngagerCounts,
}

/// Engagements by kind, and how many engagers made them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngagerCounts {
    pub engagers: u64,
    #[serde(flatten)]
    pub kinds: KindCounts,
}

impl EngagerCounts {
    /// The counts in table order: replies, thread replies, boosts, likes, quotes,
    /// engagements (the page's table and the CSV both use it).
    pub fn columns(&self) -> [u64; 6] {
        self.kinds.columns()
    }

    /// Adds another's counts (engagers included) to these.
    pub fn add(&mut self, other: &Self) {
        self.engagers += other.engagers;
        self.kinds.add(&other.kinds);
    }
}

impl Analytics {
    /// The engagers of an owned brand's posts published in the window; an error for a
    /// watched brand, whose pages show aggregates only.
    pub fn engagers(&self, brand: &str, window: &Window) -> Result<EngagersReport> {
        if !self.is_owned(brand)? {
            return Err(AnalyticsError::Watched {
                name: brand.to_owned(),
            });
        }
        let posts = self.brand_posts(brand, window)?;
        let df = self
            .per_engager(self.engagements_of(posts))
            .select([
                col("actor_id"),
                col("host"),
                col("software"),
                col("named").fill_null(lit(false)),
                col("replies"),
                col("thread_replies"),
                col("boosts"),
                col("likes"),
                col("quotes"),
            ])
            .collect()?;
        let ids = i64s(&df, "actor_id")?;
        let hosts = strings(&df, "host")?;
        let softwares = strings(&df, "software")?;
        let named = bools(&df, "named")?;
        let kinds = read_kind_counts(&df)?;
        let mut rows = Vec::new();
        let mut anonymised = EngagerCounts::default();
        for ((((actor_id, host), software), named), c) in ids
            .into_iter()
            .zip(hosts)
            .zip(softwares)
            .zip(named)
            .zip(kinds)
        {
            let counts = EngagerCounts {
                engagers: 1,
                kinds: c,
            };
            if named {
                rows.push(EngagerRow {
                    actor_id,
                    host,
                    software,
                    counts,
                });
            } else {
                anonymised.add(&counts);
            }
        }
        rows.sort_by(|a, b| {
            (
                b.counts.kinds.engagements,
                b.counts.kinds.thread_replies,
                a.actor_id,
            )
                .cmp(&(
                    a.counts.kinds.engagements,
                    a.counts.kinds.thread_replies,
                    b.actor_id,
                ))
        });
        Ok(EngagersReport {
            brand: brand.to_owned(),
            from: window.from_label(),
            to: window.to_label(),
            rows,
            anonymised,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{analytics, august};

    #[test]
    fn named_engagers_rank_and_the_others_are_one_sum() -> Result<()> {
        // August, acme's posts 1 and 2 (see the testkit): 101 likes, boosts post 1 and
        // boosts post 2 (3); 104 boosts and likes (2); 102 boosts (1; its like was
        // removed); 103 replies (1); 105 thread-replies and quotes (1 + a thread reply);
        // 106 likes (1). 102 and 105 may not be named.
        let a = analytics()?;
        let report = a.engagers("acme", &august("UTC")?)?;
        let got: Vec<_> = report
            .rows
            .iter()
            .map(|r| (r.actor_id, r.host.as_str(), r.counts.kinds.engagements))
            .collect();
        assert_eq!(
            got,
            [
                (101, "m.example", 3),
                (104, "k.example", 2),
                (103, "g.example", 1),
                (106, "acme.social", 1)
            ]
        );
        assert!(report.rows.iter().all(|r| r.counts.engagers == 1));
        assert_eq!(
            report.anonymised,
            EngagerCounts {
                engagers: 2,
                kinds: KindCounts::new(0, 1, 1, 0, 1),
            }
        );
        assert!(matches!(
            a.engagers("rival", &august("UTC")?),
            Err(AnalyticsError::Watched { .. })
        ));
        Ok(())
    }
}
