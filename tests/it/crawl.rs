//! The crawler end to end: the real binary crawls the simulated fediverse over TLS on
//! loopback, and the store, the reports and the servers' own logs are checked against
//! the world's ground truth.

use std::{
    collections::{BTreeMap, HashMap},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use fedireach_fakeverse::{
    FakeverseServer, NetworkOptions, Quirk, Scale, ServerOptions, SimSoftware, Truth, WorldOptions,
};
use predicates::{prelude::PredicateBooleanExt, str::contains};
use sqlx::Connection;

use crate::util::{Sandbox, TestResult};

/// Our own rate per host in these tests: rates change how fast, never what is found
/// (the simulated servers' limits, Retry-After and rate-limit headers still apply).
const TEST_RATE_PER_HOST: f64 = 50.0;

/// A post's uri and its stored coverage of replies, boosts, likes and quotes.
type CoverageRow = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// (post uri, kind, engaging instance) -> how many.
type EngagementCounts = BTreeMap<(String, String, String), usize>;

pub(crate) type Fallible<T> = Result<T, Box<dyn std::error::Error>>;

/// A simulated world served on loopback, and a sandbox configured to crawl it.
pub(crate) struct World {
    pub(crate) runtime: tokio::runtime::Runtime,
    pub(crate) server: FakeverseServer,
    pub(crate) sandbox: Sandbox,
    pub(crate) truth: Truth,
    options: WorldOptions,
}

/// A world whose servers reach others (GoToSocial fetching a signer's key) through
/// `network`.
async fn serve_with(
    world: WorldOptions,
    network: NetworkOptions,
) -> Result<FakeverseServer, fedireach_fakeverse::FakeverseError> {
    FakeverseServer::start(ServerOptions {
        world,
        network,
        ..ServerOptions::default()
    })
    .await
}

/// Points the sandbox's config at a running server (its address and its CA).
pub(crate) fn configure(sandbox: &Sandbox, server: &FakeverseServer) -> TestResult {
    let ca = sandbox.dir.path().join("ca.pem");
    std::fs::write(&ca, server.ca_pem().ok_or("the server has no CA")?)?;
    std::fs::write(
        sandbox.dir.path().join("fedireach.toml"),
        format!(
            "[crawl]\nrate_per_host = {TEST_RATE_PER_HOST}\nburst = 10\n\n[network]\n\
             resolve_all = \"{}\"\nallow_loopback = true\nextra_ca_file = \"{}\"\n\
             deny_addresses = [\"127.0.0.2/32\"]\n",
            server.addr(),
            ca.display()
        ),
    )?;
    Ok(())
}

pub(crate) fn token_var(brand: &str) -> String {
    format!("{}_TOKEN", brand.to_ascii_uppercase())
}

impl World {
    pub(crate) fn start(scale: Scale, seed: u64) -> Fallible<Self> {
        Self::start_with(scale, seed, NetworkOptions::default())
    }

    fn start_with(scale: Scale, seed: u64, network: NetworkOptions) -> Fallible<Self> {
        let options = WorldOptions {
            seed,
            scale,
            ..WorldOptions::default()
        };
        Self::start_world(options, network)
    }

    pub(crate) fn start_world(options: WorldOptions, network: NetworkOptions) -> Fallible<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let server = runtime.block_on(serve_with(options, network))?;
        let sandbox = Sandbox::new()?;
        configure(&sandbox, &server)?;
        let truth = server.truth();
        Ok(Self {
            runtime,
            server,
            sandbox,
            truth,
            options,
        })
    }

    /// The same world `day` days later, on a new server; the sandbox and its store stay.
    pub(crate) fn advance(&mut self, day: u32) -> TestResult {
        let options = WorldOptions {
            day,
            ..self.options
        };
        let server = self
            .runtime
            .block_on(serve_with(options, NetworkOptions::default()))?;
        configure(&self.sandbox, &server)?;
        self.truth = server.truth();
        let old = std::mem::replace(&mut self.server, server);
        self.runtime.block_on(old.shutdown());
        Ok(())
    }

    /// Adds the truth's brands; owned ones read their token from `<NAME>_TOKEN`.
    pub(crate) fn add_brands(&self) -> TestResult {
        for brand in &self.truth.brands {
            let mut args = vec!["brand".to_owned(), "add".to_owned(), brand.name.clone()];
            args.extend(brand.actors.iter().cloned());
            if brand.token.is_some() {
                args.push("--token-env".to_owned());
                args.push(token_var(&brand.name));
            }
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            self.sandbox.run(&args)?.success();
        }
        Ok(())
    }

    /// The owned brands' token variables and tokens, for a crawl's environment.
    pub(crate) fn tokens(&self) -> Vec<(String, String)> {
        self.truth
            .brands
            .iter()
            .filter_map(|b| Some((token_var(&b.name), b.token.clone()?)))
            .collect()
    }

    pub(crate) fn crawl(&self) -> Fallible<assert_cmd::assert::Assert> {
        let mut cmd = self.sandbox.cmd()?;
        cmd.args(["--db", &self.sandbox.db_url(), "crawl", "--since", "all"])
            .envs(self.tokens());
        Ok(cmd.assert())
    }

    /// (post, kind, instance) of every engagement in the store, counted.
    pub(crate) fn stored_engagements(&self) -> Fallible<EngagementCounts> {
        let rows: Vec<(String, String, String)> = self.runtime.block_on(async {
            let mut conn = sqlx::SqliteConnection::connect(&self.sandbox.db_url()).await?;
            sqlx::query_as(
                "SELECT p.uri, e.kind, e.host FROM engagements e JOIN posts p ON p.id = e.post_id
                 WHERE e.removed_at IS NULL",
            )
            .fetch_all(&mut conn)
            .await
        })?;
        let mut counts = BTreeMap::new();
        for row in rows {
            *counts.entry(row).or_default() += 1;
        }
        Ok(counts)
    }

    /// Every instance the crawl asked something of has its health on its row: how it
    /// answered, its robots.txt, its Crawl-delay (GoToSocial's real file has one).
    fn assert_instance_health(&self) -> TestResult {
        let rows: Vec<(String, String, String, Option<i64>)> = self.runtime.block_on(async {
            let mut conn = sqlx::SqliteConnection::connect(&self.sandbox.db_url()).await?;
            sqlx::query_as("SELECT host, reachability, robots_state, crawl_delay_ms FROM instances")
                .fetch_all(&mut conn)
                .await
        })?;
        let stats = self.server.stats();
        let dead = self.server.world().hosts_with(Quirk::Dead);
        let world = self.server.world();
        let gotosocial: Vec<&str> = world
            .instances()
            .iter()
            .filter(|i| i.software == SimSoftware::Gotosocial && i.quirk == Quirk::Normal)
            .map(|i| i.host.as_str())
            .collect();
        let (mut ok, mut gts_met) = (0, 0);
        for (host, reachability, robots, delay) in &rows {
            let asked = stats["hosts"][host]["requests"].as_u64().unwrap_or(0) > 0;
            if dead.contains(&host.as_str()) {
                assert_eq!(reachability, "failing", "{host} never answers");
            } else if asked {
                assert_eq!(reachability, "ok", "{host} answered");
                assert!(
                    ["allowed", "partial", "disallowed"].contains(&robots.as_str()),
                    "{host}: robots.txt was read: {robots}"
                );
                ok += 1;
            }
            if gotosocial.contains(&host.as_str()) && asked {
                assert_eq!(
                    robots, "partial",
                    "{host}: GoToSocial's robots.txt has rules"
                );
                assert!(delay.is_some_and(|d| d > 0), "{host}: its Crawl-delay");
                gts_met += 1;
            }
        }
        assert!(ok > 5, "instances answered the crawl ({ok})");
        assert!(gts_met > 0, "a GoToSocial instance was met");
        Ok(())
    }

    fn stored_software(&self) -> Fallible<HashMap<String, String>> {
        let rows: Vec<(String, String)> = self.runtime.block_on(async {
            let mut conn = sqlx::SqliteConnection::connect(&self.sandbox.db_url()).await?;
            sqlx::query_as("SELECT host, software FROM instances")
                .fetch_all(&mut conn)
                .await
        })?;
        Ok(rows.into_iter().collect())
    }

    /// What the truth says the store holds, as (post, kind, instance) counts.
    fn expected(&self) -> EngagementCounts {
        let mut expected = EngagementCounts::new();
        for e in &self.truth.engagements {
            *expected
                .entry((
                    e.post.clone(),
                    e.kind.as_str().to_owned(),
                    e.instance.clone(),
                ))
                .or_default() += 1;
        }
        expected
    }

    /// The store's engagements with one brand's posts equal the truth's. (A crawl of
    /// one brand can learn less of instances' software than a crawl of all, whose
    /// truth the reports follow, so only the engagements are compared.)
    pub(crate) fn assert_brand_engagements_equal_truth(&self, brand: &str) -> TestResult {
        let posts: std::collections::HashSet<&str> = self
            .truth
            .posts
            .iter()
            .filter(|p| p.brand == brand)
            .map(|p| p.uri.as_str())
            .collect();
        let mut expected = self.expected();
        expected.retain(|(post, _, _), _| posts.contains(post.as_str()));
        let mut stored = self.stored_engagements()?;
        stored.retain(|(post, _, _), _| posts.contains(post.as_str()));
        assert!(!expected.is_empty(), "the brand {brand} has no engagements");
        assert_eq!(stored, expected, "the engagements with {brand}'s posts");
        Ok(())
    }

    pub(crate) fn assert_store_equals_truth(&self) -> TestResult {
        let expected = self.expected();
        let stored = self.stored_engagements()?;
        let missing: Vec<_> = expected
            .iter()
            .filter(|(k, n)| stored.get(*k) != Some(n))
            .collect();
        let extra: Vec<_> = stored
            .iter()
            .filter(|(k, n)| expected.get(*k) != Some(n))
            .collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "missing or miscounted: {missing:?}\nextra: {extra:?}"
        );
        let software = self.stored_software()?;
        for instance in &self.truth.instances {
            assert_eq!(
                software.get(&instance.host),
                Some(&instance.software),
                "{}",
                instance.host
            );
        }
        Ok(())
    }

    /// Each post's stored coverage (itemised, reported or unavailable and why, per
    /// kind) equals the truth's, for every post whose origin software has a rule.
    pub(crate) fn assert_coverage_equals_truth(&self) -> TestResult {
        let rows: Vec<CoverageRow> = self.runtime.block_on(async {
            let mut conn = sqlx::SqliteConnection::connect(&self.sandbox.db_url()).await?;
            sqlx::query_as(
                "SELECT uri, replies_coverage, boosts_coverage, likes_coverage, quotes_coverage
                     FROM posts",
            )
            .fetch_all(&mut conn)
            .await
        })?;
        let stored: HashMap<String, [Option<String>; 4]> = rows
            .into_iter()
            .map(|(uri, r, b, l, q)| (uri, [r, b, l, q]))
            .collect();
        let mut compared = 0;
        for post in &self.truth.posts {
            let Some(want) = post.coverage else { continue };
            let want = [want.replies, want.boosts, want.likes, want.quotes].map(|c| Some(c.code()));
            assert_eq!(
                stored.get(&post.uri),
                Some(&want),
                "coverage (replies, boosts, likes, quotes) of {} ({})",
                post.uri,
                post.brand
            );
            compared += 1;
        }
        assert!(compared > 0, "no post has an expected coverage");
        Ok(())
    }

    /// Compares `report KIND --format json` of every brand with the truth's.
    pub(crate) fn assert_reports_equal_truth(&self, kinds: &[&str]) -> TestResult {
        for (brand, reports) in &self.truth.reports {
            for kind in kinds {
                let want = match *kind {
                    "reach" => serde_json::to_value(&reports.reach)?,
                    "posts" => serde_json::to_value(&reports.posts)?,
                    "languages" => serde_json::to_value(&reports.languages)?,
                    _ => serde_json::to_value(&reports.instances)?,
                };
                let out = self
                    .sandbox
                    .stdout(&["report", kind, "--brand", brand, "--format", "json"])?;
                let got: serde_json::Value = serde_json::from_str(&out)?;
                if got != want {
                    panic!(
                        "report {kind} of {brand} differs: {}",
                        json_diff(&got, &want)
                    );
                }
            }
        }
        Ok(())
    }
}

#[test]
fn a_crawl_of_the_small_world_finds_exactly_the_truth_politely() -> TestResult {
    let world = World::start(Scale::Small, 1)?;
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

/// Requests the simulated servers have answered so far, by host.
pub(crate) fn requests_served(world: &World) -> Fallible<BTreeMap<String, u64>> {
    let stats = world.server.stats();
    let hosts = stats["hosts"].as_object().ok_or("stats have no hosts")?;
    Ok(hosts
        .iter()
        .map(|(host, s)| (host.clone(), s["requests"].as_u64().unwrap_or(0)))
        .collect())
}

/// The first rows and fields where two reports differ, short enough to read in a log.
fn json_diff(got: &serde_json::Value, want: &serde_json::Value) -> String {
    let rows = |v: &serde_json::Value| v["rows"].as_array().cloned().unwrap_or_default();
    let (got_rows, want_rows) = (rows(got), rows(want));
    let mut out = format!("{} rows, expected {}", got_rows.len(), want_rows.len());
    for (key, value) in want.as_object().into_iter().flatten() {
        if key != "rows" && got.get(key) != Some(value) {
            out.push_str(&format!(
                "\n  {key}: got {} expected {value}",
                got[key.as_str()]
            ));
        }
    }
    for (g, w) in got_rows
        .iter()
        .zip(&want_rows)
        .filter(|(g, w)| g != w)
        .take(3)
    {
        let fields: Vec<String> = w
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, v)| g.get(k.as_str()) != Some(v))
            .map(|(k, v)| {
                format!(
                    "{k}: got {} expected {v}",
                    g.get(k.as_str()).unwrap_or(&serde_json::Value::Null)
                )
            })
            .collect();
        out.push_str(&format!(
            "\n  row {}: {}",
            w["uri"]
                .as_str()
                .or(w["host"].as_str())
                .or(w["software"].as_str())
                .unwrap_or("?"),
            fields.join("; ")
        ));
    }
    out
}

/// The servers' own logs: no host's limit exceeded, no 429 provoked, no path that
/// robots.txt disallows asked for.
pub(crate) fn assert_polite(world: &World) -> TestResult {
    let stats = world.server.stats();
    let hosts = stats["hosts"].as_object().ok_or("stats have no hosts")?;
    assert!(!hosts.is_empty());
    for (host, s) in hosts {
        assert_eq!(
            s["over_limit"], 0,
            "{host} got more than its own limit: {s}"
        );
        assert_eq!(
            s["robots_violations"], 0,
            "{host} was asked for a path robots.txt disallows: {s}"
        );
        assert_eq!(s["status_429"], 0, "{host} had to answer 429: {s}");
        assert_eq!(
            s["crawl_delay_violations"], 0,
            "{host} was asked sooner than its Crawl-delay: {s}"
        );
    }
    Ok(())
}

#[test]
fn a_crawl_of_the_medium_world_finds_exactly_the_truth_politely() -> TestResult {
    let world = World::start(Scale::Medium, 1)?;
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
}

/// A crawl right after another, with nothing changed, may cost this many requests per
/// tracked actor and post (issue #4: "about one"): each actor costs its resolution, its
/// host's NodeInfo and outbox pages, each Mastodon or Misskey post one conditional
/// request; PeerTube videos, whose documents do not change when someone engages, are
/// read in full again.
const RECRAWL_REQUESTS_PER_ITEM: u64 = 3;

#[test]
fn a_second_crawl_duplicates_nothing_and_rereads_only_what_changed() -> TestResult {
    let world = World::start(Scale::Small, 2)?;
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
}

#[test]
fn a_later_day_adds_new_engagements_removes_undone_ones_and_records_growth() -> TestResult {
    let mut world = World::start(Scale::Small, 3)?;
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
    let out =
        world
            .sandbox
            .stdout(&["report", "followers", "--brand", &brand, "--format", "json"])?;
    let followers: serde_json::Value = serde_json::from_str(&out)?;
    let rows = followers["rows"].as_array().ok_or("no rows")?;
    assert!(rows.len() >= 2, "two crawls, two snapshots: {followers}");
    Ok(())
}

#[test]
fn a_crawl_killed_at_any_point_resumes_to_the_same_data() -> TestResult {
    let world = World::start(Scale::Small, 4)?;
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
    let world = World::start(Scale::Small, 5)?;
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
}

/// `fedireach serve` as a child process, stopped when dropped (also when a test fails).
struct ServeProcess(Child);

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The consent rows of the store's last crawl: (subject, action, reason) -> count.
pub(crate) fn consent_rows(world: &World) -> Fallible<BTreeMap<(String, String, String), i64>> {
    let rows: Vec<(String, String, String, i64)> = world.runtime.block_on(async {
        let mut conn = sqlx::SqliteConnection::connect(&world.sandbox.db_url()).await?;
        sqlx::query_as(
            "SELECT subject, action, reason, count FROM crawl_consent
             WHERE crawl_id = (SELECT MAX(id) FROM crawl_runs)",
        )
        .fetch_all(&mut conn)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(s, a, r, n)| ((s, a, r), n))
        .collect())
}

/// Tracks an account on a GoToSocial host as the watched brand `gts`, crawls, and gives
/// (its host, its handle, the crawl's stdout, the `followers` report's rows).
/// GoToSocial's real robots.txt bars `/users/`, `/api/` and WebFinger to every crawler
/// (superseriousbusiness/gotosocial internal/api/util/robots.go).
fn crawl_a_gotosocial_account(
    world: &World,
) -> Fallible<(String, String, String, Vec<serde_json::Value>)> {
    let sim = world.server.world();
    let (index, actor) = sim
        .actors()
        .iter()
        .enumerate()
        .find(|(_, a)| {
            a.brand.is_none()
                && sim.instances().get(a.instance as usize).is_some_and(|i| {
                    i.software.slug() == "gotosocial" && i.quirk.as_str() == "normal"
                })
        })
        .ok_or("the world has no GoToSocial account")?;
    let index = u32::try_from(index)?;
    let host = sim
        .instances()
        .get(actor.instance as usize)
        .map(|i| i.host.clone())
        .ok_or("no host")?;
    world
        .sandbox
        .run(&["brand", "add", "gts", &sim.handle(index)])?
        .success();
    let handle = sim.handle(index);
    // The brand's actor cannot be resolved: the crawl says which and why, and ends with
    // exit code 3.
    let crawl = world.crawl()?.code(3);
    let printed = String::from_utf8_lossy(&crawl.get_output().stdout).into_owned();
    let out =
        world
            .sandbox
            .stdout(&["report", "followers", "--brand", "gts", "--format", "json"])?;
    let report: serde_json::Value = serde_json::from_str(&out)?;
    let rows = report["rows"].as_array().cloned().unwrap_or_default();
    Ok((host, handle, printed, rows))
}

#[test]
fn a_watched_brand_on_gotosocial_is_left_out_by_its_real_robots_txt() -> TestResult {
    let world = World::start(Scale::Small, 6)?;
    let (host, handle, printed, followers) = crawl_a_gotosocial_account(&world)?;
    let consent = consent_rows(&world)?;
    assert_eq!(
        consent.get(&("host".into(), "left_out".into(), "robots_txt".into())),
        Some(&1),
        "{consent:?}"
    );
    assert!(
        printed.contains("brand actors that could not be resolved (1):")
            && printed.contains(&handle)
            && printed.contains("disallowed by robots.txt"),
        "{printed}"
    );
    let stats = &world.server.stats()["hosts"][&host];
    assert_eq!(stats["robots_violations"], 0, "{stats}");
    assert!(
        followers.iter().all(|r| r["followers"].is_null()),
        "nothing read behind robots.txt: {followers:?}"
    );
    Ok(())
}

/// A public URL lets the crawler sign its fetches, but signing is no way around
/// robots.txt: GoToSocial's bars its actors to every crawler, so nothing is asked of it.
#[test]
fn with_a_public_url_gotosocial_is_still_left_out_by_its_robots_txt() -> TestResult {
    // serve publishes the instance actor at public_url; the GoToSocial host fetches its
    // key from there to verify each signature.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let public_url = format!("http://127.0.0.1:{port}");
    let world = World::start_with(
        Scale::Small,
        6,
        NetworkOptions {
            allow_http: true,
            ..NetworkOptions::default()
        },
    )?;
    let config = world.sandbox.dir.path().join("fedireach.toml");
    let text = std::fs::read_to_string(&config)?;
    std::fs::write(
        &config,
        format!("public_url = \"{public_url}\"\n{text}allow_http = true\n"),
    )?;
    let dashboards = concat!(env!("CARGO_MANIFEST_DIR"), "/dashboards");
    let mut serve = ServeProcess(
        Command::new(assert_cmd::cargo::cargo_bin("fedireach"))
            .current_dir(world.sandbox.dir.path())
            .env_clear()
            .args(["--db", &world.sandbox.db_url(), "serve", "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["--no-schedule", "--dashboards", dashboards])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?,
    );
    let stdout = serve.0.stdout.take().ok_or("no stdout")?;
    let mut first = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut first)?;
    assert_eq!(first.trim(), format!("listening on {public_url}"));

    let (host, handle, printed, followers) = crawl_a_gotosocial_account(&world)?;
    let consent = consent_rows(&world)?;
    assert_eq!(
        consent.get(&("host".into(), "left_out".into(), "robots_txt".into())),
        Some(&1),
        "{consent:?}"
    );
    assert!(printed.contains(&handle), "{printed}");
    let stats = &world.server.stats()["hosts"][&host];
    assert_eq!(stats["signed"], 0, "{stats}");
    assert_eq!(stats["robots_violations"], 0, "{stats}");
    assert!(followers.iter().all(|r| r["followers"].is_null()));
    drop(serve);
    Ok(())
}

/// The (software, software_source) the store holds for `host`, if it has a row.
pub(crate) fn stored_instance(world: &World, host: &str) -> Fallible<Option<(String, String)>> {
    Ok(world.runtime.block_on(async {
        let mut conn = sqlx::SqliteConnection::connect(&world.sandbox.db_url()).await?;
        sqlx::query_as("SELECT software, software_source FROM instances WHERE host = ?")
            .bind(host)
            .fetch_optional(&mut conn)
            .await
    })?)
}

/// `forget instance HOST` stops every later request to the host, NodeInfo included:
/// the fakeverse's request log shows none, and its row is not written again.
#[test]
fn a_forgotten_instance_is_asked_nothing_by_later_crawls() -> TestResult {
    let world = World::start(Scale::Small, 1)?;
    world.add_brands()?;
    world.crawl()?;
    let brand_hosts: Vec<&str> = world
        .truth
        .brands
        .iter()
        .flat_map(|b| b.actor_ids.iter())
        .filter_map(|id| id.split('/').nth(2))
        .collect();
    let host = world
        .truth
        .instances
        .iter()
        .find(|i| i.software_source == "nodeinfo" && !brand_hosts.contains(&i.host.as_str()))
        .map(|i| i.host.clone())
        .ok_or("no engaging instance with NodeInfo")?;
    assert!(
        stored_instance(&world, &host)?.is_some(),
        "{host} was stored"
    );
    world.sandbox.run(&["forget", "instance", &host])?.success();
    // The next crawl reads every post again (its conditional-GET memory cleared), so it
    // meets the forgotten host's engagers as the first one did.
    world.runtime.block_on(async {
        let mut conn = sqlx::SqliteConnection::connect(&world.sandbox.db_url()).await?;
        sqlx::query("DELETE FROM http_cache")
            .execute(&mut conn)
            .await
    })?;
    let requests = |world: &World| world.server.stats()["hosts"][&host]["requests"].as_u64();
    let before = requests(&world);
    world.crawl()?;
    assert_eq!(requests(&world), before, "{host} was asked again");
    assert_eq!(stored_instance(&world, &host)?, None, "{host} came back");
    Ok(())
}

/// A brand whose host serves no NodeInfo: its software is read from the `@context` of
/// the brand's own actor document.
#[test]
fn a_brand_host_without_nodeinfo_is_classified_from_its_actors_context() -> TestResult {
    let world = World::start(Scale::Small, 1)?;
    let sim = world.server.world();
    let (index, actor) =
        sim.actors()
            .iter()
            .enumerate()
            .find(|(_, a)| {
                !a.gone
                    && sim.instances().get(a.instance as usize).is_some_and(|i| {
                        i.quirk == Quirk::NoNodeinfo && i.software.slug() == "misskey"
                    })
            })
            .ok_or("the world has no Misskey host without NodeInfo")?;
    let host = sim
        .instances()
        .get(actor.instance as usize)
        .map(|i| i.host.clone())
        .ok_or("no host")?;
    world
        .sandbox
        .run(&["brand", "add", "nonode", &sim.handle(u32::try_from(index)?)])?
        .success();
    world.crawl()?;
    assert_eq!(
        stored_instance(&world, &host)?,
        Some(("misskey".to_owned(), "context".to_owned()))
    );
    Ok(())
}
