//! What is known of each engager: from the source where it said (Mastodon accounts carry
//! follower counts and opt-out flags), else from the engager's actor document, fetched
//! once per crawl; follower counts only where a figure needs them (boosters).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use fedireach_activitypub::{OptOut, parse_actor, parse_collection};
use fedireach_core::Host;
use tokio::sync::OnceCell;
use url::Url;

use super::{
    ctx::{ACCEPT_AP, Ctx},
    found::EngagerFacts,
    instances::Instances,
};
use crate::locked;

type Cell = Arc<OnceCell<Option<EngagerFacts>>>;

/// The engagers of one crawl.
#[derive(Debug, Default)]
pub struct Engagers {
    facts: Mutex<HashMap<String, Cell>>,
}

impl Engagers {
    /// What the engager's actor document says, fetched on first use.
    pub async fn facts(
        &self,
        ctx: &Ctx,
        instances: &Instances,
        actor_uri: &str,
        followers: bool,
    ) -> Option<EngagerFacts> {
        let key = format!("{followers}:{actor_uri}");
        let cell = {
            let mut map = locked(&self.facts);
            Arc::clone(map.entry(key).or_default())
        };
        cell.get_or_init(|| fetch(ctx, instances, actor_uri, followers))
            .await
            .clone()
    }
}

async fn fetch(
    ctx: &Ctx,
    instances: &Instances,
    actor_uri: &str,
    followers: bool,
) -> Option<EngagerFacts> {
    let url = Url::parse(actor_uri).ok()?;
    let (actor, fetched) = ctx.get_parsed(&url, ACCEPT_AP, None, parse_actor).await?;
    let host = Host::from_url(&fetched.url)?;
    instances.saw_context(&host, &actor.ld_context);
    let opt = OptOut::of_actor(&actor);
    let mut facts =
        EngagerFacts::from_opt_out(&opt, actor.indexable, actor.discoverable, actor.noindex);
    facts.handle = actor
        .preferred_username
        .as_ref()
        .map(|u| format!("{u}@{host}"));
    facts.display_name = actor.name.clone();
    facts.avatar = actor.icon.clone();
    if followers
        && let Some(collection) = actor
            .followers
            .as_deref()
            .and_then(|f| fetched.url.join(f).ok())
    {
        facts.followers = ctx
            .get_parsed(&collection, ACCEPT_AP, None, parse_collection)
            .await
            .and_then(|(c, _)| c.total_items)
            .and_then(|n| i64::try_from(n).ok());
    }
    Some(facts)
}
