//! Routing by Host, WebFinger, NodeInfo, actors, outboxes and per-post collections,
//! over real HTTP (the client APIs: `apis.rs`).

use std::collections::BTreeSet;

use fedireach_fakeverse::{Quirk, SimSoftware, Truth};
use reqwest::StatusCode;

use super::{get, host_of, start};

#[tokio::test]
async fn every_software_serves_nodeinfo_with_its_real_name() {
    let server = start(1).await;
    for software in SimSoftware::ALL {
        let host = host_of(&server, software);
        let links = get(&server, &format!("http://{host}/.well-known/nodeinfo")).await;
        if software == SimSoftware::Threads {
            assert_eq!(
                links.status,
                StatusCode::NOT_FOUND,
                "threads.net has no NodeInfo"
            );
            let robots = get(&server, "http://threads.net/robots.txt").await;
            assert!(robots.body.contains("Disallow: /.well-known/nodeinfo"));
            continue;
        }
        assert_eq!(links.status, StatusCode::OK, "{host}");
        let href = links.json()["links"][0]["href"]
            .as_str()
            .expect("links.0.href is a string")
            .to_owned();
        let doc = get(&server, &href).await.json();
        let name = doc["software"]["name"]
            .as_str()
            .expect("software.name is a string");
        assert_eq!(Some(name), software.nodeinfo_name(), "{host}");
        let active = &doc["usage"]["users"]["activeMonth"];
        match software {
            SimSoftware::Wordpress => assert!(active.is_string(), "WordPress counts are strings"),
            _ => assert!(active.is_u64()),
        }
        assert_eq!(
            doc.get("metadata").is_none(),
            matches!(software, SimSoftware::Lemmy | SimSoftware::Mbin)
        );
    }
    let no_nodeinfo = server.world().hosts_with(Quirk::NoNodeinfo)[0].to_owned();
    let links = get(
        &server,
        &format!("http://{no_nodeinfo}/.well-known/nodeinfo"),
    )
    .await;
    assert_eq!(links.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn unknown_hosts_are_not_found_and_stats_answer_for_any_host() {
    let server = start(1).await;
    assert_eq!(
        get(&server, "http://nowhere.example/").await.status,
        StatusCode::NOT_FOUND
    );
    let stats = get(&server, "http://anything.example/__fakeverse/stats").await;
    assert_eq!(stats.status, StatusCode::OK);
    assert!(stats.json()["hosts"].is_object());
}

/// `fakeverse --latency`: every host answers no sooner than the latency after the
/// request, and what it answers is unchanged.
#[tokio::test]
async fn a_latency_delays_every_answer_and_changes_none() {
    let latency = std::time::Duration::from_millis(200);
    let quick = start(1).await;
    let slow = super::start_with(fedireach_fakeverse::ServerOptions {
        latency,
        ..super::options(1)
    })
    .await;
    let host = host_of(&quick, SimSoftware::Mastodon);
    let url = format!("http://{host}/.well-known/nodeinfo");
    let asked = std::time::Instant::now();
    let late = get(&slow, &url).await;
    assert!(
        asked.elapsed() >= latency,
        "answered after {:?}",
        asked.elapsed()
    );
    let at_once = get(&quick, &url).await;
    assert_eq!(late.status, StatusCode::OK);
    assert_eq!(late.body, at_once.body);
}

/// The brand walk a crawler makes on Mastodon: WebFinger, actor, outbox pages, each
/// post's replies, likes and shares; the counts agree with the truth.
#[tokio::test]
async fn mastodon_brand_walk_matches_the_truth() {
    let server = start(2).await;
    let truth = Truth::of(server.world());
    let handle = truth.brands[0].actors[0].clone();
    let (user, host) = handle
        .trim_start_matches('@')
        .split_once('@')
        .unwrap_or_default();
    let jrd = get(
        &server,
        &format!("http://{host}/.well-known/webfinger?resource=acct:{user}@{host}"),
    )
    .await;
    assert_eq!(jrd.status, StatusCode::OK);
    assert!(
        jrd.header("content-type")
            .unwrap_or("")
            .starts_with("application/jrd+json")
    );
    let jrd = jrd.json();
    let links = jrd["links"].as_array().cloned().expect("links is an array");
    let actor_url = links
        .iter()
        .find(|l| l["rel"] == "self")
        .and_then(|l| l["href"].as_str())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(actor_url, truth.brands[0].actor_ids[0]);
    let actor = get(&server, &actor_url).await;
    assert!(
        actor
            .header("content-type")
            .unwrap_or("")
            .starts_with("application/activity+json")
    );
    let outbox = get(
        &server,
        actor.json()["outbox"].as_str().expect("outbox is a string"),
    )
    .await
    .json();
    let total = outbox["totalItems"].as_u64().unwrap_or(0);
    let mut next = outbox["first"].as_str().map(str::to_owned);
    let mut notes = Vec::new();
    let mut pages = 0;
    while let Some(url) = next {
        pages += 1;
        assert!(pages < 100, "outbox paging must end");
        let page = get(&server, &url).await.json();
        for item in page["orderedItems"]
            .as_array()
            .cloned()
            .expect("orderedItems is an array")
        {
            if item["type"] == "Create" {
                notes.push(item["object"].clone());
            }
        }
        next = page["next"].as_str().map(str::to_owned);
    }
    assert!(pages > 1, "the brand's outbox has several pages");
    assert!(total >= notes.len() as u64 && !notes.is_empty());
    let truth_posts: BTreeSet<&str> = truth
        .posts
        .iter()
        .filter(|p| p.actor == actor_url)
        .map(|p| p.uri.as_str())
        .collect();
    let served: BTreeSet<&str> = notes.iter().filter_map(|n| n["id"].as_str()).collect();
    assert_eq!(served, truth_posts);
    for note in notes.iter().take(15) {
        let uri = note["id"].as_str().expect("id is a string");
        let reported = &truth
            .posts
            .iter()
            .find(|p| p.uri == uri)
            .map(|p| p.reported.clone())
            .unwrap_or_default();
        assert_eq!(
            note["likes"]["totalItems"].as_u64(),
            reported.likes,
            "{uri}"
        );
        assert_eq!(note["shares"]["totalItems"].as_u64(), reported.boosts);
        let likes = get(
            &server,
            note["likes"]["id"].as_str().expect("likes.id is a string"),
        )
        .await
        .json();
        assert!(
            likes.get("items").is_none() && likes.get("first").is_none(),
            "counts only"
        );
        // replies: self replies, then only_other_accounts pages
        let mut replies = note["replies"]["first"]["items"]
            .as_array()
            .cloned()
            .expect("replies.first.items is an array");
        let mut next = note["replies"]["first"]["next"].as_str().map(str::to_owned);
        while let Some(url) = next {
            let page = get(&server, &url).await.json();
            replies.extend(
                page["items"]
                    .as_array()
                    .cloned()
                    .expect("items is an array"),
            );
            next = page["next"].as_str().map(str::to_owned);
        }
        assert_eq!(replies.len() as u64, reported.replies.unwrap_or(0), "{uri}");
    }
}
