//! Hosts that misbehave on purpose do what they say, over real HTTP; and TLS.

use std::time::{Duration, Instant};

use fedireach_fakeverse::{Quirk, Scale, ServerOptions, WorldOptions};
use reqwest::StatusCode;

use super::{get, start, start_with};

/// The actor of the first host with `quirk`.
fn actor_url(server: &fedireach_fakeverse::FakeverseServer, quirk: Quirk) -> String {
    let world = server.world();
    let host = world.hosts_with(quirk)[0].to_owned();
    let inst = world
        .instance_index(&host)
        .and_then(|i| world.instances().get(i as usize));
    let actor = inst.map_or(0, |i| i.actors.start);
    world.actor_id(actor)
}

#[tokio::test]
async fn spoiled_documents() {
    let server = start(1).await;
    let malformed = get(&server, &actor_url(&server, Quirk::MalformedJson)).await;
    assert_eq!(malformed.status, StatusCode::OK);
    assert!(serde_json::from_str::<serde_json::Value>(&malformed.body).is_err());
    let html = get(&server, &actor_url(&server, Quirk::HtmlBody)).await;
    assert!(html.body.starts_with("<!DOCTYPE html>"));
    let wrong = get(&server, &actor_url(&server, Quirk::WrongContentType)).await;
    assert!(
        wrong
            .header("content-type")
            .unwrap_or("")
            .starts_with("text/html")
    );
    assert!(wrong.json().is_object());
    let big = get(&server, &actor_url(&server, Quirk::Oversized)).await;
    assert!(big.body.len() > 5_000_000);
    assert!(big.json().is_object(), "oversized but valid");
    let gone = get(&server, &actor_url(&server, Quirk::Gone)).await;
    assert_eq!(gone.status, StatusCode::GONE);
    let host = server.world().hosts_with(Quirk::Gone)[0].to_owned();
    assert_eq!(
        get(&server, &format!("http://{host}/robots.txt"))
            .await
            .status,
        StatusCode::GONE
    );
    let gone_actor = server
        .world()
        .actors()
        .iter()
        .position(|a| a.gone)
        .unwrap_or(0);
    let url = server
        .world()
        .actor_id(u32::try_from(gone_actor).unwrap_or(0));
    assert_eq!(get(&server, &url).await.status, StatusCode::GONE);
}

#[tokio::test]
async fn redirects_loop_or_point_at_a_refused_address() {
    let server = start(1).await;
    let start_url = actor_url(&server, Quirk::RedirectLoop);
    let first = get(&server, &start_url).await;
    assert_eq!(first.status, StatusCode::FOUND);
    let second_url = format!(
        "http://{}{}",
        start_url
            .split('/')
            .nth(2)
            .expect("an absolute URL has a host"),
        first
            .header("location")
            .expect("a redirect names its Location")
    );
    let second = get(&server, &second_url).await;
    assert_eq!(second.status, StatusCode::FOUND);
    let back = format!(
        "http://{}{}",
        start_url
            .split('/')
            .nth(2)
            .expect("an absolute URL has a host"),
        second
            .header("location")
            .expect("a redirect names its Location")
    );
    assert_eq!(back, start_url, "the loop comes back");
    let deny = get(&server, &actor_url(&server, Quirk::DenyRedirect)).await;
    assert_eq!(deny.status, StatusCode::FOUND);
    let location = deny
        .header("location")
        .expect("a redirect names its Location");
    assert!(location.starts_with("http://127.0.0.2:"), "{location}");
}

#[tokio::test]
async fn endless_pages_never_end() {
    let server = start(1).await;
    let actor = actor_url(&server, Quirk::EndlessPages);
    let mut url = format!("{actor}/followers?page=1");
    for _ in 0..5 {
        let page = get(&server, &url).await.json();
        url = page["next"].as_str().expect("next is a string").to_owned();
        assert!(!url.is_empty());
    }
}

#[tokio::test]
async fn dead_slow_and_erroring_hosts() {
    let server = start(1).await;
    let dead = actor_url(&server, Quirk::Dead);
    let host = dead
        .split('/')
        .nth(2)
        .expect("an absolute URL has a host")
        .to_owned();
    let sent = super::client()
        .get(format!("http://{}/robots.txt", server.addr()))
        .header(reqwest::header::HOST, host.clone())
        .send()
        .await;
    assert!(sent.is_err(), "a dead host drops the connection");
    assert_eq!(server.stats()["hosts"][&host]["dropped"], 1);
    let slow = actor_url(&server, Quirk::Slow);
    let began = Instant::now();
    assert_eq!(get(&server, &slow).await.status, StatusCode::OK);
    assert!(began.elapsed() >= Duration::from_millis(300));
    let erroring = actor_url(&server, Quirk::ServerErrors);
    let first = get(&server, &erroring).await;
    assert_eq!(first.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(first.header("retry-after"), Some("1"));
    // The wait it asked for is the end of the burst.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        get(&server, &erroring).await.status,
        StatusCode::OK,
        "bursts end"
    );
}

#[tokio::test]
async fn tls_with_the_generated_ca_and_sni() {
    let server = start_with(ServerOptions {
        world: WorldOptions {
            seed: 1,
            scale: Scale::Small,
            day: 0,
            plain_http: false,
            tour: false,
        },
        ..ServerOptions::default()
    })
    .await;
    let pem = server.ca_pem().expect("a TLS server has a CA").to_owned();
    let ca = reqwest::Certificate::from_pem(pem.as_bytes());
    let ca = ca.unwrap_or_else(|e| panic!("the CA parses: {e}"));
    let truth = server.truth();
    let actor = truth.brands[0].actor_ids[0].clone();
    assert!(actor.starts_with("https://"));
    let host = actor
        .split('/')
        .nth(2)
        .expect("an absolute URL has a host")
        .to_owned();
    let dead = server.world().hosts_with(Quirk::Dead)[0].to_owned();
    let client = reqwest::Client::builder()
        .add_root_certificate(ca)
        .resolve(&host, server.addr())
        .resolve(&dead, server.addr())
        .build();
    let client = client.unwrap_or_else(|e| panic!("client: {e}"));
    let got = client
        .get(&actor)
        .header("accept", "application/activity+json")
        .send()
        .await;
    let got = got.unwrap_or_else(|e| panic!("TLS GET failed: {e}"));
    assert_eq!(got.status(), StatusCode::OK);
    let doc: serde_json::Value = got.json().await.unwrap_or_default();
    assert_eq!(doc["id"], actor.as_str());
    assert!(
        client
            .get(format!("https://{dead}/robots.txt"))
            .send()
            .await
            .is_err()
    );
}

/// The reply of the first host with `quirk` (the lure's posts are where they reply).
fn reply_of(server: &fedireach_fakeverse::FakeverseServer, quirk: Quirk) -> String {
    let world = server.world();
    let e = world
        .engagements()
        .iter()
        .position(|e| world.instance_of(e.actor).is_some_and(|i| i.quirk == quirk))
        .unwrap_or(0);
    world.engagement_uri(u32::try_from(e).unwrap_or(0))
}

#[tokio::test]
async fn amplified_and_nested_replies_never_end() {
    let server = start(1).await;
    for (quirk, nested) in [(Quirk::Amplifier, false), (Quirk::NestedEndless, true)] {
        let mut url = format!("{}/replies?page=1", reply_of(&server, quirk));
        for _ in 0..3 {
            let page = get(&server, &url).await.json();
            let items = page["orderedItems"]
                .as_array()
                .cloned()
                .expect("orderedItems is an array");
            assert_eq!(items.len(), 100, "{quirk:?}: a full page");
            assert!(
                items.iter().all(|i| i["replies"].is_string() == nested),
                "{quirk:?}: nested replies only on the nested host"
            );
            if nested {
                let below = items[0]["replies"].as_str().expect("0.replies is a string");
                let first = get(&server, &format!("{below}?page=1")).await.json();
                assert_eq!(first["orderedItems"].as_array().map(Vec::len), Some(100));
            }
            url = page["next"].as_str().expect("next is a string").to_owned();
            assert!(!url.is_empty(), "{quirk:?}: the pages end");
        }
    }
}

#[tokio::test]
async fn a_gzip_bomb_is_sent_encoded_whatever_was_asked() {
    use std::io::Read;
    let server = start(1).await;
    let actor = actor_url(&server, Quirk::GzipBomb);
    let host = actor
        .split('/')
        .nth(2)
        .expect("an absolute URL has a host")
        .to_owned();
    let path = actor.splitn(4, '/').nth(3).unwrap_or_default().to_owned();
    let response = super::client()
        .get(format!("http://{}/{path}", server.addr()))
        .header(reqwest::header::HOST, host)
        .header(reqwest::header::ACCEPT_ENCODING, "identity")
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {actor}: {e}"));
    assert_eq!(
        response
            .headers()
            .get("content-encoding")
            .and_then(|v| v.to_str().ok()),
        Some("gzip")
    );
    let body = response.bytes().await.unwrap_or_default();
    assert!(body.len() < 4 << 20, "{} bytes sent", body.len());
    // 1,024 members of 1 MiB each: the first inflates to 1 MiB of spaces.
    let mut first = Vec::new();
    let read = flate2::read::GzDecoder::new(&body[..]).read_to_end(&mut first);
    assert_eq!(read.ok(), Some(1 << 20));
    assert!(first.iter().all(|&b| b == b' '));
    let members = body.windows(3).filter(|w| w == &[0x1f, 0x8b, 0x08]).count();
    assert!(members >= 1024, "{members} gzip members");
}
