//! Source strategies: where a post's engagements are read from, chosen by the software of
//! its origin server, with plain ActivityPub as the fallback (BRIEF section 2).

mod activitypub;
mod mastodon;
mod misskey;

use std::collections::HashSet;

use fedireach_activitypub::Object;
use fedireach_core::{EngagementKind, Host, PostCoverage, Software};
use url::Url;

use super::{ctx::Ctx, found::PostFindings, instances::Instances, scope::refusal_on};

pub use mastodon::status_id as mastodon_status_id;
pub use misskey::note_id as misskey_note_id;

/// How a tracked actor's posts are read: by the software of their origin, or through
/// the Mastodon client API where the posts were found through it (an owned brand read
/// by its owner's client, whatever its home's software was learned to be).
#[derive(Debug, Clone)]
pub struct Route {
    pub software: Software,
    pub client: bool,
}

impl Route {
    /// What the origin's Mastodon-compatible API does differently, to a caller with
    /// `token` or without: where it lists quotes (Mastodon's to the author's token,
    /// Pleroma's to anyone), and how many descendants `context` serves at most.
    pub fn api(&self, token: Option<&str>) -> mastodon::Api {
        let software = self.software.as_str();
        mastodon::Api {
            quotes: if software == "pleroma" {
                mastodon::Quotes::Pleroma
            } else {
                mastodon::Quotes::Mastodon
            },
            context_cap: if software == "pixelfed" {
                Some(mastodon::PIXELFED_DESCENDANTS)
            } else if token.is_none() {
                Some(mastodon::UNAUTHENTICATED_DESCENDANTS)
            } else {
                None
            },
        }
    }

    /// The software family whose sources read the posts.
    pub fn family(&self) -> String {
        if self.client {
            "mastodon".to_owned()
        } else {
            self.software.family().as_str().to_owned()
        }
    }
}

/// Everything the origin of `post` tells of its engagements.
pub async fn collect(
    ctx: &Ctx,
    instances: &Instances,
    origin: &Route,
    post: &Object,
    api_id: Option<&str>,
    base: &Url,
    token: Option<&str>,
) -> PostFindings {
    let mut out = read(ctx, instances, origin, post, api_id, base, token).await;
    // What the origin refused (robots.txt, 401/403) is why what it did not give is
    // unavailable; refusals by other hosts (an engager's) say nothing of the post.
    if let Some(why) = Host::from_url(base).and_then(|host| refusal_on(&host)) {
        for kind in PostCoverage::KINDS {
            out.blocked(kind, why);
        }
    }
    out
}

async fn read(
    ctx: &Ctx,
    instances: &Instances,
    origin: &Route,
    post: &Object,
    api_id: Option<&str>,
    base: &Url,
    token: Option<&str>,
) -> PostFindings {
    let mut out = PostFindings::default();
    let uri = post.id.as_deref().unwrap_or_default();
    match origin.family().as_str() {
        "mastodon" | "pleroma" | "gotosocial" => {
            if let Some(id) = api_id
                .map(str::to_owned)
                .or_else(|| mastodon::status_id(uri, post.url.as_deref()))
                && let Some(outcome) =
                    mastodon::collect(ctx, base, &id, token, origin.api(token), &mut out).await
            {
                if outcome.capped
                    && activitypub::replies(
                        ctx,
                        instances,
                        &full(ctx, post, base).await,
                        base,
                        &mut out,
                    )
                    .await
                {
                    out.complete(EngagementKind::Reply);
                    out.complete(EngagementKind::ThreadReply);
                }
                dedupe(&mut out);
                return out;
            }
        }
        "misskey" => {
            if let Some(id) = misskey::note_id(uri)
                && misskey::collect(ctx, base, &id, token, &mut out)
                    .await
                    .is_some()
            {
                dedupe(&mut out);
                return out;
            }
        }
        _ => {}
    }
    activitypub::collect(ctx, instances, &full(ctx, post, base).await, base, &mut out).await;
    dedupe(&mut out);
    out
}

/// The post as its origin serves it: an outbox may embed a shorter copy without the
/// collections, so a copy without any is read again from its id.
async fn full(ctx: &Ctx, post: &Object, base: &Url) -> Object {
    let has_collections = post.replies.is_some()
        || post.likes.is_some()
        || post.shares.is_some()
        || post.comments.is_some()
        || post.context.is_some();
    if has_collections {
        return post.clone();
    }
    match ctx
        .get_parsed(
            base,
            super::ctx::ACCEPT_AP,
            None,
            fedireach_activitypub::parse_object,
        )
        .await
    {
        Some((object, _)) if object.id == post.id => object,
        _ => post.clone(),
    }
}

/// One engagement per engager for likes and boosts, one per document for the rest:
/// two routes to the same engagement count once.
fn dedupe(out: &mut PostFindings) {
    let mut seen = HashSet::new();
    out.found.retain(|f| {
        let key = if f.kind.once_per_engager() || f.uri.is_none() {
            (f.kind, f.actor_uri.clone(), String::new())
        } else {
            (f.kind, String::new(), f.uri.clone().unwrap_or_default())
        };
        seen.insert(key)
    });
}
