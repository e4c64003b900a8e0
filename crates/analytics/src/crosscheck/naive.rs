//! The naive model: every report straight from the fact rows, with maps and sets.

use std::collections::{BTreeMap, BTreeSet};

use fedireach_core::{
    Coverage, CoverageRow, EngagementFact, EngagementKind, Facts, InstanceRow, InstancesReport,
    KindCounts, LanguageCounts, LanguagesReport, PostCoverage, PostFact, PostRow, PostsReport,
    ReachFigures, ReachReport, ReachRow, ReportedCounts, UnavailablePosts, pct_2dp,
    round_half_away,
};

use crate::{EngagerCounts, EngagerRow, EngagersReport, Window, window::rfc3339};

/// The naive model of one brand and window.
struct Naive<'a> {
    facts: &'a Facts,
    posts: Vec<&'a PostFact>,
    tracked: BTreeMap<&'a str, i64>,
}

impl<'a> Naive<'a> {
    fn new(facts: &'a Facts, brand: &str, window: &Window) -> Self {
        let mut tracked: BTreeMap<&str, i64> = BTreeMap::new();
        for ba in facts.brand_actors.iter().filter(|b| b.brand == brand) {
            if let Some(uri) = ba.actor_uri.as_deref() {
                let id = tracked.entry(uri).or_insert(ba.tracked_actor_id);
                *id = (*id).min(ba.tracked_actor_id);
            }
        }
        let posts = facts
            .posts
            .iter()
            .filter(|p| tracked.contains_key(p.author_uri.as_str()))
            .filter(|p| !p.is_boost && !p.deleted && window.contains(p.published_at))
            .collect();
        Self {
            facts,
            posts,
            tracked,
        }
    }

    fn engagements(&self) -> impl Iterator<Item = &'a EngagementFact> + '_ {
        let ids: BTreeSet<i64> = self.posts.iter().map(|p| p.post_id).collect();
        self.facts
            .engagements
            .iter()
            .filter(move |e| ids.contains(&e.post_id) && e.removed_at.is_none() && !e.is_self)
    }

    fn software(&self, host: &str) -> (String, String) {
        self.facts
            .instances
            .iter()
            .find(|i| i.host == host)
            .map_or(("unknown".into(), "unknown".into()), |i| {
                (i.software.clone(), i.family.clone())
            })
    }

    /// Posts per kind whose coverage is `unavailable:…`, counted from the codes.
    fn unavailable(&self) -> UnavailablePosts {
        let count = |kind: fn(&PostCoverage) -> Coverage| {
            self.posts
                .iter()
                .filter_map(|p| p.coverage)
                .filter(|c| kind(c).code().starts_with("unavailable:"))
                .count() as u64
        };
        UnavailablePosts {
            replies: count(|c| c.replies),
            boosts: count(|c| c.boosts),
            likes: count(|c| c.likes),
            quotes: count(|c| c.quotes),
        }
    }

    fn followers(&self, actor_id: i64) -> u64 {
        self.facts
            .actors
            .iter()
            .find(|a| a.actor_id == actor_id)
            .and_then(|a| a.followers_count)
            .and_then(|f| u64::try_from(f).ok())
            .unwrap_or(0)
    }
}

#[derive(Default)]
struct Tally {
    family: String,
    kinds: [u64; 5],
    engagers: BTreeSet<i64>,
    hosts: BTreeSet<String>,
    boosters: BTreeSet<i64>,
}

impl Tally {
    fn add(&mut self, e: &EngagementFact) {
        let i = EngagementKind::ALL
            .iter()
            .position(|k| *k == e.kind)
            .unwrap_or(0);
        if let Some(n) = self.kinds.get_mut(i) {
            *n += 1;
        }
        self.engagers.insert(e.actor_id);
        self.hosts.insert(e.host.clone());
        if e.kind == EngagementKind::Boost {
            self.boosters.insert(e.actor_id);
        }
    }
    fn engagements(&self) -> u64 {
        self.counts().engagements
    }

    fn counts(&self) -> KindCounts {
        let [replies, thread, boosts, likes, quotes] = self.kinds;
        KindCounts::new(replies, thread, boosts, likes, quotes)
    }
}

pub(super) fn naive_reach(facts: &Facts, brand: &str, window: &Window) -> ReachReport {
    let model = Naive::new(facts, brand, window);
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    for e in model.engagements() {
        let (software, family) = model.software(&e.host);
        let tally = tallies.entry(software).or_default();
        tally.family = family;
        tally.add(e);
    }
    let total: u64 = tallies.values().map(Tally::engagements).sum();
    let mut rows: Vec<ReachRow> = tallies
        .into_iter()
        .map(|(software, t)| ReachRow {
            software,
            family: t.family.clone(),
            counts: t.counts(),
            reach: ReachFigures {
                unique_engagers: t.engagers.len() as u64,
                unique_instances: t.hosts.len() as u64,
                potential_reach: t.boosters.iter().map(|a| model.followers(*a)).sum(),
                share_pct: pct_2dp(t.engagements(), total),
            },
            unavailable_posts: model.unavailable(),
        })
        .collect();
    rows.sort_by(|a, b| {
        b.counts
            .engagements
            .cmp(&a.counts.engagements)
            .then_with(|| a.software.cmp(&b.software))
    });
    ReachReport {
        brand: brand.into(),
        from: window.from_label(),
        to: window.to_label(),
        rows,
    }
}

pub(super) fn naive_instances(facts: &Facts, brand: &str, window: &Window) -> InstancesReport {
    let model = Naive::new(facts, brand, window);
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    for e in model.engagements() {
        tallies.entry(e.host.clone()).or_default().add(e);
    }
    let mut rows: Vec<InstanceRow> = tallies
        .into_iter()
        .map(|(host, t)| {
            let (software, family) = model.software(&host);
            let active = facts
                .instances
                .iter()
                .find(|i| i.host == host)
                .and_then(|i| i.users_active_month)
                .and_then(|a| u64::try_from(a).ok());
            let engagers = t.engagers.len() as u64;
            InstanceRow {
                host,
                software,
                family,
                counts: t.counts(),
                unique_engagers: engagers,
                active_month: active,
                penetration_pct: active.filter(|a| *a > 0).map(|a| pct_2dp(engagers, a)),
                unavailable_posts: model.unavailable(),
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.counts
            .engagements
            .cmp(&a.counts.engagements)
            .then_with(|| a.host.cmp(&b.host))
    });
    InstancesReport {
        brand: brand.into(),
        from: window.from_label(),
        to: window.to_label(),
        rows,
    }
}

pub(super) fn naive_posts(facts: &Facts, brand: &str, window: &Window) -> PostsReport {
    let model = Naive::new(facts, brand, window);
    let mut rows: Vec<(i64, PostRow)> = Vec::new();
    for p in &model.posts {
        let mut t = Tally::default();
        let mut cross = 0;
        let mut softwares = BTreeSet::new();
        for e in model.engagements().filter(|e| e.post_id == p.post_id) {
            t.add(e);
            if e.kind != EngagementKind::ThreadReply && e.host != p.host {
                cross += 1;
            }
            softwares.insert(model.software(&e.host).0);
        }
        let tracked = model.tracked.get(p.author_uri.as_str()).copied();
        let followers = facts
            .follower_snapshots
            .iter()
            .filter(|s| Some(s.tracked_actor_id) == tracked)
            .filter_map(|s| {
                s.followers
                    .map(|f| ((s.taken_at - p.published_at).abs(), s.taken_at, f))
            })
            .min()
            .and_then(|(_, _, f)| u64::try_from(f).ok());
        let count = |v: Option<i64>| v.and_then(|v| u64::try_from(v).ok());
        rows.push((
            p.published_at,
            PostRow {
                uri: p.uri.clone(),
                actor: p.author_uri.clone(),
                published: rfc3339(p.published_at),
                counts: t.counts(),
                reported: ReportedCounts {
                    replies: count(p.reported_replies),
                    boosts: count(p.reported_boosts),
                    likes: count(p.reported_likes),
                    quotes: count(p.reported_quotes),
                },
                followers,
                engagement_rate: followers.and_then(|f| round_half_away(t.engagements(), f, 4)),
                cross_server_share_pct: pct_2dp(cross, t.engagements()),
                softwares: softwares.into_iter().collect(),
                coverage: p.coverage.map(CoverageRow::from),
            },
        ));
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.uri.cmp(&b.1.uri)));
    PostsReport {
        brand: brand.into(),
        from: window.from_label(),
        to: window.to_label(),
        rows: rows.into_iter().map(|(_, r)| r).collect(),
    }
}

/// Engagers by a map of actor id to tallies: the named ones each a row, the others
/// summed.
pub(super) fn naive_engagers(facts: &Facts, brand: &str, window: &Window) -> EngagersReport {
    let naive = Naive::new(facts, brand, window);
    let mut by: BTreeMap<i64, (String, Tally)> = BTreeMap::new();
    for e in naive.engagements() {
        by.entry(e.actor_id)
            .or_insert_with(|| (e.host.clone(), Tally::default()))
            .1
            .add(e);
    }
    let named: BTreeSet<i64> = facts
        .actors
        .iter()
        .filter(|a| a.named)
        .map(|a| a.actor_id)
        .collect();
    let mut rows = Vec::new();
    let mut anonymised = EngagerCounts::default();
    for (actor_id, (host, t)) in by {
        let counts = EngagerCounts {
            engagers: 1,
            kinds: t.counts(),
        };
        if named.contains(&actor_id) {
            rows.push(EngagerRow {
                actor_id,
                software: naive.software(&host).0,
                host,
                counts,
            });
        } else {
            anonymised.add(&counts);
        }
    }
    rows.sort_by_key(|r| {
        (
            std::cmp::Reverse(r.counts.kinds.engagements),
            std::cmp::Reverse(r.counts.kinds.thread_replies),
            r.actor_id,
        )
    });
    EngagersReport {
        brand: brand.to_owned(),
        from: window.from_label(),
        to: window.to_label(),
        rows,
        anonymised,
    }
}

/// Languages by a map of the stored cell to counts; likes and boosts carry no language
/// whatever their cell says.
pub(super) fn naive_languages(facts: &Facts, brand: &str, window: &Window) -> LanguagesReport {
    let naive = Naive::new(facts, brand, window);
    let mut by: BTreeMap<Option<String>, LanguageCounts> = BTreeMap::new();
    for e in naive.engagements() {
        let slot = by.entry(e.language.clone()).or_default();
        match e.kind {
            EngagementKind::Reply => slot.replies += 1,
            EngagementKind::ThreadReply => slot.thread_replies += 1,
            EngagementKind::Quote => slot.quotes += 1,
            EngagementKind::Like | EngagementKind::Boost => {}
        }
    }
    LanguagesReport::from_counts(
        brand,
        (window.from_label(), window.to_label()),
        by,
        naive.unavailable(),
    )
}
