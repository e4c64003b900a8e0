//! The crawler end to end: the real binary crawls the simulated fediverse over TLS on
//! loopback, and the store, the reports and the servers' own logs are checked against
//! the world's ground truth.

use std::{
    collections::BTreeMap,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use fedireach_fakeverse::{Quirk, Scale};
use predicates::{prelude::PredicateBooleanExt, str::contains};

use crate::{util::TestResult, world::*};

#[test]
fn a_crawl_of_the_small_world_finds_exactly_the_truth_politely() -> TestResult {
    on_each_backend(|backend| {
        let world = World::start_on(Scale::Small, 1, backend)?;
        world.add_brands()?;
        // The world has a dead host, so the crawl ends with "some hosts failed".
        let out = world
            .crawl()?
            .code(3)
            .stdout(contains("hosts that failed").and(contains("dead-1.example")));
        let printed = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
        // The small world's brands' engagers may never lead into a collection of its
        // endless-pages host (which one engages is drawn at random): the lure does, in
        // hostile::the_hosts_that_would_take_a_crawl_down_are_bounded_and_reported, and the
        // medium world's test requires it of the brands too.
        assert_misbehaving_hosts_reported(&world, &printed, &[Quirk::EndlessPages])?;
        world.assert_store_equals_truth()?;
        world.assert_coverage_equals_truth()?;
        world.assert_reports_equal_truth(&["reach", "posts", "instances", "languages"])?;
        world.assert_instance_health()?;
        assert_polite(&world)
    })
}

/// Every misbehaving host the crawl met is in its summary: those that failed under "hosts
/// that failed" with what went wrong, those that refused (410, robots.txt) in the consent
/// report and not as failures; and each kind of failure was met at least once, but those
/// of `may_miss`.
fn assert_misbehaving_hosts_reported(
    world: &World,
    printed: &str,
    may_miss: &[Quirk],
) -> TestResult {
    let stats = world.server.stats();
    // Met: asked anything (the servers' log), or an engaging instance, whose NodeInfo a
    // crawl asks for (a dead host drops the connection before any request is logged).
    let met = |quirk: Quirk| -> Vec<String> {
        world
            .server
            .world()
            .hosts_with(quirk)
            .into_iter()
            .filter(|h| {
                // Pages that never end are met only by following one of their
                // collections, which the server counts; any request does for the others.
                if quirk == Quirk::EndlessPages {
                    return stats["hosts"][*h]["endless_pages"].as_u64().unwrap_or(0) > 0;
                }
                stats["hosts"][*h]["requests"].as_u64().unwrap_or(0) > 0
                    || world.truth.instances.iter().any(|i| i.host == *h)
            })
            .map(str::to_owned)
            .collect()
    };
    let failing = [
        (Quirk::Dead, "unreachable", "did not answer"),
        (Quirk::MalformedJson, "malformed", ""),
        (Quirk::HtmlBody, "malformed", ""),
        (Quirk::WrongContentType, "malformed", "not JSON"),
        (Quirk::Oversized, "unsafe", "larger than"),
        (Quirk::RedirectLoop, "unsafe", "redirect"),
        (Quirk::DenyRedirect, "unsafe", "redirect"),
        (Quirk::EndlessPages, "malformed", "never end"),
    ];
    for (quirk, kind, detail) in failing {
        let hosts = met(quirk);
        assert!(
            !hosts.is_empty() || may_miss.contains(&quirk),
            "the crawl met no {} host, so nothing shows it is reported",
            quirk.as_str()
        );
        for host in hosts {
            let line = printed
                .lines()
                .find(|l| l.starts_with(&format!("  {host}: ")))
                .ok_or_else(|| {
                    format!(
                        "{host} ({}) is not in the summary:\n{printed}",
                        quirk.as_str()
                    )
                })?;
            assert!(
                line.starts_with(&format!("  {host}: {kind} ")) && line.contains(detail),
                "{host} ({}) reported as: {line}",
                quirk.as_str()
            );
        }
    }
    for (quirk, reason) in [(Quirk::Gone, "gone_410"), (Quirk::RobotsAll, "robots_txt")] {
        let hosts = met(quirk);
        assert!(
            !hosts.is_empty(),
            "the crawl met no {} host",
            quirk.as_str()
        );
        for host in &hosts {
            assert!(
                !printed.contains(&format!("  {host}: ")),
                "{host} refused, which is not a failure:\n{printed}"
            );
        }
        let counted: usize = printed
            .lines()
            .find(|l| l.ends_with(&format!(" host left out ({reason})")))
            .and_then(|l| l.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| format!("no consent line for {reason}:\n{printed}"))?;
        assert!(counted >= hosts.len(), "{reason}: {counted} < {hosts:?}");
    }
    Ok(())
}

#[test]
fn a_crawl_of_the_medium_world_finds_exactly_the_truth_politely() -> TestResult {
    on_each_backend(|backend| {
        let world = World::start_on(Scale::Medium, 1, backend)?;
        world.add_brands()?;
        let out = world
            .crawl()?
            .code(3)
            .stdout(contains("dead-1.example").and(contains("dead-2.example")));
        let printed = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
        // Every kind of misbehaving host is met in this world, endless pages included.
        assert_misbehaving_hosts_reported(&world, &printed, &[])?;
        world.assert_store_equals_truth()?;
        world.assert_reports_equal_truth(&["reach", "posts", "instances", "languages"])?;
        assert_polite(&world)
    })
}

/// A crawl right after another, with nothing changed, may cost this many requests per
/// tracked actor and post (issue #4: "about one"): each actor costs its resolution, its
/// host's NodeInfo and outbox pages, each Mastodon or Misskey post one conditional
/// request; PeerTube videos, whose documents do not change when someone engages, are
/// read in full again.
const RECRAWL_REQUESTS_PER_ITEM: u64 = 3;

#[test]
fn a_second_crawl_duplicates_nothing_and_rereads_only_what_changed() -> TestResult {
    on_each_backend(|backend| {
        let world = World::start_on(Scale::Small, 2, backend)?;
        world.add_brands()?;
        world.crawl()?.code(3);
        let first = world.stored_engagements()?;
        let served_before = requests_served(&world)?;
        // Nothing asks the failing hosts again (their instances are known), so it may end 0.
        let out = world
            .crawl()?
            .code(predicates::ord::eq(0).or(predicates::ord::eq(3)));
        let by_host: BTreeMap<String, u64> = requests_served(&world)?
            .into_iter()
            .map(|(host, n)| {
                let before = served_before.get(&host).copied().unwrap_or(0);
                (host, n - before)
            })
            .filter(|(_, n)| *n > 0)
            .collect();
        let second_requests: u64 = by_host.values().sum();
        let second = world.stored_engagements()?;
        assert_eq!(first, second);
        assert!(!first.is_empty());
        world.assert_store_equals_truth()?;
        let actors: usize = world.truth.brands.iter().map(|b| b.actors.len()).sum();
        let items = u64::try_from(actors + world.truth.posts.len())?;
        let printed = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
        assert!(
            second_requests <= RECRAWL_REQUESTS_PER_ITEM * items,
            "the second crawl made {second_requests} requests for {items} actors and posts \
             ({by_host:?}):\n{printed}"
        );
        let stats = world.server.stats();
        let not_modified: u64 = stats["hosts"]
            .as_object()
            .ok_or("stats have no hosts")?
            .values()
            .filter_map(|h| h["not_modified"].as_u64())
            .sum();
        assert!(not_modified > 0, "no conditional GET was answered 304");
        Ok(())
    })
}

#[test]
fn a_later_day_adds_new_engagements_removes_undone_ones_and_records_growth() -> TestResult {
    on_each_backend(|backend| {
        let mut world = World::start_on(Scale::Small, 3, backend)?;
        world.add_brands()?;
        world.crawl()?.code(3);
        world.assert_store_equals_truth()?;
        let day0 = world.stored_engagements()?;

        world.advance(7)?;
        world.crawl()?.code(3);
        world.assert_store_equals_truth()?;
        let day7 = world.stored_engagements()?;
        assert_ne!(day0, day7, "a week changes the world");
        let removed = day0.keys().filter(|k| !day7.contains_key(*k)).count();
        assert!(
            removed > 0,
            "undone likes and boosts and deleted replies leave the figures"
        );
        // Follower counts are per crawl and a post's is the crawl closest in time to it, so
        // only reach and instances are compared with the later day's truth.
        world.assert_reports_equal_truth(&["reach", "instances", "languages"])?;
        let brand = world.truth.brands.first().ok_or("no brand")?.name.clone();
        let out = world.sandbox.stdout(&[
            "report",
            "followers",
            "--brand",
            &brand,
            "--format",
            "json",
        ])?;
        let followers: serde_json::Value = serde_json::from_str(&out)?;
        let rows = followers["rows"].as_array().ok_or("no rows")?;
        assert!(rows.len() >= 2, "two crawls, two snapshots: {followers}");
        Ok(())
    })
}

#[test]
fn a_crawl_killed_at_any_point_resumes_to_the_same_data() -> TestResult {
    on_each_backend(|backend| {
        let world = World::start_on(Scale::Small, 4, backend)?;
        world.add_brands()?;
        let total = world.truth.engagements.len();
        // kill -9 once the store holds a tenth, then four tenths, then seven tenths.
        for tenth in [1, 4, 7] {
            let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("fedireach"));
            cmd.current_dir(world.sandbox.dir.path())
                .env_clear()
                .args(["--db", &world.sandbox.db_url(), "crawl", "--since", "all"])
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            cmd.envs(world.tokens());
            let mut child = cmd.spawn()?;
            if wait_for_engagements(&world, &mut child, total * tenth / 10)? {
                child.kill()?; // SIGKILL: no cleanup runs
            }
            child.wait()?;
        }
        world.crawl()?.code(3);
        world.assert_store_equals_truth()?;
        world.assert_reports_equal_truth(&["reach", "posts", "instances", "languages"])?;
        Ok(())
    })
}

/// Polls the store until it holds `target` engagements (true), or the crawl ended
/// first (false). Bounded: a crawl that neither progresses nor ends fails the test.
fn wait_for_engagements(world: &World, child: &mut Child, target: usize) -> Fallible<bool> {
    /// The longest a crawl of the small world may take in these tests.
    const LIMIT: Duration = Duration::from_secs(300);
    /// Between two looks at the store.
    const POLL: Duration = Duration::from_millis(25);
    let started = Instant::now();
    loop {
        if child.try_wait()?.is_some() {
            return Ok(false);
        }
        // The store may not exist yet or be mid-migration: not counting is not failing.
        let stored: usize = world
            .stored_engagements()
            .map(|m| m.values().sum())
            .unwrap_or(0);
        if stored >= target {
            return Ok(true);
        }
        if started.elapsed() > LIMIT {
            return Err("the crawl neither progressed nor ended".into());
        }
        std::thread::sleep(POLL);
    }
}

#[test]
fn queued_crawl_jobs_run_once_and_are_marked_done() -> TestResult {
    on_each_backend(|backend| {
        let world = World::start_on(Scale::Small, 5, backend)?;
        world.add_brands()?;
        world
            .sandbox
            .run(&["crawl", "--queue"])?
            .success()
            .stdout(contains("no crawl is queued"));
        let watched = world
            .truth
            .brands
            .iter()
            .find(|b| b.token.is_none())
            .ok_or("no watched brand")?;
        let job = world.runtime.block_on(async {
            let store = fedireach_store::Store::open(&world.sandbox.db_url()).await?;
            let id = store.enqueue_crawl_job(Some(&watched.name), "test").await?;
            store.close().await;
            Ok::<_, Box<dyn std::error::Error>>(id)
        })?;
        // The world's posts are months old: the job takes --since when it names no window.
        let out = world.sandbox.run(&["crawl", "--queue", "--since", "all"])?;
        let code = out.get_output().status.code();
        assert!(matches!(code, Some(0 | 3)), "a queued crawl runs: {code:?}");
        let state = world.runtime.block_on(async {
            let store = fedireach_store::Store::open(&world.sandbox.db_url()).await?;
            let state = store.crawl_job_state(job).await?;
            store.close().await;
            Ok::<_, Box<dyn std::error::Error>>(state)
        })?;
        assert_eq!(state.as_deref(), Some("done"));
        // Only the queued brand was crawled.
        let stored = world.stored_engagements()?;
        let prefix = watched.actor_ids.first().ok_or("no actor")?;
        let origin = prefix.split('/').take(3).collect::<Vec<_>>().join("/");
        let printed = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
        assert!(
            !stored.is_empty(),
            "the queued crawl stored nothing: {printed}"
        );
        assert!(
            stored.keys().all(|(post, _, _)| post.starts_with(&origin)),
            "only {origin}'s posts"
        );
        world
            .sandbox
            .run(&["crawl", "--queue"])?
            .success()
            .stdout(contains("no crawl is queued"));
        Ok(())
    })
}
