//! Which figures of each report are compared with the previous period: every number
//! of every row, keyed by what identifies the row, plus the report's totals under the
//! key `all` where summing means something.

use fedireach_core::{
    InstancesReport, KindCounts, LanguagesReport, PostsReport, ReachFigures, ReachReport,
    round_half_away,
};

use crate::{
    BestTimeReport, CompareReport, ConsentReport, FamilyReport, FollowersReport, HashtagsReport,
    TimelineReport,
    period::{Figure, Figures},
};

/// The key of a report's totals.
const ALL: &str = "all";

/// A row's counts by kind as figures, named as their JSON fields.
fn count_figures(key: &str, counts: &KindCounts) -> Vec<Figure> {
    KindCounts::FIELDS
        .into_iter()
        .zip(counts.columns())
        .map(|(name, n)| Figure::new(key, name, n))
        .collect()
}

/// A reach row's figures: its counts, then how far it reaches.
fn reach_figures(key: &str, counts: &KindCounts, reach: &ReachFigures) -> Vec<Figure> {
    let mut out = count_figures(key, counts);
    let [engagers, instances, potential, share] = ReachFigures::FIELDS;
    out.extend([
        Figure::new(key, engagers, reach.unique_engagers),
        Figure::new(key, instances, reach.unique_instances),
        Figure::new(key, potential, reach.potential_reach),
        Figure::new(key, share, reach.share_pct),
    ]);
    out
}

impl Figures for ReachReport {
    fn figures(&self) -> Vec<Figure> {
        let mut out = vec![Figure::new(
            ALL,
            "engagements",
            self.rows.iter().map(|r| r.counts.engagements).sum::<u64>(),
        )];
        for r in &self.rows {
            out.extend(reach_figures(&r.software, &r.counts, &r.reach));
        }
        out
    }
}

impl Figures for FamilyReport {
    fn figures(&self) -> Vec<Figure> {
        let mut out = Vec::new();
        for r in &self.rows {
            out.extend(reach_figures(&r.family, &r.counts, &r.reach));
        }
        out
    }
}

impl Figures for InstancesReport {
    fn figures(&self) -> Vec<Figure> {
        let mut out = vec![Figure::new(ALL, "instances", self.rows.len() as u64)];
        for r in &self.rows {
            let k = &r.host;
            out.extend([
                Figure::new(k, "engagements", r.counts.engagements),
                Figure::new(k, "unique_engagers", r.unique_engagers),
            ]);
            out.extend(
                r.penetration_pct
                    .map(|p| Figure::new(k, "penetration_pct", p)),
            );
        }
        out
    }
}

impl Figures for PostsReport {
    /// Posts differ from one period to the next, so only the totals compare.
    fn figures(&self) -> Vec<Figure> {
        let mut totals = KindCounts::default();
        for r in &self.rows {
            totals.add(&r.counts);
        }
        let posts = self.rows.len() as u64;
        let mut out = vec![Figure::new(ALL, "posts", posts)];
        out.extend(count_figures(ALL, &totals));
        let engagements = totals.engagements;
        out.extend(
            round_half_away(engagements, posts, 2)
                .map(|v| Figure::new(ALL, "engagements_per_post", v)),
        );
        out
    }
}

impl Figures for TimelineReport {
    /// Days differ between periods: the totals per family and kind compare.
    fn figures(&self) -> Vec<Figure> {
        totals(
            self.rows
                .iter()
                .map(|r| (format!("{}/{}", r.family, r.kind), r.engagements)),
            "engagements",
        )
    }
}

impl Figures for BestTimeReport {
    fn figures(&self) -> Vec<Figure> {
        let mut out = Vec::new();
        for r in &self.rows {
            let k = format!("{} {:02}h", r.weekday, r.hour);
            out.extend([
                Figure::new(k.clone(), "posts", r.posts),
                Figure::new(k.clone(), "engagements", r.engagements),
                Figure::new(k, "mean_engagements", r.mean_engagements),
            ]);
        }
        out
    }
}

impl Figures for CompareReport {
    fn figures(&self) -> Vec<Figure> {
        let mut out = Vec::new();
        for r in &self.rows {
            let k = &r.brand;
            out.extend([
                Figure::new(k, "posts", r.posts),
                Figure::new(k, "engagements", r.engagements),
                Figure::new(k, "share_of_voice_pct", r.share_of_voice_pct),
            ]);
            out.extend(
                r.engagements_per_post
                    .map(|v| Figure::new(k, "engagements_per_post", v)),
            );
            out.extend(
                r.engagement_rate
                    .map(|v| Figure::new(k, "engagement_rate", v)),
            );
            out.extend(
                r.follower_growth
                    .map(|v| Figure::new(k, "follower_growth", v)),
            );
        }
        for f in &self.families {
            let k = format!("{}/{}", f.brand, f.family);
            out.extend([
                Figure::new(k.clone(), "engagements", f.engagements),
                Figure::new(k, "share_pct", f.share_pct),
            ]);
        }
        out
    }
}

impl Figures for FollowersReport {
    fn figures(&self) -> Vec<Figure> {
        let mut out: Vec<Figure> = Vec::new();
        for r in &self.rows {
            let Some(n) = r.followers else { continue };
            match out.iter_mut().find(|f| f.key == r.actor) {
                Some(f) => *f = Figure::new(r.actor.clone(), "followers", n),
                None => out.push(Figure::new(r.actor.clone(), "followers", n)),
            }
        }
        out
    }
}

impl Figures for HashtagsReport {
    fn figures(&self) -> Vec<Figure> {
        let mut out = vec![Figure::new(ALL, "engagements", self.engagements)];
        for r in &self.rows {
            let k = &r.hashtag;
            out.extend([
                Figure::new(k, "posts", r.posts),
                Figure::new(k, "engagements", r.counts.engagements),
                Figure::new(k, "engagements_per_post", r.engagements_per_post),
                Figure::new(k, "share_pct", r.share_pct),
            ]);
        }
        out
    }
}

impl Figures for LanguagesReport {
    fn figures(&self) -> Vec<Figure> {
        let mut out = vec![
            Figure::new(ALL, "total", self.total),
            Figure::new(ALL, "declared_pct", self.declared_pct),
        ];
        for r in &self.rows {
            let key = r
                .language
                .as_deref()
                .or(r.unknown.as_deref())
                .unwrap_or_default();
            out.extend([
                Figure::new(key, "total", r.total),
                Figure::new(key, "share_pct", r.share_pct),
            ]);
        }
        out
    }
}

impl Figures for ConsentReport {
    /// Crawls differ between periods: the totals per subject, action and reason.
    fn figures(&self) -> Vec<Figure> {
        totals(
            self.rows
                .iter()
                .map(|r| (format!("{}/{}/{}", r.subject, r.action, r.reason), r.count)),
            "count",
        )
    }
}

/// Sums of counts per key, in order of first appearance.
fn totals(items: impl Iterator<Item = (String, u64)>, name: &'static str) -> Vec<Figure> {
    let mut sums: Vec<(String, u64)> = Vec::new();
    for (key, n) in items {
        match sums.iter_mut().find(|(k, _)| *k == key) {
            Some((_, total)) => *total += n,
            None => sums.push((key, n)),
        }
    }
    sums.into_iter()
        .map(|(k, n)| Figure::new(k, name, n))
        .collect()
}
