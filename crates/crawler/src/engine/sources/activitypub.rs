//! Plain ActivityPub, which every server speaks: the post's `replies` collection
//! (recursive to the configured depth), `likes` and `shares` (PeerTube: `comments` too)
//! where they list items, and a FEP-7888 `context` collection where there are no replies.

use std::collections::HashMap;

use fedireach_activitypub::{
    ActivityKind, CollectionRef, Document, Object, ObjectRef, parse_document,
};
use fedireach_core::{EngagementKind, Host};
use url::Url;

use crate::engine::{
    collections::read_all,
    ctx::{ACCEPT_AP, Ctx, all_bounded, join},
    found::{Found, PostFindings},
    instances::Instances,
};

/// Source name recorded on what this strategy finds.
const SOURCE: &str = "activitypub";

/// Replies, likes and shares of `post` from its own collections.
pub async fn collect(
    ctx: &Ctx,
    instances: &Instances,
    post: &Object,
    base: &Url,
    out: &mut PostFindings,
) {
    let replies = post.replies.as_ref().or(post.comments.as_ref());
    if let Some(replies) = replies {
        let (complete, total, listed) = walk_replies(
            ctx,
            instances,
            post.id.as_deref().unwrap_or_default(),
            replies,
            base,
            1,
            out,
        )
        .await;
        if out.reported_replies.is_none() {
            out.reported_replies = replies
                .total_items()
                .or(total)
                .and_then(|n| i64::try_from(n).ok());
        }
        if listed {
            out.listed(EngagementKind::Reply);
        }
        if complete {
            out.complete(EngagementKind::Reply);
            out.complete(EngagementKind::ThreadReply);
        }
    } else if let Some(context) = post.context.as_deref().and_then(|c| join(base, c)) {
        context_thread(ctx, instances, post, &context, out).await;
    }
    for (reference, kind) in [
        (&post.likes, EngagementKind::Like),
        (&post.shares, EngagementKind::Boost),
    ] {
        let Some(reference) = reference else { continue };
        let total = reference.total_items().and_then(|n| i64::try_from(n).ok());
        let items = read_all(ctx, reference, base).await;
        let total = total.or(items.total.and_then(|n| i64::try_from(n).ok()));
        match kind {
            EngagementKind::Like => out.reported_likes = out.reported_likes.or(total),
            _ => out.reported_boosts = out.reported_boosts.or(total),
        }
        let found = all_bounded(
            items
                .items
                .iter()
                .map(|(item, base)| activity_actor(ctx, instances, item, base, kind)),
        )
        .await;
        if items.listed {
            out.listed(kind);
        }
        let all_read = found.iter().all(Option::is_some);
        out.found.extend(found.into_iter().flatten());
        if items.complete && all_read {
            out.complete(kind);
        }
    }
}

/// The actor of a Like or Announce listed by id or inline (PeerTube, bovine); an item
/// that is an actor id itself counts as that actor.
async fn activity_actor(
    ctx: &Ctx,
    instances: &Instances,
    item: &ObjectRef,
    base: &Url,
    kind: EngagementKind,
) -> Option<Found> {
    let document = match item.inline() {
        Some(document) => document.clone(),
        None => {
            let url = join(base, item.id()?)?;
            let (document, fetched) = ctx
                .get_parsed(&url, ACCEPT_AP, None, parse_document)
                .await?;
            // Only actors name their software reliably: notes carry other servers'
            // terms (Mastodon's quotes declare Misskey's).
            if let (Document::Actor(actor), Some(host)) = (&document, Host::from_url(&fetched.url))
            {
                instances.saw_context(&host, &actor.ld_context);
            }
            document
        }
    };
    match document {
        Document::Activity(activity)
            if matches!(
                (kind, &activity.kind),
                (
                    EngagementKind::Like,
                    ActivityKind::Like | ActivityKind::EmojiReact
                ) | (EngagementKind::Boost, ActivityKind::Announce)
            ) =>
        {
            let mut found = Found::new(kind, activity.actor.clone()?, SOURCE);
            found.uri = activity.id.clone();
            found.emoji = activity.reaction.clone();
            found.happened_at = activity.published.map(|t| t.timestamp());
            Some(found)
        }
        Document::Actor(actor) => Some(Found::new(kind, actor.id, SOURCE)),
        _ => None,
    }
}

/// Only the replies, for a source that could not list them all (Mastodon's capped
/// context): what is found here is merged with what it found.
pub async fn replies(
    ctx: &Ctx,
    instances: &Instances,
    post: &Object,
    base: &Url,
    out: &mut PostFindings,
) -> bool {
    match post.replies.as_ref().or(post.comments.as_ref()) {
        Some(replies) => {
            walk_replies(
                ctx,
                instances,
                post.id.as_deref().unwrap_or_default(),
                replies,
                base,
                1,
                out,
            )
            .await
            .0
        }
        None => false,
    }
}

/// Walks a replies collection; replies at `depth` (1 = direct), their own replies below
/// up to the configured depth. Depth is read from each reply's `inReplyTo` where its
/// parent is known (PeerTube lists a video's whole comment tree flat), else from where it
/// was listed. Returns whether every listing was read to its end.
async fn walk_replies(
    ctx: &Ctx,
    instances: &Instances,
    root: &str,
    replies: &CollectionRef,
    base: &Url,
    depth: u32,
    out: &mut PostFindings,
) -> (bool, Option<u64>, bool) {
    let max_depth = ctx.options.reply_depth + 1;
    let mut total = None;
    let mut listed = false;
    let mut complete = true;
    let mut frontier = vec![(replies.clone(), base.clone(), depth)];
    let mut depth_of: HashMap<String, u32> = HashMap::from([(root.to_owned(), 0)]);
    while let Some((reference, base, listed_depth)) = frontier.pop() {
        let items = read_all(ctx, &reference, &base).await;
        complete &= items.complete;
        if listed_depth == depth {
            total = total.or(items.total);
            listed |= items.listed;
        }
        // Each reply is held once, moved from listing to placing to finding: a host
        // may list tens of thousands (crawl.max_items_per_collection).
        let fetched = all_bounded(
            items
                .items
                .into_iter()
                .map(|(item, base)| reply_object(ctx, instances, item, base)),
        )
        .await;
        let mut notes = Vec::new();
        for note in fetched {
            match note {
                Some((note, note_base)) => {
                    if let Some(id) = note.id.clone()
                        && !depth_of.contains_key(&id)
                        && note.visibility().is_countable()
                    {
                        notes.push((id, (note, note_base)));
                    }
                }
                None => complete = false,
            }
        }
        let placed = place(notes, &mut depth_of, listed_depth, |(note, _)| {
            note.in_reply_to.as_deref()
        });
        for (id, (note, note_base), depth) in placed {
            if depth > max_depth {
                continue;
            }
            let Some(found) = Found::reply(depth, id, &note, SOURCE) else {
                continue;
            };
            out.found.push(found);
            if depth < max_depth
                && let Some(deeper) = note.replies
            {
                frontier.push((deeper, note_base, depth + 1));
            }
        }
    }
    (complete, total, listed)
}

/// Places replies in a thread, parents first: each reply whose parent (`parent_of`)
/// has a depth in `depth_of` gets the next one, round after round until none moves; then
/// a reply that names no parent is placed where it was listed (`listed_depth`), and one
/// whose parent is nowhere in the thread (deleted, gone) cannot be placed and is left
/// out. Returns each placed reply with its depth, recorded in `depth_of` too.
fn place<T>(
    mut notes: Vec<(String, T)>,
    depth_of: &mut HashMap<String, u32>,
    listed_depth: u32,
    parent_of: impl Fn(&T) -> Option<&str>,
) -> Vec<(String, T, u32)> {
    let mut placed = Vec::new();
    while !notes.is_empty() {
        let before = notes.len();
        for (id, note) in std::mem::take(&mut notes) {
            match parent_of(&note).and_then(|p| depth_of.get(p)).copied() {
                Some(parent_depth) => {
                    depth_of.insert(id.clone(), parent_depth + 1);
                    placed.push((id, note, parent_depth + 1));
                }
                None => notes.push((id, note)),
            }
        }
        if notes.len() == before {
            for (id, note) in notes.drain(..) {
                if parent_of(&note).is_none() {
                    depth_of.insert(id.clone(), listed_depth);
                    placed.push((id, note, listed_depth));
                }
            }
        }
    }
    placed
}

/// A reply listed inline or by id, fetched from its own server (where it carries its own
/// replies collection).
async fn reply_object(
    ctx: &Ctx,
    instances: &Instances,
    item: ObjectRef,
    base: Url,
) -> Option<(Object, Url)> {
    let item = match item {
        ObjectRef::Inline(document) => match *document {
            Document::Object(object) => return Some((object, base)),
            other => ObjectRef::Inline(Box::new(other)),
        },
        id => id,
    };
    let url = join(&base, item.id()?)?;
    let (document, fetched) = ctx
        .get_parsed(&url, ACCEPT_AP, None, parse_document)
        .await?;
    // Only actors name their software reliably: notes carry other servers'
    // terms (Mastodon's quotes declare Misskey's).
    if let (Document::Actor(actor), Some(host)) = (&document, Host::from_url(&fetched.url)) {
        instances.saw_context(&host, &actor.ld_context);
    }
    match document {
        Document::Object(object) => Some((object, fetched.url.clone())),
        _ => None,
    }
}

/// FEP-7888: the post's `context` collection lists every post of the thread; depth is
/// read from the `inReplyTo` chain.
async fn context_thread(
    ctx: &Ctx,
    instances: &Instances,
    post: &Object,
    context: &Url,
    out: &mut PostFindings,
) {
    let Some(post_id) = post.id.as_deref() else {
        return;
    };
    let items = read_all(ctx, &CollectionRef::Url(context.to_string()), context).await;
    let notes: Vec<(Object, Url)> = all_bounded(
        items
            .items
            .into_iter()
            .map(|(item, base)| reply_object(ctx, instances, item, base)),
    )
    .await
    .into_iter()
    .flatten()
    .collect();
    let parent: HashMap<String, String> = notes
        .iter()
        .filter_map(|(n, _)| Some((n.id.clone()?, n.in_reply_to.clone()?)))
        .collect();
    for (note, _) in &notes {
        let Some(id) = note.id.clone() else { continue };
        if id == post_id || !note.visibility().is_countable() {
            continue;
        }
        // Walk up to the post; depth 1 is a direct reply.
        let mut depth = 0u32;
        let mut cursor = Some(id.clone());
        let mut reached = false;
        while let Some(current) = cursor {
            depth += 1;
            match parent.get(&current) {
                Some(up) if up == post_id => {
                    reached = true;
                    break;
                }
                Some(up) if depth <= ctx.options.reply_depth + 1 => cursor = Some(up.clone()),
                _ => break,
            }
        }
        if !reached {
            continue;
        }
        if let Some(found) = Found::reply(depth, id, note, "fep_7888_context") {
            out.found.push(found);
        }
    }
    if items.listed {
        out.listed(EngagementKind::Reply);
    }
    if items.complete {
        out.complete(EngagementKind::Reply);
        out.complete(EngagementKind::ThreadReply);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (id, parent) pairs as `place` sees them.
    fn notes(pairs: &[(&str, Option<&str>)]) -> Vec<(String, Option<String>)> {
        pairs
            .iter()
            .map(|(id, parent)| ((*id).to_owned(), parent.map(str::to_owned)))
            .collect()
    }

    #[test]
    fn replies_are_placed_below_their_parents_in_any_order() {
        let mut depth_of = HashMap::from([("post".to_owned(), 0)]);
        // Listed children first, a reply naming no parent, one whose parent is gone.
        let listed = notes(&[
            ("c", Some("b")),
            ("b", Some("a")),
            ("a", Some("post")),
            ("loose", None),
            ("orphan", Some("deleted")),
        ]);
        let placed = place(listed, &mut depth_of, 2, |parent| parent.as_deref());
        let depths: HashMap<&str, u32> = placed
            .iter()
            .map(|(id, _, depth)| (id.as_str(), *depth))
            .collect();
        assert_eq!(
            depths,
            HashMap::from([("a", 1), ("b", 2), ("c", 3), ("loose", 2)])
        );
        assert_eq!(depth_of.get("c"), Some(&3));
        assert!(!depth_of.contains_key("orphan"));
    }

    #[test]
    fn nothing_to_place_is_nothing_placed() {
        let mut depth_of = HashMap::new();
        let placed = place(notes(&[]), &mut depth_of, 1, |parent| parent.as_deref());
        assert!(placed.is_empty() && depth_of.is_empty());
    }
}
