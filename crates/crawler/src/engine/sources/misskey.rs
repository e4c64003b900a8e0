//! Misskey and its forks: notes carry no collections, so engagement is read from the
//! public notes API (`notes/reactions`, `notes/renotes`, `notes/children`), which takes
//! POSTs of JSON and pages by `untilId`.

use fedireach_activitypub::{
    Listing, MisskeyNote, MisskeyUser, ParseError, parse_misskey_note, parse_misskey_notes,
    parse_misskey_reactions,
};
use fedireach_core::{EngagementKind, Host};
use serde_json::json;
use url::Url;

use crate::engine::{
    ctx::{Ctx, all_bounded},
    found::{Found, PostFindings, reply_kind},
    resolve::webfinger,
};

const SOURCE: &str = "misskey_api";

/// Items asked for per page (Misskey caps `limit` at 100).
const PAGE_LIMIT: usize = 100;

/// Pages read at most from one list.
const MAX_PAGES: usize = 1_000;

/// The note id of a Misskey post: the segment after `/notes/`.
pub fn note_id(uri: &str) -> Option<String> {
    let url = Url::parse(uri).ok()?;
    let mut segments = url.path_segments()?;
    segments.find(|s| *s == "notes")?;
    segments.next().filter(|s| !s.is_empty()).map(str::to_owned)
}

pub async fn collect(
    ctx: &Ctx,
    origin: &Url,
    id: &str,
    token: Option<&str>,
    out: &mut PostFindings,
) -> Option<()> {
    let api = origin.join("/api/").ok()?;
    let host = Host::from_url(origin)?;
    let show = api.join("notes/show").ok()?;
    let (note, _) = post_parsed(
        ctx,
        &show,
        json!({ "noteId": id }),
        token,
        parse_misskey_note,
    )
    .await?;
    out.reported_likes = i64::try_from(note.reaction_total()).ok();
    out.reported_boosts = note.renote_count.and_then(|n| i64::try_from(n).ok());
    out.reported_replies = note.replies_count.and_then(|n| i64::try_from(n).ok());

    let reactions_url = api.join("notes/reactions").ok()?;
    // Each list and each level of the thread is read at once, and the engagers of a page
    // are resolved together: a popular note's remote users each need a WebFinger.
    let renotes_url = api.join("notes/renotes").ok()?;
    let (reactions, renotes, children) = futures::join!(
        paged(
            ctx,
            &reactions_url,
            id,
            token,
            parse_misskey_reactions,
            |r| &r.id
        ),
        notes(ctx, &renotes_url, id, token),
        thread(ctx, origin, &host, &api, id, token),
    );
    let likes = all_bounded(reactions.items.iter().map(|reaction| async {
        let actor = user_actor(ctx, origin, &host, &reaction.user).await?;
        let mut found = Found::new(EngagementKind::Like, actor, SOURCE);
        found.emoji = Some(reaction.emoji.clone());
        found.happened_at = reaction.created_at.map(|t| t.timestamp());
        Some(found)
    }))
    .await;
    out.found.extend(likes.into_iter().flatten());
    if reactions.ended {
        out.complete(EngagementKind::Like);
    } else if !reactions.failed || !reactions.items.is_empty() {
        out.listed(EngagementKind::Like);
    }

    // Renotes: a pure renote is a boost, one with text a quote.
    if let Some(renotes) = renotes {
        let found = all_bounded(renotes.iter().map(|note| {
            let kind = if note.is_pure_renote() {
                EngagementKind::Boost
            } else {
                EngagementKind::Quote
            };
            note_found(ctx, origin, &host, note, kind, None)
        }))
        .await;
        out.found.extend(found.into_iter().flatten());
        out.complete(EngagementKind::Boost);
        out.complete(EngagementKind::Quote);
    }
    let (replies, replies_complete) = children;
    if !replies.is_empty() {
        out.listed(EngagementKind::Reply);
    }
    out.found.extend(replies);
    if replies_complete {
        out.complete(EngagementKind::Reply);
        out.complete(EngagementKind::ThreadReply);
    }
    Some(())
}

async fn post_parsed<T, E: std::fmt::Display>(
    ctx: &Ctx,
    url: &Url,
    body: serde_json::Value,
    token: Option<&str>,
    parse: impl FnOnce(&[u8], usize) -> Result<T, E>,
) -> Option<(T, std::sync::Arc<crate::Fetched>)> {
    let fetched = ctx.post_json(url, body.to_string(), token).await.ok()?;
    match parse(&fetched.body, ctx.options.max_document_bytes) {
        Ok(value) => Some((value, fetched)),
        Err(error) => {
            ctx.malformed(url, &error);
            None
        }
    }
}

/// Every page of a notes list.
async fn notes(ctx: &Ctx, url: &Url, id: &str, token: Option<&str>) -> Option<Vec<MisskeyNote>> {
    let page = paged(ctx, url, id, token, parse_misskey_notes, |n| &n.id).await;
    (!page.failed).then_some(page.items)
}

/// The replies below a note, level by level to the configured depth (the children of
/// one level are asked for together); whether every level was read.
async fn thread(
    ctx: &Ctx,
    origin: &Url,
    host: &Host,
    api: &Url,
    id: &str,
    token: Option<&str>,
) -> (Vec<Found>, bool) {
    let Ok(children_url) = api.join("notes/children") else {
        return (Vec::new(), false);
    };
    let children_url = &children_url;
    let mut found = Vec::new();
    let mut complete = true;
    let mut level = vec![id.to_owned()];
    let mut depth = 1u32;
    while !level.is_empty() {
        let lists = all_bounded(level.iter().map(|parent| async move {
            let children = notes(ctx, children_url, parent, token).await;
            (parent, children)
        }))
        .await;
        let mut next = Vec::new();
        let mut replies = Vec::new();
        for (parent, children) in lists {
            let Some(children) = children else {
                complete = false;
                continue;
            };
            for child in children {
                if child.reply_id.as_deref() != Some(parent.as_str()) {
                    continue;
                }
                if depth <= ctx.options.reply_depth {
                    next.push(child.id.clone());
                }
                replies.push(child);
            }
        }
        let kind = reply_kind(depth);
        let level_found = all_bounded(
            replies
                .iter()
                .map(|child| note_found(ctx, origin, host, child, kind, Some(depth))),
        )
        .await;
        found.extend(level_found.into_iter().flatten());
        level = next;
        depth += 1;
    }
    (found, complete)
}

/// What paging through a list found.
struct Paged<T> {
    items: Vec<T>,
    /// A short page said the list ended.
    ended: bool,
    /// A page could not be read (what came before it is kept).
    failed: bool,
}

/// Every page of a list for `noteId`, paged by `untilId`, at most `MAX_PAGES`.
async fn paged<T>(
    ctx: &Ctx,
    url: &Url,
    id: &str,
    token: Option<&str>,
    parse: fn(&[u8], usize) -> Result<Listing<T>, ParseError>,
    id_of: fn(&T) -> &String,
) -> Paged<T> {
    let mut out = Paged {
        items: Vec::new(),
        ended: false,
        failed: false,
    };
    let mut until: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let mut body = json!({ "noteId": id, "limit": PAGE_LIMIT });
        if let Some(until) = &until {
            body["untilId"] = json!(until);
        }
        let Some((page, _)) = post_parsed(ctx, url, body, token, parse).await else {
            out.failed = true;
            return out;
        };
        let count = page.items.len() + page.skipped;
        until = page.items.last().map(|item| id_of(item).clone());
        out.items.extend(page.items);
        if count < PAGE_LIMIT || until.is_none() {
            out.ended = true;
            return out;
        }
    }
    out
}

/// The actor id of a Misskey user: a local user's is `/users/<id>` on the origin; a
/// remote user's is asked of its own server through WebFinger.
async fn user_actor(
    ctx: &Ctx,
    origin: &Url,
    origin_host: &Host,
    user: &MisskeyUser,
) -> Option<String> {
    match user.host.as_deref() {
        None => origin
            .join(&format!("/users/{}", user.id))
            .ok()
            .map(String::from),
        Some(host) if Host::parse(host).ok().as_ref() == Some(origin_host) => origin
            .join(&format!("/users/{}", user.id))
            .ok()
            .map(String::from),
        Some(host) => webfinger(ctx, origin.scheme(), &user.username, host)
            .await
            .map(String::from),
    }
}

async fn note_found(
    ctx: &Ctx,
    origin: &Url,
    origin_host: &Host,
    note: &MisskeyNote,
    kind: EngagementKind,
    depth: Option<u32>,
) -> Option<Found> {
    let actor = user_actor(ctx, origin, origin_host, note.user.as_ref()?).await?;
    // No language: Misskey's notes declare none (its API's `packedNoteSchema`,
    // misskey-dev/misskey packages/backend/src/models/json-schema/note.ts, has no such
    // field), so these replies and quotes are counted as not declared.
    let mut found = Found::new(kind, actor, SOURCE).with_text(note.text.as_deref());
    found.uri = note.uri.clone().or_else(|| {
        origin
            .join(&format!("/notes/{}", note.id))
            .ok()
            .map(String::from)
    });
    found.depth = depth.map(i64::from);
    found.happened_at = note.created_at.map(|t| t.timestamp());
    Some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn note_ids() {
        assert_eq!(
            note_id("https://mk.example/notes/9abc").as_deref(),
            Some("9abc")
        );
        assert_eq!(note_id("https://mk.example/users/x").as_deref(), None);
        assert_eq!(note_id("https://mk.example/notes/").as_deref(), None);
    }
}
