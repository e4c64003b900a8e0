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
mod reports;

use std::collections::{BTreeMap, BTreeSet};

use fedireach_core::{
    EngagementKind, InstancesReport, PostsReport, ReachReport, ReportedCounts, Software,
};
use serde::Serialize;

use crate::{
    time::rfc3339,
    world::{EMOJIS, Engagement, NO_PARENT, Quirk, SimSoftware, World},
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

/// Why an existing engagement is not in the truth, or `None` when it is.
pub(crate) fn left_out_reason(world: &World, i: usize, e: &Engagement) -> Option<&'static str> {
    let actor = world.actors().get(e.actor as usize)?;
    let inst = world.instance_of(e.actor)?;
    if actor.gone || inst.quirk == Quirk::Gone {
        return Some("gone_410");
    }
    // Below a reply whose author answers 410 the thread is broken: no server lists those
    // replies under the post any more (the deleted status took the chain with it).
    let mut parent = e.parent;
    while parent != NO_PARENT {
        let Some(up) = world.engagements().get(parent as usize) else {
            break;
        };
        if world.actors().get(up.actor as usize).is_none_or(|a| a.gone) {
            return Some("gone_410");
        }
        parent = up.parent;
    }
    if e.kind == EngagementKind::ThreadReply && e.depth > 1 + REPLY_DEPTH {
        return Some("reply_depth");
    }
    let post = world.posts().get(e.post as usize)?;
    let origin = world.instance_of(post.actor)?;
    let owned = world
        .brands()
        .get(post.brand as usize)
        .is_some_and(|b| b.token.is_some());
    if e.kind == EngagementKind::Quote && origin.software == SimSoftware::Mastodon && !owned {
        return Some("quote_needs_token");
    }
    // Pixelfed's `context` lists the 20 oldest direct replies and nothing below them
    // (server/api/mastodon.rs `Flavour::Pixelfed`).
    if origin.software == SimSoftware::Pixelfed {
        match e.kind {
            EngagementKind::ThreadReply => return Some("not_exposed"),
            EngagementKind::Reply if pixelfed_reply_rank(world, i, e) >= 20 => {
                return Some("context_cap");
            }
            _ => {}
        }
    }
    // What the origin lists of no post (Akkoma's and GoToSocial's quotes...), or only
    // counts (WordPress's likes and shares).
    match coverage::of_post(world, e.post).map(|c| c.of(e.kind)) {
        Some(fedireach_core::Coverage::Unavailable(why)) => Some(why.as_str()),
        Some(fedireach_core::Coverage::Reported) => Some("count_only"),
        _ => None,
    }
}

/// How many visible direct replies to the same post, by authors not gone, come before
/// direct reply `e`, engagement `i` (oldest first, as Pixelfed's `context` lists them).
fn pixelfed_reply_rank(world: &World, i: usize, e: &Engagement) -> usize {
    let num = world.engagement_num(u32::try_from(i).unwrap_or(u32::MAX));
    world
        .engagements_of(e.post)
        .filter(|&i| {
            world.engagements().get(i).is_some_and(|x| {
                x.kind == EngagementKind::Reply
                    && x.parent == NO_PARENT
                    && world.engagement_visible(x)
                    && world
                        .actors()
                        .get(x.actor as usize)
                        .is_some_and(|a| !a.gone)
                    && world.engagement_num(u32::try_from(i).unwrap_or(u32::MAX)) < num
            })
        })
        .count()
}

/// Whether a crawler can find the posts of brand account `actor`: through WebFinger, its
/// actor document and its outbox where the host's robots.txt allows them, or, for an
/// owned brand, through its home's client API where the software serves one to the
/// owner's token (server/api/mastodon.rs; robots.txt does not gate the owner's client).
pub(crate) fn brand_account_readable(world: &World, actor: u32) -> bool {
    let Some(inst) = world.instance_of(actor) else {
        return false;
    };
    let owned = world
        .actors()
        .get(actor as usize)
        .and_then(|a| world.brands().get(usize::from(a.brand?)))
        .is_some_and(|b| b.token.is_some());
    let client = owned
        && matches!(
            inst.software,
            SimSoftware::Mastodon
                | SimSoftware::Pleroma
                | SimSoftware::Akkoma
                | SimSoftware::Gotosocial
                | SimSoftware::Pixelfed
        );
    let robots = crate::world::robots::host_rules(inst);
    let path = |url: String| {
        url::Url::parse(&url)
            .map(|u| u.path().to_owned())
            .unwrap_or_default()
    };
    let allowed = |p: &str| robots.as_ref().is_none_or(|r| r.allows(p));
    // Lemmy lists no person's posts: its outboxes are empty; Threads' are a 404;
    // Pixelfed's only count them (server/docs/collections.rs `outbox`).
    let ap = !matches!(
        inst.software,
        SimSoftware::Lemmy | SimSoftware::Threads | SimSoftware::Pixelfed
    ) && allowed("/.well-known/webfinger")
        && allowed(&path(world.actor_id(actor)))
        && allowed(&path(format!(
            "{}/outbox",
            world.actor_id(actor).trim_end_matches('/')
        )));
    client || ap
}

/// Whether a crawler learns the follower count of brand account `actor`: from its
/// actor document's followers collection, or from its home's client API where the
/// owner's client reads the account (GoToSocial).
pub(crate) fn brand_followers_known(world: &World, actor: u32) -> bool {
    let client = world
        .instance_of(actor)
        .is_some_and(|i| i.software == SimSoftware::Gotosocial);
    followers_known(world, actor) || (client && brand_account_readable(world, actor))
}

/// Whether post `post` is one a correct crawler counts: published by now, by a brand
/// account whose posts can be found.
pub(crate) fn post_learnable(world: &World, post: &crate::world::Post) -> bool {
    world.post_counted(post) && brand_account_readable(world, post.actor)
}

/// Whether a crawler can learn the follower count of `actor`: its actor document is
/// readable and links a followers collection.
pub(crate) fn followers_known(world: &World, actor: u32) -> bool {
    world.instance_of(actor).is_some_and(|i| {
        !i.quirk.actors_unreadable()
            && i.software != SimSoftware::Gotosocial
            && i.software.exposes_followers()
    }) && world.actors().get(actor as usize).is_some_and(|a| !a.gone)
}

/// The software a crawler learns for an instance, with how it learned it.
pub(crate) fn learned_software(
    world: &World,
    instance: u32,
) -> (Software, &'static str, Option<u64>) {
    let Some(inst) = world.instances().get(instance as usize) else {
        return (Software::unknown(), "unknown", None);
    };
    // robots.txt as the host serves it (GoToSocial's bars NodeInfo and its actors).
    let robots = match inst.quirk {
        Quirk::Gone => None,
        _ => crate::world::robots::host_rules(inst),
    };
    let allowed = |path: &str| robots.as_ref().is_none_or(|r| r.allows(path));
    let actor_path = inst
        .actors
        .clone()
        .next()
        .map(|a| world.actor_id(a))
        .and_then(|id| url::Url::parse(&id).ok())
        .map(|u| u.path().to_owned())
        .unwrap_or_default();
    if inst.quirk.nodeinfo_readable()
        && allowed("/.well-known/nodeinfo")
        && allowed("/nodeinfo/2.1")
        && let Some(software) = inst
            .software
            .nodeinfo_name()
            .and_then(Software::from_nodeinfo_name)
    {
        return (software, "nodeinfo", Some(inst.active_month));
    }
    if !inst.quirk.actors_unreadable()
        && inst.quirk != Quirk::Gone
        && allowed(&actor_path)
        && let Some(software) = inst.software.software_from_context()
    {
        return (software, "context", None);
    }
    if let Some(software) = fedireach_core::Host::parse(&inst.host)
        .ok()
        .and_then(|h| Software::from_domain(&h))
    {
        return (software, "domain", None);
    }
    (Software::unknown(), "unknown", None)
}

impl Truth {
    /// Computes the truth of a world on the day it is seen.
    pub fn of(world: &World) -> Self {
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
        for &i in &kept {
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
            posts,
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
