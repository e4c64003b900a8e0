//! Every kind of generated document parses with the crawler's own parsers (the
//! `fedireach-activitypub` crate, which accepts every real document of
//! `shared/fixtures/real/`): what the simulated servers say, the crawler can read.

use std::collections::{BTreeMap, BTreeSet};

use fedireach_activitypub as ap;
use fedireach_fakeverse::{FakeverseServer, Quirk, Truth};
use reqwest::StatusCode;
use serde_json::json;

use super::{get, request, start};

/// The crawler's default size cap.
const MAX: usize = 5_000_000;

fn normal(server: &FakeverseServer, host: &str) -> bool {
    let world = server.world();
    world
        .instance_index(host)
        .and_then(|i| world.instances().get(i as usize))
        .is_some_and(|i| i.quirk == Quirk::Normal)
}

/// Parses `url`'s answer with `parse` when it is a 200, counting it under `kind`.
async fn parse_ok<T, E: std::fmt::Display>(
    server: &FakeverseServer,
    url: &str,
    kind: &'static str,
    parsed: &mut BTreeMap<&'static str, usize>,
    parse: impl FnOnce(&[u8], usize) -> Result<T, E>,
) -> Option<T> {
    let got = get(server, url).await;
    if got.status != StatusCode::OK {
        return None;
    }
    let value = parse(got.body.as_bytes(), MAX)
        .unwrap_or_else(|e| panic!("{kind} {url} does not parse: {e}\n{}", got.body));
    *parsed.entry(kind).or_default() += 1;
    Some(value)
}

#[tokio::test]
async fn every_kind_of_document_parses_with_the_crawlers_parsers() {
    let server = start(11).await;
    let truth = Truth::of(server.world());
    let mut parsed: BTreeMap<&'static str, usize> = BTreeMap::new();

    // NodeInfo of every well-behaved instance.
    for instance in truth.instances.iter().filter(|i| normal(&server, &i.host)) {
        let url = format!("http://{}/.well-known/nodeinfo", instance.host);
        let link = parse_ok(
            &server,
            &url,
            "nodeinfo discovery",
            &mut parsed,
            ap::parse_nodeinfo_discovery,
        )
        .await;
        if let Some(Some(link)) = link {
            parse_ok(
                &server,
                &link.href,
                "nodeinfo",
                &mut parsed,
                ap::parse_nodeinfo,
            )
            .await;
        }
    }

    // Engagers and engagement documents of every software and kind.
    let mut seen = BTreeSet::new();
    for e in &truth.engagements {
        let software = e.instance.split('-').next().unwrap_or_default().to_owned();
        if !normal(&server, &e.instance) || !seen.insert((software, e.kind)) {
            continue;
        }
        if let Some(actor) =
            parse_ok(&server, &e.actor, "actor", &mut parsed, ap::parse_actor).await
            && let Some(user) = &actor.preferred_username
        {
            let url = format!(
                "http://{}/.well-known/webfinger?resource=acct:{user}@{}",
                e.instance, e.instance
            );
            parse_ok(&server, &url, "webfinger", &mut parsed, ap::parse_webfinger).await;
        }
        if !e.object.contains('#') {
            parse_ok(
                &server,
                &e.object,
                "engagement document",
                &mut parsed,
                ap::parse_document,
            )
            .await;
        }
    }

    // Brand actors, outboxes, posts and their collections.
    for brand in &truth.brands {
        for actor_id in &brand.actor_ids {
            let Some(actor) =
                parse_ok(&server, actor_id, "actor", &mut parsed, ap::parse_actor).await
            else {
                continue;
            };
            if let Some(outbox) = &actor.outbox
                && let Some(collection) =
                    parse_ok(&server, outbox, "outbox", &mut parsed, ap::parse_collection).await
                && let Some(first) = collection.first.as_ref().and_then(|f| f.url())
            {
                parse_ok(
                    &server,
                    first,
                    "outbox page",
                    &mut parsed,
                    ap::parse_collection,
                )
                .await;
            }
        }
    }
    for post in truth.posts.iter().take(40) {
        let Some(object) =
            parse_ok(&server, &post.uri, "post", &mut parsed, ap::parse_object).await
        else {
            continue;
        };
        for reference in [
            &object.replies,
            &object.likes,
            &object.shares,
            &object.comments,
        ]
        .into_iter()
        .flatten()
        {
            if let Some(url) = reference.url() {
                parse_ok(
                    &server,
                    url,
                    "post collection",
                    &mut parsed,
                    ap::parse_collection,
                )
                .await;
            }
        }
        let origin = post
            .uri
            .split('/')
            .nth(2)
            .expect("an absolute URL has a host")
            .to_owned();
        let last = post
            .uri
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        if origin.starts_with("mastodon") {
            let base = format!("http://{origin}/api/v1/statuses/{last}");
            parse_ok(
                &server,
                &base,
                "mastodon status",
                &mut parsed,
                ap::parse_status,
            )
            .await;
            parse_ok(
                &server,
                &format!("{base}/context"),
                "mastodon context",
                &mut parsed,
                ap::parse_status_context,
            )
            .await;
            parse_ok(
                &server,
                &format!("{base}/favourited_by"),
                "mastodon accounts",
                &mut parsed,
                ap::parse_accounts,
            )
            .await;
        } else if origin.starts_with("peertube") {
            let base = format!("http://{origin}/api/v1/videos/{last}");
            parse_ok(
                &server,
                &base,
                "peertube video",
                &mut parsed,
                ap::parse_peertube_video,
            )
            .await;
            parse_ok(
                &server,
                &format!("{base}/comment-threads"),
                "peertube threads",
                &mut parsed,
                ap::parse_peertube_comment_threads,
            )
            .await;
        } else if origin.starts_with("misskey") {
            for (endpoint, kind) in [
                ("notes/show", "misskey note"),
                ("notes/reactions", "misskey reactions"),
                ("notes/renotes", "misskey notes"),
            ] {
                let url = format!("http://{origin}/api/{endpoint}");
                let got = request(
                    &server,
                    reqwest::Method::POST,
                    &url,
                    Some(json!({ "noteId": last })),
                    None,
                )
                .await;
                assert_eq!(got.status, StatusCode::OK, "{url}");
                let ok = match kind {
                    "misskey note" => ap::parse_misskey_note(got.body.as_bytes(), MAX).map(|_| ()),
                    "misskey reactions" => {
                        ap::parse_misskey_reactions(got.body.as_bytes(), MAX).map(|_| ())
                    }
                    _ => ap::parse_misskey_notes(got.body.as_bytes(), MAX).map(|_| ()),
                };
                assert!(ok.is_ok(), "{kind} {url}: {ok:?}\n{}", got.body);
                *parsed.entry(kind).or_default() += 1;
            }
        }
    }

    for kind in [
        "nodeinfo discovery",
        "nodeinfo",
        "actor",
        "webfinger",
        "engagement document",
        "outbox",
        "outbox page",
        "post",
        "post collection",
        "mastodon status",
        "mastodon context",
        "mastodon accounts",
        "peertube video",
        "peertube threads",
        "misskey note",
        "misskey reactions",
        "misskey notes",
    ] {
        assert!(
            parsed.get(kind).is_some_and(|n| *n > 0),
            "no {kind} was parsed: {parsed:?}"
        );
    }
}
