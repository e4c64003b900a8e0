//! Everything a brand page shows for one window, computed at once (in a blocking
//! task: polars) and cached: the reports of the analytics and the key figures with
//! their change against the previous period.

use fedireach_analytics::{
    Analytics, BestTimeReport, ConsentReport, EngagersReport, FamilyReport, FollowersReport,
    Granularity, HashtagsReport, TimelineBasis, TimelineReport, Window,
};
use fedireach_core::{
    InstancesReport, LanguagesReport, PostsReport, ReachReport, Unavailable, UnavailablePosts,
    round_half_away,
};
use serde::Serialize;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, OnceLock},
};

use crate::{WebError, draw::Drawn};

/// Windows longer than this are charted by week rather than by day.
const DAILY_UP_TO_DAYS: u64 = 92;

/// The key figures of a brand page.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KeyFigures {
    pub posts: u64,
    pub engagements: u64,
    /// Engagers partition by instance and so by software: the sum over software rows
    /// is the number of unique engagers.
    pub unique_engagers: u64,
    pub instances: u64,
    pub potential_reach: u64,
    /// Engagements from instances other than the post author's, of all engagements;
    /// `None` without engagements.
    pub cross_server_share_pct: Option<f64>,
    /// Followers at the last snapshot minus the first, summed over tracked actors.
    pub follower_growth: Option<i64>,
    /// Of the posts, how many had each kind unavailable: the engagement figures leave
    /// those kinds of those posts out (unknown, not 0).
    pub unavailable_posts: UnavailablePosts,
    /// The same in sentences, by kind and reason: "the quotes of 12 posts (not exposed
    /// by the server software)".
    pub left_out: Vec<String>,
}

/// One key figure with its previous value and change, as the templates show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyFigure {
    pub metric: &'static str,
    pub label: &'static str,
    /// What the figure counts, in a sentence, shown beside it.
    pub help: &'static str,
    pub value: Option<f64>,
    pub previous: Option<f64>,
    pub change: Option<f64>,
    pub change_pct: Option<f64>,
    /// What the change is against: `previous period` or `same days a year before`.
    pub versus: String,
}

impl KeyFigure {
    /// The figure unknown: no value, so no change either.
    pub fn unknown(self) -> Self {
        Self {
            value: None,
            previous: None,
            change: None,
            change_pct: None,
            ..self
        }
    }
}

/// Why a brand's key figures are unknown when the last crawl could read none of its
/// accounts and no post of the window is stored (`None` otherwise): zeros would say
/// nobody engaged.
pub fn unread_brand(
    brand: &fedireach_store::Brand,
    figures: &BrandFigures,
) -> Option<&'static str> {
    let none_read = !brand.actors.is_empty() && brand.actors.iter().all(|a| a.unread.is_some());
    (none_read && figures.key.posts == 0).then_some(
        "None of the brand's accounts could be read by the last crawl and no post of this \
         window is stored: its figures are unknown, not 0.",
    )
}

/// The key figures of `metrics` as a page or the API shows them: all unknown when
/// `unread_brand` gave a reason.
pub fn shown_key_figures(
    figures: &BrandFigures,
    metrics: &[crate::Metric],
    unknown: Option<&str>,
) -> Vec<KeyFigure> {
    let all = figures.key_figures(metrics);
    if unknown.is_some() {
        all.into_iter().map(KeyFigure::unknown).collect()
    } else {
        all
    }
}

/// The brand page's data for one window.
#[derive(Debug, Serialize)]
pub struct BrandFigures {
    pub brand: String,
    pub key: KeyFigures,
    /// The same figures for the period of the same length just before (bounded
    /// windows only).
    pub previous: Option<KeyFigures>,
    /// The baseline of `previous`, in words (see [`fedireach_analytics::Baseline`]).
    #[serde(skip)]
    pub(crate) versus: String,
    pub reach: ReachReport,
    pub family: FamilyReport,
    pub posts: PostsReport,
    pub instances: InstancesReport,
    /// Engagements per day (or week) of their post's publication: the window's rule.
    pub timeline: TimelineReport,
    /// The same engagements per day they happened, where the source gave a time.
    pub timeline_engaged: TimelineReport,
    pub best_time: BestTimeReport,
    pub hashtags: HashtagsReport,
    /// The declared languages of the replies and quotes.
    pub languages: LanguagesReport,
    /// Who engaged most, for an owned brand only (`None` for a watched one). Not in the
    /// JSON: its ids are the store's; the page and its CSV add the names.
    #[serde(skip)]
    pub engagers: Option<EngagersReport>,
    pub followers: FollowersReport,
    pub consent: ConsentReport,
    /// Charts drawn from these figures, by name: drawn once per cached window.
    #[serde(skip)]
    pub(crate) drawn: Mutex<HashMap<&'static str, Arc<Drawn>>>,
    /// The brand page rendered from these figures (for the plain view, without
    /// `brand=` parameters), with the view query and crawl status it was rendered for:
    /// a warm page is a copy of bytes, not a template run.
    #[serde(skip)]
    pub(crate) page: OnceLock<(String, axum::body::Bytes)>,
}

impl BrandFigures {
    /// Runs every report of the page. Synchronous and CPU-bound: call it from
    /// `spawn_blocking`.
    pub fn compute(analytics: &Analytics, brand: &str, window: &Window) -> Result<Self, WebError> {
        let granularity = match window.days() {
            Some(days) if days <= DAILY_UP_TO_DAYS => Granularity::Day,
            _ => Granularity::Week,
        };
        let reach = analytics.reach(brand, window)?;
        let posts = analytics.posts(brand, window)?;
        let key = key_figures(analytics, brand, window, &reach, &posts)?;
        let previous = match window.previous() {
            Some(before) => {
                let reach = analytics.reach(brand, &before)?;
                let posts = analytics.posts(brand, &before)?;
                Some(key_figures(analytics, brand, &before, &reach, &posts)?)
            }
            None => None,
        };
        Ok(Self {
            brand: brand.to_owned(),
            key,
            previous,
            versus: window.baseline().label(),
            family: analytics.reach_by_family(brand, window)?,
            instances: analytics.instances(brand, window)?,
            timeline: analytics.timeline(brand, window, granularity)?,
            timeline_engaged: analytics.timeline_by(
                brand,
                window,
                granularity,
                TimelineBasis::Engaged,
            )?,
            best_time: analytics.best_time(brand, window)?,
            hashtags: analytics.hashtags(brand, window)?,
            languages: analytics.languages(brand, window)?,
            engagers: if analytics.is_owned(brand)? {
                Some(analytics.engagers(brand, window)?)
            } else {
                None
            },
            followers: analytics.followers(brand, window)?,
            consent: analytics.consent(brand, window)?,
            reach,
            posts,
            drawn: Mutex::new(HashMap::new()),
            page: OnceLock::new(),
        })
    }

    /// How many of the window's posts had each kind unavailable.
    pub fn unavailable_posts(&self) -> UnavailablePosts {
        self.key.unavailable_posts
    }

    /// The key figures with their changes, in the order asked.
    pub fn key_figures(&self, metrics: &[crate::Metric]) -> Vec<KeyFigure> {
        metrics
            .iter()
            .map(|m| {
                let (metric, label) = metric_names(*m);
                let help = metric_help(*m);
                let value = metric_value(&self.key, *m);
                let previous = self.previous.as_ref().and_then(|p| metric_value(p, *m));
                let change = value.zip(previous).map(|(v, p)| v - p);
                let change_pct = change
                    .zip(previous)
                    .filter(|(_, p)| *p != 0.0)
                    .map(|(c, p)| (c / p.abs() * 10_000.0).round() / 100.0);
                KeyFigure {
                    metric,
                    label,
                    help,
                    value,
                    previous,
                    change,
                    change_pct,
                    versus: self.versus.clone(),
                }
            })
            .collect()
    }
}

fn metric_names(metric: crate::Metric) -> (&'static str, &'static str) {
    use crate::Metric as M;
    match metric {
        M::Engagements => ("engagements", "Engagements"),
        M::UniqueEngagers => ("unique_engagers", "Unique engagers"),
        M::Instances => ("instances", "Instances reached"),
        M::PotentialReach => ("potential_reach", "Potential reach"),
        M::CrossServerSharePct => ("cross_server_share_pct", "Cross-server share (%)"),
        M::FollowerGrowth => ("follower_growth", "Follower growth"),
    }
}

/// The definition shown with each key figure.
fn metric_help(metric: crate::Metric) -> &'static str {
    use crate::Metric as M;
    match metric {
        M::Engagements => {
            "Replies, boosts, likes and quotes by others on the posts published in this window (replies within a thread are not counted)."
        }
        M::UniqueEngagers => "Different accounts that engaged at least once.",
        M::Instances => "Different servers those accounts are on.",
        M::PotentialReach => {
            "The engagers' own follower counts, summed: who could see a boost or reply. Servers that publish no follower counts add nothing, so it is a floor, not an audience."
        }
        M::CrossServerSharePct => {
            "Of the engagements, the percentage from accounts on other servers than the post's."
        }
        M::FollowerGrowth => {
            "Followers at the last crawl of the window minus the first, over the brand's accounts; unknown until two crawls."
        }
    }
}

#[allow(clippy::cast_precision_loss)]
fn metric_value(key: &KeyFigures, metric: crate::Metric) -> Option<f64> {
    use crate::Metric as M;
    match metric {
        M::Engagements => Some(key.engagements as f64),
        M::UniqueEngagers => Some(key.unique_engagers as f64),
        M::Instances => Some(key.instances as f64),
        M::PotentialReach => Some(key.potential_reach as f64),
        M::CrossServerSharePct => key.cross_server_share_pct,
        M::FollowerGrowth => key.follower_growth.map(|g| g as f64),
    }
}

fn key_figures(
    analytics: &Analytics,
    brand: &str,
    window: &Window,
    reach: &ReachReport,
    posts: &PostsReport,
) -> Result<KeyFigures, WebError> {
    let engagements: u64 = reach.rows.iter().map(|r| r.counts.engagements).sum();
    // Each post's share is rounded to 2 decimals of a percent: recovering its count of
    // cross-server engagements by rounding is exact below 10 000 engagements a post.
    let cross: f64 = posts
        .rows
        .iter()
        .map(|p| {
            #[allow(clippy::cast_precision_loss)]
            let n = p.counts.engagements as f64;
            (p.cross_server_share_pct * n / 100.0).round()
        })
        .sum();
    let post_engagements: u64 = posts.rows.iter().map(|p| p.counts.engagements).sum();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let cross = cross.max(0.0) as u64;
    let compare = analytics.compare(&[brand], window)?;
    let (unavailable_posts, left_out) = left_out(posts);
    Ok(KeyFigures {
        posts: posts.rows.len() as u64,
        engagements,
        unique_engagers: reach.rows.iter().map(|r| r.reach.unique_engagers).sum(),
        instances: reach.rows.iter().map(|r| r.reach.unique_instances).sum(),
        potential_reach: reach.rows.iter().map(|r| r.reach.potential_reach).sum(),
        cross_server_share_pct: round_half_away(cross * 100, post_engagements, 2),
        follower_growth: compare.rows.first().and_then(|r| r.follower_growth),
        unavailable_posts,
        left_out,
    })
}

/// What the engagement figures of these posts leave out: the posts per unavailable
/// kind, and the same per kind and reason in words.
fn left_out(posts: &PostsReport) -> (UnavailablePosts, Vec<String>) {
    let mut counts = UnavailablePosts::default();
    let mut by_reason: std::collections::BTreeMap<(usize, &str), u64> = Default::default();
    for coverage in posts.rows.iter().filter_map(|p| p.coverage.as_ref()) {
        counts.add_row(coverage);
        for (i, kind) in UnavailablePosts::KINDS.iter().enumerate() {
            if let Some(why) = coverage.unavailable.get(*kind) {
                *by_reason.entry((i, why.as_str())).or_default() += 1;
            }
        }
    }
    let sentences = by_reason
        .into_iter()
        .map(|((i, why), n)| {
            let kind = UnavailablePosts::KINDS.get(i).copied().unwrap_or("quotes");
            let reason = Unavailable::parse(why).map_or(why, |u| u.describe());
            let s = if n == 1 { "" } else { "s" };
            format!("the {kind} of {n} post{s} ({reason})")
        })
        .collect();
    (counts, sentences)
}
