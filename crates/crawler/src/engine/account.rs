//! A tracked account before its posts are read: resolved (by its actor document, or by
//! its owner's client where its home bars crawlers), where its posts are listed, and
//! the listing itself.

use fedireach_core::{ActorRef, PostRecord, Software};
use tracing::warn;

use super::{
    ActorPlan, Run, client,
    outbox::{self, ListedPost, OutboxItem},
    resolve::{self, PostSource, ResolvedActor},
};
use crate::{CrawlError, sink::CrawlSink};

impl<S: CrawlSink> Run<'_, S> {
    /// Resolves a tracked actor: by WebFinger and its actor document or, for an owned
    /// brand whose home bars crawlers from those (GoToSocial's robots.txt), through its
    /// owner's client. The error says why it could not be.
    pub(super) async fn resolve_account(
        &self,
        plan: &ActorPlan,
        token: Option<&str>,
    ) -> Result<ResolvedActor, String> {
        let (ctx, scheme) = (self.ctx, self.ctx.options.handle_scheme);
        let why = match resolve::resolve(ctx, &plan.input, scheme).await {
            Ok(resolved) => return Ok(resolved),
            Err(why) => why,
        };
        match (token, &plan.input) {
            (Some(token), ActorRef::Handle { user, domain }) => {
                client::resolve(ctx, scheme, user, domain.as_str(), token)
                    .await
                    .map_err(|client_why| format!("{why}; through its client API: {client_why}"))
            }
            _ => Err(why),
        }
    }

    /// Where the account's posts are listed: its outbox, or its home's client API.
    /// Pleroma's, Akkoma's and Friendica's notes are `/objects/UUID`, an id their client
    /// API does not know: their public client API lists the account's statuses with the
    /// ids it knows. Pixelfed's outbox lists no post: the owner's client reads them.
    pub(super) async fn post_source(
        &self,
        resolved: &ResolvedActor,
        software: &Software,
        token: Option<&str>,
    ) -> PostSource {
        let source = resolved.posts.clone();
        let how = match (software.family().as_str(), token) {
            ("pleroma", _) => Some(client::Lookup::Acct),
            ("friendica", _) => Some(client::Lookup::Path),
            ("pixelfed", Some(_)) => Some(client::Lookup::Own),
            _ => None,
        };
        let (Some(how), Some(user)) = (how, &resolved.username) else {
            return source;
        };
        if source.is_client() {
            return source;
        }
        let (scheme, domain) = (resolved.url.scheme(), resolved.host.as_str());
        match client::lookup(self.ctx, scheme, user, domain, token, how).await {
            Ok((_, statuses)) => PostSource::Client(statuses),
            Err(why) => {
                warn!(%why, "the client API does not list the account's statuses");
                source
            }
        }
    }

    /// The account's listed items, or `None` when its posts cannot be listed (said in
    /// the summary and kept on its row: unknown, not absent).
    pub(super) async fn list_items(
        &self,
        plan: &ActorPlan,
        source: &PostSource,
        token: Option<&str>,
    ) -> Result<Option<Vec<OutboxItem>>, CrawlError> {
        let (since, max_posts) = (self.plan.since, self.plan.max_posts);
        match source {
            PostSource::Outbox(Some(outbox)) => {
                match outbox::walk(self.ctx, outbox, since, max_posts).await {
                    Ok(items) => Ok(Some(items)),
                    Err(why) => {
                        self.unlisted(plan, format!("its outbox: {why}")).await?;
                        Ok(None)
                    }
                }
            }
            PostSource::Outbox(None) => {
                // Some servers leave it out (Threads, for some actors).
                self.unlisted(plan, "its actor document names no outbox".to_owned())
                    .await?;
                Ok(None)
            }
            PostSource::Client(statuses) => Ok(Some(
                client::statuses(self.ctx, statuses, token, since, max_posts).await,
            )),
        }
    }
}

/// The listed items as the posts to read and the brand's boosts to store as they are
/// (a boost of `object` without an id of its own is `OBJECT#boost`; one without a date
/// is dated `now`).
pub(super) fn split_boosts(
    items: Vec<OutboxItem>,
    author: &str,
    host: &str,
    now: i64,
) -> (Vec<ListedPost>, Vec<PostRecord>) {
    let mut posts = Vec::new();
    let mut boosts = Vec::new();
    for item in items {
        match item {
            OutboxItem::Post(post) => posts.push(*post),
            OutboxItem::Boost {
                id,
                object,
                published,
            } => boosts.push(PostRecord {
                uri: if id.is_empty() {
                    format!("{object}#boost")
                } else {
                    id
                },
                author_uri: author.to_owned(),
                host: host.to_owned(),
                published_at: published.map_or(now, |t| t.timestamp()),
                object_type: "Announce".to_owned(),
                visibility: "public".to_owned(),
                is_boost: true,
                boosted_uri: Some(object),
                ..PostRecord::default()
            }),
        }
    }
    (posts, boosts)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn boosts_are_stored_as_they_are_and_posts_are_read() {
        let at = chrono::Utc.timestamp_opt(1_700_000_000, 0).single();
        let items = vec![
            OutboxItem::Boost {
                id: String::new(),
                object: "https://other.example/notes/1".into(),
                published: None,
            },
            OutboxItem::Boost {
                id: "https://brand.example/activities/2".into(),
                object: "https://other.example/notes/2".into(),
                published: at,
            },
        ];
        let (posts, boosts) =
            split_boosts(items, "https://brand.example/users/b", "brand.example", 42);
        assert!(posts.is_empty());
        let got: Vec<(&str, i64, Option<&str>)> = boosts
            .iter()
            .map(|b| (b.uri.as_str(), b.published_at, b.boosted_uri.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "https://other.example/notes/1#boost",
                    42,
                    Some("https://other.example/notes/1")
                ),
                (
                    "https://brand.example/activities/2",
                    1_700_000_000,
                    Some("https://other.example/notes/2")
                ),
            ]
        );
        assert!(
            boosts
                .iter()
                .all(|b| b.is_boost && b.object_type == "Announce")
        );
    }
}
