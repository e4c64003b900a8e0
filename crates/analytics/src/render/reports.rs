//! Each report as a table: the columns are the JSON fields, in the same order.

use fedireach_core::{
    InstancesReport, KindCounts, LanguagesReport, PostsReport, ReachFigures, ReachReport,
    UnavailablePosts,
};

use crate::{
    BestTimeReport, ConsentReport, FamilyReport, FollowersReport, HashtagsReport, TimelineReport,
    render::{Tabular, float, opt},
};

/// "reach of acme, 2026-08-01 to 2026-08-31".
pub(super) fn title(what: &str, brand: &str, from: Option<&String>, to: Option<&String>) -> String {
    let window = match (from, to) {
        (None, None) => "all time".to_owned(),
        (Some(f), None) => format!("from {f}"),
        (None, Some(t)) => format!("up to {t}"),
        (Some(f), Some(t)) => format!("{f} to {t}"),
    };
    format!("{what} of {brand}, {window}")
}

pub(super) fn headers(names: &[&str]) -> Vec<String> {
    names.iter().map(|h| (*h).to_owned()).collect()
}

/// `before`, the counts by kind ([`KindCounts::FIELDS`]), then `after`.
fn with_counts(before: &[&str], after: &[&str]) -> Vec<String> {
    let mut names = headers(before);
    names.extend(headers(&KindCounts::FIELDS));
    names.extend(headers(after));
    names
}

/// A row's counts by kind as cells.
fn count_cells(counts: &KindCounts) -> [String; 6] {
    counts.columns().map(|n| n.to_string())
}

/// A reach row's figures after its counts, as cells.
fn reach_cells(reach: &ReachFigures) -> [String; 4] {
    [
        reach.unique_engagers.to_string(),
        reach.unique_instances.to_string(),
        reach.potential_reach.to_string(),
        float(reach.share_pct),
    ]
}

/// The note of a report whose rows all carry the same `unavailable_posts`.
fn unavailable_note(unavailable: Option<UnavailablePosts>) -> Vec<String> {
    unavailable.and_then(|u| u.note()).into_iter().collect()
}

/// The columns of a row's `unavailable_posts`, after the row's own: how many posts had
/// each kind unavailable (the row's count of the kind leaves them out).
fn with_unavailable(mut names: Vec<String>) -> Vec<String> {
    names.extend(UnavailablePosts::KINDS.map(|k| format!("unavailable_posts_{k}")));
    names
}

impl Tabular for ReachReport {
    fn title(&self) -> String {
        title(
            "Reach by server software",
            &self.brand,
            self.from.as_ref(),
            self.to.as_ref(),
        )
    }
    fn headers(&self) -> Vec<String> {
        with_unavailable(with_counts(&["software", "family"], &ReachFigures::FIELDS))
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|r| {
                let mut cells = vec![r.software.clone(), r.family.clone()];
                cells.extend(count_cells(&r.counts));
                cells.extend(reach_cells(&r.reach));
                cells.extend(r.unavailable_posts.cells());
                cells
            })
            .collect()
    }
    fn notes(&self) -> Vec<String> {
        unavailable_note(self.rows.first().map(|r| r.unavailable_posts))
    }
}

impl Tabular for FamilyReport {
    fn title(&self) -> String {
        title(
            "Reach by software family",
            &self.brand,
            self.from.as_ref(),
            self.to.as_ref(),
        )
    }
    fn headers(&self) -> Vec<String> {
        with_unavailable(with_counts(&["family"], &ReachFigures::FIELDS))
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|r| {
                let mut cells = vec![r.family.clone()];
                cells.extend(count_cells(&r.counts));
                cells.extend(reach_cells(&r.reach));
                cells.extend(r.unavailable_posts.cells());
                cells
            })
            .collect()
    }
    fn notes(&self) -> Vec<String> {
        unavailable_note(self.rows.first().map(|r| r.unavailable_posts))
    }
}

impl Tabular for PostsReport {
    fn title(&self) -> String {
        title("Posts", &self.brand, self.from.as_ref(), self.to.as_ref())
    }
    fn headers(&self) -> Vec<String> {
        with_counts(
            &["published", "uri", "actor"],
            &[
                "reported_replies",
                "reported_boosts",
                "reported_likes",
                "reported_quotes",
                "followers",
                "engagement_rate",
                "cross_server_share_pct",
                "softwares",
                "replies_coverage",
                "boosts_coverage",
                "likes_coverage",
                "quotes_coverage",
            ],
        )
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|r| {
                let mut cells = vec![r.published.clone(), r.uri.clone(), r.actor.clone()];
                // An unavailable kind's count is unknown: "n/a", never 0.
                let coverage = r.coverage.as_ref();
                let unavailable =
                    |kind: &str| coverage.is_some_and(|c| c.unavailable.contains_key(kind));
                let count = |n: u64, kind: &str| {
                    if unavailable(kind) {
                        "n/a".to_owned()
                    } else {
                        n.to_string()
                    }
                };
                let c = &r.counts;
                cells.extend([
                    count(c.replies, "replies"),
                    count(c.thread_replies, "replies"),
                    count(c.boosts, "boosts"),
                    count(c.likes, "likes"),
                    count(c.quotes, "quotes"),
                    c.engagements.to_string(),
                ]);
                cells.extend([
                    opt(r.reported.replies),
                    opt(r.reported.boosts),
                    opt(r.reported.likes),
                    opt(r.reported.quotes),
                    opt(r.followers),
                    opt(r.engagement_rate.map(float)),
                    float(r.cross_server_share_pct),
                    r.softwares.join(" "),
                ]);
                cells.extend(
                    ["replies", "boosts", "likes", "quotes"]
                        .map(|kind| coverage.map_or_else(String::new, |c| c.describe(kind))),
                );
                cells
            })
            .collect()
    }
}

impl Tabular for InstancesReport {
    fn title(&self) -> String {
        title(
            "Engaging instances",
            &self.brand,
            self.from.as_ref(),
            self.to.as_ref(),
        )
    }
    fn headers(&self) -> Vec<String> {
        with_unavailable(with_counts(
            &["host", "software", "family"],
            &["unique_engagers", "active_month", "penetration_pct"],
        ))
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|r| {
                let mut cells = vec![r.host.clone(), r.software.clone(), r.family.clone()];
                cells.extend(count_cells(&r.counts));
                cells.push(r.unique_engagers.to_string());
                cells.extend([opt(r.active_month), opt(r.penetration_pct.map(float))]);
                cells.extend(r.unavailable_posts.cells());
                cells
            })
            .collect()
    }
    fn notes(&self) -> Vec<String> {
        unavailable_note(self.rows.first().map(|r| r.unavailable_posts))
    }
}

impl Tabular for TimelineReport {
    fn title(&self) -> String {
        let what = format!("Engagements per {:?} ({})", self.granularity, self.tz).to_lowercase();
        title(&what, &self.brand, self.from.as_ref(), self.to.as_ref())
    }
    fn headers(&self) -> Vec<String> {
        headers(&["period", "family", "kind", "engagements"])
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|r| {
                vec![
                    r.period.clone(),
                    r.family.clone(),
                    r.kind.clone(),
                    r.engagements.to_string(),
                ]
            })
            .collect()
    }
}

impl Tabular for BestTimeReport {
    fn title(&self) -> String {
        let what = format!(
            "Mean engagements per post by hour of publication ({})",
            self.tz
        );
        title(&what, &self.brand, self.from.as_ref(), self.to.as_ref())
    }
    fn headers(&self) -> Vec<String> {
        headers(&[
            "weekday",
            "hour",
            "hour_of_week",
            "posts",
            "engagements",
            "mean_engagements",
        ])
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|r| {
                vec![
                    r.weekday.clone(),
                    r.hour.to_string(),
                    r.hour_of_week.to_string(),
                    r.posts.to_string(),
                    r.engagements.to_string(),
                    float(r.mean_engagements),
                ]
            })
            .collect()
    }
}

impl Tabular for FollowersReport {
    fn title(&self) -> String {
        title(
            "Followers",
            &self.brand,
            self.from.as_ref(),
            self.to.as_ref(),
        )
    }
    fn headers(&self) -> Vec<String> {
        headers(&["actor", "taken", "followers", "change"])
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|r| {
                vec![
                    r.actor.clone(),
                    r.taken.clone(),
                    opt(r.followers),
                    opt(r.change),
                ]
            })
            .collect()
    }
}

impl Tabular for HashtagsReport {
    fn title(&self) -> String {
        title(
            "Hashtags",
            &self.brand,
            self.from.as_ref(),
            self.to.as_ref(),
        )
    }
    fn headers(&self) -> Vec<String> {
        with_counts(
            &["hashtag", "posts"],
            &["engagements_per_post", "share_pct"],
        )
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|r| {
                let mut cells = vec![r.hashtag.clone(), r.posts.to_string()];
                cells.extend(count_cells(&r.counts));
                cells.extend([float(r.engagements_per_post), float(r.share_pct)]);
                cells
            })
            .collect()
    }
}

impl Tabular for LanguagesReport {
    fn title(&self) -> String {
        title(
            "Languages of replies and quotes",
            &self.brand,
            self.from.as_ref(),
            self.to.as_ref(),
        )
    }
    fn headers(&self) -> Vec<String> {
        with_unavailable(headers(&[
            "language",
            "unknown",
            "replies",
            "thread_replies",
            "quotes",
            "total",
            "share_pct",
        ]))
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|r| {
                let mut cells = vec![opt(r.language.as_ref()), opt(r.unknown.as_ref())];
                cells.extend(
                    [r.replies, r.thread_replies, r.quotes, r.total].map(|n| n.to_string()),
                );
                cells.push(float(r.share_pct));
                cells.extend(self.unavailable_posts.cells());
                cells
            })
            .collect()
    }
    fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.total > 0 {
            notes.push(format!(
                "{}% of {} replies and quotes declare a language; no language is guessed \
                 from text.",
                float(self.declared_pct),
                self.total
            ));
        }
        notes.extend(unavailable_note(Some(self.unavailable_posts)));
        notes
    }
}

impl Tabular for ConsentReport {
    fn title(&self) -> String {
        title(
            "What the crawls left out or anonymised",
            &self.brand,
            self.from.as_ref(),
            self.to.as_ref(),
        )
    }
    fn headers(&self) -> Vec<String> {
        headers(&[
            "crawl_id", "started", "subject", "action", "reason", "count",
        ])
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|r| {
                vec![
                    r.crawl_id.to_string(),
                    r.started.clone(),
                    r.subject.clone(),
                    r.action.clone(),
                    r.reason.clone(),
                    r.count.to_string(),
                ]
            })
            .collect()
    }
}
