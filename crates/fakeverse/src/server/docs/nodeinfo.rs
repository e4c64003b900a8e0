//! NodeInfo discovery and documents, with the real quirks: Fedired's capitalised
//! name, WordPress's counts as strings, Lemmy without `services` and `metadata`, and
//! no NodeInfo at all on threads.net and some hosts.

use axum::{http::StatusCode, response::Response};
use serde_json::{Value, json};

use super::super::{dispatch::Ctx, reply};
use crate::world::{Instance, Quirk, SimSoftware};

const SCHEMA: &str = "http://nodeinfo.diaspora.software/ns/schema/";

/// The NodeInfo documents a software links: (schema version, path).
fn links(software: SimSoftware) -> &'static [(&'static str, &'static str)] {
    match software {
        SimSoftware::Mastodon | SimSoftware::Gotosocial => &[("2.0", "/nodeinfo/2.0")],
        SimSoftware::Misskey | SimSoftware::Sharkey | SimSoftware::Fedired => {
            &[("2.1", "/nodeinfo/2.1"), ("2.0", "/nodeinfo/2.0")]
        }
        SimSoftware::Pleroma | SimSoftware::Akkoma => {
            &[("2.0", "/nodeinfo/2.0.json"), ("2.1", "/nodeinfo/2.1.json")]
        }
        SimSoftware::Peertube | SimSoftware::Lemmy | SimSoftware::Mbin => {
            &[("2.0", "/nodeinfo/2.0.json")]
        }
        SimSoftware::Pixelfed => &[("2.0", "/api/nodeinfo/2.0.json")],
        SimSoftware::Friendica => &[("2.0", "/nodeinfo/2.0")],
        SimSoftware::Wordpress => &[("2.0", "/wp-json/activitypub/1.0/nodeinfo")],
        SimSoftware::Threads => &[],
    }
}

/// bovine-herd's NodeInfo 2.0, at a path of its own.
const BOVINE_NODEINFO: &[(&str, &str)] = &[("2.0", "/activitypub/nodeinfo2_0")];

/// The NodeInfo documents a host links: its software's, or bovine-herd's.
fn host_links(inst: &Instance) -> &'static [(&'static str, &'static str)] {
    if inst.quirk == Quirk::BovineShapes {
        BOVINE_NODEINFO
    } else {
        links(inst.software)
    }
}

/// The schema version served at `path`, if the host serves NodeInfo there.
pub(crate) fn nodeinfo_version(inst: &Instance, path: &str) -> Option<&'static str> {
    host_links(inst)
        .iter()
        .find(|(_, p)| *p == path)
        .map(|(v, _)| *v)
}

fn served(ctx: &Ctx<'_>) -> bool {
    ctx.inst.quirk != Quirk::NoNodeinfo && !host_links(ctx.inst).is_empty()
}

/// `GET /.well-known/nodeinfo`.
pub(crate) fn nodeinfo_links(ctx: &Ctx<'_>) -> Response {
    if !served(ctx) {
        return reply::status(StatusCode::NOT_FOUND);
    }
    let mut links: Vec<Value> = host_links(ctx.inst)
        .iter()
        .map(|(v, p)| json!({ "rel": format!("{SCHEMA}{v}"), "href": format!("{}{p}", ctx.origin()) }))
        .collect();
    if ctx.inst.quirk == Quirk::BovineShapes {
        // bovine lists its instance actor beside NodeInfo.
        links.push(json!({
            "rel": "https://www.w3.org/ns/activitystreams#Application",
            "type": "application/activity+json",
            "href": format!("{}/activitypub/bovine", ctx.origin()),
        }));
    }
    reply::api(&json!({ "links": links }))
}

/// A NodeInfo document.
pub(crate) fn nodeinfo(ctx: &Ctx<'_>, version: &str) -> Response {
    if !served(ctx) {
        return reply::status(StatusCode::NOT_FOUND);
    }
    let inst = ctx.inst;
    let software = inst.software;
    let name = software.nodeinfo_name().unwrap_or("unknown");
    let half_year = inst.active_month.saturating_mul(2).min(inst.users_total);
    let usage = if software == SimSoftware::Wordpress {
        json!({
            "users": {
                "total": inst.users_total.to_string(),
                "activeMonth": inst.active_month.to_string(),
                "activeHalfyear": half_year.to_string(),
            },
            "localPosts": inst.local_posts.to_string(),
        })
    } else {
        json!({
            "users": { "total": inst.users_total, "activeMonth": inst.active_month, "activeHalfyear": half_year },
            "localPosts": inst.local_posts,
        })
    };
    let mut sw = json!({ "name": name, "version": software.version() });
    if version == "2.1" {
        sw["repository"] = json!(format!("https://code.example/{}", software.slug()));
        sw["homepage"] = json!(format!("https://{}.example.org/", software.slug()));
    }
    let mut doc = json!({
        "version": version,
        "software": sw,
        "protocols": ["activitypub"],
        "usage": usage,
        "openRegistrations": inst.users_total.is_multiple_of(3),
    });
    if !matches!(software, SimSoftware::Lemmy | SimSoftware::Mbin) {
        doc["services"] = json!({ "outbound": [], "inbound": [] });
        doc["metadata"] = metadata(ctx);
    }
    let mut response = reply::nodeinfo(&doc, version);
    if inst.quirk.spoils_nodeinfo() {
        response.extensions_mut().insert(reply::ApDocument);
    }
    response
}

fn metadata(ctx: &Ctx<'_>) -> Value {
    let node_name = format!("{} ({})", ctx.inst.host, ctx.inst.software.slug());
    match ctx.inst.software {
        SimSoftware::Pleroma | SimSoftware::Akkoma => json!({
            "nodeName": node_name,
            "features": ["pleroma_api", "mastodon_api", "mastodon_api_streaming", "polls", "pleroma_emoji_reactions", "exposable_reactions"],
            "federation": { "enabled": true, "exclusions": false },
            "accountActivationRequired": false,
        }),
        s if s.is_misskey() => json!({
            "nodeName": node_name,
            "disableRegistration": false,
            "enableEmail": true,
            "themeColor": "#86b300",
        }),
        SimSoftware::Peertube => json!({
            "nodeName": node_name,
            "nodeDescription": "Videos",
            "taxonomy": { "postsName": "Videos" },
        }),
        SimSoftware::Mastodon | SimSoftware::Gotosocial => json!({}),
        _ => json!({ "nodeName": node_name }),
    }
}
