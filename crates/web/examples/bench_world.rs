//! Writes a synthetic world into a SQLite store, for `make bench` until the simulated
//! fediverse can crawl its medium world: brands, posts over 90 days, and engagements
//! from a few hundred instances of several softwares, with follower snapshots.
//!
//! `cargo run --release -p fedireach-web --example bench_world -- sqlite://bench.db`

use fedireach_core::{ActorRef, ActorRefOptions, EngagementKind, Host, Software, SoftwareSource};
use fedireach_store::{ActorRecord, Batch, EngagementRecord, InstanceRecord, PostRecord, Store};

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

const BRANDS: usize = 4;
const POSTS_PER_BRAND: i64 = 120;
const INSTANCES: usize = 300;
const ENGAGERS: usize = 3000;
const ENGAGEMENTS_PER_POST: usize = 60;
/// 2026-08-01T00:00:00Z.
const START: i64 = 1_785_542_400;
const DAY: i64 = 86_400;
const SOFTWARES: [&str; 8] = [
    "mastodon", "mastodon", "mastodon", "sharkey", "misskey", "akkoma", "lemmy", "pixelfed",
];

/// A small deterministic generator (xorshift), so every run builds the same world.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }
}

#[tokio::main]
async fn main() -> Result {
    let url = std::env::args()
        .nth(1)
        .ok_or("usage: bench_world sqlite://FILE")?;
    let store = Store::open(&url).await?;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let hosts: Vec<String> = (0..INSTANCES).map(|i| format!("i{i}.example")).collect();
    let instances = hosts
        .iter()
        .enumerate()
        .map(|(i, host)| {
            Ok(InstanceRecord {
                host: Host::parse(host)?,
                software: Software::from_nodeinfo_name(SOFTWARES[i % SOFTWARES.len()])
                    .ok_or("software")?,
                software_version: None,
                software_source: SoftwareSource::Nodeinfo,
                users_total: None,
                users_active_month: Some(i64::try_from(50 + i * 37)?),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let engagers: Vec<(String, String)> = (0..ENGAGERS)
        .map(|i| {
            // Big instances hold most people: a square skews towards the first hosts.
            let h = (rng.below(INSTANCES) * rng.below(INSTANCES)) / INSTANCES;
            (format!("https://{}/users/u{i}", hosts[h]), hosts[h].clone())
        })
        .collect();
    let mut actors = Vec::with_capacity(ENGAGERS);
    for (uri, _) in &engagers {
        actors.push(ActorRecord {
            actor_uri: uri.clone(),
            followers_count: Some(i64::try_from(rng.below(2000))?),
            indexable: Some(true),
            ..ActorRecord::default()
        });
    }
    store
        .write_batch(&Batch {
            instances,
            actors,
            ..Batch::default()
        })
        .await?;
    let crawl = store.start_crawl_run("bench", None, "90d").await?;
    for b in 0..BRANDS {
        let name = format!("brand{b}");
        let home = format!("home{b}.example");
        let actor_uri = format!("https://{home}/users/{name}");
        let brand = store
            .add_brand(
                &name,
                &[ActorRef::parse(
                    &format!("@{name}@{home}"),
                    ActorRefOptions::default(),
                )?],
                (b == 0).then_some("BENCH_TOKEN"),
            )
            .await?;
        store
            .set_tracked_actor_uri(brand.actors[0].id, &actor_uri)
            .await?;
        store
            .record_follower_snapshot(
                crawl,
                brand.actors[0].id,
                Some(1000 + 10 * i64::try_from(b)?),
            )
            .await?;
        let mut posts = Vec::new();
        let mut engagements = Vec::new();
        for p in 0..POSTS_PER_BRAND {
            let uri = format!("{actor_uri}/statuses/{p}");
            let published =
                START + p * 90 * DAY / POSTS_PER_BRAND + i64::try_from(rng.below(20))? * 3600;
            posts.push(PostRecord {
                uri: uri.clone(),
                author_uri: actor_uri.clone(),
                host: home.clone(),
                published_at: published,
                object_type: "Note".into(),
                visibility: "public".into(),
                reported_likes: Some(i64::try_from(ENGAGEMENTS_PER_POST)?),
                hashtags: vec![format!("tag{}", p % 7)],
                ..PostRecord::default()
            });
            for e in 0..ENGAGEMENTS_PER_POST {
                let (who, host) = &engagers[rng.below(ENGAGERS)];
                let kind = match rng.below(10) {
                    0..=4 => EngagementKind::Like,
                    5..=7 => EngagementKind::Boost,
                    8 => EngagementKind::Reply,
                    _ => EngagementKind::Quote,
                };
                let itemised = matches!(kind, EngagementKind::Reply | EngagementKind::Quote);
                engagements.push(EngagementRecord {
                    post_uri: uri.clone(),
                    kind,
                    actor_uri: who.clone(),
                    host: Host::parse(host)?,
                    uri: itemised.then(|| format!("{who}/statuses/{b}-{p}-{e}")),
                    depth: matches!(kind, EngagementKind::Reply).then_some(1),
                    emoji: None,
                    content_excerpt: None,
                    source: "bench".into(),
                    happened_at: Some(published + i64::try_from(rng.below(48))? * 3600),
                });
            }
        }
        store
            .write_batch(&Batch {
                posts,
                engagements,
                ..Batch::default()
            })
            .await?;
    }
    store
        .finish_crawl_run(crawl, fedireach_store::CrawlStatus::Done, None)
        .await?;
    println!(
        "wrote {BRANDS} brands, {} posts into {url}",
        i64::try_from(BRANDS)? * POSTS_PER_BRAND
    );
    Ok(())
}
