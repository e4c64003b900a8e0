//! A second, naive implementation of reach, instances and posts, straight from the
//! fact rows with maps and sets, checked against the polars pipeline on a random
//! world: the two share nothing but the core rounding helpers.

use std::collections::BTreeMap;

use fedireach_core::{
    ActorFact, Coverage, EngagementFact, EngagementKind, Facts, FollowerSnapshotFact, PostCoverage,
    PostFact, Unavailable, UnavailablePosts,
};

mod naive;

use self::naive::{naive_engagers, naive_instances, naive_languages, naive_posts, naive_reach};
use crate::{
    Analytics, Result, Window,
    testkit::{AUG_1, DAY, brand_actor, instance, post},
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
        let at = AUG_1 - 45 * DAY + rng.i(90 * 86_400);
        let (author, host) = (
            authors[usize::try_from(author).unwrap_or_default()],
            host(author),
        );
        facts
            .posts
            .push(random_post(&mut rng, post_id, author, &host, at));
    }
    random_engagements(&mut rng, &mut facts);
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

/// 4,000 engagements of the world's actors with its posts, some removed, some the
/// brands' own, with and without a language.
fn random_engagements(rng: &mut Lcg, facts: &mut Facts) {
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
}

/// A post of `author` with random flags, reported likes and coverage (a third of the
/// posts crawled before coverage was recorded).
fn random_post(rng: &mut Lcg, post_id: i64, author: &str, host: &str, at: i64) -> PostFact {
    let mut p = post(post_id, author, host, at, &[]);
    p.is_boost = rng.chance(10);
    p.deleted = rng.chance(5);
    p.reported_likes = rng.chance(50).then(|| rng.i(40));
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
    p
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
