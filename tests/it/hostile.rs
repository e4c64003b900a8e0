//! Hosts that are refused or that misbehave on purpose: what a crawl asks of them, what
//! it keeps, and how its summary reports them.

use fedireach_fakeverse::Scale;

use crate::{util::TestResult, world::World};

/// A host the address guard refuses (here every host, loopback not allowed) is reported
/// as `unsafe`, with its address and the config key that would allow it: not as a
/// robots.txt that could not be read.
#[test]
fn a_host_refused_by_the_address_guard_is_reported_unsafe_with_the_key_to_allow_it() -> TestResult {
    let world = World::start(Scale::Small, 1)?;
    let config = world.sandbox.path().join("fedireach.toml");
    let text = std::fs::read_to_string(&config)?;
    std::fs::write(
        &config,
        text.replace("allow_loopback = true", "allow_loopback = false"),
    )?;
    world.add_brands()?;
    let out = world.crawl()?.code(3);
    let printed = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let host = world
        .truth
        .brands
        .first()
        .and_then(|b| b.actors.first())
        .and_then(|a| a.rsplit('@').next())
        .ok_or("no brand actor")?
        .to_owned();
    let line = printed
        .lines()
        .find(|l| l.starts_with(&format!("  {host}: ")))
        .ok_or_else(|| format!("{host} is not in the summary:\n{printed}"))?;
    assert!(
        line.starts_with(&format!("  {host}: unsafe "))
            && line.contains("127.0.0.1")
            && line.contains("network.allow_loopback"),
        "{line}"
    );
    assert!(!printed.contains("robots_unavailable"), "{printed}");
    Ok(())
}

/// Rows stored of `host`: engagements by its engagers, its engagers, its instance row.
fn stored_of(world: &World, host: &str) -> Result<(i64, i64, i64), Box<dyn std::error::Error>> {
    use sqlx::Connection;
    Ok(world.runtime.block_on(async {
        let mut conn = sqlx::SqliteConnection::connect(&world.sandbox.db_url()).await?;
        let mut counts = [0i64; 3];
        for (slot, sql) in counts.iter_mut().zip([
            "SELECT count(*) FROM engagements WHERE host = ?",
            "SELECT count(*) FROM actors WHERE host = ?",
            "SELECT count(*) FROM instances WHERE host = ?",
        ]) {
            *slot = sqlx::query_scalar(sql)
                .bind(host)
                .fetch_one(&mut conn)
                .await?;
        }
        Ok::<_, sqlx::Error>((counts[0], counts[1], counts[2]))
    })?)
}

/// `crawl.denylist_file`: a listed host is asked nothing (the simulated servers' request
/// log), what was stored of it before is purged at the next crawl, nothing of it is
/// written again nor shown in a report, and the consent report says why.
#[test]
fn a_denylisted_host_is_asked_nothing_stored_nowhere_and_purged() -> TestResult {
    let world = World::start(Scale::Small, 1)?;
    world.add_brands()?;
    world.crawl()?.code(3);
    let host = "threads.net";
    let (engagements, actors, instances) = stored_of(&world, host)?;
    assert!(
        engagements > 0 && actors > 0 && instances == 1,
        "the first crawl stored nothing of {host}, so the test would prove nothing"
    );
    let list = world.sandbox.path().join("denylist.txt");
    std::fs::write(&list, format!("# barred by the operator\n{host}\n"))?;
    let config = world.sandbox.path().join("fedireach.toml");
    let text = std::fs::read_to_string(&config)?;
    std::fs::write(
        &config,
        format!("denylist_file = \"{}\"\n{text}", list.display()),
    )?;
    let requests = |world: &World| world.server.stats()["hosts"][host]["requests"].as_u64();
    let before = requests(&world);
    let out = world.crawl()?.code(3);
    let printed = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert_eq!(requests(&world), before, "{host} was asked again");
    assert_eq!(
        stored_of(&world, host)?,
        (0, 0, 0),
        "{host} is still stored"
    );
    assert!(
        printed.contains("host left out (denylist)"),
        "no consent line for the denylist:\n{printed}"
    );
    for brand in &world.truth.brands {
        let report = world.sandbox.stdout(&[
            "report",
            "instances",
            "--brand",
            &brand.name,
            "--format",
            "json",
        ])?;
        assert!(!report.contains(host), "{host} is in the report:\n{report}");
    }
    Ok(())
}

/// A Crawl-delay holds between processes: a crawl killed (SIGKILL) right after it asked
/// a Crawl-delay host something, and started again at once, three times, never asks
/// that host sooner than its delay, robots.txt included (the servers' own log).
#[test]
fn a_crawl_delay_holds_across_kill_9_and_immediate_restarts() -> TestResult {
    use std::process::{Command, Stdio};
    let world = World::start(Scale::Small, 1)?;
    world.add_brands()?;
    let delayed: Vec<String> = world
        .server
        .world()
        .hosts_with(fedireach_fakeverse::Quirk::CrawlDelay)
        .into_iter()
        .map(str::to_owned)
        .collect();
    let served = |world: &World| -> u64 {
        let stats = world.server.stats();
        delayed
            .iter()
            .filter_map(|h| stats["hosts"][h]["requests"].as_u64())
            .sum()
    };
    let mut kills = 0;
    for _ in 0..3 {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("fedireach"))
            .current_dir(world.sandbox.path())
            .env_clear()
            .args(["--db", &world.sandbox.db_url(), "crawl", "--since", "all"])
            .envs(world.tokens())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        // Killed as soon as a Crawl-delay host has answered this process twice.
        let before = served(&world);
        let started = std::time::Instant::now();
        while child.try_wait()?.is_none() {
            if served(&world) >= before + 2 {
                child.kill()?; // SIGKILL: nothing is cleaned up
                kills += 1;
                break;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(300),
                "the crawl met no Crawl-delay host"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        child.wait()?;
    }
    assert!(
        kills > 0,
        "no crawl was killed after asking a Crawl-delay host"
    );
    world.crawl()?.code(3);
    let stats = world.server.stats();
    for host in &delayed {
        assert_eq!(
            stats["hosts"][host]["crawl_delay_violations"], 0,
            "{host} was asked sooner than its Crawl-delay: {}",
            stats["hosts"][host]
        );
    }
    Ok(())
}

/// Sets `[crawl]` keys in the world's config.
fn set_crawl_keys(world: &World, keys: &str) -> TestResult {
    let config = world.sandbox.path().join("fedireach.toml");
    let text = std::fs::read_to_string(&config)?;
    std::fs::write(
        &config,
        text.replace("[crawl]\n", &format!("[crawl]\n{keys}\n")),
    )?;
    Ok(())
}

/// The lines of a crawl's summary that report a host `over_limit`.
fn over_limit_lines(printed: &str) -> Vec<&str> {
    printed
        .lines()
        .filter(|l| l.starts_with("  ") && l.contains(": over_limit "))
        .collect()
}

/// `crawl.max_requests_per_host`: no host is asked more often than that in a crawl
/// (the servers' own log), robots.txt included; a host that needed more is reported
/// `over_limit` with the cap, and the rest of the crawl goes on.
#[test]
fn no_host_is_asked_more_than_max_requests_per_host() -> TestResult {
    const CAP: u64 = 4;
    let world = World::start(Scale::Small, 1)?;
    set_crawl_keys(&world, &format!("max_requests_per_host = {CAP}"))?;
    world.add_brands()?;
    let out = world.crawl()?.code(3);
    let printed = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let stats = world.server.stats();
    let hosts = stats["hosts"].as_object().ok_or("stats have no hosts")?;
    for (host, s) in hosts {
        let asked = s["requests"].as_u64().unwrap_or(0);
        assert!(asked <= CAP, "{host} was asked {asked} times, cap {CAP}");
    }
    let lines = over_limit_lines(&printed);
    assert!(
        !lines.is_empty()
            && lines
                .iter()
                .all(|l| l.contains("crawl.max_requests_per_host")),
        "no host reported over the cap:\n{printed}"
    );
    Ok(())
}

/// `crawl.max_items_per_collection` and `max_items_per_post`: a collection or a post
/// with more items than allowed is read up to the cap, what was read is kept, and the
/// host is reported `over_limit` with the cap that was hit.
#[test]
fn a_collection_past_its_cap_is_cut_reported_and_what_was_read_is_kept() -> TestResult {
    const CAP: usize = 2;
    let world = World::start(Scale::Small, 1)?;
    set_crawl_keys(
        &world,
        &format!("max_items_per_collection = {CAP}\nmax_pages_per_collection = 1"),
    )?;
    world.add_brands()?;
    let out = world.crawl()?.code(3);
    let printed = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let lines = over_limit_lines(&printed);
    assert!(
        lines.iter().any(|l| l.contains(&format!(
            "more than {CAP} items in one collection (crawl.max_items_per_collection)"
        )) || l
            .contains("more than 1 pages in one collection (crawl.max_pages_per_collection)")),
        "no collection reported over its cap:\n{printed}"
    );
    assert!(
        lines.iter().all(|l| l.contains("what was read is kept")),
        "{lines:?}"
    );
    let stored: usize = world.stored_engagements()?.values().sum();
    assert!(stored > 0, "nothing of what was read was kept");
    Ok(())
}

/// The most memory a crawl's process may take, whatever a host serves (issue #12).
const MAX_CRAWL_RSS_KIB: i64 = 300 * 1024;

/// GNU time (Debian's `time`, which `.ci/run` installs): a command's own peak memory.
const TIME: &str = "/usr/bin/time";

/// The small world's hosts that would take a crawl down, met through the lure (posts
/// only they engage with, one post each for the amplifier and the nested replies): an amplifier whose reply's replies never end, each page full
/// of new replies; nested endless replies; a host that sends a byte a second; a gzip
/// bomb; and an endless run of empty pages. The crawl ends, each is reported as what it
/// is, what was read is kept within the caps, and the crawl's peak memory stays under
/// 300 MB.
#[test]
fn the_hosts_that_would_take_a_crawl_down_are_bounded_and_reported() -> TestResult {
    use fedireach_fakeverse::Quirk;
    // The default caps: what the bound on memory is about.
    const PER_COLLECTION: usize = 20_000;
    const PER_POST: usize = 50_000;
    let world = World::start(Scale::Small, 1)?;
    // Only the drip is hurried: it would keep the crawl waiting 2 x 20 s otherwise.
    set_crawl_keys(&world, "timeout = \"3s\"")?;
    let lure = world.server.world().lure();
    world
        .sandbox
        .run(&["brand", "add", "lure", &lure])?
        .success();
    // The crawl's own peak, as GNU time reads it from wait4 (the test process's other
    // children, Chromium among them, are not this crawl).
    let out = std::process::Command::new(TIME)
        .args(["-f", "peak_rss_kib=%M"])
        .arg(assert_cmd::cargo::cargo_bin("fedireach"))
        .args(["--db", &world.sandbox.db_url(), "crawl", "--since", "all"])
        .current_dir(world.sandbox.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(world.tokens())
        .output()?;
    assert_eq!(out.status.code(), Some(3), "the crawl: {out:?}");
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    let peak_kib: i64 = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter_map(|l| l.strip_prefix("peak_rss_kib="))
        .next_back()
        .and_then(|n| n.trim().parse().ok())
        .ok_or("GNU time printed no peak")?;
    let sim = world.server.world();
    let line_of = |quirk: Quirk| -> Result<String, String> {
        let host = sim
            .hosts_with(quirk)
            .first()
            .map(|h| (*h).to_owned())
            .ok_or(format!("the small world has no {} host", quirk.as_str()))?;
        printed
            .lines()
            .find(|l| l.starts_with(&format!("  {host}: ")))
            .map(str::to_owned)
            .ok_or(format!("{host} is not in the summary:\n{printed}"))
    };
    for (quirk, kind, detail) in [
        (Quirk::Amplifier, "over_limit", "what was read is kept"),
        (Quirk::NestedEndless, "over_limit", "what was read is kept"),
        (Quirk::Drip, "unreachable", "no answer within"),
        (Quirk::GzipBomb, "unsafe", "Content-Encoding"),
        (Quirk::EndlessPages, "malformed", "never end"),
    ] {
        let line = line_of(quirk)?;
        assert!(
            line.contains(&format!(": {kind} ")) && line.contains(detail),
            "{} reported as: {line}",
            quirk.as_str()
        );
    }
    // The lure's own host served nothing wrong: the post whose budget a host spent
    // blames that host, not the origin whose other collections went unread.
    let origin = lure.rsplit('@').next().unwrap_or_default();
    assert!(
        !printed.contains(&format!("  {origin}: ")),
        "{origin} is blamed:\n{printed}"
    );
    let stored: usize = world.stored_engagements()?.values().sum();
    // The amplifier's post: its collection's cap; the nested replies' post: its own
    // cap; the third post: the drip's and the bomb's likes, the endless host's reply.
    assert!(
        stored > PER_COLLECTION && stored <= PER_COLLECTION + PER_POST + 10,
        "{stored} engagements kept of the lure's posts"
    );
    eprintln!("PEAK {peak_kib} KiB, {stored} engagements");
    assert!(
        peak_kib < MAX_CRAWL_RSS_KIB,
        "the crawl peaked at {peak_kib} KiB"
    );
    Ok(())
}

/// `crawl.host_time_budget`: a host that keeps the crawl waiting for its answers longer
/// than its budget (the slow host: every answer late) is asked nothing more and
/// reported `over_limit` with the budget.
#[test]
fn a_host_past_its_time_budget_is_asked_nothing_more() -> TestResult {
    use fedireach_fakeverse::Quirk;
    let world = World::start(Scale::Small, 1)?;
    set_crawl_keys(&world, "host_time_budget = \"500ms\"")?;
    world.add_brands()?;
    let out = world.crawl()?.code(3);
    let printed = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    let host = world
        .server
        .world()
        .hosts_with(Quirk::Slow)
        .first()
        .map(|h| (*h).to_owned())
        .ok_or("the small world has no slow host")?;
    let line = printed
        .lines()
        .find(|l| l.starts_with(&format!("  {host}: ")))
        .ok_or_else(|| format!("{host} is not in the summary:\n{printed}"))?;
    assert!(
        line.contains(": over_limit ") && line.contains("crawl.host_time_budget"),
        "{line}"
    );
    Ok(())
}
