//! What the brand, crawls and instance pages' panels say: unknown counts as unknown,
//! empty panels explained, where a brand stands with the crawler, timelines that add up.

use axum::http::StatusCode;

use crate::world::{RIVAL, TestResult, world};

const AUGUST: &str = "from=2026-08-01&to=2026-08-31";
use crate::pages::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_counts_are_shown_as_unknown_with_their_reason_never_as_zero() -> TestResult {
    let w = world(None).await?;
    let rival = url::form_urlencoded::byte_serialize(RIVAL.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    let page = unslash(&w.get(&format!("/brands/{rival}")).await?.body);
    // The key figures say what they leave out, and why.
    let figures = panel(&page, "Key figures")?;
    assert!(
        figures.contains(
            "Unknown, so not in these figures: the replies of 1 post (disallowed by robots.txt), \
             the quotes of 1 post (not exposed by the server software)"
        ),
        "{figures}"
    );
    // The post's cells: n/a with the reason, not 0.
    let posts = panel(&page, "Top posts")?;
    assert!(
        posts.contains(r#"class="unknown">n/a (disallowed by robots.txt)</td>"#),
        "{posts}"
    );
    assert!(
        posts.contains("n/a (not exposed by the server software)"),
        "{posts}"
    );
    assert!(
        posts.contains("1 of 5 reported"),
        "likes stay itemised: {posts}"
    );
    // The tables of counts say under them what their counts leave out.
    let reach = panel(&page, "Reach by server software")?;
    assert!(
        reach.contains(
            "Unknown, so not in these counts: the replies of 1 post, the quotes of 1 post"
        ),
        "{reach}"
    );
    assert!(
        !reach.contains("unavailable posts"),
        "the columns become the note"
    );
    // Acme's posts have no unknown kind: no such words on its page.
    let acme = w.get("/brands/acme").await?.body;
    assert!(!acme.contains("Unknown, so not"), "acme leaves nothing out");
    assert!(!acme.contains("n/a ("), "acme has no unknown cell");
    // The overview card says it too; the JSON figures and the CSV as numbers.
    assert!(
        unslash(&w.get("/").await?.body)
            .contains("Unknown, so not counted: the replies of 1 post (disallowed by robots.txt)")
    );
    let json: serde_json::Value = serde_json::from_str(
        &w.get(&format!("/api/v1/brands/{rival}/figures"))
            .await?
            .body,
    )?;
    assert_eq!(
        json["current"]["unavailable_posts"],
        serde_json::json!({"replies": 1, "boosts": 0, "likes": 0, "quotes": 1})
    );
    let csv = w
        .get(&format!("/brands/{rival}/reports/reach.csv"))
        .await?
        .body;
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .is_some_and(|h| h.ends_with("unavailable_posts_likes,unavailable_posts_quotes")),
        "{csv}"
    );
    assert!(lines.all(|row| row.ends_with(",1,0,0,1")), "{csv}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_panels_say_why_instead_of_drawing_bare_axes() -> TestResult {
    let w = world(None).await?;
    // A brand no crawl has resolved yet: every panel says so, no chart is drawn.
    let actor = fedireach_core::ActorRef::parse("@late@late.example", Default::default())?;
    w.state.store().add_brand("late", &[actor], None).await?;
    // Apostrophes are escaped in the page as every text is.
    let text = |body: &str| unslash(body).replace("&#x27;", "'");
    let late = text(&w.get("/brands/late").await?.body);
    for title in [
        "Engagements by server software",
        "Top instances",
        "Best time to post",
        "Follower growth",
        "Top posts",
        "Reach by server software",
        "Hashtags",
    ] {
        let text = panel(&late, title)?;
        assert!(
            text.contains("Not crawled yet: this fills in after the brand's first crawl"),
            "{title}: {text}"
        );
        assert!(!text.contains("<svg"), "{title} draws no empty chart");
    }
    // A window without posts says so.
    let old = unslash(
        &w.get("/brands/acme?from=2020-01-01&to=2020-01-31")
            .await?
            .body,
    );
    let reach = panel(&old, "Engagements by server software")?;
    assert!(
        reach.contains("No post of this brand was published in this window: choose a longer one."),
        "{reach}"
    );
    let posts = panel(&old, "Top posts")?;
    assert!(
        posts.contains("No post of this brand was published"),
        "{posts}"
    );
    // Acme has one crawl, so one follower count: growth needs a second one.
    let acme = text(&w.get("/brands/acme").await?.body);
    let growth = panel(&acme, "Follower growth")?;
    assert!(
        growth.contains("Needs two crawls: one follower count so far (500 on "),
        "{growth}"
    );
    assert!(!growth.contains("<svg"), "{growth}");
    // A window with posts but outside every crawl took no follower count.
    let august = unslash(
        &w.get("/brands/acme?from=2026-08-01&to=2026-08-31")
            .await?
            .body,
    );
    let growth = panel(&august, "Follower growth")?;
    assert!(
        growth.contains("No crawl in this window took the follower count"),
        "{growth}"
    );
    // Where there is something to draw, it is drawn.
    assert!(panel(&august, "Engagements by server software")?.contains("<svg"));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_crawls_page_lists_the_configured_mails_and_alerts_with_their_last_run() -> TestResult {
    use fedireach_web::{ConfiguredRule, WebConfig};
    let rule = |kind, name: &str, rule: &str| ConfiguredRule {
        kind,
        name: name.to_owned(),
        rule: rule.to_owned(),
    };
    let w = crate::world::world_with(
        None,
        WebConfig {
            rules: vec![
                rule(
                    "report mail",
                    "monthly-acme",
                    "reach of acme over calendar_month",
                ),
                rule("report mail", "weekly-all", "posts of every brand over 7d"),
                rule(
                    "alert",
                    "spikes",
                    "a day of any brand with engagements above 3 x",
                ),
                rule("alert", "viral", "a post of acme past 100 engagements"),
            ],
            ..WebConfig::default()
        },
    )
    .await?;
    let store = w.state.store();
    if let fedireach_store::DeliveryClaim::Send { id, .. } = store
        .claim_delivery("monthly-acme", "2026-12", ("2026-11-01", "2026-11-30"))
        .await?
    {
        store.delivery_sent(id).await?;
    }
    for event in ["acme/2026-12-01", "acme/2026-12-03"] {
        store.fire_alert_once("spikes", event, "a spike").await?;
    }
    let page = unslash(&w.get("/crawls").await?.body);
    let rules = panel(&page, "Report mails and alert rules, as configured")?;
    let rows: Vec<&str> = rules.split("<tr>").skip(2).collect();
    assert_eq!(rows.len(), 4, "{rules}");
    for (row, said) in rows.iter().zip([
        [
            "monthly-acme",
            "reach of acme over calendar_month",
            "sent 2026-11-01 to 2026-11-30 at ",
        ],
        ["weekly-all", "posts of every brand over 7d", "never run"],
        [
            "spikes",
            "engagements above 3 x",
            "fired 2 time(s), last at ",
        ],
        ["viral", "past 100 engagements", "never fired"],
    ]) {
        for text in said {
            assert!(row.contains(text), "{text} in {row}");
        }
    }
    // Without rules the panel says how to add some.
    let bare = unslash(&world(None).await?.get("/crawls").await?.body);
    assert!(bare.contains("None configured: add [[delivery]] or [[alert]] entries"));
    assert!(
        bare.contains("Nothing queued: the crawler is idle"),
        "an empty queue says so"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_brand_page_says_where_the_brand_stands_with_the_crawler() -> TestResult {
    let w = world(None).await?;
    let status = |page: &str| -> Result<String, String> {
        page.split("<p class=\"crawl-status\">")
            .nth(1)
            .and_then(|p| p.split("</p>").next())
            .map(str::to_owned)
            .ok_or("a crawl status line".to_owned())
    };
    // The world's one crawl, of every brand, ended partial.
    let first = status(&w.get("/brands/acme").await?.body)?;
    assert!(first.starts_with("Last crawled 20"), "{first}");
    assert!(first.contains(" UTC (partial)."), "{first}");
    assert!(!first.contains("queued"), "{first}");
    // A crawl asked for after the page was cached shows at once, as does the next
    // scheduled one; times are in the view's zone.
    w.state
        .store()
        .enqueue_crawl_job(Some("acme"), "test")
        .await?;
    let ahead = chrono::Utc::now().timestamp() + 7200;
    w.state.store().set_next_scheduled_crawl(ahead).await?;
    let now = status(&w.get("/brands/acme").await?.body)?;
    assert!(now.contains("A crawl is queued (asked "), "{now}");
    assert!(now.contains("Next scheduled crawl: "), "{now}");
    let tokyo = status(&w.get("/brands/acme?tz=Asia/Tokyo").await?.body)?;
    assert!(tokyo.contains(" JST"), "{tokyo}");
    // An account the last crawl could not read: its posts are unknown, with the reason,
    // on the page and in the API's brand list.
    let acme = w.state.store().brand("acme").await?;
    w.state
        .store()
        .set_tracked_actor_unread(
            acme.actors[0].id,
            Some(("unlisted", "its outbox: 404 <Not Found>")),
        )
        .await?;
    let unread = status(&w.get("/brands/acme").await?.body)?;
    assert!(
        unread.contains(
            "Not read by the last crawl, so its posts are unknown: @acme@brand.example its \
             posts could not be listed: its outbox: 404 &lt;Not Found&gt;."
        ),
        "{unread}"
    );
    let listed: serde_json::Value = serde_json::from_str(&w.get("/api/v1/brands").await?.body)?;
    let entry = listed["brands"]
        .as_array()
        .and_then(|b| b.iter().find(|b| b["name"] == "acme"))
        .ok_or("acme is listed")?;
    assert_eq!(
        entry["unread"],
        serde_json::json!([{
            "actor": "@acme@brand.example",
            "kind": "unlisted",
            "reason": "its outbox: 404 <Not Found>",
        }])
    );
    w.state
        .store()
        .set_tracked_actor_unread(acme.actors[0].id, None)
        .await?;
    let read = status(&w.get("/brands/acme").await?.body)?;
    assert!(!read.contains("Not read"), "{read}");
    // A brand added since: not crawled yet, whatever ran before it.
    let actor = fedireach_core::ActorRef::parse("@late@late.example", Default::default())?;
    w.state.store().add_brand("late", &[actor], None).await?;
    let late = status(&w.get("/brands/late").await?.body)?;
    assert!(late.starts_with("Not crawled yet."), "{late}");
    // The crawls table says which brands each crawl covered.
    let crawls = w.get("/crawls").await?.body;
    assert!(
        crawls.contains("<th scope=\"col\">brands</th>"),
        "a brands column"
    );
    assert!(
        crawls.contains("<td>all</td>"),
        "the world's crawl covered every brand"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_instance_page_says_how_the_instance_can_be_crawled() -> TestResult {
    let w = world(None).await?;
    let page = unslash(&w.get("/instances/misskey.example").await?.body);
    let health = panel(&page, "How fedireach can crawl it")?;
    for said in [
        "<dt>Reachability</dt><dd>answers</dd>",
        "rules that close some paths: those are not read; Crawl-delay 2.5 s, obeyed",
        "required: it refused an unsigned ActivityPub request",
    ] {
        assert!(health.contains(said), "{said} in {health}");
    }
    // An instance no crawl has asked yet says so rather than "ok".
    let lemmy = unslash(&w.get("/instances/lemmy.example").await?.body);
    assert!(lemmy.contains("not asked by a crawl yet"), "{lemmy}");
    assert!(
        lemmy.contains("not read (unavailable or never asked)"),
        "{lemmy}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_windows_timeline_adds_up_to_its_key_figure() -> TestResult {
    // One rule for every figure: an engagement belongs to the window its post was
    // published in. The timeline of a window sums to the window's engagements, its
    // axis is continuous, and a one-day window draws its one bar.
    let w = world(None).await?;
    for window in [
        AUGUST,
        "from=2026-08-03&to=2026-08-03",
        "from=2026-08-01&to=2026-08-02&tz=Pacific%2FHonolulu",
        "from=2026-09-01&to=2026-09-30",
        "",
    ] {
        let figures: serde_json::Value = serde_json::from_str(
            &w.get(&format!("/api/v1/brands/acme/figures?{window}"))
                .await?
                .body,
        )?;
        let timeline: serde_json::Value = serde_json::from_str(
            &w.get(&format!("/api/v1/brands/acme/timeline?{window}"))
                .await?
                .body,
        )?;
        let rows = timeline["rows"].as_array().ok_or("no rows")?;
        let sum: u64 = rows
            .iter()
            .filter(|r| r["kind"] != "thread_reply")
            .filter_map(|r| r["engagements"].as_u64())
            .sum();
        assert_eq!(
            Some(sum),
            figures["current"]["engagements"].as_u64(),
            "{window}: the timeline against the key figure"
        );
        let periods = timeline["periods"].as_array().ok_or("no periods")?;
        for row in rows {
            assert!(
                periods.contains(&row["period"]),
                "{window}: {row} off the axis"
            );
        }
        let chart = w
            .get(&format!(
                "/brands/acme/charts/engagements-over-time.svg?{window}"
            ))
            .await?;
        assert_eq!(chart.status, StatusCode::OK);
        assert!(
            !chart.body.contains("width=\"-"),
            "{window}: a negative width"
        );
    }
    let september: serde_json::Value = serde_json::from_str(
        &w.get("/api/v1/brands/acme/timeline?from=2026-09-01&to=2026-09-30")
            .await?
            .body,
    )?;
    assert_eq!(september["periods"].as_array().map(Vec::len), Some(30));
    let page = w.get(&format!("/brands/acme?{AUGUST}")).await?;
    assert!(
        page.body
            .contains("Engagements per day their post was published"),
        "the timeline says which rule dates it"
    );
    assert!(page.body.contains("id=\"chart-engagement-times\""));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn brand_urls_are_case_insensitive_and_errors_keep_the_navigation() -> TestResult {
    let w = world(None).await?;
    let moved = w.get(&format!("/brands/ACME?{AUGUST}")).await?;
    assert_eq!(
        moved.status,
        StatusCode::PERMANENT_REDIRECT,
        "{}",
        moved.body
    );
    assert_eq!(
        moved.headers.get("location").and_then(|v| v.to_str().ok()),
        Some(format!("/brands/acme?{AUGUST}").as_str())
    );
    let missing = w.get("/brands/nobody").await?;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    for link in [
        "href=\"/compare\"",
        "href=\"/crawls\"",
        "aria-label=\"Main\"",
    ] {
        assert!(missing.body.contains(link), "the 404 page lacks {link}");
    }
    // Every key figure says what it counts.
    let page = w.get(&format!("/brands/acme?{AUGUST}")).await?;
    assert!(page.body.contains("a floor, not an audience"));
    Ok(())
}

/// A brand none of whose accounts the last crawl could read, with no post stored: its
/// key figures are unknown with the reason, on the page and in the API, never 0; a
/// brand with posts stored keeps its figures (a floor, the crawl sentence says why).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_brand_that_could_not_be_read_has_unknown_figures_not_zeros() -> TestResult {
    let w = world(None).await?;
    let actor = fedireach_core::ActorRef::parse("@shut@shut.example", Default::default())?;
    w.state.store().add_brand("shut", &[actor], None).await?;
    let shut = w.state.store().brand("shut").await?;
    let reason = Some(("unresolved", "robots.txt disallows it to crawlers"));
    w.state
        .store()
        .set_tracked_actor_unread(shut.actors[0].id, reason)
        .await?;
    let page = unslash(&w.get("/brands/shut").await?.body);
    let figures = panel(&page, "Key figures")?;
    assert!(
        figures.contains("None of the brand&#x27;s accounts could be read by the last crawl")
            || figures.contains("None of the brand's accounts could be read by the last crawl"),
        "{figures}"
    );
    assert!(
        figures.contains(r#"<dd class="value">unknown</dd>"#),
        "{figures}"
    );
    assert!(
        !figures.contains(r#"<dd class="value">0</dd>"#),
        "{figures}"
    );
    let api: serde_json::Value =
        serde_json::from_str(&w.get("/api/v1/brands/shut/figures").await?.body)?;
    assert!(
        api["unknown"]
            .as_str()
            .is_some_and(|u| u.contains("unknown, not 0")),
        "{api}"
    );
    assert!(api["current"].is_null(), "{api}");
    let values: Vec<&serde_json::Value> = api["figures"]
        .as_array()
        .ok_or("figures is a list")?
        .iter()
        .map(|f| &f["value"])
        .collect();
    assert!(
        !values.is_empty() && values.iter().all(|v| v.is_null()),
        "{api}"
    );
    // Acme's only account unread, but its posts are stored: figures as stored.
    let acme = w.state.store().brand("acme").await?;
    for a in &acme.actors {
        w.state
            .store()
            .set_tracked_actor_unread(a.id, reason)
            .await?;
    }
    let acme_api: serde_json::Value =
        serde_json::from_str(&w.get("/api/v1/brands/acme/figures").await?.body)?;
    assert!(acme_api["unknown"].is_null(), "{acme_api}");
    assert!(
        acme_api["current"]["engagements"]
            .as_u64()
            .is_some_and(|n| n > 0),
        "{acme_api}"
    );
    Ok(())
}
