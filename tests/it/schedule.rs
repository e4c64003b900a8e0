//! `serve`'s scheduler as processes: two `serve`s on one database with a schedule firing
//! every few seconds against the simulated fediverse. Crawls never overlap, a "crawl
//! now" from the dashboard's form runs, a crawler killed with SIGKILL mid-crawl is taken
//! over and its crawl completed by the other process, and the data equals the truth.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::TcpStream,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use fedireach_fakeverse::Scale;
use sqlx::Connection;

use crate::{
    util::TestResult,
    world::{Fallible, World},
};

/// The admin token of the first `serve`.
const ADMIN_TOKEN: &str = "schedule-test-admin-token";

/// The longest any phase may take before the test fails (a small world crawls in
/// seconds; the bound only stops a hung test).
const LIMIT: Duration = Duration::from_secs(240);

/// Between two looks at the database.
const POLL: Duration = Duration::from_millis(50);

/// A `serve` process and where it listens.
struct Serve {
    child: Child,
    address: String,
}

impl Serve {
    fn start(world: &World, admin_token: Option<&str>, log: &str) -> Fallible<Self> {
        Self::start_with(world, admin_token, log, world.tokens())
    }

    /// The same, with only `tokens` of the owned brands' token variables set.
    fn start_with(
        world: &World,
        admin_token: Option<&str>,
        log: &str,
        tokens: Vec<(String, String)>,
    ) -> Fallible<Self> {
        let dashboards = concat!(env!("CARGO_MANIFEST_DIR"), "/dashboards");
        let log = std::fs::File::create(world.sandbox.dir.path().join(log))?;
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("fedireach"));
        cmd.current_dir(world.sandbox.dir.path())
            .env_clear()
            .env("RUST_LOG", "info")
            // The world's posts are months old: scheduled crawls take the whole outbox.
            .env("FEDIREACH_CRAWL__SINCE", "all")
            .envs(tokens)
            .args([
                "--db",
                &world.sandbox.db_url(),
                "serve",
                "--listen",
                "127.0.0.1:0",
            ])
            .args(["--dashboards", dashboards])
            .stdout(Stdio::piped())
            .stderr(log);
        if let Some(token) = admin_token {
            cmd.env("FEDIREACH_ADMIN_TOKEN", token);
        }
        let mut child = cmd.spawn()?;
        let mut stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        let mut first = String::new();
        stdout.read_line(&mut first)?;
        let address = first
            .trim()
            .strip_prefix("listening on http://")
            .ok_or_else(|| format!("unexpected first line {first:?}"))?
            .to_owned();
        Ok(Self { child, address })
    }

    /// SIGTERM, then the exit status.
    fn stop(mut self) -> Fallible<std::process::ExitStatus> {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()?;
        assert!(status.success());
        Ok(self.child.wait()?)
    }
}

/// One HTTP/1.1 request with `Connection: close`; the whole response as text.
fn http(address: &str, request_head: &str, body: &str) -> Fallible<String> {
    let mut stream = TcpStream::connect(address)?;
    write!(
        stream,
        "{request_head}\r\nHost: {address}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(response)
}

/// A crawl run as recorded: (id, started, finished, status, trigger).
type Run = (i64, i64, Option<i64>, String, String);

fn runs(world: &World) -> Fallible<Vec<Run>> {
    Ok(world.runtime.block_on(async {
        let mut conn = sqlx::SqliteConnection::connect(&world.sandbox.db_url()).await?;
        sqlx::query_as(
            "SELECT id, started_at, finished_at, status, trigger FROM crawl_runs ORDER BY id",
        )
        .fetch_all(&mut conn)
        .await
    })?)
}

fn lease_holder(world: &World) -> Fallible<Option<String>> {
    Ok(world.runtime.block_on(async {
        let mut conn = sqlx::SqliteConnection::connect(&world.sandbox.db_url()).await?;
        sqlx::query_scalar("SELECT holder FROM leases WHERE name = 'crawl'")
            .fetch_optional(&mut conn)
            .await
    })?)
}

fn job_state(world: &World, id: i64) -> Fallible<Option<(String, Option<i64>)>> {
    Ok(world.runtime.block_on(async {
        let mut conn = sqlx::SqliteConnection::connect(&world.sandbox.db_url()).await?;
        sqlx::query_as("SELECT state, crawl_id FROM crawl_jobs WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut conn)
            .await
    })?)
}

/// Polls until `done` says so; every look also checks that at most one crawl is
/// running. Fails after [`LIMIT`].
fn wait_for(world: &World, what: &str, mut done: impl FnMut(&[Run]) -> bool) -> TestResult {
    let started = Instant::now();
    loop {
        // The database may be mid-migration at the very start: not reading is not failing.
        if let Ok(runs) = runs(world) {
            let running = runs.iter().filter(|r| r.3 == "running").count();
            assert!(running <= 1, "two crawls running at once: {runs:?}");
            if done(&runs) {
                return Ok(());
            }
        }
        if started.elapsed() > LIMIT {
            return Err(format!("timed out waiting for {what}: {:?}", runs(world)).into());
        }
        std::thread::sleep(POLL);
    }
}

fn finished(run: &Run) -> bool {
    matches!(run.3.as_str(), "done" | "partial")
}

/// No run started before the one before it finished.
fn assert_no_overlap(runs: &[Run]) {
    for pair in runs.windows(2) {
        let (before, after) = (&pair[0], &pair[1]);
        let end = before.2.unwrap_or(i64::MAX);
        assert!(
            after.1 >= end,
            "crawl {} started before crawl {} ended: {runs:?}",
            after.0,
            before.0
        );
    }
}

#[test]
fn serve_crawls_on_schedule_one_at_a_time_across_processes_and_survives_a_kill() -> TestResult {
    let world = World::start(Scale::Small, 7)?;
    // One watched brand keeps each crawl short; the schedule fires every 3 s, faster
    // than a crawl, so the scheduler must not pile up or overlap crawls.
    let brand = world
        .truth
        .brands
        .iter()
        .find(|b| b.token.is_none())
        .ok_or("no watched brand")?;
    let mut add = vec!["brand", "add", brand.name.as_str()];
    add.extend(brand.actors.iter().map(String::as_str));
    world.sandbox.run(&add)?.success();
    let config = world.sandbox.dir.path().join("fedireach.toml");
    let mut text = std::fs::read_to_string(&config)?;
    text.push_str("\n[schedule]\ncron = \"*/3 * * * * *\"\njitter = \"0s\"\n");
    // Exports after each scheduled crawl; the world's posts are months old, so the
    // window reaches back years.
    text.push_str(
        "[exports]\ndir = \"exports\"\nreports = [\"reach\", \"compare\"]\nwindow = \"3650d\"\n",
    );
    std::fs::write(&config, text)?;

    let first = Serve::start(&world, Some(ADMIN_TOKEN), "serve-1.log")?;
    let second = Serve::start(&world, None, "serve-2.log")?;

    // Two scheduled crawls complete, one after the other.
    wait_for(&world, "two scheduled crawls", |runs| {
        runs.iter()
            .filter(|r| r.4 == "schedule" && finished(r))
            .count()
            >= 2
    })?;

    // The scheduler told every dashboard when it queues next (a few seconds away at
    // this cadence), and the brand page says where the brand stands.
    let next: Option<String> = world.runtime.block_on(async {
        let mut conn = sqlx::SqliteConnection::connect(&world.sandbox.db_url()).await?;
        sqlx::query_scalar("SELECT value FROM crawl_memory WHERE name = 'next_scheduled_crawl'")
            .fetch_optional(&mut conn)
            .await
    })?;
    let next: i64 = next.ok_or("no next scheduled crawl recorded")?.parse()?;
    let now = chrono::Utc::now().timestamp();
    assert!(
        (now - 10..=now + 10).contains(&next),
        "next {next}, now {now}"
    );
    let page = http(
        &first.address,
        &format!("GET /brands/{} HTTP/1.1", brand.name),
        "",
    )?;
    assert!(
        page.contains("<p class=\"crawl-status\">Last crawled "),
        "{page}"
    );

    // The scheduled crawls wrote the chosen reports as CSV, named by brand, kind, date.
    let exports: Vec<String> = std::fs::read_dir(world.sandbox.dir.path().join("exports"))?
        .map(|entry| Ok(entry?.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, std::io::Error>>()?;
    let reach_file = exports
        .iter()
        .find(|name| name.starts_with(&format!("{}-reach-", brand.name)) && name.ends_with(".csv"))
        .ok_or_else(|| format!("no reach export in {exports:?}"))?;
    assert!(
        exports
            .iter()
            .any(|name| name.starts_with("all-brands-compare-")),
        "no compare export in {exports:?}"
    );
    let reach_csv =
        std::fs::read_to_string(world.sandbox.dir.path().join("exports").join(reach_file))?;
    let header = reach_csv.lines().next().unwrap_or_default();
    assert!(header.contains("software"), "{reach_csv}");
    assert!(
        reach_csv.lines().count() > 2,
        "an export without rows: {reach_csv}"
    );

    // "Crawl now" from the crawl page's form: the page's form token, the admin token.
    let page = http(&first.address, "GET /crawls HTTP/1.1", "")?;
    let form_token = page
        .split("name=\"form_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or("no form token on /crawls")?;
    let queued = http(
        &first.address,
        "POST /crawls HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded",
        &format!("admin_token={ADMIN_TOKEN}&form_token={form_token}"),
    )?;
    let job: i64 = queued
        .split("/crawls?queued=")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .ok_or_else(|| format!("the form did not queue a crawl: {queued}"))?
        .parse()?;
    wait_for(
        &world,
        "the dashboard's crawl job",
        |_| matches!(job_state(&world, job), Ok(Some((state, _))) if state == "done"),
    )?;
    let (_, crawl_id) = job_state(&world, job)?.ok_or("the job vanished")?;
    let job_run = runs(&world)?
        .into_iter()
        .find(|r| Some(r.0) == crawl_id)
        .ok_or("the job has no crawl run")?;
    assert_eq!(job_run.4, "job");
    assert!(finished(&job_run), "{job_run:?}");

    // Health and metrics, over HTTP: the crawls this process ran are counted.
    let health = http(&first.address, "GET /healthz HTTP/1.1", "")?;
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.contains("\"database\":\"ok\""), "{health}");
    let metrics = http(&first.address, "GET /metrics HTTP/1.1", "")?;
    assert!(metrics.starts_with("HTTP/1.1 200"), "{metrics}");
    for name in [
        "fedireach_crawls_total{",
        "fedireach_crawl_requests_total{host=",
        "fedireach_last_crawl_success_timestamp_seconds ",
        "fedireach_crawl_runs{status=\"partial\"}",
    ] {
        assert!(metrics.contains(name), "no {name} in /metrics:\n{metrics}");
    }

    // SIGKILL whichever process is crawling, mid-crawl; the other takes over.
    let mut servers = vec![first, second];
    wait_for(&world, "a crawl to be running", |runs| {
        runs.last().is_some_and(|r| r.3 == "running")
    })?;
    let holder = lease_holder(&world)?.ok_or("a crawl runs without the lease")?;
    let pid: u32 = holder
        .rsplit(':')
        .nth(1)
        .ok_or("a lease holder without a pid")?
        .parse()?;
    let index = servers
        .iter()
        .position(|s| s.child.id() == pid)
        .ok_or_else(|| format!("the lease is held by {holder}, not a test server"))?;
    let mut killed = servers.remove(index);
    let killed_run = runs(&world)?.last().map(|r| r.0).ok_or("no run")?;
    killed.child.kill()?; // SIGKILL: no cleanup runs
    killed.child.wait()?;
    wait_for(
        &world,
        "the killed crawl to be taken over and completed",
        |runs| {
            let interrupted = runs
                .iter()
                .any(|r| r.0 == killed_run && r.3 == "interrupted");
            interrupted && runs.iter().any(|r| r.0 > killed_run && finished(r))
        },
    )?;
    world.assert_brand_engagements_equal_truth(&brand.name)?;

    let survivor = servers.pop().ok_or("no server left")?;
    let exit = survivor.stop()?;
    assert!(exit.success(), "a clean stop on SIGTERM: {exit:?}");
    let all = runs(&world)?;
    assert_no_overlap(&all);
    assert!(
        all.iter().all(|r| r.3 != "running"),
        "a crawl left running after a clean stop: {all:?}"
    );
    // A crawl stopped by SIGTERM gave its job back to the queue for the next start.
    let running_jobs: i64 = world.runtime.block_on(async {
        let mut conn = sqlx::SqliteConnection::connect(&world.sandbox.db_url()).await?;
        sqlx::query_scalar("SELECT COUNT(*) FROM crawl_jobs WHERE state = 'running'")
            .fetch_one(&mut conn)
            .await
    })?;
    assert_eq!(running_jobs, 0, "a job left running after a clean stop");
    Ok(())
}

/// A scheduled crawl that fails (an owned brand whose token variable `serve` was not
/// given) fires the `crawl_failed` rule: a real webhook receiver gets the job and the
/// reason, once per failed job.
#[test]
fn a_failed_scheduled_crawl_alerts_by_webhook() -> TestResult {
    let world = World::start(Scale::Small, 7)?;
    let owned = world
        .truth
        .brands
        .iter()
        .find(|b| b.token.is_some())
        .ok_or("no owned brand")?;
    let var = crate::world::token_var(&owned.name);
    let mut add = vec!["brand", "add", owned.name.as_str()];
    add.extend(owned.actors.iter().map(String::as_str));
    add.extend(["--token-env", var.as_str()]);
    world.sandbox.run(&add)?.success();
    let (port, got) = crate::alerts::receiver(&world.runtime)?;
    let config = world.sandbox.dir.path().join("fedireach.toml");
    let mut text = std::fs::read_to_string(&config)?;
    text.push_str("\n[schedule]\ncron = \"*/3 * * * * *\"\njitter = \"0s\"\n");
    text.push_str(&format!(
        "\n[[alert]]\nname = \"crawls\"\nkind = \"crawl_failed\"\n\
         webhooks = [{{ url = \"http://127.0.0.1:{port}/generic\" }}]\n"
    ));
    std::fs::write(&config, text)?;

    let serve = Serve::start_with(&world, None, "serve.log", Vec::new())?;
    let start = Instant::now();
    let posted = loop {
        let posted = got
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        if !posted.is_empty() || start.elapsed() > LIMIT {
            break posted;
        }
        std::thread::sleep(POLL);
    };
    assert!(serve.stop()?.success());
    let (_, alert) = posted.first().ok_or("no alert within the limit")?;
    assert_eq!(alert["kind"], "crawl_failed");
    let summary = alert["summary"].as_str().expect("summary is a string");
    assert!(
        summary.starts_with("the crawl job ")
            && summary.contains(&format!("is owned but ${var} is not set")),
        "{summary}"
    );
    let job: i64 = alert["details"]["crawl"]
        .as_str()
        .and_then(|c| c.strip_prefix("job "))
        .and_then(|id| id.parse().ok())
        .ok_or("the alert names its job")?;
    assert_eq!(
        job_state(&world, job)?.map(|(state, _)| state).as_deref(),
        Some("failed")
    );
    let mut events: Vec<&str> = posted
        .iter()
        .filter_map(|(_, body)| body["event"].as_str())
        .collect();
    let all = events.len();
    events.dedup();
    assert_eq!(events.len(), all, "one alert per failed job: {posted:?}");
    Ok(())
}
