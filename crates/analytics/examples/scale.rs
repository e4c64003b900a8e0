//! How the pipeline scales: a synthetic world of about a million engagements, written
//! to the Parquet copy, loaded back, and the brand page's reports computed from it.
//! Run with `cargo run --release -p fedireach-analytics --example scale [ENGAGEMENTS]`.
//! The real benchmark (`make bench`, beside a SQL query over the store) builds on it.

use std::{
    path::{Path, PathBuf},
    time::Instant,
};

use fedireach_analytics::{Analytics, FactsCache, Granularity, Result, Window};
use fedireach_core::{
    ActorFact, BrandActorFact, EngagementFact, EngagementKind, Facts, FollowerSnapshotFact,
    InstanceFact, PostFact,
};

const SOFTWARES: [(&str, &str); 6] = [
    ("mastodon", "mastodon"),
    ("glitch", "mastodon"),
    ("misskey", "misskey"),
    ("sharkey", "misskey"),
    ("pleroma", "pleroma"),
    ("lemmy", "lemmy"),
];
const START: i64 = 1_780_000_000;

/// `scale [ENGAGEMENTS]` generates, writes, loads and reports in one process;
/// `scale write ENGAGEMENTS DIR` only writes the copy, and `scale read DIR [FROM TO]`
/// only loads it (any copy: `make bench-analytics` points it at the large simulated
/// world's) and reports on every brand, so that its peak memory is the pipeline's
/// alone. FROM and TO (`YYYY-MM-DD`) are the month of the brand page.
fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let count = |arg: Option<&String>| arg.and_then(|n| n.parse().ok()).unwrap_or(1_000_000);
    match args.first().map(String::as_str) {
        Some("write") => {
            let dir = args.get(2).map_or_else(temp_dir, PathBuf::from);
            write(count(args.get(1)), &dir)
        }
        Some("read") => {
            let month = match (args.get(2), args.get(3)) {
                (Some(from), Some(to)) => Window::parse(Some(from), Some(to), None)?,
                _ => june()?,
            };
            report(&args.get(1).map_or_else(temp_dir, PathBuf::from), &month)
        }
        _ => {
            let dir = temp_dir();
            write(count(args.first()), &dir)?;
            report(&dir, &june()?)?;
            std::fs::remove_dir_all(&dir)?;
            Ok(())
        }
    }
}

fn june() -> Result<Window> {
    Window::parse(Some("2026-06-01"), Some("2026-06-30"), None)
}

fn temp_dir() -> PathBuf {
    std::env::temp_dir().join(format!("fedireach-scale-{}", std::process::id()))
}

fn write(engagements: i64, dir: &Path) -> Result<()> {
    let t = Instant::now();
    let facts = world(engagements);
    println!("generate {engagements} engagements: {:?}", t.elapsed());
    let t = Instant::now();
    FactsCache::open(dir)?.replace(&facts)?;
    println!("write the Parquet copy: {:?}", t.elapsed());
    Ok(())
}

fn report(dir: &Path, window: &Window) -> Result<()> {
    let started = Instant::now();
    let analytics = FactsCache::open(dir)?.load()?;
    println!("load the Parquet copy: {:?}", started.elapsed());
    for brand in &analytics.brands() {
        time(&format!("{brand} reach, all time"), || {
            analytics.reach(brand, &Window::all()).map(|r| r.rows.len())
        })?;
        time(&format!("{brand} reach, a month"), || {
            analytics.reach(brand, window).map(|r| r.rows.len())
        })?;
        page(&analytics, brand, window)?;
    }
    println!("total, loading included: {:?}", started.elapsed());
    println!("peak memory: {}", peak_memory());
    Ok(())
}

/// The figures a brand page shows.
fn page(analytics: &Analytics, brand: &str, window: &Window) -> Result<()> {
    let t = Instant::now();
    analytics.reach(brand, window)?;
    analytics.reach_by_family(brand, window)?;
    analytics.posts(brand, window)?;
    analytics.instances(brand, window)?;
    analytics.timeline(brand, window, Granularity::Day)?;
    analytics.best_time(brand, window)?;
    analytics.followers(brand, window)?;
    analytics.hashtags(brand, window)?;
    analytics.languages(brand, window)?;
    println!("{brand} page (9 reports, a month): {:?}", t.elapsed());
    time(&format!("{brand} timeline, all time"), || {
        analytics
            .timeline(brand, &Window::all(), Granularity::Day)
            .map(|r| r.rows.len())
    })?;
    time(&format!("{brand} best-time, all time, Paris"), || {
        let tz = Window::parse(None, None, Some("Europe/Paris"))?;
        analytics.best_time(brand, &tz).map(|r| r.rows.len())
    })?;
    Ok(())
}

fn time(what: &str, f: impl FnOnce() -> Result<usize>) -> Result<()> {
    let t = Instant::now();
    let rows = f()?;
    println!("{what}: {:?} ({rows} rows)", t.elapsed());
    Ok(())
}

fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

/// A deterministic world: 10 brands of 2 actors, 20 000 posts, 3000 instances,
/// 200 000 engagers, `engagements` engagements over a year.
fn world(engagements: i64) -> Facts {
    let mut seed: u64 = 42;
    let mut next = |n: i64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        i64::try_from((seed >> 33) % n.unsigned_abs().max(1)).unwrap_or_default()
    };
    let host = |i: i64| format!("host{i}.example");
    let mut facts = Facts::default();
    for b in 0..10 {
        for a in 0..2 {
            let id = b * 2 + a;
            facts.brand_actors.push(BrandActorFact {
                brand_id: b,
                brand: format!("brand{b}"),
                owned: true,
                tracked_actor_id: id,
                actor_uri: Some(format!("https://{}/users/{id}", host(id))),
                host: host(id),
            });
            for crawl in 0..365 {
                facts.follower_snapshots.push(FollowerSnapshotFact {
                    crawl_id: crawl,
                    tracked_actor_id: id,
                    taken_at: START + crawl * 86_400,
                    followers: Some(1000 + crawl * 3),
                });
            }
        }
    }
    for i in 0..3000 {
        let (software, family) = SOFTWARES[usize::try_from(next(6)).unwrap_or_default()];
        facts.instances.push(InstanceFact {
            host: host(i),
            software: software.to_owned(),
            family: family.to_owned(),
            users_active_month: Some(next(10_000)),
        });
    }
    for actor_id in 0..200_000 {
        facts.actors.push(ActorFact {
            actor_id,
            host: host(actor_id % 3000),
            followers_count: Some(next(2000)),
            named: actor_id % 4 != 0,
        });
    }
    for post_id in 0..20_000 {
        let author = post_id % 20;
        facts.posts.push(PostFact {
            post_id,
            uri: format!("https://{}/posts/{post_id}", host(author)),
            author_uri: format!("https://{}/users/{author}", host(author)),
            host: host(author),
            published_at: START + next(365 * 86_400),
            object_type: "Note".to_owned(),
            is_boost: false,
            deleted: false,
            reported_replies: None,
            reported_likes: Some(next(100)),
            reported_boosts: None,
            reported_quotes: None,
            coverage: None,
            hashtags: vec![format!("tag{}", next(50))],
        });
    }
    for engagement_id in 0..engagements {
        let actor_id = next(200_000);
        let at = START + next(365 * 86_400);
        let kind = EngagementKind::ALL[usize::try_from(next(5)).unwrap_or_default()];
        let language = kind.has_language().then(|| {
            ["en", "de", "fr", "und"][usize::try_from(next(4)).unwrap_or_default()].to_owned()
        });
        facts.engagements.push(EngagementFact {
            engagement_id,
            post_id: next(20_000),
            kind,
            actor_id,
            host: host(actor_id % 3000),
            happened_at: Some(at),
            first_seen_at: at,
            removed_at: None,
            is_self: false,
            language,
        });
    }
    facts
}
