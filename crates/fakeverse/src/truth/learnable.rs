//! What a correct crawler can learn of the world: which engagements (and why the rest
//! are left out), which brand accounts' posts it can find, which follower counts, and
//! which software it learns for each instance.

use fedireach_core::{EngagementKind, Software};

use super::{REPLY_DEPTH, coverage};
use crate::world::{Engagement, NO_PARENT, Quirk, SimSoftware, World};

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
