//! The deterministic generator: one ChaCha stream seeded by the seed, consumed in a
//! fixed order, so the same seed and scale always give the same world.
//!
//! The world is built so that what a correct crawler can learn is well defined (the
//! truth depends on it): engagers whose actor documents cannot be read only like
//! Mastodon posts (whose origin names them in `favourited_by`); thread replies hang only
//! below replies that list their own replies (Mastodon notes) or below PeerTube comments
//! (whose video lists every comment); replies by gone actors or on misbehaving hosts have
//! no children; only leaf replies are ever deleted.

use std::collections::HashMap;

mod brands;
mod engage;

pub use brands::{TOUR, tour_brand};
use engage::generate_engagements;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use fedireach_core::EngagementKind;

use super::{
    Actor, Brand, DAY, Engagement, HISTORY_DAYS, Instance, LAUNCH_DAY, LURE_BRAND, MAX_DAY, NEVER,
    NO_PARENT, OptOut, Post, Quirk, SimSoftware, World, WorldOptions,
};

/// 2026-06-01T00:00:00Z: the earliest day 0; the seed moves it by up to 96 days.
const EPOCH: i64 = 1_780_272_000;
/// The deepest thread reply generated (the crawler's default follows fewer).
const MAX_DEPTH: u8 = 6;
/// Mixed into the seed for the stream the bovine-shaped hosts are drawn from.
const BOVINE_STREAM: u64 = 0xb0b1_0e5d;
/// Mixed into the seed for the stream the launch post's key and engagements are drawn
/// from.
const LAUNCH_STREAM: u64 = 0x1a0c_4da7;
/// Mixed into the seed for the stream the lure and the hostile hosts are drawn from.
const HOSTILE_STREAM: u64 = 0x4057_11e5;

/// Words for user names.
const WORDS: [&str; 32] = [
    "otter", "heron", "maple", "quartz", "fern", "lynx", "cobalt", "willow", "ember", "tide",
    "sparrow", "basil", "cedar", "pixel", "nova", "juniper", "marten", "saffron", "pebble",
    "aurora", "kestrel", "moss", "onyx", "thistle", "badger", "comet", "dune", "ivy", "orca",
    "raven", "sorrel", "yarrow",
];

/// Relative weights of the softwares of ordinary instances.
const MIX: [(SimSoftware, u32); 13] = [
    (SimSoftware::Mastodon, 40),
    (SimSoftware::Misskey, 7),
    (SimSoftware::Sharkey, 4),
    (SimSoftware::Fedired, 1),
    (SimSoftware::Pleroma, 6),
    (SimSoftware::Akkoma, 4),
    (SimSoftware::Pixelfed, 6),
    (SimSoftware::Peertube, 5),
    (SimSoftware::Lemmy, 7),
    (SimSoftware::Mbin, 2),
    (SimSoftware::Gotosocial, 5),
    (SimSoftware::Friendica, 4),
    (SimSoftware::Wordpress, 5),
];

struct Gen {
    rng: ChaCha8Rng,
    instances: Vec<Instance>,
    actors: Vec<Actor>,
    counters: HashMap<&'static str, u32>,
}

impl Gen {
    fn unit(&mut self) -> f64 {
        // (0, 1]: safe for ln and negative powers.
        1.0 - self.rng.random::<f64>()
    }

    /// A heavy-tailed positive number with the given mean (Pareto-like, shape 1/exp).
    fn heavy(&mut self, mean: f64, exp: f64) -> f64 {
        mean * (1.0 - exp) * self.unit().powf(-exp)
    }

    fn next_name(&mut self, prefix: &'static str) -> String {
        let n = self.counters.entry(prefix).or_insert(0);
        *n += 1;
        format!("{prefix}-{n}.example")
    }

    fn add_instance(&mut self, host: String, software: SimSoftware, quirk: Quirk, actors: u32) {
        let index = u32::try_from(self.instances.len()).unwrap_or(u32::MAX);
        let first = u32::try_from(self.actors.len()).unwrap_or(u32::MAX);
        for local in 0..actors {
            let word = WORDS[(local as usize) % WORDS.len()];
            let followers = self.follower_count();
            let roll = self.rng.random_range(0..100u32);
            let opt_out = match roll {
                0..5 => OptOut::NotIndexable,
                5..11 => OptOut::IndexableMissing,
                11..15 => OptOut::NotDiscoverable,
                15..20 => OptOut::NoBot,
                _ => OptOut::None,
            };
            // A gone actor must be seen to be gone: GoToSocial answers 401 to an unsigned
            // fetch before it looks the actor up, so none of its actors is gone.
            let gone = quirk == Quirk::Normal
                && self.rng.random_range(0..100u32) < 1
                && software != SimSoftware::Gotosocial;
            let growth =
                u16::try_from(followers / 300).unwrap_or(u16::MAX) + self.rng.random_range(0..3u16);
            let key = self.rng.random::<u64>();
            self.actors.push(Actor {
                instance: index,
                username: format!("{word}{local}").into_boxed_str(),
                followers,
                growth,
                opt_out,
                gone,
                brand: None,
                key,
            });
        }
        let last = u32::try_from(self.actors.len()).unwrap_or(u32::MAX);
        let users_total = u64::from(actors) * self.rng.random_range(20..200u64);
        let active_month = users_total * self.rng.random_range(5..40u64) / 100;
        let local_posts = users_total * self.rng.random_range(30..400u64);
        self.instances.push(Instance {
            host,
            software,
            quirk,
            users_total,
            active_month,
            local_posts,
            actors: first..last,
        });
    }

    /// An ordinary actor's followers: heavy-tailed, at most 250,000.
    // A drawn float, bounded above, as a count: `as` saturates, which is what is meant.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    fn follower_count(&mut self) -> u32 {
        self.heavy(40.0, 0.6).min(250_000.0) as u32
    }

    // A drawn float, bounded above, as a count: `as` saturates, which is what is meant.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    fn actor_count(&mut self, mean: f64) -> u32 {
        (self.heavy(mean, 0.6).min(mean * 15.0) as u32).max(3)
    }
}

pub(super) fn generate(options: &WorldOptions) -> World {
    generate_at(
        options,
        EPOCH + i64::try_from(options.seed % 97).unwrap_or(0) * DAY,
    )
}

/// The world of `options` with its day 0 at `day0` (Unix seconds) rather than the
/// seed's fixed date: the same world, every time shifted.
pub(super) fn generate_at(options: &WorldOptions, day0: i64) -> World {
    let params = options.scale.params();
    let mut g = Gen {
        rng: ChaCha8Rng::seed_from_u64(options.seed),
        instances: Vec::new(),
        actors: Vec::new(),
        counters: HashMap::new(),
    };

    // Brand homes first (always well-behaved), then one ordinary host of every software,
    // threads.net, the misbehaving hosts, and the weighted mix.
    let brands = brands::generate(&mut g, options, params.mean_actors);
    add_hosts(&mut g, &params, options.seed);

    let mut posts = generate_posts(&mut g, &brands, params.posts_per_actor, day0);
    let launch = plant_launch(&mut posts, &brands, options.seed, day0);
    let (mut engagements, mut post_starts) = generate_engagements(
        &mut g,
        &posts,
        params.mean_engagements,
        launch.map(|at| (at, options.seed ^ LAUNCH_STREAM)),
    );
    // The lure and the hostile hosts come after everything else, from a stream of their
    // own: every host, actor, post and engagement before them is what it was without.
    g.rng = ChaCha8Rng::seed_from_u64(options.seed ^ HOSTILE_STREAM);
    let lure = add_lure(&mut g, &mut posts, &mut engagements, &mut post_starts, day0);

    let host_index = g
        .instances
        .iter()
        .enumerate()
        .map(|(i, inst)| (inst.host.clone(), u32::try_from(i).unwrap_or(u32::MAX)))
        .collect();
    World {
        seed: options.seed,
        scale: options.scale,
        day: options.day.min(MAX_DAY),
        scheme: if options.plain_http { "http" } else { "https" },
        day0,
        instances: g.instances,
        actors: g.actors,
        brands,
        posts,
        engagements,
        post_starts,
        host_index,
        lure,
    }
}

/// Every host but the brand homes: one ordinary host of every software, threads.net,
/// the misbehaving hosts, the weighted mix, then (from a stream of their own) the hosts
/// shaped like bovine-herd.
fn add_hosts(g: &mut Gen, params: &super::scale::ScaleParams, seed: u64) {
    for software in SimSoftware::ALL {
        if software == SimSoftware::Threads {
            let count = g.actor_count(params.mean_actors * 4.0);
            g.add_instance("threads.net".to_owned(), software, Quirk::Normal, count);
        } else if !g.instances.iter().any(|i| i.software == software) {
            let host = g.next_name(software.slug());
            let count = g.actor_count(params.mean_actors);
            g.add_instance(host, software, Quirk::Normal, count);
        }
    }
    for quirk in Quirk::MISBEHAVING {
        if quirk == Quirk::BovineShapes {
            continue; // after the mix, from a stream of its own (below)
        }
        for n in 0..params.per_quirk {
            let software = match (quirk, n % 3) {
                (Quirk::NoNodeinfo, 0) => SimSoftware::Misskey,
                (Quirk::NoNodeinfo, 1) => SimSoftware::Mastodon,
                (Quirk::NoNodeinfo, _) => SimSoftware::Akkoma,
                (Quirk::Gone, 1) => SimSoftware::Pleroma,
                _ => SimSoftware::Mastodon,
            };
            let host = g.next_name(quirk.as_str());
            let count = g.actor_count(params.mean_actors);
            g.add_instance(host, software, quirk, count);
        }
    }
    let total_weight: u32 = MIX.iter().map(|(_, w)| w).sum();
    for _ in 0..params.extra_instances {
        let mut roll = g.rng.random_range(0..total_weight);
        let mut software = SimSoftware::Mastodon;
        for (s, w) in MIX {
            if roll < w {
                software = s;
                break;
            }
            roll -= w;
        }
        let host = g.next_name(software.slug());
        let count = g.actor_count(params.mean_actors);
        g.add_instance(host, software, Quirk::Normal, count);
    }
    // Hosts shaped like bovine-herd came later than the rest: they come last, drawn
    // from a stream of their own, so every host, actor and post before them is what it
    // was in the worlds before them.
    let main = std::mem::replace(&mut g.rng, ChaCha8Rng::seed_from_u64(seed ^ BOVINE_STREAM));
    for _ in 0..params.per_quirk {
        let host = g.next_name(Quirk::BovineShapes.as_str());
        let count = g.actor_count(params.mean_actors);
        g.add_instance(host, SimSoftware::Mastodon, Quirk::BovineShapes, count);
    }
    g.rng = main;
}

/// The brand of the launch post: Globex, a watched brand on Mastodon.
const LAUNCH_BRAND: usize = 1;
/// Seconds after the launch day's midnight the launch post is published (09:00 UTC).
const LAUNCH_HOUR: i64 = 9 * 3600;

/// Globex's launch: one post published on [`LAUNCH_DAY`] at 09:00, engaged with many
/// times more than any of its other days (see `generate_engagements`), so that a crawl
/// of `--day LAUNCH_DAY` has not seen it yet and one of the next day sees the spike
/// (issue #16: the spike alert, driven through the world's days). Inserted in the
/// actor's posts in time order; returns its index. Its key comes from a stream of its
/// own, so every other post is what it was without it.
fn plant_launch(posts: &mut Vec<Post>, brands: &[Brand], seed: u64, day0: i64) -> Option<usize> {
    let actor = *brands.get(LAUNCH_BRAND)?.actors.first()?;
    let published = day0 + i64::from(LAUNCH_DAY) * DAY + LAUNCH_HOUR;
    let at = posts
        .iter()
        .position(|p| p.actor == actor && p.published > published)
        .or_else(|| posts.iter().rposition(|p| p.actor == actor).map(|i| i + 1))?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ LAUNCH_STREAM);
    posts.insert(
        at,
        Post {
            brand: u16::try_from(LAUNCH_BRAND).unwrap_or(0),
            actor,
            published,
            key: rng.random::<u64>(),
        },
    );
    Some(at)
}

/// The lure: an account on a host of its own (shaped like bovine-herd) that no brand
/// tracks, with three posts: one replied to by an amplifier, one by a nested-endless
/// host, one liked by a drip and a gzip bomb and replied to by an endless-pages host
/// (whose empty pages never end). A crawl of the lure meets every host that would take
/// a crawl down, and leaves every brand's figures as they were. Returns the lure's
/// actor.
fn add_lure(
    g: &mut Gen,
    posts: &mut Vec<Post>,
    engagements: &mut Vec<Engagement>,
    post_starts: &mut Vec<u32>,
    day0: i64,
) -> u32 {
    // A Pixelfed host shaped like bovine-herd, whose post lists its replies, likes and
    // shares as plain ActivityPub collections: a crawler walks them, so meets each
    // engager's host (a Mastodon origin's own API would answer for them).
    let host = g.next_name("lure");
    g.add_instance(host, SimSoftware::Pixelfed, Quirk::BovineShapes, 0);
    let lure = u32::try_from(g.actors.len()).unwrap_or(u32::MAX);
    let key = g.rng.random::<u64>();
    g.actors.push(Actor {
        instance: u32::try_from(g.instances.len() - 1).unwrap_or(0),
        username: "lure".into(),
        followers: 100,
        growth: 0,
        opt_out: OptOut::None,
        gone: false,
        brand: Some(LURE_BRAND),
        key,
    });
    if let Some(i) = g.instances.last_mut() {
        i.actors.end = lure + 1;
    }
    // Each hostile host on a post of its own, so that none spends the item budget of a
    // post (`crawl.max_items_per_post`) before the crawl reaches another.
    let mut per_post: Vec<Vec<(u32, EngagementKind)>> = Vec::new();
    let mut quiet = Vec::new();
    for quirk in Quirk::HOSTILE {
        let host = g.next_name(quirk.as_str());
        let first = u32::try_from(g.actors.len()).unwrap_or(u32::MAX);
        g.add_instance(host, SimSoftware::Mastodon, quirk, 1);
        match quirk {
            Quirk::Amplifier | Quirk::NestedEndless => {
                per_post.push(vec![(first, EngagementKind::Reply)]);
            }
            _ => quiet.push((first, EngagementKind::Like)),
        }
    }
    if let Some(endless) = g
        .instances
        .iter()
        .find(|i| i.quirk == Quirk::EndlessPages && !i.actors.is_empty())
    {
        quiet.push((endless.actors.start, EngagementKind::Reply));
    }
    per_post.push(quiet);
    for (n, engagers) in (0i64..).zip(per_post) {
        let published = day0 - DAY + 3600 * n;
        let key = g.rng.random::<u64>();
        let post = u32::try_from(posts.len()).unwrap_or(u32::MAX);
        posts.push(Post {
            brand: LURE_BRAND,
            actor: lure,
            published,
            key,
        });
        for (m, (actor, kind)) in (0i64..).zip(engagers) {
            engagements.push(Engagement {
                post,
                actor,
                kind,
                depth: u8::from(kind == EngagementKind::Reply),
                emoji: 0,
                parent: NO_PARENT,
                created: published + 600 + 60 * m,
                removed: NEVER,
            });
        }
        post_starts.push(u32::try_from(engagements.len()).unwrap_or(u32::MAX));
    }
    lure
}

fn generate_posts(g: &mut Gen, brands: &[Brand], per_actor: u32, day0: i64) -> Vec<Post> {
    let start = day0 - HISTORY_DAYS * DAY;
    let end = day0 + i64::from(MAX_DAY) * DAY;
    let mut posts = Vec::new();
    for (b, brand) in brands.iter().enumerate() {
        for &actor in &brand.actors {
            let video = g.instance_of_actor(actor) == Some(SimSoftware::Peertube);
            let count = if b >= brands::BRANDS.len() {
                // A tour brand: a few posts are enough to show what can be read of them.
                (per_actor / 6).max(3)
            } else if video {
                per_actor / 3
            } else {
                per_actor
            };
            let mut mine: Vec<Post> = (0..count)
                .map(|_| Post {
                    brand: u16::try_from(b).unwrap_or(0),
                    actor,
                    published: g.rng.random_range(start..end),
                    key: g.rng.random::<u64>(),
                })
                .collect();
            mine.sort_by_key(|p| p.published);
            posts.extend(mine);
        }
    }
    posts
}
