//! The crawl tests' harness: a simulated world served on loopback with a sandbox set
//! up to crawl it, and what the tests read back from the store and the servers' logs
//! (the crawl, schedule, deliver, hostile and tour tests share it).

use std::{
    collections::{BTreeMap, HashMap},
    process::Child,
};

use fedireach_fakeverse::{
    FakeverseServer, NetworkOptions, Quirk, Scale, ServerOptions, SimSoftware, Truth, WorldOptions,
};
use sqlx::Connection;

use fedireach_testdb::Backend;

use crate::util::{Sandbox, TestResult};

/// A connection of its own to the sandbox's database, whichever engine it is on.
pub(crate) async fn connect(url: &str) -> Result<sqlx::AnyConnection, sqlx::Error> {
    sqlx::any::install_default_drivers();
    sqlx::AnyConnection::connect(url).await
}

/// Runs `test` once per engine this machine has (SQLite, and PostgreSQL when it is
/// installed), naming the engine of a failure.
pub(crate) fn on_each_backend(test: impl Fn(Backend) -> TestResult) -> TestResult {
    sqlx::any::install_default_drivers();
    for backend in fedireach_testdb::TestDb::backends()? {
        eprintln!("-- on {backend}");
        test(backend).map_err(|e| format!("on {backend}: {e}"))?;
    }
    Ok(())
}

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

    pub(crate) fn start_with(scale: Scale, seed: u64, network: NetworkOptions) -> Fallible<Self> {
        let options = WorldOptions {
            seed,
            scale,
            ..WorldOptions::default()
        };
        Self::start_world(options, network)
    }

    pub(crate) fn start_world(options: WorldOptions, network: NetworkOptions) -> Fallible<Self> {
        Self::start_world_on(options, network, Backend::Sqlite)
    }

    /// A world of `scale` whose crawls store into a database on `backend`.
    pub(crate) fn start_on(scale: Scale, seed: u64, backend: Backend) -> Fallible<Self> {
        let options = WorldOptions {
            seed,
            scale,
            ..WorldOptions::default()
        };
        Self::start_world_on(options, NetworkOptions::default(), backend)
    }

    fn start_world_on(
        options: WorldOptions,
        network: NetworkOptions,
        backend: Backend,
    ) -> Fallible<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let server = runtime.block_on(serve_with(options, network))?;
        let sandbox = Sandbox::on(backend)?;
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
            let mut conn = connect(&self.sandbox.db_url()).await?;
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
    pub(crate) fn assert_instance_health(&self) -> TestResult {
        let rows: Vec<(String, String, String, Option<i64>)> = self.runtime.block_on(async {
            let mut conn = connect(&self.sandbox.db_url()).await?;
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
            let mut conn = connect(&self.sandbox.db_url()).await?;
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
            let mut conn = connect(&self.sandbox.db_url()).await?;
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

/// Requests the simulated servers have answered so far, by host.
pub(crate) fn requests_served(world: &World) -> Fallible<BTreeMap<String, u64>> {
    let stats = world.server.stats();
    let hosts = stats["hosts"].as_object().ok_or("stats have no hosts")?;
    Ok(hosts
        .iter()
        .map(|(host, s)| (host.clone(), s["requests"].as_u64().unwrap_or(0)))
        .collect())
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

/// The consent rows of the store's last crawl: (subject, action, reason) -> count.
pub(crate) fn consent_rows(world: &World) -> Fallible<BTreeMap<(String, String, String), i64>> {
    let rows: Vec<(String, String, String, i64)> = world.runtime.block_on(async {
        let mut conn = connect(&world.sandbox.db_url()).await?;
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

/// The (software, software_source) the store holds for `host`, if it has a row.
pub(crate) fn stored_instance(world: &World, host: &str) -> Fallible<Option<(String, String)>> {
    Ok(world.runtime.block_on(async {
        let mut conn = connect(&world.sandbox.db_url()).await?;
        sqlx::query_as("SELECT software, software_source FROM instances WHERE host = $1")
            .bind(host)
            .fetch_optional(&mut conn)
            .await
    })?)
}

/// `fedireach serve` as a child process, stopped when dropped (also when a test fails).
pub(crate) struct ServeProcess(pub(crate) Child);

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The first rows and fields where two reports differ, short enough to read in a log.
pub(crate) fn json_diff(got: &serde_json::Value, want: &serde_json::Value) -> String {
    // A diagnostic for a failed comparison: a report without rows shows as none.
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
