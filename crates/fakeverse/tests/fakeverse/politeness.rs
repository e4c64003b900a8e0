//! Rate limits with each software's headers, robots.txt, and the stats that prove a
//! client kept them.

use std::time::Duration;

use fedireach_fakeverse::{Quirk, Scale, ServerOptions, SimSoftware, WorldOptions};
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{get, host_of, request, start, start_with};

/// The limit the test server enforces: few requests in a long window, so the test
/// crosses it at once and never waits for a window to pass.
const LIMIT: u64 = 5;

async fn limited() -> fedireach_fakeverse::FakeverseServer {
    start_with(ServerOptions {
        world: WorldOptions {
            seed: 1,
            scale: Scale::Small,
            day: 0,
            plain_http: true,
            tour: false,
        },
        rate_limit: Some((LIMIT, Duration::from_secs(60))),
        ..ServerOptions::default()
    })
    .await
}

#[tokio::test]
async fn mastodon_throttles_with_its_headers_and_no_retry_after() {
    let server = limited().await;
    let host = host_of(&server, SimSoftware::Mastodon);
    let url = format!("http://{host}/api/v1/accounts/lookup?acct=acme");
    for n in 0..LIMIT {
        let got = get(&server, &url).await;
        assert_ne!(got.status, StatusCode::TOO_MANY_REQUESTS, "request {n}");
        assert_eq!(
            got.header("x-ratelimit-remaining"),
            Some((LIMIT - n - 1).to_string().as_str())
        );
    }
    let throttled = get(&server, &url).await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        throttled.header("retry-after"),
        None,
        "Mastodon sends no Retry-After"
    );
    assert_eq!(throttled.header("x-ratelimit-remaining"), Some("0"));
    let reset = throttled
        .header("x-ratelimit-reset")
        .expect("a throttled answer says when it resets");
    assert!(
        chrono::DateTime::parse_from_rfc3339(reset).is_ok(),
        "ISO reset time: {reset}"
    );
    let stats = server.stats();
    assert_eq!(stats["hosts"][&host]["status_429"], 1);
    assert_eq!(stats["hosts"][&host]["over_limit"], 1);
    assert_eq!(stats["hosts"][&host]["requests"], LIMIT + 1);
}

#[tokio::test]
async fn other_softwares_say_retry_after() {
    let server = limited().await;
    let host = host_of(&server, SimSoftware::Misskey);
    let url = format!("http://{host}/api/notes/show");
    let mut last = None;
    for _ in 0..=LIMIT {
        last = Some(
            request(
                &server,
                Method::POST,
                &url,
                Some(json!({ "noteId": "0" })),
                None,
            )
            .await,
        );
    }
    let last = last.unwrap_or_else(|| panic!("no request made"));
    assert_eq!(last.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = last
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    assert!((1..=60).contains(&retry), "{retry}");
}

#[tokio::test]
async fn default_limits_leave_a_polite_client_alone() {
    let server = start(1).await;
    let host = host_of(&server, SimSoftware::Mastodon);
    for _ in 0..20 {
        let got = get(
            &server,
            &format!("http://{host}/api/v1/accounts/lookup?acct=acme"),
        )
        .await;
        assert_eq!(got.status, StatusCode::OK);
        assert_eq!(got.header("x-ratelimit-limit"), Some("300"));
    }
    assert_eq!(server.stats()["hosts"][&host]["over_limit"], 0);
}

#[tokio::test]
async fn robots_txt_per_host_and_violations_counted() {
    let server = start(1).await;
    let world = server.world();
    let all = world.hosts_with(Quirk::RobotsAll)[0].to_owned();
    let partial = world.hosts_with(Quirk::RobotsPartial)[0].to_owned();
    let delay = world.hosts_with(Quirk::CrawlDelay)[0].to_owned();
    let normal = host_of(&server, SimSoftware::Mastodon);
    assert!(
        get(&server, &format!("http://{all}/robots.txt"))
            .await
            .body
            .contains("Disallow: /\n")
    );
    assert!(
        get(&server, &format!("http://{partial}/robots.txt"))
            .await
            .body
            .contains("Disallow: /tags/")
    );
    assert!(
        get(&server, &format!("http://{delay}/robots.txt"))
            .await
            .body
            .contains("Crawl-delay:")
    );
    // Mastodon's real file bars AI crawlers from everything, and no one else.
    assert_eq!(
        get(&server, &format!("http://{normal}/robots.txt"))
            .await
            .body,
        fedireach_fakeverse::recorded_robots(SimSoftware::Mastodon).body
    );
    get(&server, &format!("http://{all}/.well-known/nodeinfo")).await;
    get(&server, &format!("http://{delay}/.well-known/nodeinfo")).await;
    get(&server, &format!("http://{delay}/.well-known/nodeinfo")).await;
    get(&server, &format!("http://{partial}/tags/x")).await;
    get(&server, &format!("http://{normal}/.well-known/nodeinfo")).await;
    get(&server, "http://threads.net/.well-known/nodeinfo").await;
    let stats = server.stats();
    assert_eq!(stats["hosts"][&all]["robots_violations"], 1);
    assert_eq!(stats["hosts"][&partial]["robots_violations"], 1);
    assert_eq!(stats["hosts"][&normal]["robots_violations"], 0);
    assert_eq!(stats["hosts"]["threads.net"]["robots_violations"], 1);
    // Three requests in a row (robots.txt counts too), with no Crawl-delay between
    // them: two violations.
    assert_eq!(stats["hosts"][&delay]["crawl_delay_violations"], 2);
    assert_eq!(stats["hosts"][&normal]["crawl_delay_violations"], 0);
    let log = &stats["hosts"][&normal]["per_second"];
    assert!(
        log.as_object().is_some_and(|m| !m.is_empty()),
        "the request log is kept per second"
    );
}

/// Every software serves its real robots.txt, byte for byte as recorded from its own
/// source (`data/robots/`), when time runs at its real pace; with time scaled, only the
/// `Crawl-delay` differs.
#[tokio::test]
async fn every_software_serves_its_recorded_robots_txt() {
    let server = start_with(ServerOptions {
        world: WorldOptions {
            seed: 1,
            scale: Scale::Small,
            day: 0,
            plain_http: true,
            tour: false,
        },
        time_scale: 1.0,
        ..ServerOptions::default()
    })
    .await;
    for software in SimSoftware::ALL {
        let host = host_of(&server, software);
        let got = get(&server, &format!("http://{host}/robots.txt")).await;
        assert_eq!(got.status, StatusCode::OK, "{software:?}");
        let recorded = fedireach_fakeverse::recorded_robots(software);
        assert_eq!(
            got.body, recorded.body,
            "{software:?} ({})",
            recorded.source
        );
    }
    let scaled = start(1).await;
    let gts = host_of(&scaled, SimSoftware::Gotosocial);
    let body = get(&scaled, &format!("http://{gts}/robots.txt")).await.body;
    assert!(body.contains("\nCrawl-delay: 8.333\n"), "{body}");
    assert!(body.contains("\nDisallow: /users/\n"));
    // Without a brand owner's token, GoToSocial's client API is barred by robots.txt.
    let api = format!("http://{gts}/api/v1/accounts/lookup?acct=x");
    get(&scaled, &api).await;
    assert_eq!(scaled.stats()["hosts"][&gts]["robots_violations"], 1);
}
