//! The ground truth: what the store must hold after `fedireach crawl --since all` with
//! the default settings of BRIEF section 4 (reply depth 3, no public URL, so no signed
//! fetches), and the reports it must print.
//!
//! The rules, applied to every engagement that exists on the day the world is seen:
//! - engagers that answer 410 (the actor, or its whole host) are left out (`gone_410`),
//!   and so are the replies below a reply whose deleted author answers 410 (its
//!   statuses went with it, breaking the thread's chain there);
//! - thread replies deeper than [`REPLY_DEPTH`] levels below the direct replies are left
//!   out (`reply_depth`): a direct reply has depth 1, so depths up to `1 + REPLY_DEPTH`
//!   are kept, whatever the source (a walk of replies collections, Mastodon's `context`,
//!   PeerTube's flat comments list: depth is counted along `inReplyTo`);
//! - quotes of a Mastodon post are listed only to its author (`/api/v1/statuses/:id/quotes`
//!   needs the author's token), so they are kept for owned brands only
//!   (`quote_needs_token`);
//! - engagers whose actor document cannot be read (dead hosts, robots.txt disallowing
//!   everything, GoToSocial's 401 to unsigned fetches, malformed, oversized, redirecting
//!   hosts) are kept, because the origin names them, with `actor_followers: null`; the
//!   generator only lets them like Mastodon posts, so no reach figure depends on them;
//! - opted-out engagers count in every aggregate (their `opt_out` says why they are
//!   anonymised);
//! - an actor document is readable when robots.txt allows its path and it is answered
//!   200, as `application/activity+json` (or `ld+json`), under the 5 MB cap, without
//!   redirects to refused addresses: documents served as `text/html` are refused;
//! - a Mastodon origin's REST API gives `followers_count: 0` for accounts whose follower
//!   count a crawler cannot read, which the truth records as `null`.
//!
//! An instance's software is what a crawler learns: NodeInfo `software.name`
//! lower-cased; without readable NodeInfo (robots.txt counts: GoToSocial's bars it), the
//! `@context` namespaces of its actors (where robots.txt lets them be read); then the
//! known domain (threads.net); else `unknown`.

mod batch;
pub mod coverage;
mod learnable;
mod reports;

use std::collections::{BTreeMap, BTreeSet};

use fedireach_core::{EngagementKind, InstancesReport, PostsReport, ReachReport, ReportedCounts};
use serde::Serialize;

use crate::{
    time::rfc3339,
    world::{EMOJIS, NO_PARENT, World},
};

pub(crate) use learnable::{
    brand_account_readable, brand_followers_known, followers_known, learned_software,
    left_out_reason, post_learnable,
};

/// The crawler's default `crawl.reply_depth`: levels of thread replies followed.
pub const REPLY_DEPTH: u8 = 3;

/// The ground truth of one world on one day (field order is the JSON's).
#[derive(Debug, Clone, Serialize)]
pub struct Truth {
    pub seed: u64,
    pub scale: String,
    pub day: u32,
    /// The world's clock on that day.
    pub now: String,
    pub reply_depth: u8,
    pub instances: Vec<TruthInstance>,
    pub brands: Vec<TruthBrand>,
    pub posts: Vec<TruthPost>,
    pub engagements: Vec<TruthEngagement>,
    /// Engagements that exist but a correct crawler cannot know, by reason.
    pub left_out: BTreeMap<String, u64>,
    pub reports: BTreeMap<String, BrandReports>,
}

/// An instance as a crawler learns it.
#[derive(Debug, Clone, Serialize)]
pub struct TruthInstance {
    pub host: String,
    pub software: String,
    pub family: String,
    /// NodeInfo `usage.users.activeMonth`, where NodeInfo is readable.
    pub active_month: Option<u64>,
    /// How the software was learned: nodeinfo, context, domain or unknown.
    pub software_source: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TruthBrand {
    pub name: String,
    /// `@user@host`, first the account the token belongs to.
    pub actors: Vec<String>,
    /// The same actors' ids.
    pub actor_ids: Vec<String>,
    /// What the first actor's home server accepts as a read-only token; `null` for a
    /// watched brand.
    pub token: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TruthPost {
    pub uri: String,
    pub brand: String,
    /// The author's actor id.
    pub actor: String,
    pub published: String,
    /// The author's follower count on the day seen.
    pub followers: u64,
    /// The counts the origin server reports (self-engagement and left-out engagers
    /// included, as the origin counts them).
    pub reported: ReportedCounts,
    /// How a correct crawler knows each kind's count (see [`coverage::expected`]);
    /// `null` where no rule covers the origin's software.
    pub coverage: Option<fedireach_core::PostCoverage>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TruthEngagement {
    /// The brand post (the thread's root for thread replies).
    pub post: String,
    pub kind: EngagementKind,
    /// The engager's instance.
    pub instance: String,
    /// The engager's actor id.
    pub actor: String,
    /// Its follower count, `null` where its actor document cannot be read or has no
    /// followers collection (Lemmy, Mbin).
    pub actor_followers: Option<u64>,
    #[serde(rename = "self")]
    pub is_self: bool,
    /// The reply or quote object, or the Like/Announce activity.
    pub object: String,
    pub published: String,
    /// 1 for a direct reply, 2+ for thread replies; absent for other kinds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub depth: Option<u8>,
    /// What a thread reply answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_reply_to: Option<String>,
    /// An emoji reaction's emoji.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emoji: Option<String>,
    /// Why the engager is anonymised: not_indexable, not_discoverable or nobot.
    pub opt_out: Option<String>,
    /// A reply's or quote's language as a crawler can learn it: the one its document
    /// declares, `und` where it declares none or where the only source, Misskey's API,
    /// carries none; absent for likes and boosts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// The three reports of one brand over all time.
#[derive(Debug, Clone, Serialize)]
pub struct BrandReports {
    pub reach: ReachReport,
    pub posts: PostsReport,
    pub instances: InstancesReport,
    pub languages: fedireach_core::LanguagesReport,
}

/// The engagements a correct crawl stores (visible, on learnable posts, not left out),
/// and how many were left out, by reason.
fn kept_engagements(world: &World) -> (Vec<u32>, BTreeMap<String, u64>) {
    let mut left_out: BTreeMap<String, u64> = BTreeMap::new();
    let mut kept: Vec<u32> = Vec::new();
    for (p, post) in world.posts().iter().enumerate() {
        if !post_learnable(world, post) {
            continue;
        }
        let p = u32::try_from(p).unwrap_or(u32::MAX);
        for i in world.engagements_of(p) {
            let Some(e) = world.engagements().get(i) else {
                continue;
            };
            if !world.engagement_visible(e) {
                continue;
            }
            match left_out_reason(world, i, e) {
                Some(reason) => *left_out.entry(reason.to_owned()).or_default() += 1,
                None => kept.push(u32::try_from(i).unwrap_or(u32::MAX)),
            }
        }
    }
    (kept, left_out)
}

/// The instances a crawl learns of: the homes of the brand accounts it can read and of
/// the engagers of `kept`, by host, with what it learns of each.
fn learned_instances(world: &World, kept: &[u32]) -> Vec<TruthInstance> {
    let mut hosts: BTreeSet<u32> = BTreeSet::new();
    for brand in world.brands() {
        for &a in &brand.actors {
            if let Some(actor) = world.actors().get(a as usize)
                && brand_account_readable(world, a)
            {
                hosts.insert(actor.instance);
            }
        }
    }
    for &i in kept {
        if let Some(actor) = world
            .engagements()
            .get(i as usize)
            .and_then(|e| world.actors().get(e.actor as usize))
        {
            hosts.insert(actor.instance);
        }
    }
    let mut instances: Vec<TruthInstance> = hosts
        .iter()
        .filter_map(|&i| {
            let inst = world.instances().get(i as usize)?;
            let (software, source, active_month) = learned_software(world, i);
            Some(TruthInstance {
                host: inst.host.clone(),
                family: software.family().as_str().to_owned(),
                software: software.as_str().to_owned(),
                active_month,
                software_source: source.to_owned(),
            })
        })
        .collect();
    instances.sort_by(|a, b| a.host.cmp(&b.host));
    instances
}

/// The posts a crawl can find, by publication time then uri.
fn learnable_posts(world: &World) -> Vec<TruthPost> {
    let mut posts: Vec<TruthPost> = world
        .posts()
        .iter()
        .enumerate()
        .filter(|(_, p)| post_learnable(world, p))
        .map(|(p, post)| {
            let p = u32::try_from(p).unwrap_or(u32::MAX);
            TruthPost {
                uri: world.post_uri(p),
                brand: world.brand_name(post).to_owned(),
                actor: world.actor_id(post.actor),
                published: rfc3339(post.published),
                followers: world.followers(post.actor),
                reported: reports::reported_counts(world, p),
                coverage: coverage::of_post(world, p),
            }
        })
        .collect();
    posts.sort_by(|a, b| {
        a.published
            .cmp(&b.published)
            .then_with(|| a.uri.cmp(&b.uri))
    });
    posts
}

impl Truth {
    /// Computes the truth of a world on the day it is seen.
    pub fn of(world: &World) -> Self {
        let (kept, left_out) = kept_engagements(world);
        let instances = learned_instances(world, &kept);
        let brands = world
            .brands()
            .iter()
            .map(|b| TruthBrand {
                name: b.name.clone(),
                actors: b.actors.iter().map(|&a| world.handle(a)).collect(),
                actor_ids: b.actors.iter().map(|&a| world.actor_id(a)).collect(),
                token: b.token.clone(),
            })
            .collect();
        let engagements = kept
            .iter()
            .filter_map(|&i| truth_engagement(world, i))
            .collect();
        let reports = reports::all_reports(world, &kept, &instances);
        Self {
            seed: world.seed(),
            scale: world.scale().as_str().to_owned(),
            day: world.day(),
            now: rfc3339(world.now()),
            reply_depth: REPLY_DEPTH,
            instances,
            brands,
            posts: learnable_posts(world),
            engagements,
            left_out,
            reports,
        }
    }

    /// The truth as compact JSON (stable bytes: every map is ordered). The large
    /// world's truth is a few hundred megabytes, so no indentation.
    pub fn to_json(&self) -> Result<String, crate::FakeverseError> {
        Ok(serde_json::to_string(self)?)
    }

    /// Writes the same bytes as [`Truth::to_json`] to `path`, streaming (the large
    /// world's truth need not exist twice in memory).
    pub fn write_to(&self, path: &std::path::Path) -> Result<(), crate::FakeverseError> {
        let write_err = |source| crate::FakeverseError::Write {
            path: path.display().to_string(),
            source,
        };
        let file = std::fs::File::create(path).map_err(write_err)?;
        let mut out = std::io::BufWriter::new(file);
        serde_json::to_writer(&mut out, self)?;
        std::io::Write::flush(&mut out).map_err(write_err)
    }
}

fn truth_engagement(world: &World, i: u32) -> Option<TruthEngagement> {
    let e = world.engagements().get(i as usize)?;
    let post = world.posts().get(e.post as usize)?;
    let actor = world.actors().get(e.actor as usize)?;
    let inst = world.instance_of(e.actor)?;
    let is_reply = matches!(e.kind, EngagementKind::Reply | EngagementKind::ThreadReply);
    Some(TruthEngagement {
        post: world.post_uri(e.post),
        kind: e.kind,
        instance: inst.host.clone(),
        actor: world.actor_id(e.actor),
        actor_followers: followers_known(world, e.actor).then(|| world.followers(e.actor)),
        is_self: actor.brand == Some(post.brand),
        object: world.engagement_uri(i),
        published: rfc3339(e.created),
        depth: is_reply.then_some(e.depth),
        in_reply_to: (e.parent != NO_PARENT).then(|| world.engagement_uri(e.parent)),
        emoji: (e.emoji > 0)
            .then(|| {
                EMOJIS
                    .get(usize::from(e.emoji) - 1)
                    .map(|s| (*s).to_owned())
            })
            .flatten(),
        opt_out: actor.opt_out.reason().map(str::to_owned),
        language: learnable_language(world, e),
    })
}

/// What a crawler can learn of an engagement's language (see
/// [`TruthEngagement::language`]).
pub(crate) fn learnable_language(world: &World, e: &crate::world::Engagement) -> Option<String> {
    if !e.kind.has_language() {
        return None;
    }
    let origin = world
        .posts()
        .get(e.post as usize)
        .and_then(|p| world.instance_of(p.actor))
        .map(|i| i.software);
    let declared = match origin {
        Some(s) if s.is_misskey() => None,
        _ => world.declared_language(e.actor),
    };
    Some(declared.unwrap_or(fedireach_core::UNDECLARED).to_owned())
}
