//! `report instances`: the brand's engagement from each instance, with its monthly
//! active users and the server penetration.

use fedireach_core::{InstanceRow, InstancesReport, pct_2dp};
use polars::prelude::*;

use crate::{
    Analytics, Result, Window,
    analytics::{kind_sums, read_kind_counts},
    columns::{counts, opt_counts, strings},
};

impl Analytics {
    /// One row per engaging instance of the brand's posts published in the window.
    pub fn instances(&self, brand: &str, window: &Window) -> Result<InstancesReport> {
        let posts = self.brand_posts(brand, window)?;
        let engagers = self.per_engager(self.engagements_of(posts));
        let unavailable_posts = self.unavailable_posts(brand, window)?;
        let mut aggs = kind_sums();
        aggs.extend([
            col("host").first(),
            col("software").first(),
            col("family").first(),
            col("active_month").first(),
            col("actor_id").n_unique().alias("unique_engagers"),
        ]);
        let df = engagers.group_by([col("host_id")]).agg(aggs).collect()?;
        let hosts = strings(&df, "host")?;
        let softwares = strings(&df, "software")?;
        let families = strings(&df, "family")?;
        let active = opt_counts(&df, "active_month")?;
        let engagers = counts(&df, "unique_engagers")?;
        let kinds = read_kind_counts(&df)?;
        let mut rows: Vec<InstanceRow> = hosts
            .into_iter()
            .zip(softwares)
            .zip(families)
            .zip(active.into_iter().zip(engagers).zip(kinds))
            .map(
                |(((host, software), family), ((active_month, engagers), c))| InstanceRow {
                    host,
                    software,
                    family,
                    counts: c,
                    unique_engagers: engagers,
                    active_month,
                    penetration_pct: active_month
                        .filter(|&users| users > 0)
                        .map(|users| pct_2dp(engagers, users)),
                    unavailable_posts,
                },
            )
            .collect();
        rows.sort_by(|a, b| {
            b.counts
                .engagements
                .cmp(&a.counts.engagements)
                .then_with(|| a.host.cmp(&b.host))
        });
        Ok(InstancesReport {
            brand: brand.to_owned(),
            from: window.from_label(),
            to: window.to_label(),
            rows,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{analytics, august};

    #[test]
    fn instances_in_august() -> Result<()> {
        // m.example: 2 engagers of 50 active users = 4 %; k.example publishes 0 active
        // users and g.example none: no penetration; s.example: 1 of 8 = 12.5 %.
        let report = analytics()?.instances("acme", &august("UTC")?)?;
        let got: Vec<_> = report
            .rows
            .iter()
            .map(|r| {
                (
                    r.host.as_str(),
                    r.software.as_str(),
                    r.family.as_str(),
                    r.counts.by_kind(),
                    r.counts.engagements,
                    r.unique_engagers,
                    r.active_month,
                    r.penetration_pct,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "m.example",
                    "mastodon",
                    "mastodon",
                    [0, 0, 3, 1, 0],
                    4,
                    2,
                    Some(50),
                    Some(4.0)
                ),
                (
                    "k.example",
                    "misskey",
                    "misskey",
                    [0, 0, 1, 1, 0],
                    2,
                    1,
                    Some(0),
                    None
                ),
                (
                    "acme.social",
                    "mastodon",
                    "mastodon",
                    [0, 0, 0, 1, 0],
                    1,
                    1,
                    Some(100),
                    Some(1.0)
                ),
                (
                    "g.example",
                    "glitch",
                    "mastodon",
                    [1, 0, 0, 0, 0],
                    1,
                    1,
                    None,
                    None
                ),
                (
                    "s.example",
                    "sharkey",
                    "misskey",
                    [0, 1, 0, 0, 1],
                    1,
                    1,
                    Some(8),
                    Some(12.5)
                ),
            ]
        );
        Ok(())
    }

    #[test]
    fn empty_window_gives_no_instances() -> Result<()> {
        let window = Window::parse(Some("2020-01-01"), Some("2020-01-01"), None)?;
        assert!(analytics()?.instances("rival", &window)?.rows.is_empty());
        Ok(())
    }
}
