//! A small hand-made world for the unit tests, with every expected figure worked out
//! by hand in the tests that use it.
//!
//! Brand `acme` tracks `https://acme.social/users/acme` (tracked actor 1); brand
//! `rival` tracks `https://rival.example/users/rival` (tracked actor 2).
//!
//! | post | published (UTC)       | notes                          | hashtags       |
//! |------|-----------------------|--------------------------------|----------------|
//! | 1    | Sat 2026-08-01 12:00  | reported: 3 replies, 10 likes  | launch, coffee |
//! | 2    | Sun 2026-08-02 23:30  | Mon 01:30 in Paris             | coffee         |
//! | 3    | 2026-08-01 13:00      | a boost by the brand: no post  |                |
//! | 4    | 2026-08-01 14:00      | deleted: no post               |                |
//! | 5    | 2026-07-15 12:00      | the previous month             | launch         |
//! | 10   | 2026-08-01 10:00      | rival's                        |                |
//!
//! Languages: every reply and quote declares `en` but for the thread reply on post 1
//! (not recorded), the quote on post 2 and the reply on post 5 (`und`, not declared).
//!
//! Engagers (followers): 101 m.example (200), 102 m.example (50), 103 g.example
//! (unknown), 104 k.example (1000), 105 s.example (7), 106 acme.social (3), and acme
//! itself (actor 1). 102 and 105 may not be named. Acme is owned, rival watched.

use fedireach_core::{
    ActorFact, BrandActorFact, ConsentAction, ConsentFact, ConsentSubject, EngagementFact,
    EngagementKind, Facts, FollowerSnapshotFact, InstanceFact, PostFact,
};

use crate::Analytics;

pub(crate) const AUG_1: i64 = 1_785_542_400; // 2026-08-01T00:00:00Z
pub(crate) const HOUR: i64 = 3600;
pub(crate) const DAY: i64 = 86_400;

pub(crate) fn brand_actor(
    brand_id: i64,
    brand: &str,
    id: i64,
    uri: &str,
    host: &str,
) -> BrandActorFact {
    BrandActorFact {
        brand_id,
        brand: brand.to_owned(),
        owned: true,
        tracked_actor_id: id,
        actor_uri: Some(uri.to_owned()),
        host: host.to_owned(),
    }
}

pub(crate) fn post(
    id: i64,
    author: &str,
    host: &str,
    published_at: i64,
    tags: &[&str],
) -> PostFact {
    PostFact {
        post_id: id,
        uri: format!("https://{host}/posts/{id}"),
        author_uri: author.to_owned(),
        host: host.to_owned(),
        published_at,
        object_type: "Note".to_owned(),
        is_boost: false,
        deleted: false,
        reported_replies: None,
        reported_likes: None,
        reported_boosts: None,
        reported_quotes: None,
        coverage: None,
        hashtags: tags.iter().map(|t| (*t).to_owned()).collect(),
    }
}

pub(crate) fn engagement(
    id: i64,
    post_id: i64,
    kind: EngagementKind,
    actor_id: i64,
    host: &str,
    at: i64,
) -> EngagementFact {
    EngagementFact {
        engagement_id: id,
        post_id,
        kind,
        actor_id,
        host: host.to_owned(),
        happened_at: Some(at),
        first_seen_at: at + DAY,
        removed_at: None,
        is_self: false,
        language: kind.has_language().then(|| "en".to_owned()),
    }
}

pub(crate) fn instance(
    host: &str,
    software: &str,
    family: &str,
    active: Option<i64>,
) -> InstanceFact {
    InstanceFact {
        host: host.to_owned(),
        software: software.to_owned(),
        family: family.to_owned(),
        users_active_month: active,
    }
}

fn actor(actor_id: i64, host: &str, followers: Option<i64>) -> ActorFact {
    ActorFact {
        actor_id,
        host: host.to_owned(),
        followers_count: followers,
        // 102 and 105 opted out (or are not indexable): no name is kept.
        named: !matches!(actor_id, 102 | 105),
    }
}

fn snapshot(crawl_id: i64, taken_at: i64, followers: Option<i64>) -> FollowerSnapshotFact {
    FollowerSnapshotFact {
        crawl_id,
        tracked_actor_id: 1,
        taken_at,
        followers,
    }
}

const ENGAGER: ConsentSubject = ConsentSubject::Engager;
const HOST: ConsentSubject = ConsentSubject::Host;
const POST: ConsentSubject = ConsentSubject::Post;
const ANONYMISED: ConsentAction = ConsentAction::Anonymised;
const LEFT_OUT: ConsentAction = ConsentAction::LeftOut;

fn consent(
    crawl_id: i64,
    started: i64,
    subject: ConsentSubject,
    action: ConsentAction,
    reason: &str,
    count: i64,
) -> ConsentFact {
    ConsentFact {
        crawl_id,
        crawl_started_at: started,
        subject,
        action,
        reason: reason.to_owned(),
        count,
    }
}

pub(crate) const ACME: &str = "https://acme.social/users/acme";
pub(crate) const RIVAL: &str = "https://rival.example/users/rival";

/// The world of the module docs.
pub(crate) fn world() -> Facts {
    use EngagementKind::{Boost, Like, Quote, Reply, ThreadReply};
    let p1_at = AUG_1 + 12 * HOUR;
    let p2_at = AUG_1 + DAY + 23 * HOUR + HOUR / 2;
    let mut p1 = post(1, ACME, "acme.social", p1_at, &["launch", "coffee"]);
    p1.reported_replies = Some(3);
    p1.reported_likes = Some(10);
    let mut p3 = post(3, ACME, "acme.social", AUG_1 + 13 * HOUR, &[]);
    p3.is_boost = true;
    let mut p4 = post(4, ACME, "acme.social", AUG_1 + 14 * HOUR, &[]);
    p4.deleted = true;
    let on_p1 = AUG_1 + 13 * HOUR;
    let mut self_boost = engagement(9, 1, Boost, 1, "acme.social", on_p1);
    self_boost.is_self = true;
    let mut removed = engagement(10, 1, Like, 102, "m.example", on_p1);
    removed.removed_at = Some(on_p1 + HOUR);
    let mut seen_only = engagement(12, 2, Quote, 105, "s.example", 0);
    seen_only.language = Some("und".to_owned());
    let mut thread_reply = engagement(7, 1, ThreadReply, 105, "s.example", AUG_1 + DAY + 10 * HOUR);
    thread_reply.language = None;

    seen_only.happened_at = None;
    seen_only.first_seen_at = AUG_1 + 2 * DAY + 9 * HOUR;
    let jul_15 = AUG_1 - 17 * DAY + 12 * HOUR;
    let mut july_reply = engagement(16, 5, Reply, 104, "k.example", jul_15 + HOUR);
    july_reply.language = Some("und".to_owned());
    Facts {
        brand_actors: vec![
            brand_actor(1, "acme", 1, ACME, "acme.social"),
            BrandActorFact {
                owned: false,
                ..brand_actor(2, "rival", 2, RIVAL, "rival.example")
            },
        ],
        posts: vec![
            p1,
            post(2, ACME, "acme.social", p2_at, &["coffee"]),
            p3,
            p4,
            post(5, ACME, "acme.social", jul_15, &["launch"]),
            post(10, RIVAL, "rival.example", AUG_1 + 10 * HOUR, &[]),
        ],
        engagements: vec![
            engagement(1, 1, Like, 101, "m.example", on_p1),
            engagement(2, 1, Boost, 101, "m.example", on_p1),
            engagement(3, 1, Boost, 102, "m.example", on_p1),
            engagement(4, 1, Reply, 103, "g.example", on_p1),
            engagement(5, 1, Boost, 104, "k.example", on_p1),
            engagement(6, 1, Like, 104, "k.example", on_p1),
            thread_reply,
            engagement(8, 1, Like, 106, "acme.social", on_p1),
            self_boost,
            removed,
            engagement(11, 2, Boost, 101, "m.example", AUG_1 + 2 * DAY + 9 * HOUR),
            seen_only,
            engagement(13, 3, Like, 102, "m.example", on_p1),
            engagement(14, 4, Like, 101, "m.example", on_p1),
            engagement(15, 5, Like, 101, "m.example", jul_15 + HOUR),
            july_reply,
            engagement(17, 10, Like, 101, "m.example", AUG_1 + 11 * HOUR),
        ],
        actors: vec![
            actor(1, "acme.social", Some(1000)),
            actor(101, "m.example", Some(200)),
            actor(102, "m.example", Some(50)),
            actor(103, "g.example", None),
            actor(104, "k.example", Some(1000)),
            actor(105, "s.example", Some(7)),
            actor(106, "acme.social", Some(3)),
        ],
        instances: vec![
            instance("acme.social", "mastodon", "mastodon", Some(100)),
            instance("m.example", "mastodon", "mastodon", Some(50)),
            instance("g.example", "glitch", "mastodon", None),
            instance("k.example", "misskey", "misskey", Some(0)),
            instance("s.example", "sharkey", "misskey", Some(8)),
        ],
        follower_snapshots: vec![
            snapshot(1, AUG_1 - DAY, Some(1000)),
            snapshot(2, AUG_1 + DAY, Some(1100)),
            snapshot(3, AUG_1 + 2 * DAY, None),
            snapshot(4, AUG_1 + 19 * DAY, Some(1210)),
        ],
        consent: vec![
            consent(1, AUG_1 + DAY, ENGAGER, ANONYMISED, "not_indexable", 3),
            consent(1, AUG_1 + DAY, ENGAGER, ANONYMISED, "not_indexable", 2),
            consent(1, AUG_1 + DAY, HOST, LEFT_OUT, "robots_txt", 1),
            consent(0, AUG_1 - 30 * DAY, POST, LEFT_OUT, "gone_410", 4),
        ],
    }
}

/// The analytics over [`world`]; the tests fail, not panic, if loading fails.
pub(crate) fn analytics() -> Result<Analytics, crate::AnalyticsError> {
    Analytics::from_facts(&world())
}

/// August 2026 in `tz`.
pub(crate) fn august(tz: &str) -> Result<crate::Window, crate::AnalyticsError> {
    crate::Window::parse(Some("2026-08-01"), Some("2026-08-31"), Some(tz))
}
