//! The world generator and its ground truth.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use fedireach_fakeverse::{Quirk, Scale, SimSoftware, Truth, World, WorldOptions};
use serde_json::Value;

fn truth_json(seed: u64, scale: Scale, day: u32) -> String {
    let world = World::generate(&WorldOptions {
        seed,
        scale,
        day,
        plain_http: false,
        tour: false,
    });
    Truth::of(&world).to_json().expect("the truth serialises")
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let a = truth_json(7, Scale::Small, 0);
    let b = truth_json(7, Scale::Small, 0);
    let c = truth_json(8, Scale::Small, 0);
    assert!(a.len() > 1000);
    assert_eq!(a, b, "same seed must give identical truth bytes");
    assert_ne!(a, c, "another seed must give another world");
}

#[test]
fn small_world_has_the_mix_the_issue_asks_for() {
    let world = World::generate(&WorldOptions {
        seed: 3,
        ..WorldOptions::default()
    });
    let softwares: BTreeSet<SimSoftware> = world.instances().iter().map(|i| i.software).collect();
    assert!(softwares.len() >= 12, "{softwares:?}");
    assert!(world.instance_index("threads.net").is_some());
    for quirk in Quirk::MISBEHAVING.into_iter().chain(Quirk::HOSTILE) {
        assert!(!world.hosts_with(quirk).is_empty(), "no {quirk:?} host");
    }
    // The hostile hosts engage with the lure's posts and nothing else.
    let lure = world.lure();
    assert!(lure.starts_with("@lure@lure-"), "{lure}");
    let quirk_of =
        |e: &fedireach_fakeverse::Engagement| world.instance_of(e.actor).map(|i| i.quirk);
    for e in world.engagements() {
        let hostile = quirk_of(e).is_some_and(|q| Quirk::HOSTILE.contains(&q));
        let counted = world
            .posts()
            .get(e.post as usize)
            .is_some_and(|p| world.post_counted(p));
        assert!(
            !(hostile && counted),
            "a hostile host engages with a brand's post"
        );
    }
    for quirk in Quirk::HOSTILE {
        assert!(
            world
                .engagements()
                .iter()
                .any(|e| quirk_of(e) == Some(quirk)),
            "no {quirk:?} host engages with the lure"
        );
    }
    assert!(world.instances().len() >= 20 && world.instances().len() < 100);
    assert!(world.brands().len() >= 3);
    let two_softwares = world.brands().iter().any(|b| {
        let s: BTreeSet<_> = b
            .actors
            .iter()
            .filter_map(|a| world.instance_of(*a).map(|i| i.software))
            .collect();
        s.contains(&SimSoftware::Mastodon) && s.contains(&SimSoftware::Peertube)
    });
    assert!(
        two_softwares,
        "one brand must have a Mastodon account and a PeerTube channel"
    );
    assert!(world.brands().iter().any(|b| b.token.is_some()));
    assert!(world.actors().iter().any(|a| a.gone));
    assert!(world.actors().iter().any(|a| a.opt_out.reason().is_some()));
}

fn parse(json: &str) -> Value {
    serde_json::from_str(json).unwrap_or(Value::Null)
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or(0)
}

#[test]
fn truth_has_every_kind_and_the_documented_shape() {
    let truth = parse(&truth_json(11, Scale::Small, 0));
    for key in [
        "seed",
        "scale",
        "instances",
        "brands",
        "posts",
        "engagements",
        "reports",
    ] {
        assert!(truth.get(key).is_some(), "missing {key}");
    }
    let engagements = truth["engagements"]
        .as_array()
        .cloned()
        .expect("engagements is an array");
    assert!(
        (1_000..20_000).contains(&engagements.len()),
        "a small world has a few thousand engagements, got {}",
        engagements.len()
    );
    let kinds: BTreeSet<&str> = engagements
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
        BTreeSet::from(["boost", "like", "quote", "reply", "thread_reply"])
    );
    assert!(engagements.iter().any(|e| e["emoji"].is_string()));
    assert!(engagements.iter().any(|e| e["self"] == true));
    assert!(engagements.iter().any(|e| e["opt_out"].is_string()));
    assert!(engagements.iter().any(|e| e["actor_followers"].is_null()));
    let max_depth = engagements
        .iter()
        .map(|e| u(&e["depth"]))
        .max()
        .unwrap_or(0);
    assert_eq!(
        max_depth, 4,
        "reply depth 3 keeps thread replies down to depth 4"
    );
    let left_out = &truth["left_out"];
    assert!(u(&left_out["gone_410"]) > 0 && u(&left_out["reply_depth"]) > 0);
    let instances = truth["instances"]
        .as_array()
        .cloned()
        .expect("instances is an array");
    let software = |host: &str| {
        instances.iter().find(|i| i["host"] == host).map(|i| {
            i["software"]
                .as_str()
                .expect("software is a string")
                .to_owned()
        })
    };
    assert_eq!(software("threads.net").as_deref(), Some("threads"));
    assert!(instances.iter().any(|i| i["software"] == "unknown"));
    assert!(instances.iter().any(|i| i["software_source"] == "context"));
    assert!(instances.iter().any(|i| i["software"] == "fedired"));
    assert!(
        !instances
            .iter()
            .any(|i| i["host"].as_str().unwrap_or("").starts_with("gone-"))
    );
    for brand in truth["brands"]
        .as_array()
        .cloned()
        .expect("brands is an array")
    {
        let actors = brand["actors"]
            .as_array()
            .cloned()
            .expect("actors is an array");
        assert!(
            actors
                .iter()
                .all(|a| a.as_str().is_some_and(|a| a.starts_with('@')))
        );
    }
}

/// Engagements, thread replies, engagers, hosts, boosters' followers.
type Row = (
    u64,
    u64,
    HashSet<String>,
    HashSet<String>,
    HashMap<String, u64>,
);

/// Recomputes every report from the truth's own engagement list, independently of the
/// generator's code, and compares.
#[test]
#[allow(clippy::cast_precision_loss)] // shares of small counts
fn reports_agree_with_the_engagement_list() {
    let truth = parse(&truth_json(5, Scale::Small, 0));
    let instances: HashMap<String, Value> = truth["instances"]
        .as_array()
        .cloned()
        .expect("instances is an array")
        .into_iter()
        .map(|i| (i["host"].as_str().expect("host is a string").to_owned(), i))
        .collect();
    let posts: HashMap<String, Value> = truth["posts"]
        .as_array()
        .cloned()
        .expect("posts is an array")
        .into_iter()
        .map(|p| (p["uri"].as_str().expect("uri is a string").to_owned(), p))
        .collect();
    let engagements = truth["engagements"]
        .as_array()
        .cloned()
        .expect("engagements is an array");
    let reports = truth["reports"]
        .as_object()
        .cloned()
        .expect("reports is an object");
    assert_eq!(reports.len(), 3);
    for (brand, report) in reports {
        let mine: Vec<&Value> = engagements
            .iter()
            .filter(|e| {
                e["self"] == false
                    && posts[e["post"].as_str().unwrap_or("")]["brand"] == brand.as_str()
            })
            .collect();
        // reach
        let mut by_software: BTreeMap<String, Row> = BTreeMap::new();
        for e in &mine {
            let host = e["instance"].as_str().expect("instance is a string");
            let software = instances[host]["software"]
                .as_str()
                .expect("host.software is a string")
                .to_owned();
            let row = by_software.entry(software).or_default();
            if e["kind"] != "thread_reply" {
                row.0 += 1;
            }
            if e["kind"] == "thread_reply" {
                row.1 += 1;
            }
            row.2
                .insert(e["actor"].as_str().expect("actor is a string").to_owned());
            row.3.insert(host.to_owned());
            if e["kind"] == "boost" {
                row.4.insert(
                    e["actor"].as_str().expect("actor is a string").to_owned(),
                    u(&e["actor_followers"]),
                );
            }
        }
        let rows = report["reach"]["rows"]
            .as_array()
            .cloned()
            .expect("reach.rows is an array");
        assert_eq!(rows.len(), by_software.len(), "{brand}");
        let total: u64 = by_software.values().map(|r| r.0).sum();
        let mut previous = u64::MAX;
        for row in &rows {
            let software = row["software"].as_str().expect("software is a string");
            let (eng, thread, engagers, hosts, boosters) = &by_software[software];
            assert_eq!(u(&row["engagements"]), *eng, "{brand} {software}");
            assert_eq!(u(&row["thread_replies"]), *thread);
            let sum = ["replies", "boosts", "likes", "quotes"]
                .iter()
                .map(|k| u(&row[*k]))
                .sum::<u64>();
            assert_eq!(sum, *eng);
            assert_eq!(u(&row["unique_engagers"]), engagers.len() as u64);
            assert_eq!(u(&row["unique_instances"]), hosts.len() as u64);
            assert_eq!(u(&row["potential_reach"]), boosters.values().sum::<u64>());
            let share = (*eng as f64) * 100.0 / (total as f64);
            assert!((row["share_pct"].as_f64().unwrap_or(-1.0) - share).abs() <= 0.005 + 1e-9);
            assert!(
                u(&row["engagements"]) <= previous,
                "rows sorted by engagements"
            );
            previous = u(&row["engagements"]);
        }
        // posts
        let post_rows = report["posts"]["rows"]
            .as_array()
            .cloned()
            .expect("posts.rows is an array");
        let brand_posts = posts
            .values()
            .filter(|p| p["brand"] == brand.as_str())
            .count();
        assert_eq!(post_rows.len(), brand_posts);
        let total_from_posts: u64 = post_rows.iter().map(|r| u(&r["engagements"])).sum();
        assert_eq!(total_from_posts, total, "{brand}");
        let published: Vec<&str> = post_rows
            .iter()
            .map(|r| r["published"].as_str().unwrap_or(""))
            .collect();
        assert!(published.windows(2).all(|w| w[0] <= w[1]));
        // instances
        let host_rows = report["instances"]["rows"]
            .as_array()
            .cloned()
            .expect("instances.rows is an array");
        let hosts: BTreeSet<&str> = mine.iter().filter_map(|e| e["instance"].as_str()).collect();
        assert_eq!(host_rows.len(), hosts.len());
        let total_from_hosts: u64 = host_rows.iter().map(|r| u(&r["engagements"])).sum();
        assert_eq!(total_from_hosts, total);
    }
}

#[test]
fn later_days_grow_and_remove() {
    let day0 = parse(&truth_json(9, Scale::Small, 0));
    let day20 = parse(&truth_json(9, Scale::Small, 20));
    let count = |t: &Value, k: &str| t[k].as_array().map_or(0, Vec::len);
    assert!(count(&day20, "posts") > count(&day0, "posts"));
    assert!(count(&day20, "engagements") > count(&day0, "engagements"));
    let objects = |t: &Value| -> HashSet<String> {
        t["engagements"]
            .as_array()
            .cloned()
            .expect("engagements is an array")
            .iter()
            .filter_map(|e| e["object"].as_str().map(str::to_owned))
            .collect()
    };
    let gone = objects(&day0).difference(&objects(&day20)).count();
    assert!(
        gone > 0,
        "some likes, boosts or replies are undone by day 20"
    );
    let followers = |t: &Value| u(&t["posts"][0]["followers"]);
    assert!(followers(&day20) > followers(&day0));
}

#[test]
fn medium_has_its_size() {
    let world = World::generate(&WorldOptions {
        seed: 1,
        scale: Scale::Medium,
        day: 0,
        plain_http: false,
        tour: false,
    });
    let visible = world
        .engagements()
        .iter()
        .filter(|e| world.engagement_visible(e))
        .count();
    assert!(
        (100..1_000).contains(&world.instances().len()),
        "{}",
        world.instances().len()
    );
    assert!((10_000..100_000).contains(&visible), "{visible}");
}

#[test]
fn the_truth_file_holds_the_same_bytes() {
    let world = World::generate(&WorldOptions {
        seed: 2,
        ..WorldOptions::default()
    });
    let truth = Truth::of(&world);
    let path = std::env::temp_dir().join(format!("fakeverse-truth-{}.json", std::process::id()));
    assert!(truth.write_to(&path).is_ok());
    let written = std::fs::read_to_string(&path).expect("the file was written");
    let _ = std::fs::remove_file(&path);
    assert_eq!(written, truth.to_json().expect("the truth serialises"));
}
