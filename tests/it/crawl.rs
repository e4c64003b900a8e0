//! The crawler end to end: the real binary crawls the simulated fediverse over TLS on
//! loopback, and the store, the reports and the servers' own logs are checked against
//! the world's ground truth.

use std::collections::{BTreeMap, HashMap};

use fedireach_fakeverse::{FakeverseServer, Scale, ServerOptions, Truth, WorldOptions};
use predicates::{prelude::PredicateBooleanExt, str::contains};
use sqlx::Connection;

use crate::util::{Sandbox, TestResult};

/// Our own rate per host in these tests: rates change how fast, never what is found
/// (the simulated servers' limits, Retry-After and rate-limit headers still apply).
const TEST_RATE_PER_HOST: f64 = 50.0;

/// (post uri, kind, engaging instance) -> how many.
type EngagementCounts = BTreeMap<(String, String, String), usize>;

/// A simulated world served on loopback, and a sandbox configured to crawl it.
struct World {
    runtime: tokio::runtime::Runtime,
    server: FakeverseServer,
    sandbox: Sandbox,
    truth: Truth,
}

impl World {
    fn start(scale: Scale, seed: u64) -> Result<Self, Box<dyn std::error::Error>> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let server = runtime.block_on(FakeverseServer::start(ServerOptions {
            world: WorldOptions {
                seed,
                scale,
                day: 0,
                plain_http: false,
            },
            ..ServerOptions::default()
        }))?;
        let sandbox = Sandbox::new()?;
        let ca = sandbox.dir.path().join("ca.pem");
        std::fs::write(&ca, server.ca_pem().ok_or("the server has no CA")?)?;
        std::fs::write(
            sandbox.dir.path().join("fedireach.toml"),
            format!(
                "[crawl]\nrate_per_host = {TEST_RATE_PER_HOST}\nburst = 10\n\n[network]\nresolve_all = \"{}\"\nallow_loopback = true\nextra_ca_file = \"{}\"\ndeny_addresses = [\"127.0.0.2/32\"]\n",
                server.addr(),
                ca.display()
            ),
        )?;
        let truth = server.truth();
        Ok(Self {
            runtime,
            server,
            sandbox,
            truth,
        })
    }

    /// Adds the truth's brands; owned ones read their token from `<NAME>_TOKEN`.
    fn add_brands(&self) -> TestResult {
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

    fn crawl(&self) -> Result<assert_cmd::assert::Assert, Box<dyn std::error::Error>> {
        let mut cmd = self.sandbox.cmd()?;
        cmd.args(["--db", &self.sandbox.db_url(), "crawl", "--since", "all"]);
        for brand in &self.truth.brands {
            if let Some(token) = &brand.token {
                cmd.env(token_var(&brand.name), token);
            }
        }
        Ok(cmd.assert())
    }

    /// (post, kind, instance) of every engagement in the store, counted.
    fn stored_engagements(&self) -> Result<EngagementCounts, Box<dyn std::error::Error>> {
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

    fn stored_software(&self) -> Result<HashMap<String, String>, Box<dyn std::error::Error>> {
        let rows: Vec<(String, String)> = self.runtime.block_on(async {
            let mut conn = sqlx::SqliteConnection::connect(&self.sandbox.db_url()).await?;
            sqlx::query_as("SELECT host, software FROM instances")
                .fetch_all(&mut conn)
                .await
        })?;
        Ok(rows.into_iter().collect())
    }
}

fn token_var(brand: &str) -> String {
    format!("{}_TOKEN", brand.to_ascii_uppercase())
}

#[test]
fn a_crawl_of_the_small_world_finds_exactly_the_truth_politely() -> TestResult {
    let world = World::start(Scale::Small, 1)?;
    world.add_brands()?;
    // The world has a dead host, so the crawl ends with "some hosts failed".
    world
        .crawl()?
        .code(3)
        .stdout(contains("hosts that failed").and(contains("dead-1.example")));

    let mut expected = EngagementCounts::new();
    for e in &world.truth.engagements {
        *expected
            .entry((
                e.post.clone(),
                e.kind.as_str().to_owned(),
                e.instance.clone(),
            ))
            .or_default() += 1;
    }
    let stored = world.stored_engagements()?;
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

    let software = world.stored_software()?;
    for instance in &world.truth.instances {
        assert_eq!(
            software.get(&instance.host),
            Some(&instance.software),
            "{}",
            instance.host
        );
    }

    for (brand, reports) in &world.truth.reports {
        for (kind, want) in [
            ("reach", serde_json::to_value(&reports.reach)?),
            ("posts", serde_json::to_value(&reports.posts)?),
            ("instances", serde_json::to_value(&reports.instances)?),
        ] {
            let out = world
                .sandbox
                .stdout(&["report", kind, "--brand", brand, "--format", "json"])?;
            let got: serde_json::Value = serde_json::from_str(&out)?;
            assert_eq!(got, want, "report {kind} of {brand}");
        }
    }

    let stats = world.server.stats();
    let hosts = stats["hosts"].as_object().ok_or("stats have no hosts")?;
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
    }
    Ok(())
}

#[test]
fn a_second_crawl_duplicates_nothing() -> TestResult {
    let world = World::start(Scale::Small, 2)?;
    world.add_brands()?;
    world.crawl()?.code(3);
    let first = world.stored_engagements()?;
    world.crawl()?.code(3);
    let second = world.stored_engagements()?;
    assert_eq!(first, second);
    assert!(!first.is_empty());
    Ok(())
}
