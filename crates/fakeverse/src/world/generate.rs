//! The deterministic generator: one ChaCha stream seeded by the seed, consumed in a
//! fixed order, so the same seed and scale always give the same world.
//!
//! The world is built so that what a correct crawler can learn is well defined (the
//! truth depends on it): engagers whose actor documents cannot be read only like
//! Mastodon posts (whose origin names them in `favourited_by`); thread replies hang only
//! below replies that list their own replies (Mastodon notes) or below PeerTube comments
//! (whose video lists every comment); replies by gone actors or on misbehaving hosts have
//! no children; only leaf replies are ever deleted.

use std::collections::{HashMap, HashSet};

use fedireach_core::EngagementKind;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{
    Actor, Brand, DAY, Engagement, HISTORY_DAYS, Instance, MAX_DAY, NEVER, NO_PARENT, OptOut, Post,
    Quirk, SimSoftware, World, WorldOptions,
};

/// 2026-06-01T00:00:00Z: the earliest day 0; the seed moves it by up to 96 days.
const EPOCH: i64 = 1_780_272_000;
/// The deepest thread reply generated (the crawler's default follows fewer).
const MAX_DEPTH: u8 = 6;

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

/// The brands: name, accounts (software of the home, user name, followers), owned.
/// A brand account: the software of its home, its user name, its followers on day 0.
type Account = (SimSoftware, &'static str, u32);

const BRANDS: [(&str, &[Account], bool); 3] = [
    (
        "Acme",
        &[
            (SimSoftware::Mastodon, "acme", 12_000),
            (SimSoftware::Peertube, "acme_videos", 3_100),
        ],
        true,
    ),
    (
        "Globex",
        &[(SimSoftware::Mastodon, "globex", 28_000)],
        false,
    ),
    (
        "Initech",
        &[(SimSoftware::Misskey, "initech", 5_200)],
        false,
    ),
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
            let followers = self.heavy(40.0, 0.6).min(250_000.0) as u32;
            let roll = self.rng.random_range(0..100u32);
            let opt_out = match roll {
                0..5 => OptOut::NotIndexable,
                5..11 => OptOut::IndexableMissing,
                11..15 => OptOut::NotDiscoverable,
                15..20 => OptOut::NoBot,
                _ => OptOut::None,
            };
            let gone = quirk == Quirk::Normal && self.rng.random_range(0..100u32) < 1;
            let growth = (followers / 300) as u16 + self.rng.random_range(0..3u16);
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

    fn actor_count(&mut self, mean: f64) -> u32 {
        (self.heavy(mean, 0.6).min(mean * 15.0) as u32).max(3)
    }
}

pub(super) fn generate(options: &WorldOptions) -> World {
    let params = options.scale.params();
    let mut g = Gen {
        rng: ChaCha8Rng::seed_from_u64(options.seed),
        instances: Vec::new(),
        actors: Vec::new(),
        counters: HashMap::new(),
    };
    let day0 = EPOCH + i64::try_from(options.seed % 97).unwrap_or(0) * DAY;

    // Brand homes first (always well-behaved), then one ordinary host of every software,
    // threads.net, the misbehaving hosts, and the weighted mix.
    let mut brands = Vec::new();
    for (b, (name, accounts, owned)) in BRANDS.iter().enumerate() {
        let mut actors = Vec::new();
        for &(software, user, followers) in accounts.iter() {
            let host = g.next_name(software.slug());
            let count = g.actor_count(params.mean_actors);
            g.add_instance(host, software, Quirk::Normal, count);
            let key = g.rng.random::<u64>();
            let instance = u32::try_from(g.instances.len() - 1).unwrap_or(0);
            let index = u32::try_from(g.actors.len()).unwrap_or(u32::MAX);
            g.actors.push(Actor {
                instance,
                username: (*user).into(),
                followers,
                growth: u16::try_from(followers / 150).unwrap_or(u16::MAX),
                opt_out: OptOut::None,
                gone: false,
                brand: Some(u16::try_from(b).unwrap_or(0)),
                key,
            });
            if let Some(i) = g.instances.last_mut() {
                i.actors.end = index + 1;
            }
            actors.push(index);
        }
        let token =
            owned.then(|| format!("fakeverse-{}-{:016x}", name.to_lowercase(), options.seed));
        brands.push(Brand {
            name: (*name).to_owned(),
            actors,
            token,
        });
    }
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

    let posts = generate_posts(&mut g, &brands, params.posts_per_actor, day0);
    let (engagements, post_starts) = generate_engagements(&mut g, &posts, params.mean_engagements);

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
    }
}

fn generate_posts(g: &mut Gen, brands: &[Brand], per_actor: u32, day0: i64) -> Vec<Post> {
    let start = day0 - HISTORY_DAYS * DAY;
    let end = day0 + i64::from(MAX_DAY) * DAY;
    let mut posts = Vec::new();
    for (b, brand) in brands.iter().enumerate() {
        for &actor in &brand.actors {
            let video = g.instance_of_actor(actor) == Some(SimSoftware::Peertube);
            let count = if video { per_actor / 3 } else { per_actor };
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

impl Gen {
    fn instance_of_actor(&self, actor: u32) -> Option<SimSoftware> {
        self.actors
            .get(actor as usize)
            .and_then(|a| self.instances.get(a.instance as usize))
            .map(|i| i.software)
    }

    fn actor_info(&self, actor: u32) -> Option<(&Actor, &Instance)> {
        let a = self.actors.get(actor as usize)?;
        Some((a, self.instances.get(a.instance as usize)?))
    }

    /// Whether `actor` may engage in `kind` with a post whose origin runs `origin`.
    fn eligible(&self, actor: u32, kind: EngagementKind, origin: SimSoftware) -> bool {
        let Some((a, inst)) = self.actor_info(actor) else {
            return false;
        };
        if a.brand.is_some() {
            return false;
        }
        if inst.quirk.actors_unreadable() || inst.software == SimSoftware::Gotosocial {
            return kind == EngagementKind::Like && origin == SimSoftware::Mastodon;
        }
        match kind {
            EngagementKind::Like | EngagementKind::Boost => true,
            EngagementKind::Reply | EngagementKind::ThreadReply => {
                inst.software.replies_anywhere()
                    || (origin == SimSoftware::Peertube && inst.software == SimSoftware::Peertube)
            }
            EngagementKind::Quote => inst.software.can_quote() && origin != SimSoftware::Peertube,
        }
    }

    /// Whether replies written by `actor` may have replies below them (see module docs).
    fn may_have_children(&self, actor: u32, origin: SimSoftware) -> bool {
        let Some((a, inst)) = self.actor_info(actor) else {
            return false;
        };
        let quirk_ok = matches!(
            inst.quirk,
            Quirk::Normal
                | Quirk::Slow
                | Quirk::ServerErrors
                | Quirk::CrawlDelay
                | Quirk::RobotsPartial
        );
        !a.gone && quirk_ok && (inst.software.lists_replies() || origin == SimSoftware::Peertube)
    }

    fn pick_actor(
        &mut self,
        kind: EngagementKind,
        origin: SimSoftware,
        safe: &[u32],
        taken: &HashSet<u32>,
    ) -> Option<u32> {
        let n = u32::try_from(self.actors.len()).unwrap_or(0);
        for _ in 0..30 {
            let actor = self.rng.random_range(0..n);
            if self.eligible(actor, kind, origin) && !taken.contains(&actor) {
                return Some(actor);
            }
        }
        for _ in 0..30 {
            let actor = *safe.get(self.rng.random_range(0..safe.len().max(1)))?;
            if !taken.contains(&actor) {
                return Some(actor);
            }
        }
        None
    }
}

/// A reply waiting for its children, during generation (indices are local to a post).
struct Local {
    e: Engagement,
}

fn generate_engagements(g: &mut Gen, posts: &[Post], mean: f64) -> (Vec<Engagement>, Vec<u32>) {
    // Actors on well-behaved Mastodon hosts can do anything: the fallback pool.
    let safe: Vec<u32> = g
        .actors
        .iter()
        .enumerate()
        .filter(|(_, a)| {
            a.brand.is_none()
                && !a.gone
                && g.instances.get(a.instance as usize).is_some_and(|i| {
                    i.software == SimSoftware::Mastodon && i.quirk == Quirk::Normal
                })
        })
        .map(|(i, _)| u32::try_from(i).unwrap_or(u32::MAX))
        .collect();
    let mut all = Vec::new();
    let mut starts = Vec::with_capacity(posts.len() + 1);
    // The brand's Mastodon account, which boosts the brand's own videos.
    for (p, post) in posts.iter().enumerate() {
        starts.push(u32::try_from(all.len()).unwrap_or(u32::MAX));
        let origin = g
            .instance_of_actor(post.actor)
            .unwrap_or(SimSoftware::Mastodon);
        let popularity = match post.brand {
            1 => 1.6,
            2 => 0.7,
            _ => 1.0,
        };
        let viral = if g.rng.random_range(0..100u32) < 3 {
            6.0
        } else {
            1.0
        };
        let count = (mean * popularity * viral * -g.unit().ln()).round() as u32;
        let post_index = u32::try_from(p).unwrap_or(u32::MAX);
        let mut local: Vec<Local> = Vec::new();
        let mut liked = HashSet::new();
        let mut boosted = HashSet::new();
        let none = HashSet::new();
        for _ in 0..count {
            let roll = g.rng.random_range(0..100u32);
            let kind = match origin {
                SimSoftware::Peertube => match roll {
                    0..60 => EngagementKind::Like,
                    60..80 => EngagementKind::Boost,
                    _ => EngagementKind::Reply,
                },
                s if s.is_misskey() => match roll {
                    0..60 => EngagementKind::Like,
                    60..80 => EngagementKind::Boost,
                    80..92 => EngagementKind::Reply,
                    _ => EngagementKind::Quote,
                },
                _ => match roll {
                    0..57 => EngagementKind::Like,
                    57..79 => EngagementKind::Boost,
                    79..96 => EngagementKind::Reply,
                    _ => EngagementKind::Quote,
                },
            };
            let taken = match kind {
                EngagementKind::Like => &liked,
                EngagementKind::Boost => &boosted,
                _ => &none,
            };
            let Some(actor) = g.pick_actor(kind, origin, &safe, taken) else {
                continue;
            };
            match kind {
                EngagementKind::Like => liked.insert(actor),
                EngagementKind::Boost => boosted.insert(actor),
                _ => false,
            };
            let delay = (60.0 + 6.0 * 3600.0 * -g.unit().ln()).min(14.0 * DAY as f64) as i64;
            let emoji = if kind == EngagementKind::Like
                && origin.is_misskey()
                && g.rng.random_range(0..100u32) < 75
            {
                g.rng.random_range(1..=super::EMOJIS.len() as u8)
            } else {
                0
            };
            local.push(Local {
                e: Engagement {
                    post: post_index,
                    actor,
                    kind,
                    depth: u8::from(kind == EngagementKind::Reply),
                    emoji,
                    parent: NO_PARENT,
                    created: post.published + delay,
                    removed: NEVER,
                },
            });
        }
        // Self-engagement: the author continues the thread; Acme's Mastodon account
        // boosts Acme's videos.
        if origin != SimSoftware::Peertube && g.rng.random_range(0..100u32) < 12 {
            local.push(Local {
                e: Engagement {
                    post: post_index,
                    actor: post.actor,
                    kind: EngagementKind::Reply,
                    depth: 1,
                    emoji: 0,
                    parent: NO_PARENT,
                    created: post.published + 120,
                    removed: NEVER,
                },
            });
        }
        if origin == SimSoftware::Peertube
            && g.rng.random_range(0..100u32) < 50
            && let Some(brand_mastodon) = g.brand_mastodon_actor(post.actor)
        {
            {
                local.push(Local {
                    e: Engagement {
                        post: post_index,
                        actor: brand_mastodon,
                        kind: EngagementKind::Boost,
                        depth: 0,
                        emoji: 0,
                        parent: NO_PARENT,
                        created: post.published + 300,
                        removed: NEVER,
                    },
                });
            }
        }
        add_threads(g, &mut local, origin, post, &safe);
        finish_post(g, local, &mut all);
    }
    starts.push(u32::try_from(all.len()).unwrap_or(u32::MAX));
    (all, starts)
}

impl Gen {
    /// The Mastodon account of the brand that `actor` posts for, other than `actor`.
    fn brand_mastodon_actor(&self, actor: u32) -> Option<u32> {
        let brand = self.actors.get(actor as usize)?.brand?;
        self.actors.iter().enumerate().find_map(|(i, a)| {
            (a.brand == Some(brand)
                && i != actor as usize
                && self.instances.get(a.instance as usize)?.software == SimSoftware::Mastodon)
                .then(|| u32::try_from(i).ok())
                .flatten()
        })
    }
}

/// Thread replies below the replies of one post (Misskey posts get none: their notes
/// list no replies).
fn add_threads(
    g: &mut Gen,
    local: &mut Vec<Local>,
    origin: SimSoftware,
    post: &Post,
    safe: &[u32],
) {
    if origin.is_misskey() {
        return;
    }
    let none = HashSet::new();
    let mut i = 0;
    while i < local.len() {
        let parent = &local[i].e;
        let is_reply = matches!(
            parent.kind,
            EngagementKind::Reply | EngagementKind::ThreadReply
        );
        if is_reply
            && parent.depth < MAX_DEPTH
            && g.may_have_children(parent.actor, origin)
            && g.rng.random_range(0..100u32) < 35
        {
            let (depth, created) = (parent.depth + 1, parent.created);
            let children = 1 + g.rng.random_range(0..3u32);
            for _ in 0..children {
                let actor = if origin != SimSoftware::Peertube && g.rng.random_range(0..100u32) < 15
                {
                    Some(post.actor)
                } else {
                    g.pick_actor(EngagementKind::ThreadReply, origin, safe, &none)
                };
                let Some(actor) = actor else { continue };
                let delay = 60 + g.rng.random_range(0..(2 * DAY));
                local.push(Local {
                    e: Engagement {
                        post: parent_post(local, i),
                        actor,
                        kind: EngagementKind::ThreadReply,
                        depth,
                        emoji: 0,
                        parent: u32::try_from(i).unwrap_or(NO_PARENT),
                        created: created + delay,
                        removed: NEVER,
                    },
                });
            }
        }
        i += 1;
    }
}

fn parent_post(local: &[Local], i: usize) -> u32 {
    local.get(i).map_or(0, |l| l.e.post)
}

/// Removals (undone likes and boosts, deleted leaf replies), then the post's
/// engagements in creation order with parents re-indexed, appended to `all`.
fn finish_post(g: &mut Gen, mut local: Vec<Local>, all: &mut Vec<Engagement>) {
    let mut has_children = vec![false; local.len()];
    for l in &local {
        if let Some(slot) = has_children.get_mut(l.e.parent as usize) {
            *slot = true;
        }
    }
    for (i, l) in local.iter_mut().enumerate() {
        let brand_self = g
            .actors
            .get(l.e.actor as usize)
            .is_some_and(|a| a.brand.is_some());
        let chance = match l.e.kind {
            EngagementKind::Like | EngagementKind::Boost => 4,
            _ if has_children.get(i).copied().unwrap_or(true) || brand_self => 0,
            _ => 3,
        };
        if g.rng.random_range(0..100u32) < chance {
            l.e.removed = l.e.created + g.rng.random_range(3600..(25 * DAY));
        }
    }
    let mut order: Vec<usize> = (0..local.len()).collect();
    order.sort_by_key(|&i| (local[i].e.created, i));
    let base = all.len();
    let mut new_index = vec![0u32; local.len()];
    for (pos, &i) in order.iter().enumerate() {
        new_index[i] = u32::try_from(base + pos).unwrap_or(u32::MAX);
    }
    for &i in &order {
        let mut e = local[i].e.clone();
        if e.parent != NO_PARENT {
            e.parent = new_index
                .get(e.parent as usize)
                .copied()
                .unwrap_or(NO_PARENT);
        }
        all.push(e);
    }
}
