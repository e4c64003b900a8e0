//! Engagements of every post: who engages, how, when, which replies get replies, and
//! which likes, boosts and leaf replies are undone later.

use std::collections::HashSet;

use fedireach_core::EngagementKind;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{Gen, MAX_DEPTH};
use crate::world::{
    Actor, DAY, EMOJIS, Engagement, Instance, LAUNCH_FACTOR, NEVER, NO_PARENT, Post, Quirk,
    SimSoftware,
};

impl Gen {
    pub(super) fn instance_of_actor(&self, actor: u32) -> Option<SimSoftware> {
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
                | Quirk::BovineShapes
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

/// Every post's engagements, drawn from `g`'s stream in post order; the launch post
/// (`launch`: its index and the seed of its own stream) is drawn from its own stream,
/// so every other post is engaged with as it was without it.
pub(super) fn generate_engagements(
    g: &mut Gen,
    posts: &[Post],
    mean: f64,
    launch: Option<(usize, u64)>,
) -> (Vec<Engagement>, Vec<u32>) {
    let safe = safe_actors(g);
    let mut all = Vec::new();
    let mut starts = Vec::with_capacity(posts.len() + 1);
    for (p, post) in posts.iter().enumerate() {
        starts.push(u32::try_from(all.len()).unwrap_or(u32::MAX));
        let own_stream = launch
            .filter(|(at, _)| *at == p)
            .map(|(_, seed)| std::mem::replace(&mut g.rng, ChaCha8Rng::seed_from_u64(seed)));
        let origin = g
            .instance_of_actor(post.actor)
            .unwrap_or(SimSoftware::Mastodon);
        let count = engagement_count(g, post, mean, own_stream.is_some());
        let post_index = u32::try_from(p).unwrap_or(u32::MAX);
        let mut local: Vec<Local> = Vec::new();
        let mut liked = HashSet::new();
        let mut boosted = HashSet::new();
        for _ in 0..count {
            let kind = kind_of(origin, g.rng.random_range(0..100u32));
            let taken = match kind {
                EngagementKind::Like => &liked,
                EngagementKind::Boost => &boosted,
                _ => &HashSet::new(),
            };
            let Some(actor) = g.pick_actor(kind, origin, &safe, taken) else {
                continue;
            };
            match kind {
                EngagementKind::Like => liked.insert(actor),
                EngagementKind::Boost => boosted.insert(actor),
                _ => false,
            };
            let delay = reply_delay(g);
            let emoji = if kind == EngagementKind::Like
                && origin.is_misskey()
                && g.rng.random_range(0..100u32) < 75
            {
                g.rng.random_range(1..=EMOJI_COUNT)
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
        self_engagements(g, post, post_index, origin, &mut local);
        add_threads(g, &mut local, origin, post, &safe);
        finish_post(g, local, &mut all);
        if let Some(main) = own_stream {
            g.rng = main;
        }
    }
    starts.push(u32::try_from(all.len()).unwrap_or(u32::MAX));
    (all, starts)
}

/// Actors on well-behaved Mastodon hosts, who can do anything: the fallback pool.
fn safe_actors(g: &Gen) -> Vec<u32> {
    g.actors
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
        .collect()
}

/// How many of [`EMOJIS`] a reaction picks from.
#[allow(clippy::cast_possible_truncation)] // checked below 256 at compile time
const EMOJI_COUNT: u8 = {
    assert!(EMOJIS.len() < 256);
    EMOJIS.len() as u8
};

/// Seconds between a post and an engagement with it: a minute, then exponential
/// (mean six hours), at most two weeks.
#[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)] // bounded
fn reply_delay(g: &mut Gen) -> i64 {
    (60.0 + 6.0 * 3600.0 * -g.unit().ln()).min(14.0 * DAY as f64) as i64
}

/// How many engagements a post draws: its brand's popularity, 3% of posts viral, an
/// exponential spread; the launch post a fixed multiple of the mean. The viral roll is
/// drawn for every post, the launch one too, so the stream stays as it was.
// A drawn float as a count: `as` saturates, which is what is meant.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn engagement_count(g: &mut Gen, post: &Post, mean: f64, launch: bool) -> u32 {
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
    if launch {
        (mean * LAUNCH_FACTOR).round() as u32
    } else {
        (mean * popularity * viral * -g.unit().ln()).round() as u32
    }
}

/// An engagement's kind from a roll in 0..100, by the software of the post's origin.
fn kind_of(origin: SimSoftware, roll: u32) -> EngagementKind {
    match origin {
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
    }
}

/// Self-engagement: the author continues the thread; a brand's Mastodon account
/// boosts the brand's videos.
fn self_engagements(
    g: &mut Gen,
    post: &Post,
    post_index: u32,
    origin: SimSoftware,
    local: &mut Vec<Local>,
) {
    let own = |actor, kind, depth, after| Local {
        e: Engagement {
            post: post_index,
            actor,
            kind,
            depth,
            emoji: 0,
            parent: NO_PARENT,
            created: post.published + after,
            removed: NEVER,
        },
    };
    if origin != SimSoftware::Peertube && g.rng.random_range(0..100u32) < 12 {
        local.push(own(post.actor, EngagementKind::Reply, 1, 120));
    }
    if origin == SimSoftware::Peertube
        && g.rng.random_range(0..100u32) < 50
        && let Some(brand_mastodon) = g.brand_mastodon_actor(post.actor)
    {
        local.push(own(brand_mastodon, EngagementKind::Boost, 0, 300));
    }
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
