//! The client APIs over real HTTP: Mastodon's REST API and its flavours (GoToSocial,
//! Pleroma, Akkoma, Friendica, Pixelfed), Misskey's notes API, PeerTube's, WordPress's.

use std::time::Duration;

use fedireach_fakeverse::{Scale, ServerOptions, Truth, WorldOptions};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{get, request, start, start_with};

#[tokio::test]
async fn mastodon_rest_api_pages_with_link_headers() {
    let server = start(3).await;
    let world = server.world();
    let truth = Truth::of(world);
    let host = truth.brands[0].actors[0]
        .rsplit('@')
        .next()
        .unwrap_or_default()
        .to_owned();
    let account = get(
        &server,
        &format!("http://{host}/api/v1/accounts/lookup?acct=acme"),
    )
    .await;
    assert_eq!(account.status, StatusCode::OK);
    assert!(account.header("x-ratelimit-limit").is_some());
    let account = account.json();
    assert!(account["followers_count"].as_u64().unwrap_or(0) > 0);
    let id = account["id"].as_str().expect("id is a string").to_owned();
    let statuses = get(
        &server,
        &format!("http://{host}/api/v1/accounts/{id}/statuses?limit=5"),
    )
    .await;
    let link = statuses
        .header("link")
        .expect("a page of statuses links the next")
        .to_owned();
    assert!(
        link.contains("rel=\"next\"") && link.contains("max_id="),
        "{link}"
    );
    assert_eq!(statuses.json().as_array().map(Vec::len), Some(5));
    // The most liked post: favourited_by, followed through Link, lists every like.
    let post = truth
        .posts
        .iter()
        .filter(|p| p.actor == truth.brands[0].actor_ids[0])
        .max_by_key(|p| p.reported.likes)
        .cloned();
    let post = post.unwrap_or_else(|| panic!("Acme has posts"));
    let status_id = post
        .uri
        .rsplit('/')
        .next()
        .expect("split yields at least one part")
        .to_owned();
    let mut url = Some(format!(
        "http://{host}/api/v1/statuses/{status_id}/favourited_by?limit=7"
    ));
    let mut likers = Vec::new();
    while let Some(u) = url {
        let page = get(&server, &u).await;
        likers.extend(page.json().as_array().cloned().unwrap_or_default());
        url = page
            .header("link")
            .and_then(|l| l.split(", ").find(|p| p.ends_with("rel=\"next\"")))
            .and_then(|p| p.split('>').next())
            .map(|p| p.trim_start_matches('<').to_owned());
    }
    assert_eq!(likers.len() as u64, post.reported.likes.unwrap_or(0));
    assert!(likers.iter().all(|a| a["uri"].as_str().is_some()));
    let context = get(
        &server,
        &format!("http://{host}/api/v1/statuses/{status_id}/context"),
    )
    .await
    .json();
    assert!(
        context["descendants"]
            .as_array()
            .is_some_and(|d| d.len() <= 60)
    );
    // quotes: the owner's token only
    let quotes_url = format!("http://{host}/api/v1/statuses/{status_id}/quotes");
    let anonymous = get(&server, &quotes_url).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let token = truth.brands[0]
        .token
        .clone()
        .expect("Acme is owned: it has a token");
    let owned = request(&server, Method::GET, &quotes_url, None, Some(&token)).await;
    assert_eq!(owned.status, StatusCode::OK);
    assert_eq!(
        owned.json().as_array().map(|a| a.len() as u64),
        post.reported.quotes
    );
    let wrong = request(&server, Method::GET, &quotes_url, None, Some("nope")).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn misskey_notes_api_lists_reactions_renotes_and_replies() {
    let server = start(4).await;
    let truth = Truth::of(server.world());
    let brand = truth.brands.iter().find(|b| b.name == "Initech").cloned();
    let brand = brand.unwrap_or_else(|| panic!("Initech exists"));
    let host = brand.actors[0]
        .rsplit('@')
        .next()
        .unwrap_or_default()
        .to_owned();
    let post = truth
        .posts
        .iter()
        .filter(|p| p.brand == "Initech")
        .max_by_key(|p| p.reported.likes)
        .cloned();
    let post = post.unwrap_or_else(|| panic!("Initech has posts"));
    let note_id = post
        .uri
        .rsplit('/')
        .next()
        .expect("split yields at least one part")
        .to_owned();
    let api = |path: &str| format!("http://{host}/api/{path}");
    let shown = request(
        &server,
        Method::POST,
        &api("notes/show"),
        Some(json!({ "noteId": note_id })),
        None,
    )
    .await
    .json();
    assert_eq!(shown["reactionCount"].as_u64(), post.reported.likes);
    let reactions = request(
        &server,
        Method::POST,
        &api("notes/reactions"),
        Some(json!({ "noteId": note_id, "limit": 100 })),
        None,
    )
    .await
    .json();
    assert_eq!(
        reactions.as_array().map(|a| a.len() as u64),
        post.reported.likes.map(|l| l.min(100))
    );
    assert!(reactions.as_array().is_some_and(|r| {
        r.iter()
            .all(|x| x["type"].is_string() && x["user"]["username"].is_string())
    }));
    let renotes = request(
        &server,
        Method::POST,
        &api("notes/renotes"),
        Some(json!({ "noteId": note_id, "limit": 100 })),
        None,
    )
    .await
    .json();
    assert_eq!(
        renotes.as_array().map(|a| a.len() as u64),
        post.reported.boosts.map(|b| b.min(100))
    );
    let ap = get(&server, &post.uri).await.json();
    assert!(
        ap.get("replies").is_none() && ap.get("likes").is_none(),
        "Misskey notes have no collections"
    );
    assert!(ap["_misskey_content"].is_string());
}

#[tokio::test]
async fn peertube_video_collections_and_comment_api() {
    let server = start(5).await;
    let truth = Truth::of(server.world());
    let channel = truth.brands[0].actor_ids[1].clone();
    let post = truth
        .posts
        .iter()
        .filter(|p| p.actor == channel)
        .max_by_key(|p| p.reported.replies)
        .cloned();
    let post = post.unwrap_or_else(|| panic!("the channel has videos"));
    let video = get(&server, &post.uri).await.json();
    assert_eq!(video["type"], "Video");
    let count = |v: Value| v["totalItems"].as_u64();
    for (key, expected) in [
        ("likes", post.reported.likes),
        ("shares", post.reported.boosts),
        ("comments", post.reported.replies),
        ("dislikes", Some(0)),
    ] {
        let url = video[key].as_str().expect("key is a string").to_owned();
        let collection = get(&server, &url).await.json();
        assert_eq!(count(collection), expected, "{key}");
    }
    let likes_url = video["likes"]
        .as_str()
        .expect("likes is a string")
        .to_owned();
    let mut items = Vec::new();
    let mut next = Some(format!("{likes_url}?page=1"));
    while let Some(url) = next {
        let page = get(&server, &url).await.json();
        items.extend(
            page["orderedItems"]
                .as_array()
                .cloned()
                .expect("orderedItems is an array"),
        );
        next = page["next"].as_str().map(str::to_owned);
    }
    assert_eq!(items.len() as u64, post.reported.likes.unwrap_or(0));
    let host = channel
        .split('/')
        .nth(2)
        .expect("an absolute URL has a host")
        .to_owned();
    let uuid = video["uuid"].as_str().expect("uuid is a string").to_owned();
    // The threads list is paged (100 at most): a popular video has more roots.
    let mut roots = Vec::new();
    loop {
        let threads = get(
            &server,
            &format!(
                "http://{host}/api/v1/videos/{uuid}/comment-threads?count=100&start={}",
                roots.len()
            ),
        )
        .await
        .json();
        let page = threads["data"]
            .as_array()
            .cloned()
            .expect("data is an array");
        if page.is_empty() {
            break;
        }
        roots.extend(page);
    }
    let mut all = 0;
    for root in &roots {
        let id = root["id"].as_u64().unwrap_or(0);
        let tree = get(
            &server,
            &format!("http://{host}/api/v1/videos/{uuid}/comment-threads/{id}"),
        )
        .await
        .json();
        fn size(v: &Value) -> u64 {
            1 + v["children"]
                .as_array()
                .map_or(0, |c| c.iter().map(size).sum())
        }
        all += size(&tree);
    }
    // The API lists every comment but those of deleted accounts, which the video's
    // own counter (`reported`) still includes.
    let world = server.world();
    let index = (0..world.posts().len())
        .filter_map(|i| u32::try_from(i).ok())
        .find(|&i| world.post_uri(i) == post.uri)
        .unwrap_or_else(|| panic!("the post is in the world"));
    let listed = world
        .engagements_of(index)
        .filter_map(|i| world.engagements().get(i))
        .filter(|e| {
            matches!(
                e.kind,
                fedireach_core::EngagementKind::Reply | fedireach_core::EngagementKind::ThreadReply
            ) && world.engagement_listed(e)
        })
        .count() as u64;
    assert_eq!(all, listed);
    assert!(post.reported.replies.is_some_and(|r| r >= all));
}

/// The tour's brands on GoToSocial, Pleroma and Akkoma: the same Mastodon routes, each
/// as its software serves them (server/api/mastodon.rs `Flavour`).
#[tokio::test]
async fn the_mastodon_api_as_gotosocial_pleroma_and_akkoma_serve_it() {
    let (server, truth) = start_tour().await;
    let brand = |name: &str| tour_brand_of(&truth, name);
    let lookup = |handle: &str| {
        let (user, host) = user_host(handle);
        format!("http://{host}/api/v1/accounts/lookup?acct={user}")
    };

    // GoToSocial: every client route wants a user's token of the instance.
    let gts = brand("owned_gotosocial");
    let url = lookup(&gts.actors[0]);
    assert_eq!(get(&server, &url).await.status, StatusCode::UNAUTHORIZED);
    let token = gts.token.clone().expect("an owned brand has a token");
    let account = request(&server, Method::GET, &url, None, Some(&token)).await;
    assert_eq!(account.status, StatusCode::OK);
    assert_eq!(
        account.json()["uri"].as_str(),
        Some(gts.actor_ids[0].as_str())
    );
    let other = brand("owned_pleroma")
        .token
        .expect("an owned brand has a token");
    let foreign = request(&server, Method::GET, &url, None, Some(&other)).await;
    assert_eq!(
        foreign.status,
        StatusCode::UNAUTHORIZED,
        "another host's token"
    );

    // Pleroma: public; statuses name their /notice/ID page; quotes listed to anyone.
    for (name, lists_quotes) in [("watched_pleroma", true), ("watched_akkoma", false)] {
        let b = brand(name);
        let host = b.actors[0]
            .rsplit('@')
            .next()
            .unwrap_or_default()
            .to_owned();
        let account = get(&server, &lookup(&b.actors[0])).await;
        assert_eq!(account.status, StatusCode::OK, "{name}");
        let id = account.json()["id"]
            .as_str()
            .expect("id is a string")
            .to_owned();
        let statuses = get(
            &server,
            &format!("http://{host}/api/v1/accounts/{id}/statuses"),
        )
        .await
        .json();
        let first = &statuses[0];
        let status_id = first["id"].as_str().expect("id is a string").to_owned();
        assert_eq!(
            first["url"].as_str(),
            Some(format!("http://{host}/notice/{status_id}").as_str()),
            "{name}"
        );
        assert_eq!(first["quotes_count"].is_u64(), lists_quotes, "{name}");
        let quotes = get(
            &server,
            &format!("http://{host}/api/v1/pleroma/statuses/{status_id}/quotes"),
        )
        .await;
        let want = if lists_quotes {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(quotes.status, want, "{name}");
        let mastodon_quotes = get(
            &server,
            &format!("http://{host}/api/v1/statuses/{status_id}/quotes"),
        )
        .await;
        assert_eq!(mastodon_quotes.status, StatusCode::NOT_FOUND, "{name}");
    }
}

/// The tour's brands on Friendica, Pixelfed and WordPress, as each software serves them.
#[tokio::test]
async fn friendica_pixelfed_and_wordpress_serve_what_their_sources_say() {
    let (server, truth) = start_tour().await;
    let brand = |name: &str| tour_brand_of(&truth, name);

    // Friendica: `accounts/lookup` wants a token, `accounts/USER@HOST` does not.
    let (user, host) = user_host(&brand("watched_friendica").actors[0]);
    let lookup = get(
        &server,
        &format!("http://{host}/api/v1/accounts/lookup?acct={user}"),
    )
    .await;
    assert_eq!(lookup.status, StatusCode::FORBIDDEN);
    let account = get(
        &server,
        &format!("http://{host}/api/v1/accounts/{user}@{host}"),
    )
    .await;
    assert_eq!(account.status, StatusCode::OK);
    let id = account.json()["id"]
        .as_str()
        .expect("id is a string")
        .to_owned();
    let statuses = get(
        &server,
        &format!("http://{host}/api/v1/accounts/{id}/statuses"),
    )
    .await
    .json();
    let uri = statuses[0]["uri"]
        .as_str()
        .expect("0.uri is a string")
        .to_owned();
    let guid = uri
        .rsplit('/')
        .next()
        .expect("split yields at least one part");
    assert!(uri.contains("/objects/"), "{uri}");
    assert_eq!(
        statuses[0]["url"].as_str(),
        Some(format!("http://{host}/display/{guid}").as_str())
    );

    // Pixelfed: nothing without a token; the owner's token reads its own account.
    let owned = brand("owned_pixelfed");
    let (_, host) = user_host(&owned.actors[0]);
    let me = format!("http://{host}/api/v1/accounts/verify_credentials");
    assert_eq!(get(&server, &me).await.status, StatusCode::UNAUTHORIZED);
    let token = owned.token.clone().expect("an owned brand has a token");
    let account = request(&server, Method::GET, &me, None, Some(&token)).await;
    assert_eq!(
        account.json()["uri"].as_str(),
        Some(owned.actor_ids[0].as_str())
    );
    let outbox = get(&server, &format!("{}/outbox", owned.actor_ids[0]))
        .await
        .json();
    assert!(outbox["totalItems"].as_u64().unwrap_or(0) > 0, "{outbox}");
    assert!(outbox.get("orderedItems").is_none() && outbox.get("first").is_none());

    // WordPress: likes and shares are counts at the plugin's REST paths.
    let wp = truth
        .posts
        .iter()
        .find(|p| p.brand == "watched_wordpress")
        .cloned()
        .unwrap_or_else(|| panic!("watched_wordpress has posts"));
    let note = get(&server, &wp.uri).await.json();
    let likes = note["likes"]["id"]
        .as_str()
        .expect("likes.id is a string")
        .to_owned();
    assert!(likes.contains("/wp-json/activitypub/1.0/posts/"), "{likes}");
    let counted = get(&server, &likes).await.json();
    assert_eq!(counted["totalItems"].as_u64(), wp.reported.likes);
    assert!(counted.get("first").is_none() && counted.get("items").is_none());
    assert!(note["replies"]["first"]["items"].is_array(), "{note}");
}

/// The tour's world (seed 5), unlimited, and its truth.
async fn start_tour() -> (fedireach_fakeverse::FakeverseServer, Truth) {
    let server = start_with(ServerOptions {
        world: WorldOptions {
            seed: 5,
            scale: Scale::Small,
            day: 0,
            plain_http: true,
            tour: true,
        },
        rate_limit: Some((u64::MAX, Duration::from_secs(1))),
        ..ServerOptions::default()
    })
    .await;
    let truth = Truth::of(server.world());
    (server, truth)
}

fn tour_brand_of(truth: &Truth, name: &str) -> fedireach_fakeverse::TruthBrand {
    truth
        .brands
        .iter()
        .find(|b| b.name == name)
        .cloned()
        .unwrap_or_else(|| panic!("the tour has {name}"))
}

/// `(user, host)` of a handle `@user@host`.
fn user_host(handle: &str) -> (String, String) {
    let (user, host) = handle
        .trim_start_matches('@')
        .split_once('@')
        .unwrap_or_default();
    (user.to_owned(), host.to_owned())
}
