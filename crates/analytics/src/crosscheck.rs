//! A second, naive implementation of reach, instances and posts, straight from the
//! fact rows with maps and sets, checked against the polars pipeline on a random
//! world: the two share nothing but the core rounding helpers.

use std::collections::{BTreeMap, BTreeSet};

use fedireach_core::{
    ActorFact, Coverage, CoverageRow, EngagementFact, EngagementKind, Facts, FollowerSnapshotFact,
    InstanceRow, InstancesReport, KindCounts, LanguageCounts, LanguagesReport, PostCoverage,
    PostFact, PostRow, PostsReport, ReachFigures, ReachReport, ReachRow, ReportedCounts,
    Unavailable, UnavailablePosts, pct_2dp, round_half_away,
};

use crate::{
    Analytics, EngagerCounts, EngagerRow, EngagersReport, Result, Window,
    testkit::{AUG_1, DAY, brand_actor, instance, post},
    window::rfc3339,
};

/// A deterministic pseudo-random sequence (64-bit LCG), enough to vary a test world.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
    fn i(&mut self, n: u64) -> i64 {
        i64::try_from(self.below(n)).unwrap_or_default()
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const SOFTWARES: [(&str, &str); 6] = [
    ("mastodon", "mastodon"),
    ("glitch", "mastodon"),
    ("misskey", "misskey"),
    ("sharkey", "misskey"),
    ("pleroma", "pleroma"),
    ("peertube", "peertube"),
];

fn random_world(seed: u64) -> Facts {
    let mut rng = Lcg(seed);
    let hosts: Vec<String> = (0..12).map(|i| format!("h{i}.example")).collect();
    let host = |i: i64| {
        hosts
            .get(usize::try_from(i).unwrap_or_default())
            .cloned()
            .unwrap_or_default()
    };
    let authors = ["https://h0.example/u/a", "https://h1.example/u/b"];
    let mut facts = Facts {
        brand_actors: vec![
            brand_actor(1, "a", 1, authors[0], "h0.example"),
            brand_actor(2, "b", 2, authors[1], "h1.example"),
            // Brand c tracks a's actor too: a's posts are c's as well.
            brand_actor(3, "c", 3, authors[0], "h0.example"),
        ],
        ..Facts::default()
    };
    // Hosts 10 and 11 have no instance facts: software unknown.
    for i in 0..10 {
        let (software, family) = SOFTWARES[usize::try_from(rng.below(6)).unwrap_or_default()];
        let active = match rng.below(4) {
            0 => None,
            1 => Some(0),
            _ => Some(rng.i(500)),
        };
        facts
            .instances
            .push(instance(&host(i), software, family, active));
    }
    for actor_id in 100..300 {
        facts.actors.push(ActorFact {
            actor_id,
            host: host(rng.i(12)),
            followers_count: (!rng.chance(10)).then(|| rng.i(5000)),
            named: actor_id % 3 != 0,
        });
    }
    for post_id in 1..80 {
        let author = rng.i(2);
        let mut p = post(
            post_id,
            authors[usize::try_from(author).unwrap_or_default()],
            &host(author),
            AUG_1 - 45 * DAY + rng.i(90 * 86_400),
            &[],
        );
        p.is_boost = rng.chance(10);
        p.deleted = rng.chance(5);
        p.reported_likes = rng.chance(50).then(|| rng.i(40));
        // A third of the posts crawled before coverage was recorded; the others with
        // each kind itemised, reported or unavailable.
        let recorded = !rng.chance(33);
        let mut kind = || match rng.below(4) {
            0 => Coverage::Reported,
            1 => Coverage::Unavailable(
                Unavailable::ALL
                    .get(usize::try_from(rng.below(4)).unwrap_or_default())
                    .copied()
                    .unwrap_or(Unavailable::Refused),
            ),
            _ => Coverage::Itemised,
        };
        p.coverage = recorded.then(|| PostCoverage {
            replies: kind(),
            boosts: kind(),
            likes: kind(),
            quotes: kind(),
        });
        facts.posts.push(p);
    }
    let actor_hosts: BTreeMap<i64, String> = facts
        .actors
        .iter()
        .map(|a| (a.actor_id, a.host.clone()))
        .collect();
    for engagement_id in 0..4000 {
        let actor_id = 100 + rng.i(200);
        facts.engagements.push(EngagementFact {
            engagement_id,
            post_id: 1 + rng.i(79),
            kind: EngagementKind::ALL[usize::try_from(rng.below(5)).unwrap_or_default()],
            actor_id,
            host: actor_hosts.get(&actor_id).cloned().unwrap_or_default(),
            happened_at: Some(AUG_1 - 40 * DAY + rng.i(90 * 86_400)),
            first_seen_at: AUG_1,
            removed_at: rng.chance(5).then_some(AUG_1),
            is_self: rng.chance(5),
            language: [Some("en"), Some("de"), Some("und"), None, Some("pt")]
                [usize::try_from(rng.below(5)).unwrap_or_default()]
            .map(str::to_owned),
        });
    }
    for tracked_actor_id in 1..=3 {
        for crawl in 0..40 {
            facts.follower_snapshots.push(FollowerSnapshotFact {
                crawl_id: crawl,
                tracked_actor_id,
                taken_at: AUG_1 - 50 * DAY + crawl * 3 * DAY + rng.i(DAY.unsigned_abs()),
                followers: (!rng.chance(15)).then(|| 1000 + rng.i(300)),
            });
        }
    }
    facts
}

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

fn naive_reach(facts: &Facts, brand: &str, window: &Window) -> ReachReport {
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

fn naive_instances(facts: &Facts, brand: &str, window: &Window) -> InstancesReport {
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

fn naive_posts(facts: &Facts, brand: &str, window: &Window) -> PostsReport {
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
fn naive_engagers(facts: &Facts, brand: &str, window: &Window) -> EngagersReport {
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
fn naive_languages(facts: &Facts, brand: &str, window: &Window) -> LanguagesReport {
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

#[test]
fn polars_agrees_with_the_naive_model() -> Result<()> {
    for seed in [1, 7, 42] {
        let facts = random_world(seed);
        let analytics = Analytics::from_facts(&facts)?;
        let windows = [
            Window::all(),
            Window::parse(Some("2026-08-01"), Some("2026-08-31"), None)?,
            Window::parse(Some("2026-07-10"), Some("2026-07-20"), Some("Asia/Tokyo"))?,
            Window::parse(Some("2030-01-01"), None, None)?,
        ];
        for window in &windows {
            for brand in ["a", "b", "c"] {
                let what = format!("seed {seed}, brand {brand}, {window:?}");
                assert_eq!(
                    analytics.reach(brand, window)?,
                    naive_reach(&facts, brand, window),
                    "{what}"
                );
                assert_eq!(
                    analytics.instances(brand, window)?,
                    naive_instances(&facts, brand, window),
                    "{what}"
                );
                assert_eq!(
                    analytics.posts(brand, window)?,
                    naive_posts(&facts, brand, window),
                    "{what}"
                );
                assert_eq!(
                    analytics.engagers(brand, window)?,
                    naive_engagers(&facts, brand, window),
                    "{what}"
                );
                assert_eq!(
                    analytics.languages(brand, window)?,
                    naive_languages(&facts, brand, window),
                    "{what}"
                );
            }
        }
        let all = analytics.reach("a", &Window::all())?;
        assert!(
            all.rows.len() > 3,
            "the random world engages several softwares"
        );
        let unavailable = all.rows.first().map(|r| r.unavailable_posts);
        assert!(
            unavailable.is_some_and(|u| UnavailablePosts::KINDS.iter().all(|k| u.of(k) > 0)),
            "the random world has posts with each kind unavailable: {unavailable:?}"
        );
    }
    Ok(())
}
