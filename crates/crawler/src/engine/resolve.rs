//! Resolution of a tracked actor: WebFinger for a handle (both ActivityPub link types),
//! then the actor document, its follower count, and the home instance's software.

use fedireach_activitypub::{JsonLdContext, parse_actor, parse_collection, parse_webfinger};
use fedireach_core::{ActorRef, Host};
use url::Url;

use super::ctx::{ACCEPT_AP, ACCEPT_JRD, Ctx};

/// A tracked actor, resolved.
#[derive(Debug, Clone)]
pub struct ResolvedActor {
    /// Its ActivityPub id.
    pub id: String,
    pub url: Url,
    pub host: Host,
    pub followers: Option<i64>,
    /// Its user name on its home (`preferredUsername`), where known.
    pub username: Option<String>,
    /// The `@context` of its actor document (empty when it was not read).
    pub ld_context: JsonLdContext,
    /// Where its posts are listed.
    pub posts: PostSource,
}

/// Where a tracked actor's posts are listed.
#[derive(Debug, Clone)]
pub enum PostSource {
    /// Its outbox, if its actor document names one.
    Outbox(Option<Url>),
    /// `accounts/:id/statuses` of its home's client API, read with the owner's token
    /// (see [`super::client`]).
    Client(Url),
}

impl PostSource {
    /// Whether the posts come through the owner's client API.
    pub fn is_client(&self) -> bool {
        matches!(self, Self::Client(_))
    }
}

/// The WebFinger URL for `user@domain`.
pub fn webfinger_url(scheme: &str, user: &str, domain: &str) -> Option<Url> {
    let mut url = Url::parse(&format!("{scheme}://{domain}/.well-known/webfinger")).ok()?;
    url.query_pairs_mut()
        .append_pair("resource", &format!("acct:{user}@{domain}"));
    Some(url)
}

/// Finds the actor id of a handle through WebFinger: the first candidate link whose
/// document is an actor. `None` when nothing answers.
pub async fn webfinger(ctx: &Ctx, scheme: &str, user: &str, domain: &str) -> Option<Url> {
    webfinger_or_why(ctx, scheme, user, domain).await.ok()
}

async fn webfinger_or_why(
    ctx: &Ctx,
    scheme: &str,
    user: &str,
    domain: &str,
) -> Result<Url, String> {
    let url = webfinger_url(scheme, user, domain)
        .ok_or_else(|| format!("{user}@{domain}: not a WebFinger address"))?;
    let (jrd, fetched) = ctx
        .get_parsed_or_why(&url, ACCEPT_JRD, None, parse_webfinger)
        .await?;
    jrd.actor_candidates()
        .into_iter()
        .filter(|c| !c.source.is_fallback())
        .find_map(|c| fetched.url.join(&c.href).ok())
        .ok_or_else(|| format!("{url}: WebFinger names no actor document"))
}

/// Resolves a tracked actor. `scheme` is `https`, or `http` where the config allows.
/// The error says why it could not be (robots.txt, a refusal, 404...).
pub async fn resolve(ctx: &Ctx, input: &ActorRef, scheme: &str) -> Result<ResolvedActor, String> {
    let actor_url = match input {
        ActorRef::Handle { user, domain } => {
            webfinger_or_why(ctx, scheme, user, domain.as_str()).await?
        }
        ActorRef::Url { url, .. } => url.clone(),
    };
    let (actor, fetched) = ctx
        .get_parsed_or_why(&actor_url, ACCEPT_AP, None, parse_actor)
        .await?;
    let url = Url::parse(&actor.id).unwrap_or_else(|_| fetched.url.clone());
    let host = Host::from_url(&url).ok_or_else(|| format!("{url}: no host"))?;
    let followers = match actor.followers.as_deref().and_then(|f| url.join(f).ok()) {
        Some(followers_url) => ctx
            .get_parsed(&followers_url, ACCEPT_AP, None, parse_collection)
            .await
            .and_then(|(c, _)| c.total_items)
            .and_then(|n| i64::try_from(n).ok()),
        None => None,
    };
    let outbox = actor.outbox.as_deref().and_then(|o| url.join(o).ok());
    Ok(ResolvedActor {
        id: actor.id,
        url,
        host,
        followers,
        username: actor.preferred_username,
        ld_context: actor.ld_context,
        posts: PostSource::Outbox(outbox),
    })
}
