//! Every kind of generated document is JSON and carries the keys that every real
//! document of its kind and software carries (`shared/fixtures/real/`).

use std::{collections::BTreeSet, path::PathBuf};

use fedireach_fakeverse::{FakeverseServer, SimSoftware, Truth};
use serde_json::Value;

use super::{get, host_of, start};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/real")
}

/// The top-level keys that every real `{kind}_*.json` of `software` has.
fn common_keys(
    software: &str,
    kinds: &[&str],
    filter: impl Fn(&Value) -> bool,
) -> BTreeSet<String> {
    let dir = fixtures().join(software);
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut common: Option<BTreeSet<String>> = None;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if !kinds.iter().any(|k| name.starts_with(&format!("{k}_"))) {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).expect("a fixture is readable");
        let doc: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if !filter(&doc) {
            continue;
        }
        let keys: BTreeSet<String> = doc
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        common = Some(match common {
            None => keys,
            Some(c) => c.intersection(&keys).cloned().collect(),
        });
    }
    common.unwrap_or_else(|| panic!("no {kinds:?} fixture of {software}"))
}

fn check(doc: &Value, expected: &BTreeSet<String>, what: &str) {
    let keys: BTreeSet<String> = doc
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    let missing: Vec<&String> = expected.difference(&keys).collect();
    assert!(missing.is_empty(), "{what} lacks {missing:?}");
}

fn actor_of(server: &FakeverseServer, software: SimSoftware) -> String {
    let host = host_of(server, software);
    let world = server.world();
    let inst = world
        .instance_index(&host)
        .and_then(|i| world.instances().get(i as usize));
    let first = inst.map(|i| i.actors.clone()).unwrap_or(0..0).find(|a| {
        world
            .actors()
            .get(*a as usize)
            .is_some_and(|x| !x.gone && x.brand.is_none())
    });
    world.actor_id(first.unwrap_or(0))
}

fn is_person(doc: &Value) -> bool {
    doc["type"] == "Person"
}

#[tokio::test]
async fn actors_carry_the_keys_of_their_real_counterparts() {
    let server = start(6).await;
    for (software, dir) in [
        (SimSoftware::Mastodon, "mastodon"),
        (SimSoftware::Misskey, "misskey"),
        (SimSoftware::Pleroma, "pleroma"),
        (SimSoftware::Akkoma, "akkoma"),
        (SimSoftware::Lemmy, "lemmy"),
        (SimSoftware::Friendica, "friendica"),
        (SimSoftware::Wordpress, "wordpress"),
        (SimSoftware::Peertube, "peertube"),
    ] {
        let expected = common_keys(dir, &["actor"], is_person);
        let url = actor_of(&server, software);
        let doc = get(&server, &url).await.json();
        check(&doc, &expected, &format!("{software:?} actor {url}"));
    }
}

#[tokio::test]
async fn notes_videos_and_nodeinfo_carry_the_real_keys() {
    let server = start(6).await;
    let truth = Truth::of(server.world());
    let uri_of = |brand: &str, actor: usize| {
        let id = truth
            .brands
            .iter()
            .find(|b| b.name == brand)
            .map(|b| b.actor_ids[actor].clone())
            .unwrap_or_default();
        truth
            .posts
            .iter()
            .find(|p| p.actor == id)
            .map(|p| p.uri.clone())
            .unwrap_or_default()
    };
    let mastodon_note = get(&server, &uri_of("Globex", 0)).await.json();
    let with_collections =
        |d: &Value| d["type"] == "Note" && d.get("replies").is_some() && d.get("likes").is_some();
    check(
        &mastodon_note,
        &common_keys("mastodon", &["note"], with_collections),
        "Mastodon note",
    );
    let misskey_note = get(&server, &uri_of("Initech", 0)).await.json();
    check(
        &misskey_note,
        &common_keys("misskey", &["note"], |d| d["type"] == "Note"),
        "Misskey note",
    );
    let video = get(&server, &uri_of("Acme", 1)).await.json();
    check(
        &video,
        &common_keys("peertube", &["video"], |d| d["type"] == "Video"),
        "PeerTube video",
    );
    let webfinger = get(
        &server,
        &format!(
            "http://{}/.well-known/webfinger?resource=acct:acme@{}",
            host_of(&server, SimSoftware::Mastodon),
            host_of(&server, SimSoftware::Mastodon)
        ),
    )
    .await
    .json();
    check(
        &webfinger,
        &common_keys("mastodon", &["webfinger"], |_| true),
        "WebFinger",
    );
    for (software, dir) in [
        (SimSoftware::Mastodon, "mastodon"),
        (SimSoftware::Pleroma, "pleroma"),
        (SimSoftware::Lemmy, "lemmy"),
    ] {
        let host = host_of(&server, software);
        let links = get(&server, &format!("http://{host}/.well-known/nodeinfo"))
            .await
            .json();
        let doc = get(
            &server,
            links["links"][0]["href"]
                .as_str()
                .expect("links.0.href is a string"),
        )
        .await
        .json();
        check(
            &doc,
            &common_keys(dir, &["nodeinfo"], |_| true),
            &format!("{software:?} NodeInfo"),
        );
    }
}

/// Replies, quotes and activities from every software parse as JSON objects with an id
/// and a type: every kind of document the crawler meets.
#[tokio::test]
async fn every_engagement_document_is_served() {
    let server = start(7).await;
    let truth = Truth::of(server.world());
    let mut seen = BTreeSet::new();
    for e in truth.engagements.iter() {
        let key = (
            e.instance.split('-').next().unwrap_or_default().to_owned(),
            e.kind,
        );
        if seen.contains(&key) || e.object.contains('#') {
            continue;
        }
        let got = get(&server, &e.object).await;
        let spoiled = server
            .world()
            .instance_index(&e.instance)
            .and_then(|i| server.world().instances().get(i as usize))
            .is_some_and(|i| i.quirk != fedireach_fakeverse::Quirk::Normal);
        if spoiled {
            continue;
        }
        assert_eq!(got.status, reqwest::StatusCode::OK, "{}", e.object);
        let doc = got.json();
        assert_eq!(doc["id"].as_str(), Some(e.object.as_str()), "{}", e.object);
        assert!(doc["type"].is_string());
        seen.insert(key);
    }
    assert!(seen.len() > 20, "{seen:?}");
}

/// Two servers of the same seed serve the same bytes; the same world on a later day
/// serves the same old documents and new ones beside them.
#[tokio::test]
async fn same_seed_same_documents_and_days_add_to_them() {
    let a = start(8).await;
    let b = start(8).await;
    let later = super::start_with(fedireach_fakeverse::ServerOptions {
        world: fedireach_fakeverse::WorldOptions {
            seed: 8,
            scale: fedireach_fakeverse::Scale::Small,
            day: 20,
            plain_http: true,
            tour: false,
        },
        ..fedireach_fakeverse::ServerOptions::default()
    })
    .await;
    let truth = Truth::of(a.world());
    let mut urls: Vec<String> = truth.posts.iter().take(10).map(|p| p.uri.clone()).collect();
    urls.extend(truth.brands.iter().flat_map(|b| b.actor_ids.clone()));
    urls.extend(
        truth
            .engagements
            .iter()
            .filter(|e| !e.object.contains('#'))
            .take(30)
            .map(|e| e.object.clone()),
    );
    for url in &urls {
        let (x, y) = (get(&a, url).await, get(&b, url).await);
        assert_eq!(x.status, y.status, "{url}");
        assert_eq!(x.body, y.body, "{url} differs between two runs");
    }
    let actor = truth.brands[1].actor_ids[0].clone();
    let total = |doc: Value| doc["totalItems"].as_u64().unwrap_or(0);
    let outbox = format!("{actor}/outbox");
    let (before, after) = (
        total(get(&a, &outbox).await.json()),
        total(get(&later, &outbox).await.json()),
    );
    assert!(
        after > before,
        "20 days later the brand has posted more ({before} -> {after})"
    );
    let followers = format!("{actor}/followers");
    let (before, after) = (
        total(get(&a, &followers).await.json()),
        total(get(&later, &followers).await.json()),
    );
    assert!(after > before, "followers grow ({before} -> {after})");
}
