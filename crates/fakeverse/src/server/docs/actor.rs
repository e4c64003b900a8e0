//! Actor documents, in each software's shape, carrying the actor's opt-out signals.

use axum::{http::StatusCode, response::Response};
use serde_json::{Value, json};

use super::{AS, PUBLIC_KEY_PEM};
use crate::{
    server::{dispatch::Ctx, reply},
    time::{rfc3339, rfc3339_millis},
    world::{OptOut, SimSoftware, World},
};

/// The `@context` of a software's actors; its namespaces name the software when
/// NodeInfo is missing (see `SimSoftware::context_namespaces`).
pub(crate) fn context(software: SimSoftware, origin: &str) -> Value {
    let security = "https://w3id.org/security/v1";
    match software {
        SimSoftware::Pleroma | SimSoftware::Akkoma => json!([
            AS,
            format!("{origin}/schemas/litepub-0.1.jsonld"),
            { "@language": "und" }
        ]),
        SimSoftware::Misskey | SimSoftware::Fedired | SimSoftware::Sharkey => {
            let mut extra = json!({
                "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
                "sensitive": "as:sensitive",
                "Hashtag": "as:Hashtag",
                "quoteUrl": "as:quoteUrl",
                "toot": "http://joinmastodon.org/ns#",
                "Emoji": "toot:Emoji",
                "featured": "toot:featured",
                "discoverable": "toot:discoverable",
                "indexable": "toot:indexable",
                "schema": "http://schema.org#",
                "PropertyValue": "schema:PropertyValue",
                "value": "schema:value",
                "misskey": "https://misskey-hub.net/ns#",
                "_misskey_content": "misskey:_misskey_content",
                "_misskey_quote": "misskey:_misskey_quote",
                "_misskey_reaction": "misskey:_misskey_reaction",
                "_misskey_summary": "misskey:_misskey_summary",
                "isCat": "misskey:isCat",
                "vcard": "http://www.w3.org/2006/vcard/ns#"
            });
            if software == SimSoftware::Sharkey {
                extra["sharkey"] = json!("https://joinsharkey.org/ns#");
                extra["backgroundUrl"] = json!("sharkey:backgroundUrl");
            }
            json!([AS, security, extra])
        }
        SimSoftware::Peertube => json!([
            AS,
            security,
            { "RsaSignature2017": "https://w3id.org/security#RsaSignature2017" },
            {
                "pt": "https://joinpeertube.org/ns#",
                "sc": "http://schema.org/",
                "playlists": { "@id": "pt:playlists", "@type": "@id" },
                "support": { "@type": "sc:Text", "@id": "pt:support" },
                "icons": "as:icon"
            }
        ]),
        SimSoftware::Lemmy | SimSoftware::Mbin => {
            json!([AS, security, "https://join-lemmy.org/context.json"])
        }
        SimSoftware::Friendica => json!([AS, security, {
            "vcard": "http://www.w3.org/2006/vcard/ns#",
            "dfrn": "http://purl.org/macgirvin/dfrn/1.0/",
            "diaspora": "https://diasporafoundation.org/ns/",
            "litepub": "http://litepub.social/ns#",
            "toot": "http://joinmastodon.org/ns#",
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "discoverable": "toot:discoverable",
            "indexable": "toot:indexable"
        }]),
        SimSoftware::Threads => json!([AS, security]),
        _ => json!([AS, security, {
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "toot": "http://joinmastodon.org/ns#",
            "featured": { "@id": "toot:featured", "@type": "@id" },
            "featuredTags": { "@id": "toot:featuredTags", "@type": "@id" },
            "alsoKnownAs": { "@id": "as:alsoKnownAs", "@type": "@id" },
            "movedTo": { "@id": "as:movedTo", "@type": "@id" },
            "schema": "http://schema.org#",
            "PropertyValue": "schema:PropertyValue",
            "value": "schema:value",
            "discoverable": "toot:discoverable",
            "indexable": "toot:indexable",
            "Hashtag": "as:Hashtag",
            "Emoji": "toot:Emoji",
            "focalPoint": { "@container": "@list", "@id": "toot:focalPoint" }
        }]),
    }
}

/// The page a person would open for an actor.
pub(crate) fn profile_url(ctx: &Ctx<'_>, actor: u32) -> String {
    let user = ctx
        .world
        .actors()
        .get(actor as usize)
        .map_or("", |a| &*a.username);
    match ctx.inst.software {
        SimSoftware::Mastodon
        | SimSoftware::Misskey
        | SimSoftware::Sharkey
        | SimSoftware::Fedired => {
            format!("{}/@{user}", ctx.origin())
        }
        SimSoftware::Threads => format!("https://www.threads.net/@{user}"),
        _ => ctx.world.actor_id(actor),
    }
}

/// A collection URL of an actor (`followers`, `outbox`...).
pub(crate) fn collection_url(world: &World, actor: u32, name: &str) -> String {
    format!("{}/{name}", world.actor_id(actor).trim_end_matches('/'))
}

/// The bio, with `#nobot` for actors who said so.
fn summary(world: &World, actor: u32, origin: &str) -> String {
    let a = world.actors().get(actor as usize);
    let name = a.map_or("", |a| &*a.username);
    if a.is_some_and(|a| a.brand.is_some()) {
        return format!(
            "<p>The official account of {name}. News, releases and behind the scenes.</p>"
        );
    }
    match a.map(|a| a.opt_out) {
        Some(OptOut::NoBot) => format!(
            "<p>Just {name} posting about gardens. <a href=\"{origin}/tags/nobot\" class=\"mention hashtag\" rel=\"tag\">#<span>nobot</span></a></p>"
        ),
        _ => format!("<p>Just {name} posting about gardens, trains and tea.</p>"),
    }
}

/// `GET` an actor.
pub(crate) fn actor(ctx: &Ctx<'_>, a: u32) -> Response {
    let world = ctx.world;
    let Some(data) = world.actors().get(a as usize) else {
        return reply::status(StatusCode::NOT_FOUND);
    };
    if data.gone {
        return reply::status(StatusCode::GONE);
    }
    let origin = ctx.origin();
    let id = world.actor_id(a);
    let software = ctx.inst.software;
    let user = &*data.username;
    let name = capitalise(user);
    let published = rfc3339(
        world.now()
            - 86_400 * (400 + i64::from(u16::try_from(data.key & 0xFFFF).unwrap_or(0) % 900)),
    );
    let is_channel = software == SimSoftware::Peertube && data.brand.is_some();
    let kind = if is_channel { "Group" } else { "Person" };
    let mut doc = json!({
        "@context": context(software, &origin),
        "id": id,
        "type": kind,
        "preferredUsername": user,
        "name": name,
        "summary": summary(world, a, &origin),
        "url": profile_url(ctx, a),
        "inbox": collection_url(world, a, "inbox"),
        "outbox": collection_url(world, a, "outbox"),
        "publicKey": { "id": format!("{id}#main-key"), "owner": id, "publicKeyPem": PUBLIC_KEY_PEM },
        "endpoints": { "sharedInbox": format!("{origin}/inbox") },
        "icon": { "type": "Image", "mediaType": "image/png", "url": format!("{origin}/avatars/{user}.png") },
    });
    if software.exposes_followers() {
        doc["followers"] = json!(collection_url(world, a, "followers"));
        doc["following"] = json!(collection_url(world, a, "following"));
    }
    match data.opt_out {
        OptOut::NotIndexable => doc["indexable"] = json!(false),
        OptOut::IndexableMissing => {}
        _ => doc["indexable"] = json!(true),
    }
    doc["discoverable"] = json!(data.opt_out != OptOut::NotDiscoverable);
    own_fields(ctx, a, data, &published, is_channel, &mut doc);
    reply::ap(&doc)
}

/// The fields of the actor document that only its software writes.
fn own_fields(
    ctx: &Ctx<'_>,
    a: u32,
    data: &crate::world::Actor,
    published: &str,
    is_channel: bool,
    doc: &mut Value,
) {
    let (world, origin) = (ctx.world, ctx.origin());
    let user = &*data.username;
    let image = json!({ "type": "Image", "mediaType": "image/png", "url": format!("{origin}/headers/{user}.png") });
    match ctx.inst.software {
        SimSoftware::Mastodon | SimSoftware::Pixelfed | SimSoftware::Gotosocial => {
            doc["featured"] = json!(collection_url(world, a, "collections/featured"));
            doc["featuredTags"] = json!(collection_url(world, a, "collections/tags"));
            doc["manuallyApprovesFollowers"] = json!(false);
            doc["published"] = json!(published);
            doc["memorial"] = json!(false);
            doc["tag"] = json!([]);
            doc["attachment"] = json!([]);
            doc["image"] = image;
        }
        SimSoftware::Misskey | SimSoftware::Sharkey | SimSoftware::Fedired => {
            doc["_misskey_summary"] = json!(format!("Just {user} posting"));
            doc["featured"] = json!(collection_url(world, a, "collections/featured"));
            doc["sharedInbox"] = json!(format!("{origin}/inbox"));
            doc["manuallyApprovesFollowers"] = json!(false);
            doc["isCat"] = json!(data.key.is_multiple_of(5));
            doc["tag"] = json!([]);
            doc["image"] = image;
            doc["vcard:bday"] = json!(null);
            doc["url"] = json!(format!("{origin}/@{user}"));
        }
        SimSoftware::Pleroma | SimSoftware::Akkoma => {
            doc["manuallyApprovesFollowers"] = json!(false);
            doc["alsoKnownAs"] = json!([]);
            doc["capabilities"] = json!({ "acceptsChatMessages": true });
            doc["featured"] = json!(collection_url(world, a, "collections/featured"));
            doc["tag"] = json!([]);
            doc["attachment"] = json!([]);
            doc["image"] = image;
        }
        SimSoftware::Peertube => {
            doc["playlists"] = json!(collection_url(world, a, "playlists"));
            doc["published"] = json!(rfc3339_millis(world.now() - 86_400 * 700));
            if is_channel {
                doc["support"] = json!(null);
                doc["postingRestrictedToMods"] = json!(false);
                doc["image"] = image;
                doc["attributedTo"] =
                    json!([{ "type": "Person", "id": format!("{origin}/accounts/{user}") }]);
            }
        }
        SimSoftware::Lemmy | SimSoftware::Mbin => {
            doc["published"] = json!(published);
            doc["updated"] = json!(published);
            doc["image"] = image;
            doc["matrixUserId"] = json!(null);
            doc["source"] =
                json!({ "content": format!("Just {user}"), "mediaType": "text/markdown" });
        }
        SimSoftware::Friendica => {
            doc["manuallyApprovesFollowers"] = json!(false);
            doc["diaspora:guid"] = json!(format!("{:016x}", data.key));
            doc["vcard:hasAddress"] = json!({ "@type": "vcard:Home", "vcard:country-name": "", "vcard:region": "", "vcard:locality": "" });
            doc["vcard:hasInstantMessage"] = json!([]);
            doc["generator"] = json!({ "type": "Application", "name": "Friendica 'Yellow Archangel' 2024.12", "url": origin });
            doc["attachment"] = json!([]);
        }
        SimSoftware::Wordpress => {
            doc["manuallyApprovesFollowers"] = json!(false);
            doc["featured"] = json!(collection_url(world, a, "featured"));
            doc["published"] = json!(published);
            doc["tag"] = json!([]);
            doc["attachment"] = json!([]);
            doc["webfinger"] = json!(format!("{user}@{}", ctx.inst.host));
        }
        SimSoftware::Threads => {
            doc["manuallyApprovesFollowers"] = json!(false);
            doc["published"] = json!(published);
        }
    }
}

/// `GET /accounts/NAME` on a PeerTube host whose brand channel is NAME: the account
/// that owns the channel.
pub(crate) fn channel_owner(ctx: &Ctx<'_>) -> Option<Response> {
    if ctx.inst.software != SimSoftware::Peertube {
        return None;
    }
    let name = ctx.path.strip_prefix("/accounts/")?;
    let channel = ctx.inst.actors.clone().find(|a| {
        ctx.world
            .actors()
            .get(*a as usize)
            .is_some_and(|x| x.brand.is_some() && &*x.username == name)
    })?;
    let origin = ctx.origin();
    let id = format!("{origin}/accounts/{name}");
    let doc = json!({
        "@context": context(SimSoftware::Peertube, &origin),
        "id": id,
        "type": "Person",
        "preferredUsername": name,
        "name": capitalise(name),
        "summary": null,
        "url": id,
        "inbox": format!("{id}/inbox"),
        "outbox": format!("{id}/outbox"),
        "followers": format!("{id}/followers"),
        "following": format!("{id}/following"),
        "playlists": format!("{id}/playlists"),
        "publicKey": { "id": format!("{id}#main-key"), "owner": id, "publicKeyPem": PUBLIC_KEY_PEM },
        "endpoints": { "sharedInbox": format!("{origin}/inbox") },
        "icon": [],
        "channel": ctx.world.actor_id(channel),
    });
    Some(reply::ap(&doc))
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}
