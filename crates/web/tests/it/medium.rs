//! The simulated fediverse's medium world in a real SQLite store: what a correct crawl
//! of it would leave there (the truth's instances, posts, engagers and engagements),
//! its brands, and a follower snapshot every few simulated days, so every chart of
//! the dashboard has its data. Loading the truth is the same data a crawl would
//! store, without the minutes a crawl of it takes.
//!
//! Shared by the browser test and `examples/medium_world.rs` (the bench's data).

use fedireach_core::{ActorRef, ActorRefOptions};
use fedireach_fakeverse::{MAX_DAY, Scale, Truth, World, WorldOptions};
use fedireach_store::{CrawlRecord, CrawlStatus, Store};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// The world's seed (the one the crawl and analytics tests use).
pub const SEED: u64 = 1;
/// Days between two follower snapshots, from day 0 to the last simulated day.
const SNAPSHOT_EVERY: u32 = 5;
/// Days of the window the tests and the bench look at, ending on the world's day.
pub const WINDOW_DAYS: u64 = 90;
/// The variable an owned brand's token would be read from (never read here).
const TOKEN_ENV: &str = "MEDIUM_WORLD_TOKEN";

/// What was loaded.
#[derive(Debug)]
pub struct Medium {
    /// The brands, owned first as the world lists them.
    pub brands: Vec<String>,
    /// Owned brands (with a token).
    pub owned: Vec<String>,
    /// The last [`WINDOW_DAYS`] days up to the world's clock, as `from=..&to=..`.
    pub window: String,
    pub engagements: usize,
    /// An instance the store knows, for its page.
    pub instance: String,
    /// The owned brand's post with the most replies, for its conversation page.
    pub conversation: String,
}

/// Writes the medium world, seen on its last simulated day, into `store`.
pub async fn load(store: &Store) -> Result<Medium, Error> {
    let world = World::generate(&WorldOptions {
        seed: SEED,
        scale: Scale::Medium,
        day: MAX_DAY,
        plain_http: false,
        tour: false,
    });
    let truth = Truth::of(&world);
    let day0 = world.now() - i64::from(MAX_DAY) * 86_400;
    let snapshot_days: Vec<u32> = (0..=MAX_DAY).step_by(SNAPSHOT_EVERY as usize).collect();
    let mut crawls = Vec::new();
    // One scheduled crawl per snapshot day.
    for _ in &snapshot_days {
        crawls.push(
            store
                .start_crawl_run(fedireach_core::CrawlTrigger::Schedule, None, "all")
                .await?,
        );
    }
    let mut brands = Vec::new();
    let mut owned = Vec::new();
    for (sim, known) in world.brands().iter().zip(&truth.brands) {
        let actors = known
            .actors
            .iter()
            .map(|a| ActorRef::parse(a, ActorRefOptions::default()))
            .collect::<Result<Vec<_>, _>>()?;
        let token_env = known.token.as_ref().map(|_| TOKEN_ENV);
        let brand = store.add_brand(&known.name, &actors, token_env).await?;
        for ((tracked, actor_id), &actor) in
            brand.actors.iter().zip(&known.actor_ids).zip(&sim.actors)
        {
            store.set_tracked_actor_uri(tracked.id, actor_id).await?;
            let Some(a) = world.actors().get(actor as usize) else {
                continue;
            };
            for (crawl, day) in crawls.iter().zip(&snapshot_days) {
                let followers = u64::from(a.followers) + u64::from(a.growth) * u64::from(*day);
                store
                    .record_follower_snapshot_at(
                        *crawl,
                        tracked.id,
                        Some(i64::try_from(followers)?),
                        day0 + i64::from(*day) * 86_400,
                    )
                    .await?;
            }
        }
        if known.token.is_some() {
            owned.push(known.name.clone());
        }
        brands.push(known.name.clone());
    }
    store.write_batch(&truth.to_batch()?).await?;
    let last = crawls.last().copied().ok_or("no crawl")?;
    store
        .record_crawl(
            last,
            &CrawlRecord {
                posts_seen: i64::try_from(truth.posts.len())?,
                engagements_new: i64::try_from(truth.engagements.len())?,
                consent: truth
                    .consent_lines()
                    .into_iter()
                    .map(|(subject, action, reason, n)| {
                        Ok((subject, action, reason, i64::try_from(n)?))
                    })
                    .collect::<Result<_, Error>>()?,
                ..CrawlRecord::default()
            },
        )
        .await?;
    for crawl in crawls {
        store
            .finish_crawl_run(crawl, CrawlStatus::Done, None)
            .await?;
    }
    let to = chrono::DateTime::from_timestamp(world.now(), 0)
        .ok_or("the world's clock is out of range")?
        .date_naive();
    let from = to
        .checked_sub_days(chrono::Days::new(WINDOW_DAYS - 1))
        .ok_or("window")?;
    let instance = truth
        .instances
        .iter()
        .find(|i| i.software == "mastodon")
        .map(|i| i.host.clone())
        .ok_or("the medium world has a Mastodon instance")?;
    let owner = owned.first().ok_or("the medium world has an owned brand")?;
    let mut replies: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for e in &truth.engagements {
        if matches!(
            e.kind,
            fedireach_core::EngagementKind::Reply | fedireach_core::EngagementKind::ThreadReply
        ) {
            *replies.entry(e.post.as_str()).or_default() += 1;
        }
    }
    let conversation = truth
        .posts
        .iter()
        .filter(|p| &p.brand == owner)
        .max_by_key(|p| replies.get(p.uri.as_str()).copied().unwrap_or(0))
        .map(|p| p.uri.clone())
        .ok_or("the owned brand has posts")?;
    Ok(Medium {
        conversation,
        instance,
        brands,
        owned,
        window: format!("from={from}&to={to}"),
        engagements: truth.engagements.len(),
    })
}
