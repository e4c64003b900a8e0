//! The tour: an owned and a watched brand on each software of the simulated fediverse's
//! tour, crawled together, equal the truth, which says for each software what can be
//! read of a brand there and what stays unknown (and why).

use fedireach_fakeverse::{NetworkOptions, Scale, SimSoftware, TOUR, WorldOptions, tour_brand};

use sqlx::Connection;

use crate::{
    util::TestResult,
    world::{World, assert_polite, consent_rows},
};

#[test]
fn a_brand_on_each_software_owned_or_watched_is_read_as_far_as_its_server_allows() -> TestResult {
    let world = World::start_world(
        WorldOptions {
            seed: 3,
            scale: Scale::Small,
            tour: true,
            ..WorldOptions::default()
        },
        NetworkOptions::default(),
    )?;
    world.add_brands()?;
    // GoToSocial's robots.txt bars a watched brand's actor: exit 3, and the summary
    // says which and why.
    let out = world.crawl()?.code(3);
    let printed = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let sim = world.server.world();
    let handle_of = |name: &str| {
        sim.brands()
            .iter()
            .find(|b| b.name == name)
            .and_then(|b| b.actors.first())
            .map(|&a| sim.handle(a))
    };
    let watched_gts = handle_of("watched_gotosocial").ok_or("no watched_gotosocial")?;
    assert!(
        printed.contains("brand actors that could not be resolved (1):")
            && printed.contains(&watched_gts)
            && printed.contains("disallowed by robots.txt"),
        "{printed}"
    );

    // Lemmy lists no person's posts, Threads serves no outbox, Pixelfed's only counts
    // them: the brands there are resolved, and said to have posts no one can list,
    // not none (the owner's client lists an owned Pixelfed brand's).
    assert!(
        printed.contains("brand actors whose posts could not be listed (5):"),
        "{printed}"
    );
    for (name, why) in [
        ("owned_lemmy", "lists no person's posts"),
        ("watched_lemmy", "lists no person's posts"),
        ("owned_threads", "its outbox: "),
        ("watched_threads", "its outbox: "),
        ("watched_pixelfed", "posts but lists none"),
    ] {
        let handle = handle_of(name).ok_or(name)?;
        assert!(
            printed
                .lines()
                .any(|l| l.contains(&handle) && l.contains(why)),
            "{name}: {printed}"
        );
    }

    // What the crawl could not read stays on the brand's row, for `brand list` and the
    // dashboard: unknown, with the reason, not zero.
    let unread: Vec<(String, Option<String>)> = world.runtime.block_on(async {
        let mut conn = sqlx::SqliteConnection::connect(&world.sandbox.db_url()).await?;
        sqlx::query_as("SELECT input, unread FROM tracked_actors")
            .fetch_all(&mut conn)
            .await
    })?;
    let unread_of = |name: &str| {
        let handle = handle_of(name).unwrap_or_default();
        unread
            .iter()
            .find(|(input, _)| *input == handle)
            .and_then(|(_, u)| u.clone())
    };
    for software in TOUR {
        for owned in [true, false] {
            let name = tour_brand(software, owned);
            let want = match (software, owned) {
                (SimSoftware::Gotosocial, false) => Some("unresolved"),
                (SimSoftware::Lemmy | SimSoftware::Threads, _) | (SimSoftware::Pixelfed, false) => {
                    Some("unlisted")
                }
                _ => None,
            };
            assert_eq!(unread_of(&name).as_deref(), want, "{name}");
        }
    }
    // A report of a brand with an unread account says so beside its (empty) rows.
    let report = world.sandbox.run(&[
        "report",
        "reach",
        "--brand",
        "watched_gotosocial",
        "--format",
        "json",
    ])?;
    let said = String::from_utf8_lossy(&report.success().get_output().stderr).into_owned();
    assert!(
        said.contains("watched_gotosocial ")
            && said.contains("not read by the last crawl, could not be resolved: ")
            && said.contains("its posts are unknown"),
        "{said}"
    );
    let listed = world.sandbox.stdout(&["brand", "list"])?;
    assert!(
        listed.lines().any(|l| l.starts_with("watched_gotosocial ")
            && l.contains("not read by the last crawl, could not be resolved: ")),
        "{listed}"
    );

    world.assert_store_equals_truth()?;
    world.assert_coverage_equals_truth()?;
    world.assert_reports_equal_truth(&["reach", "posts", "instances", "languages"])?;
    for software in TOUR {
        for owned in [true, false] {
            let name = tour_brand(software, owned);
            let posts = world.truth.posts.iter().filter(|p| p.brand == name).count();
            let readable = match software {
                SimSoftware::Gotosocial | SimSoftware::Pixelfed => owned,
                SimSoftware::Lemmy | SimSoftware::Threads => false,
                _ => true,
            };
            assert_eq!(posts > 0, readable, "{name}: {posts} posts known");
            let engagements = world
                .truth
                .engagements
                .iter()
                .filter(|e| {
                    world
                        .truth
                        .posts
                        .iter()
                        .any(|p| p.uri == e.post && p.brand == name)
                })
                .count();
            if software == SimSoftware::Mbin {
                // Mbin's posts are listed, nothing of their engagement.
                assert_eq!(engagements, 0, "{name}");
            } else if readable {
                world.assert_brand_engagements_equal_truth(&name)?;
            }
        }
    }
    // The owned GoToSocial brand was read through its owner's client, past the
    // robots.txt that bars crawlers, and the consent report says so.
    let consent = consent_rows(&world)?;
    assert_eq!(
        consent.get(&("host".into(), "client_access".into(), "owner_token".into())),
        Some(&1),
        "{consent:?}"
    );
    assert_polite(&world)
}
