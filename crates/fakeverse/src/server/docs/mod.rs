//! The public documents of every simulated software: WebFinger, NodeInfo, actors,
//! objects and their collections, each in its real software's shape (modelled on
//! `shared/fixtures/real/`).

mod actor;
mod collections;
mod flood;
mod nodeinfo;
mod note;
mod objects;
mod outbox;
mod wordpress;

use axum::{http::StatusCode, response::Response};
use serde_json::json;

use super::{dispatch::Ctx, reply};
use crate::world::{Quirk, SimSoftware};

pub(crate) use nodeinfo::{nodeinfo, nodeinfo_links, nodeinfo_version};
pub(crate) use objects::{Target, Visibility, author as author_of, find_object, status_visible};

/// The ActivityStreams context.
pub(crate) const AS: &str = "https://www.w3.org/ns/activitystreams";
/// The public addressing collection.
pub(crate) const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";
/// One RSA public key for every simulated actor (documents only carry it).
pub(crate) const PUBLIC_KEY_PEM: &str = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA5A8dE1lH0UvvFV+Icqw1\nmUiPBULB9siWblea2NKzQJTFZ/2x2qtMrsn4qD1UIfgzB+jrZpcXAvp6hqflanVl\n2PdqvZcdWAnwKH7wWmwgS2CPuN/Ix84UnyU1chELFlSsRmMGKAe/krrbO4DbCfBB\nVPoToozoUckSlP5c3z3Pn7hxMRt0mjqIt5TG9OM+VCxaWx/q+ZXNIlNUrGNRG3ic\neFXEmaJEhykprP75w28QrIUDTaEZjrirw0u7SpHK/nhq2u220fB2d/9Pah2BWwCq\n7YLkI2IP6ue1kW3H4IJFRpKyY87PYi2GZw6e3h8mZSVG3ols90Mq3XF0pCyu5fdA\ntwIDAQAB\n-----END PUBLIC KEY-----\n";

/// `GET /.well-known/webfinger?resource=acct:user@host` (or an actor URL).
pub(crate) fn webfinger(ctx: &Ctx<'_>) -> Response {
    let Some(resource) = ctx.param("resource") else {
        return reply::status(StatusCode::BAD_REQUEST);
    };
    let actor = if let Some(acct) = resource.strip_prefix("acct:") {
        let acct = acct.trim_start_matches('@');
        let (user, host) = acct
            .split_once('@')
            .unwrap_or((acct, ctx.inst.host.as_str()));
        if !host.eq_ignore_ascii_case(&ctx.inst.host) {
            return reply::status(StatusCode::NOT_FOUND);
        }
        ctx.inst.actors.clone().find(|a| {
            ctx.world
                .actors()
                .get(*a as usize)
                .is_some_and(|x| x.username.eq_ignore_ascii_case(user))
        })
    } else {
        let key = resource
            .split_once("://")
            .map_or("", |(_, r)| r.trim_end_matches('/'));
        ctx.state.actor_paths.get(key).copied()
    };
    let Some(a) = actor else {
        return reply::status(StatusCode::NOT_FOUND);
    };
    let Some(data) = ctx.world.actors().get(a as usize) else {
        return reply::status(StatusCode::NOT_FOUND);
    };
    if data.gone {
        return reply::status(StatusCode::GONE);
    }
    let id = ctx.world.actor_id(a);
    let subject = format!("acct:{}@{}", data.username, ctx.inst.host);
    let profile = actor::profile_url(ctx, a);
    let self_link = json!({ "rel": "self", "type": "application/activity+json", "href": id });
    let profile_link = json!({ "rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": profile });
    let subscribe = json!({
        "rel": "http://ostatus.org/schema/1.0/subscribe",
        "template": format!("{}/authorize_interaction?uri={{uri}}", ctx.origin()),
    });
    let doc = match ctx.inst.software {
        // bovine-herd: the subject and the self link, nothing else.
        _ if ctx.inst.quirk == Quirk::BovineShapes => json!({
            "subject": subject,
            "links": [self_link],
        }),
        SimSoftware::Mastodon => json!({
            "subject": subject,
            "aliases": [profile, id],
            "links": [profile_link, self_link, subscribe],
        }),
        s if s.is_misskey() => json!({
            "subject": subject,
            "links": [self_link, profile_link, {
                "rel": "http://ostatus.org/schema/1.0/subscribe",
                "template": format!("{}/authorize-follow?acct={{uri}}", ctx.origin()),
            }],
        }),
        SimSoftware::Peertube => json!({
            "subject": subject,
            "aliases": [id],
            "links": [self_link, {
                "rel": "http://ostatus.org/schema/1.0/subscribe",
                "template": format!("{}/remote-interaction?uri={{uri}}", ctx.origin()),
            }],
        }),
        _ => json!({ "subject": subject, "aliases": [id], "links": [self_link, profile_link] }),
    };
    reply::jrd(&doc)
}

/// Every other ActivityPub path: actors, their collections, objects.
pub(crate) fn activitypub(ctx: &Ctx<'_>) -> Response {
    if let Some(response) = flood::serve_path(ctx) {
        return response;
    }
    let key = format!("{}{}", ctx.inst.host, ctx.path.trim_end_matches('/'));
    if let Some(&a) = ctx.state.actor_paths.get(&key) {
        return actor::actor(ctx, a);
    }
    for collection in [
        "followers",
        "following",
        "outbox",
        "collections/featured",
        "collections/tags",
        "featured",
    ] {
        if let Some(base) = key.strip_suffix(&format!("/{collection}"))
            && let Some(&a) = ctx.state.actor_paths.get(base.trim_end_matches('/'))
        {
            return outbox::actor_collection(ctx, a, collection);
        }
    }
    if let Some(response) = actor::channel_owner(ctx) {
        return response;
    }
    match find_object(ctx) {
        Some((target, rest)) => objects::serve(ctx, target, &rest),
        None => reply::status(StatusCode::NOT_FOUND),
    }
}
