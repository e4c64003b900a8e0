//! Alerts end to end (issue #16): a real HTTP server (axum, in this test) receives the
//! alert rules' webhooks as the simulated world moves through its days; some also
//! arrive by mail, through the SMTP server of the `deliver` tests.

use std::sync::{Arc, Mutex};

use fedireach_fakeverse::Scale;

use crate::{
    analytics::loaded,
    util::{Sandbox, TestResult},
};

use crate::deliver::*;

/// The bodies a webhook receiver got: (path, JSON body), in arrival order.
pub(crate) type Received = Arc<Mutex<Vec<(String, serde_json::Value)>>>;

/// A webhook receiver on loopback: every JSON body posted, by path.
pub(crate) fn receiver(runtime: &tokio::runtime::Runtime) -> Fallible<(u16, Received)> {
    let got: Received = Arc::default();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let port = listener.local_addr()?.port();
    let store = Arc::clone(&got);
    let app = axum::Router::new().route(
        "/{hook}",
        axum::routing::post(
            move |axum::extract::Path(hook): axum::extract::Path<String>,
                  axum::Json(body): axum::Json<serde_json::Value>| {
                let store = Arc::clone(&store);
                async move {
                    store
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .push((hook, body));
                    "ok"
                }
            },
        ),
    );
    runtime.spawn(async move { axum::serve(listener, app).await });
    Ok((port, got))
}

#[test]
fn a_viral_post_alerts_once_on_every_webhook_and_by_mail() -> TestResult {
    let (sandbox, truth) = loaded(Scale::Small, Sandbox::new()?)?;
    let brand = truth.brands.first().ok_or("no brand")?.name.clone();
    // The threshold: one below the most engaged of the brand's posts published in the
    // 30 days up to its newest, so exactly the posts at that maximum pass it.
    let posts = &truth.reports.get(&brand).ok_or("no reports")?.posts.rows;
    let published =
        |p: &fedireach_core::PostRow| chrono::DateTime::parse_from_rfc3339(&p.published).ok();
    let newest = posts.iter().filter_map(published).max().ok_or("no posts")?;
    let recent: Vec<u64> = posts
        .iter()
        .filter(|p| published(p).is_some_and(|t| t >= newest - chrono::Duration::days(30)))
        .map(|p| p.counts.engagements)
        .collect();
    let top = recent.iter().copied().max().unwrap_or(0);
    let at_top = recent.iter().filter(|&&e| e == top).count();
    assert!(top > 1, "the world's posts are engaged with");
    let runtime = tokio::runtime::Runtime::new()?;
    let (port, got) = receiver(&runtime)?;
    let sink = SmtpSink::start()?;
    write_config(
        &sandbox,
        sink.port,
        &brand,
        &format!(
            r#"
[[alert]]
name = "viral"
kind = "viral"
brands = ["{brand}"]
threshold = {threshold}
mail_to = ["oncall@example.org"]
webhooks = [
  {{ url = "http://127.0.0.1:{port}/generic" }},
  {{ url = "http://127.0.0.1:{port}/slack", format = "slack" }},
  {{ url = "http://127.0.0.1:{port}/matrix", format = "matrix" }},
]
"#,
            threshold = top - 1
        ),
    )?;
    let first = sandbox.stdout(&["deliver"])?;
    let second = sandbox.stdout(&["deliver"])?;
    assert_eq!(first.matches("alert viral:").count(), at_top, "{first}");
    assert_eq!(
        second.matches("alert viral:").count(),
        0,
        "once per event: {second}"
    );
    let got = got
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    assert_eq!(got.len(), 3 * at_top, "{got:?}");
    let (_, generic) = got
        .iter()
        .find(|(h, _)| h == "generic")
        .ok_or("no generic")?;
    assert_eq!(generic["kind"], "viral");
    assert_eq!(generic["details"]["engagements"], top);
    let (_, slack) = got.iter().find(|(h, _)| h == "slack").ok_or("no slack")?;
    assert!(slack["text"].as_str().is_some_and(|t| t.contains(&brand)));
    let (_, matrix) = got.iter().find(|(h, _)| h == "matrix").ok_or("no matrix")?;
    assert!(matrix["html"].is_string() && matrix["text"].is_string());
    // One report mail and one alert mail per event.
    assert_eq!(sink.wait_for(1 + at_top)?.len(), 1 + at_top);
    Ok(())
}

/// A host that answered the first crawl bars every crawler in its robots.txt before the
/// second (its admin edits the file on the running server): the `crawl_failed` rule
/// fires for it once, and never for the hosts that refused from the first meeting
/// (GoToSocial's real robots.txt, the host that bars everything).
#[test]
fn a_host_newly_refusing_the_crawler_alerts_once() -> TestResult {
    let world = crate::world::World::start(Scale::Small, 1)?;
    world.add_brands()?;
    let config = world.sandbox.path().join("fedireach.toml");
    let mut text = std::fs::read_to_string(&config)?;
    let (port, got) = receiver(&world.runtime)?;
    text.push_str(&format!(
        "\n[[alert]]\nname = \"crawls\"\nkind = \"crawl_failed\"\n\
         webhooks = [{{ url = \"http://127.0.0.1:{port}/generic\" }}]\n"
    ));
    std::fs::write(&config, text)?;
    let alerts = |out: &str| -> Vec<String> {
        out.lines()
            .filter(|l| l.starts_with("alert crawls: "))
            .map(str::to_owned)
            .collect()
    };

    world.crawl()?;
    let first = world.sandbox.stdout(&["deliver"])?;
    assert_eq!(
        alerts(&first),
        Vec::<String>::new(),
        "first meetings: {first}"
    );

    let globex = world
        .truth
        .brands
        .iter()
        .find(|b| b.name == "Globex")
        .ok_or("no Globex")?;
    let host = globex
        .actors
        .first()
        .and_then(|a| a.rsplit('@').next())
        .ok_or("no host")?
        .to_owned();
    world
        .server
        .edit_robots(&host, "User-agent: *\nDisallow: /\n")?;
    world.crawl()?;
    let second = alerts(&world.sandbox.stdout(&["deliver"])?);
    assert!(!second.is_empty(), "the barring host is alerted");
    for alert in &second {
        assert!(
            alert.contains(&format!(
                "{host} newly refuses fedireach: its robots.txt now disallows"
            )),
            "{second:?}"
        );
    }
    assert!(
        second
            .iter()
            .any(|a| a.contains("disallows its ActivityPub documents")),
        "{second:?}"
    );

    let posted = got
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    assert_eq!(posted.len(), second.len(), "one webhook per alert");
    assert!(
        posted
            .iter()
            .all(|(_, body)| body["kind"] == "crawl_failed"
                && body["details"]["host"] == host.as_str()),
        "{posted:?}"
    );

    world.crawl()?;
    let third = world.sandbox.stdout(&["deliver"])?;
    assert_eq!(
        alerts(&third),
        Vec::<String>::new(),
        "once per refusal: {third}"
    );
    Ok(())
}

/// Globex's engagements per day of publication in the world of `day` (as the alert
/// rules count them: thread replies apart).
fn globex_daily(day: u32) -> Fallible<std::collections::BTreeMap<String, u64>> {
    let world = fedireach_fakeverse::World::generate(&fedireach_fakeverse::WorldOptions {
        seed: 1,
        scale: Scale::Small,
        day,
        plain_http: false,
        tour: false,
    });
    let truth = fedireach_fakeverse::Truth::of(&world);
    let mut daily = std::collections::BTreeMap::new();
    for post in &truth.reports.get("Globex").ok_or("no Globex")?.posts.rows {
        let date = post.published.get(..10).ok_or("a date")?.to_owned();
        *daily.entry(date).or_insert(0) += post.counts.engagements;
    }
    Ok(daily)
}

/// The world moves through Globex's launch day (`fakeverse --day N`, crawled each day):
/// the day before, no spike; the day after its launch post, exactly one spike alert,
/// for the launch date; a day later, none, though the launch day's count grew. The
/// rule's factor is set above every other day of Globex in the three worlds, so only
/// the planted spike can pass it (Globex's median day is 0 engagements, taken as 1).
#[test]
fn a_spike_alerts_once_as_the_world_moves_through_the_launch_day() -> TestResult {
    let launch = fedireach_fakeverse::LAUNCH_DAY;
    let views: Vec<_> = (launch..=launch + 2)
        .map(globex_daily)
        .collect::<Fallible<_>>()?;
    let before: std::collections::BTreeSet<&String> = views[0].keys().collect();
    let launch_date = views[1]
        .keys()
        .find(|d| !before.contains(d))
        .ok_or("the launch post appears the day after the launch day")?
        .clone();
    let bar = views
        .iter()
        .flat_map(|v| {
            v.iter()
                .filter(|(d, _)| **d != launch_date)
                .map(|(_, n)| *n)
        })
        .max()
        .ok_or("Globex has days")?;
    assert!(
        views[1][&launch_date] > bar,
        "the launch stands out: {} vs {bar}",
        views[1][&launch_date]
    );

    let mut world = crate::world::World::start(Scale::Small, 1)?;
    let (port, got) = receiver(&world.runtime)?;
    let rule = format!(
        "\n[[alert]]\nname = \"spike\"\nkind = \"spike\"\nbrands = [\"Globex\"]\n\
         factor = {bar}.0\nwebhooks = [{{ url = \"http://127.0.0.1:{port}/generic\" }}]\n"
    );
    let config = world.sandbox.path().join("fedireach.toml");
    let mut spikes = Vec::new();
    for day in launch..=launch + 2 {
        // `advance` writes the crawl's config again for the new server.
        world.advance(day)?;
        let mut text = std::fs::read_to_string(&config)?;
        text.push_str(&rule);
        std::fs::write(&config, text)?;
        if day == launch {
            world.add_brands()?;
        }
        world.crawl()?;
        let out = world.sandbox.stdout(&["deliver"])?;
        spikes.push(
            out.lines()
                .filter(|l| l.starts_with("alert spike: "))
                .map(str::to_owned)
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(spikes[0], Vec::<String>::new(), "before the launch");
    assert_eq!(spikes[1].len(), 1, "the launch: {:?}", spikes[1]);
    assert!(
        spikes[1][0].contains(&format!(
            "Globex: {} engagements on {launch_date}",
            views[1][&launch_date]
        )),
        "{:?}",
        spikes[1]
    );
    assert_eq!(spikes[2], Vec::<String>::new(), "once per event");
    let posted = got
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    assert_eq!(posted.len(), 1, "{posted:?}");
    assert_eq!(posted[0].1["kind"], "spike");
    assert_eq!(posted[0].1["details"]["day"], launch_date.as_str());
    Ok(())
}

/// Initech's account loses followers day after day in the simulated world: crawled on
/// day 0 and on day 7, the `follower_drop` rule fires once for it, with the two counts
/// the store holds, and not for the brands that grow.
#[test]
fn a_follower_drop_between_two_crawls_alerts_once() -> TestResult {
    let mut world = crate::world::World::start(Scale::Small, 1)?;
    let (port, got) = receiver(&world.runtime)?;
    let rule = format!(
        "\n[[alert]]\nname = \"drop\"\nkind = \"follower_drop\"\nthreshold = 0\n\
         webhooks = [{{ url = \"http://127.0.0.1:{port}/generic\" }}]\n"
    );
    let config = world.sandbox.path().join("fedireach.toml");
    let with_rule = || -> TestResult {
        let mut text = std::fs::read_to_string(&config)?;
        text.push_str(&rule);
        std::fs::write(&config, text)?;
        Ok(())
    };
    with_rule()?;
    world.add_brands()?;
    world.crawl()?;
    let drops = |out: &str| -> Vec<String> {
        out.lines()
            .filter(|l| l.starts_with("alert drop: "))
            .map(str::to_owned)
            .collect()
    };
    let first = world.sandbox.stdout(&["deliver"])?;
    assert_eq!(drops(&first), Vec::<String>::new(), "one count: {first}");

    let followers = |w: &fedireach_fakeverse::World| -> Fallible<u64> {
        let brand = w.brands().get(2).ok_or("no Initech")?;
        let actor = *brand.actors.first().ok_or("no actor")?;
        Ok(w.followers(actor))
    };
    let before = followers(world.server.world())?;
    world.advance(7)?;
    with_rule()?;
    let after = followers(world.server.world())?;
    assert!(after < before, "Initech declines: {before} to {after}");
    world.crawl()?;
    let second = drops(&world.sandbox.stdout(&["deliver"])?);
    assert_eq!(second.len(), 1, "{second:?}");
    assert!(
        second[0].starts_with("alert drop: Initech (")
            && second[0].contains(&format!("{} followers lost by ", before - after))
            && second[0].ends_with(&format!("({before} to {after})")),
        "{second:?}"
    );
    let again = world.sandbox.stdout(&["deliver"])?;
    assert_eq!(drops(&again), Vec::<String>::new(), "once: {again}");
    let posted = got
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    assert_eq!(posted.len(), 1, "{posted:?}");
    assert_eq!(posted[0].1["details"]["lost"], before - after);
    Ok(())
}
