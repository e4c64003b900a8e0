//! The truth agrees with what the server lets a correct crawler learn: each instance's
//! software and monthly actives, and each engager's follower count (or its absence).

use std::{collections::BTreeMap, net::SocketAddr};

use fedireach_core::Software;
use fedireach_fakeverse::{FakeverseServer, Truth};
use reqwest::StatusCode;
use serde_json::Value;

use super::{Got, start_unlimited};

/// How many times a 503 (a burst host) is retried, after the wait it asks for, as a
/// polite client would.
const RETRIES: usize = 5;

async fn fetch(server: &FakeverseServer, url: &str) -> Option<Got> {
    fetch_at(server.addr(), url).await
}

pub(crate) async fn fetch_at(addr: SocketAddr, url: &str) -> Option<Got> {
    let parsed = url::Url::parse(url).ok()?;
    let host = parsed.host_str()?.to_owned();
    let mut path = parsed.path().to_owned();
    if let Some(q) = parsed.query() {
        path = format!("{path}?{q}");
    }
    for _ in 0..RETRIES {
        let sent = super::client()
            .get(format!("http://{addr}{path}"))
            .header("host", host.clone())
            .header("accept", "application/activity+json")
            .send()
            .await
            .ok()?;
        if sent.status() == StatusCode::SERVICE_UNAVAILABLE {
            let wait = sent
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(1);
            // The server's own word on when to come back (BRIEF section 3).
            tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
            continue;
        }
        let status = sent.status();
        let headers = sent.headers().clone();
        let body = sent.text().await.expect("the body is text");
        return Some(Got {
            status,
            headers,
            body,
        });
    }
    None
}

/// A document a crawler reads: declared JSON and under its size cap.
fn is_json_document(doc: &Got) -> bool {
    doc.header("content-type")
        .is_some_and(|t| t.contains("json"))
        && doc.body.len() < 5_000_000
}

/// As the crawler reads robots.txt: fedireach's group, else `*`, longest match wins.
pub(crate) fn robots_allows(robots: &str, path: &str) -> bool {
    texting_robots::Robot::new("fedireach", robots.as_bytes()).map_or(true, |r| r.allowed(path))
}

fn context_strings(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![doc["@context"].clone()];
    while let Some(v) = stack.pop() {
        match v {
            Value::String(s) => out.push(s),
            Value::Array(a) => stack.extend(a),
            Value::Object(o) => stack.extend(o.into_iter().map(|(_, v)| v)),
            _ => {}
        }
    }
    out
}

/// What a crawler learns about a host: (software, activeMonth), by the BRIEF's rules.
async fn learn(server: &FakeverseServer, host: &str, actor: &str) -> (String, Option<u64>) {
    let robots = fetch(server, &format!("http://{host}/robots.txt")).await;
    let robots = robots
        .filter(|r| r.status == StatusCode::OK)
        .map(|r| r.body)
        .unwrap_or_default();
    if robots_allows(&robots, "/.well-known/nodeinfo")
        && let Some(links) = fetch(server, &format!("http://{host}/.well-known/nodeinfo")).await
        && links.status == StatusCode::OK
        && let Some(href) = links.json()["links"][0]["href"].as_str()
        && let Some(doc) = fetch(server, href).await
        && is_json_document(&doc)
    {
        let doc = doc.json();
        // A crawler's reading: a NodeInfo without a name (a misbehaving host) is no
        // software, and the actor's context is asked instead.
        let name = doc["software"]["name"].as_str().unwrap_or_default();
        let active = &doc["usage"]["users"]["activeMonth"];
        let active = active
            .as_u64()
            .or_else(|| active.as_str().and_then(|s| s.parse().ok()));
        if let Some(s) = Software::from_nodeinfo_name(name) {
            return (s.as_str().to_owned(), active);
        }
    }
    let path = url::Url::parse(actor)
        .map(|u| u.path().to_owned())
        .unwrap_or_default();
    if robots_allows(&robots, &path)
        && let Some(doc) = fetch(server, actor).await
        && doc.status == StatusCode::OK
        && is_json_document(&doc)
        && let Some(s) =
            Software::from_namespaces(context_strings(&doc.json()).iter().map(String::as_str))
    {
        return (s.as_str().to_owned(), None);
    }
    let by_domain = fedireach_core::Host::parse(host)
        .ok()
        .and_then(|h| Software::from_domain(&h));
    (
        by_domain.map_or_else(|| "unknown".to_owned(), |s| s.as_str().to_owned()),
        None,
    )
}

#[tokio::test]
async fn instances_are_what_a_crawler_learns() {
    let server = start_unlimited(12, 0).await;
    let truth = Truth::of(server.world());
    let mut actor_of: BTreeMap<&str, &str> = BTreeMap::new();
    for e in &truth.engagements {
        actor_of
            .entry(e.instance.as_str())
            .or_insert(e.actor.as_str());
    }
    for b in &truth.brands {
        for id in &b.actor_ids {
            let host = id.split('/').nth(2).expect("an absolute URL has a host");
            actor_of.entry(host).or_insert(id.as_str());
        }
    }
    for inst in &truth.instances {
        let actor = actor_of
            .get(inst.host.as_str())
            .copied()
            .unwrap_or_default();
        let (software, active) = learn(&server, &inst.host, actor).await;
        assert_eq!(software, inst.software, "{}", inst.host);
        assert_eq!(active, inst.active_month, "{}", inst.host);
    }
}

/// Reads an actor's follower count as a crawler would: robots.txt permitting, an
/// ActivityPub actor document under the size cap, its followers' `totalItems`.
async fn read_followers(addr: SocketAddr, actor: String) -> (String, Option<u64>) {
    let host = actor
        .split('/')
        .nth(2)
        .expect("an absolute URL has a host")
        .to_owned();
    let path = url::Url::parse(&actor)
        .map(|u| u.path().to_owned())
        .unwrap_or_default();
    let robots = fetch_at(addr, &format!("http://{host}/robots.txt")).await;
    let robots = robots.map(|r| r.body).unwrap_or_default();
    if !robots_allows(&robots, &path) {
        return (actor, None);
    }
    let doc = fetch_at(addr, &actor).await.filter(|d| {
        d.status == StatusCode::OK
            && d.header("content-type")
                .is_some_and(|t| t.contains("activity+json"))
            && d.body.len() < 5_000_000
    });
    let url = doc.and_then(|d| d.json()["followers"].as_str().map(str::to_owned));
    let read = match url {
        Some(url) => fetch_at(addr, &url)
            .await
            .and_then(|d| d.json()["totalItems"].as_u64()),
        None => None,
    };
    (actor, read)
}

/// Concurrent readers (the server is under test, not the client).
const READERS: usize = 16;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn engager_follower_counts_are_what_a_crawler_reads() {
    let server = start_unlimited(13, 0).await;
    let truth = Truth::of(server.world());
    let mut expected: BTreeMap<String, Option<u64>> = BTreeMap::new();
    for e in &truth.engagements {
        expected.insert(e.actor.clone(), e.actor_followers);
    }
    let actors: Vec<String> = expected.keys().cloned().collect();
    let mut tasks = tokio::task::JoinSet::new();
    for chunk in actors.chunks(actors.len().div_ceil(READERS).max(1)) {
        let (addr, chunk) = (server.addr(), chunk.to_vec());
        tasks.spawn(async move {
            let mut out = Vec::new();
            for actor in chunk {
                out.push(read_followers(addr, actor).await);
            }
            out
        });
    }
    let mut checked = (0, 0);
    while let Some(done) = tasks.join_next().await {
        for (actor, read) in done.unwrap_or_default() {
            assert_eq!(read, expected[&actor], "{actor}");
            if read.is_some() {
                checked.0 += 1;
            } else {
                checked.1 += 1;
            }
        }
    }
    assert!(checked.0 > 100 && checked.1 > 0, "{checked:?}");
}
