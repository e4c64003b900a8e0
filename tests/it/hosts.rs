//! What the crawler does with particular hosts: GoToSocial's real robots.txt (watched,
//! and with signed fetches), a forgotten instance, a host without NodeInfo.

use std::process::{Command, Stdio};

use fedireach_fakeverse::{NetworkOptions, Quirk, Scale};
use sqlx::Connection;

use crate::{util::TestResult, world::*};

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
    let rows = report["rows"]
        .as_array()
        .cloned()
        .ok_or("the followers report has no rows array")?;
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
