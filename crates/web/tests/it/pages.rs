//! Every page: status, the parts it must show, hostile text shown as text, and the
//! 404/400 pages for unknown names and bad input.

use axum::http::StatusCode;
use fedireach_web::CONTENT_SECURITY_POLICY;

use crate::world::{ENGAGER_NAME, RIVAL, SCRIPT, TestResult, world};

const AUGUST: &str = "from=2026-08-01&to=2026-08-31";

/// minijinja's HTML escaping writes `/` as `&#x2f;` (harmless, decoded by every
/// browser), and table cells carry `<wbr>` after URL separators; the expectations
/// below are written with plain slashes and without the break hints.
fn unslash(body: &str) -> String {
    body.replace("&#x2f;", "/").replace("<wbr>", "")
}

/// No markup from the data reaches a page unescaped.
fn assert_escaped(path: &str, body: &str) {
    assert!(
        !body.contains(SCRIPT),
        "{path} shows a script tag unescaped"
    );
    assert!(
        !body.contains("<img src=x"),
        "{path} shows an img tag unescaped"
    );
    assert!(
        !body.contains("href=\"javascript:"),
        "{path} links to javascript:"
    );
    assert!(
        !body.to_lowercase().contains("<script"),
        "{path} carries a script element"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_answers_with_its_parts_and_escapes_the_data() -> TestResult {
    let w = world(None).await?;
    let rival = url::form_urlencoded::byte_serialize(RIVAL.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    let pages: Vec<(String, Vec<&str>)> = vec![
        (
            "/".into(),
            vec![
                "Overview",
                "acme",
                "Rïval Co.",
                "<svg",
                "Engagements",
                "Unique engagers",
            ],
        ),
        (format!("/?{AUGUST}"), vec!["acme", "vs previous period"]),
        (
            format!("/brands/acme?{AUGUST}"),
            vec![
                "Key figures",
                "Cross-server share",
                "Follower growth",
                "id=\"chart-reach-by-software\"",
                "id=\"chart-engagements-over-time\"",
                "id=\"chart-top-instances\"",
                "id=\"chart-best-time\"",
                "id=\"chart-follower-growth\"",
                "/brands/acme/charts/reach-by-software.png?from=2026-08-01&amp;to=2026-08-31",
                "role=\"img\" aria-label=\"Engagements by server software: ",
                "Top posts",
                "1 of 5 reported",
                "mastodon.example",
                "/instances/mastodon.example?",
                "/brands/acme/reports/posts.csv?",
                "&lt;script&gt;alert(1)&lt;/script&gt;",
            ],
        ),
        (
            format!("/brands/{rival}"),
            vec!["watched: aggregate figures only", "rival.example"],
        ),
        (
            format!("/compare?brand=acme&brand={rival}&{AUGUST}"),
            vec![
                "Share of voice",
                "id=\"chart-share-of-voice\"",
                "/compare.csv?brand=acme",
                "share of voice pct",
            ],
        ),
        // Nothing ticked: every brand is compared, ticked, in its own colour.
        (
            "/compare".into(),
            vec![
                "Share of voice",
                "value=\"acme\" checked",
                "value=\"Rïval Co.\" checked",
                "/compare.csv?brand=",
            ],
        ),
        (
            "/compare?brand=acme".into(),
            vec!["Choose two or more brands", "value=\"acme\" checked"],
        ),
        // The presets keep the ticked brands and mark the range shown.
        (
            "/compare?brand=acme&last=30".into(),
            vec![
                "href=\"?brand=acme&amp;last=7\"",
                "href=\"?brand=acme&amp;last=30\" class=\"active\" aria-current=\"true\"",
            ],
        ),
        (
            format!("/instances/mastodon.example?{AUGUST}"),
            vec![
                "mastodon.example",
                "Monthly active users (NodeInfo): 1000",
                "acme",
                "Rïval Co.",
            ],
        ),
        (
            "/crawls".into(),
            vec![
                "Recent crawls",
                "partial",
                "test &lt;script&gt;",
                "<td>1.5</td>",
                "Hosts that failed",
                "dead.example",
                "connection refused",
                "Consent report",
                "anonymised",
                "robots.txt &lt;script&gt;",
            ],
        ),
    ];
    for (path, parts) in pages {
        let reply = w.get(&path).await?;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
        let body = unslash(&reply.body);
        for part in parts {
            assert!(body.contains(part), "{path} lacks {part:?}");
        }
        assert_escaped(&path, &reply.body);
        assert!(
            !reply.body.contains(ENGAGER_NAME),
            "{path} shows an engager's name"
        );
        assert!(
            !reply.body.contains("users/bob"),
            "{path} shows who engaged"
        );
        assert_eq!(
            reply
                .headers
                .get("content-security-policy")
                .and_then(|v| v.to_str().ok()),
            Some(CONTENT_SECURITY_POLICY),
            "{path}"
        );
        assert_eq!(
            reply
                .headers
                .get("x-content-type-options")
                .map(|v| v.as_bytes()),
            Some(&b"nosniff"[..])
        );
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_javascript_post_is_text_not_a_link() -> TestResult {
    let w = world(None).await?;
    let body = unslash(&w.get("/brands/acme").await?.body);
    assert!(
        body.contains("<td title=\"javascript:alert(3)\">"),
        "its address shown on hover, as text"
    );
    assert!(!body.contains("href=\"javascript:"), "never a link");
    assert!(
        body.contains("href=\"https://brand.example/@acme/1\""),
        "web URLs stay links"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_panel_links_the_glossary_entry_that_explains_it() -> TestResult {
    let w = world(None).await?;
    let glossary = w.get("/glossary").await?;
    assert_eq!(glossary.status, StatusCode::OK);
    let terms = unslash(&glossary.body);
    // Each family with its colour, as the charts draw it.
    assert!(
        terms.contains("fill=\"#6364ff\"/></svg> mastodon"),
        "{terms}"
    );
    let page = unslash(&w.get("/brands/acme").await?.body);
    let panels = page.matches("<section class=\"panel").count();
    let links: Vec<&str> = page
        .split("<p class=\"what\"><a href=\"/glossary#")
        .skip(1)
        .filter_map(|l| l.split('"').next())
        .collect();
    assert_eq!(links.len(), panels, "one link per panel");
    for anchor in links {
        assert!(
            terms.contains(&format!("<div id=\"{anchor}\">")),
            "/glossary#{anchor} is a term"
        );
    }
    // The engagement rate is a percentage like its neighbours: 5 engagements of 500
    // followers is 1 %.
    let posts = panel(&page, "Top posts")?;
    assert!(posts.contains("<th scope=\"col\">engagement rate %</th>"));
    assert!(posts.contains("<td>5</td><td>1</td>"), "{posts}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn top_posts_show_their_first_line_and_a_local_time() -> TestResult {
    let w = world(None).await?;
    let page = unslash(&w.get("/brands/acme?tz=Europe/Paris").await?.body);
    let posts = panel(&page, "Top posts")?;
    // The world's posts carry a content warning (markup, escaped): it is shown first,
    // as their server shows it, linked to the post.
    assert!(
        posts.contains(
            "<a href=\"https://brand.example/@acme/1\" rel=\"nofollow noopener\">CW: &lt;script&gt;alert(1)&lt;/script&gt;</a>"
        ),
        "{posts}"
    );
    // 2026-08-03T10:00:00Z in Paris, with the exact time on hover.
    assert!(
        posts.contains("<td title=\"2026-08-03T10:00:00Z\">Mon 3 Aug 2026 12:00 CEST</td>"),
        "{posts}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_names_and_bad_input_are_4xx_pages_never_500() -> TestResult {
    let w = world(None).await?;
    let cases = [
        (
            "/brands/nobody",
            StatusCode::NOT_FOUND,
            "no brand named `nobody`",
        ),
        (
            "/brands/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            StatusCode::NOT_FOUND,
            "no brand named `&lt;script&gt;alert(1)&lt;&#x2f;script&gt;`",
        ),
        (
            "/brands/acme?from=2026-02-30",
            StatusCode::BAD_REQUEST,
            "is not a date",
        ),
        (
            "/brands/acme?from=%3Cscript%3E",
            StatusCode::BAD_REQUEST,
            "`&lt;script&gt;` is not a date",
        ),
        (
            "/brands/acme?tz=Mars%2FOlympus",
            StatusCode::BAD_REQUEST,
            "unknown time zone",
        ),
        (
            "/brands/acme?from=2026-08-31&to=2026-08-01",
            StatusCode::BAD_REQUEST,
            "before it starts",
        ),
        ("/?from=yesterday", StatusCode::BAD_REQUEST, "is not a date"),
        (
            "/compare?brand=acme&brand=nobody",
            StatusCode::NOT_FOUND,
            "no brand named `nobody`",
        ),
        (
            "/compare?brand=acme&tz=nowhere",
            StatusCode::BAD_REQUEST,
            "unknown time zone",
        ),
        (
            "/instances/never.example",
            StatusCode::NOT_FOUND,
            "never.example",
        ),
        (
            "/instances/%3Cscript%3E",
            StatusCode::NOT_FOUND,
            "&lt;script&gt;",
        ),
        (
            "/instances/mastodon.example?to=13",
            StatusCode::BAD_REQUEST,
            "is not a date",
        ),
        (
            "/crawls?tz=%3Cscript%3E",
            StatusCode::BAD_REQUEST,
            "unknown time zone `&lt;script&gt;`",
        ),
        (
            "/brands/acme/charts/pie.svg",
            StatusCode::NOT_FOUND,
            "no chart `pie`",
        ),
        (
            "/brands/acme/charts/reach-by-software.gif",
            StatusCode::NOT_FOUND,
            "NAME.svg or NAME.png",
        ),
        (
            "/brands/acme/reports/nothing.csv",
            StatusCode::NOT_FOUND,
            "no report `nothing`",
        ),
        (
            "/brands/nobody/reports/reach.csv",
            StatusCode::NOT_FOUND,
            "no brand named",
        ),
        (
            "/no/such/page",
            StatusCode::NOT_FOUND,
            "no page at this address",
        ),
    ];
    for (path, status, text) in cases {
        let reply = w.get(path).await?;
        assert_eq!(reply.status, status, "{path}: {}", reply.body);
        assert!(reply.body.contains(text), "{path}: {}", reply.body);
        assert!(
            reply.body.starts_with("<!doctype html>"),
            "{path} is an HTML page"
        );
        assert_escaped(path, &reply.body);
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_view_is_kept_in_every_link() -> TestResult {
    let w = world(None).await?;
    let reply = w
        .get("/brands/acme?from=2026-08-01&to=2026-08-31&tz=Europe%2FParis")
        .await?;
    assert_eq!(reply.status, StatusCode::OK);
    let body = unslash(&reply.body);
    assert!(body.contains("Best time to post (Europe/Paris)"));
    assert!(
        body.contains("value=\"Europe/Paris\""),
        "the chooser shows the zone"
    );
    assert!(body.contains(
        "/brands/acme/reports/posts.csv?from=2026-08-01&amp;to=2026-08-31&amp;tz=Europe%2FParis"
    ));
    assert!(body.contains("/compare?from=2026-08-01&amp;to=2026-08-31&amp;tz=Europe%2FParis"));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn figures_are_cached_per_brand_and_window_until_invalidated() -> TestResult {
    let w = world(None).await?;
    assert_eq!(w.state.cached(), 0);
    w.get("/brands/acme?from=2026-08-01&to=2026-08-31").await?;
    w.get("/api/v1/brands/acme/reach?from=2026-08-01&to=2026-08-31")
        .await?;
    assert_eq!(w.state.cached(), 1, "the page and the API share one entry");
    w.get("/brands/acme").await?;
    assert_eq!(w.state.cached(), 2, "another window is another entry");
    assert!(!w.state.check_crawls().await?, "no crawl since start-up");
    w.state.store().start_crawl_run("test", None, "90d").await?;
    assert!(w.state.check_crawls().await?, "a new crawl run invalidates");
    assert_eq!(w.state.cached(), 0);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_brand_added_behind_the_dashboards_back_has_a_page() -> TestResult {
    let w = world(None).await?;
    let actor = fedireach_core::ActorRef::parse("@late@late.example", Default::default())?;
    w.state.store().add_brand("late", &[actor], None).await?;
    let reply = w.get("/brands/late").await?;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_warm_brand_page_is_the_same_page() -> TestResult {
    let w = world(None).await?;
    let cold = w.get("/brands/acme?from=2026-08-01&to=2026-08-31").await?;
    let warm = w.get("/brands/acme?from=2026-08-01&to=2026-08-31").await?;
    assert_eq!(cold.status, StatusCode::OK);
    assert_eq!(cold.body, warm.body);
    // Extra `brand=` parameters are kept in the chooser's hidden fields, never cached.
    let other = w
        .get("/brands/acme?from=2026-08-01&to=2026-08-31&brand=x")
        .await?;
    assert!(other.body.contains("name=\"brand\" value=\"x\""));
    let again = w.get("/brands/acme?from=2026-08-01&to=2026-08-31").await?;
    assert!(!again.body.contains("name=\"brand\" value=\"x\""));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_and_extreme_input_is_a_4xx_on_every_route_never_500() -> TestResult {
    let w = world(None).await?;
    let long = "a".repeat(5000);
    let names = [
        "%FF%FE",
        "%00",
        "..%2F..%2Fetc%2Fpasswd",
        "%E2%80%AE",
        "%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
        long.as_str(),
    ];
    let queries = [
        "from=0001-01-01&to=0001-01-02",
        "from=9999-12-30&to=9999-12-31",
        "from=+275760-09-13",
        "from=2026-08-01&to=2026-08-01&tz=%00",
        "tz=..%2F..%2Fetc%2Flocaltime",
        "from=2026-08-01%00",
        "previous=true&from=1970-01-01&to=1970-01-02",
    ];
    let mut paths = Vec::new();
    for name in names {
        for route in [
            format!("/brands/{name}"),
            format!("/brands/{name}/charts/reach-by-software.png"),
            format!("/brands/{name}/reports/posts.csv"),
            format!("/instances/{name}"),
            format!("/instances/{name}/table.csv"),
            format!("/compare?brand={name}"),
            format!("/api/v1/brands/{name}/reach"),
            format!("/api/v1/brands/{name}/figures"),
            format!("/api/v1/compare?brand=acme&brand={name}"),
            format!("/brands/acme/charts/{name}"),
            format!("/brands/acme/reports/{name}"),
        ] {
            paths.push(route);
        }
    }
    for query in queries {
        for route in [
            "/",
            "/brands/acme",
            "/brands/acme/charts/best-time.svg",
            "/brands/acme/reports/timeline.csv",
            "/instances/mastodon.example",
            "/compare",
            "/crawls",
            "/crawls/consent.csv",
            "/api/v1/brands/acme/reach",
            "/api/v1/brands/acme/figures",
        ] {
            paths.push(format!("{route}?{query}"));
        }
    }
    for path in paths {
        let reply = w.get(&path).await?;
        assert!(
            reply.status.is_client_error() || reply.status.is_success(),
            "{path}: {} {}",
            reply.status,
            reply.body
        );
        let kind = reply
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok());
        if kind == Some("text/plain; charset=utf-8") {
            // axum's own answer to a path that is not UTF-8, before any handler.
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path}");
            assert!(reply.body.contains("UTF-8"), "{path}: {}", reply.body);
        } else if path.starts_with("/api/") {
            // JSON is never sniffed as HTML (`nosniff`): a name in it stays as given.
            assert_eq!(kind, Some("application/json"), "{path}");
        } else {
            assert_escaped(&path, &reply.body);
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn date_presets_are_rolling_ranges_that_never_go_stale() -> TestResult {
    let w = world(None).await?;
    let today = chrono::Utc::now().date_naive();
    let fixed = w.get(&format!("/brands/acme?{AUGUST}")).await?;
    // The crawl status line may name today (the world's crawl ran today): the cached
    // page is kept only for the status it was rendered with, so it is left out here.
    let body = unslash(&fixed.body);
    let status_line = body
        .split("<p class=\"crawl-status\">")
        .nth(1)
        .and_then(|p| p.split("</p>").next())
        .unwrap_or_default()
        .to_owned();
    let body = body.replace(&status_line, "");
    for days in [7, 30, 90] {
        assert!(
            body.contains(&format!("href=\"?last={days}\"")),
            "preset last={days}"
        );
    }
    assert!(
        !body.contains(&today.to_string()),
        "a page with a fixed range holds no date of today's that a cache would keep"
    );
    // A rolling view shows its days in the chooser and keeps `last` in its links; the
    // page cached for it is not served for the same days asked as fixed dates.
    let first = today
        .checked_sub_days(chrono::Days::new(29))
        .ok_or("date")?;
    let rolling = unslash(&w.get("/brands/acme?last=30&tz=UTC").await?.body);
    assert!(
        rolling.contains(&format!("value=\"{first}\"")),
        "from {first}"
    );
    assert!(
        rolling.contains(&format!("value=\"{today}\"")),
        "to {today}"
    );
    assert!(rolling.contains("/brands/acme/reports/posts.csv?last=30"));
    let same_days = unslash(
        &w.get(&format!("/brands/acme?from={first}&to={today}"))
            .await?
            .body,
    );
    assert!(same_days.contains(&format!("/brands/acme/reports/posts.csv?from={first}")));
    assert!(!same_days.contains("posts.csv?last=30"));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_brand_page_shows_the_consent_report_and_never_who_engaged() -> TestResult {
    let w = world(None).await?;
    let rival = url::form_urlencoded::byte_serialize(RIVAL.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    for (path, stance) in [
        // All time: the world's crawl ran when the test started, after August.
        ("/brands/acme".to_owned(), "never named"),
        (
            format!("/brands/{rival}"),
            "aggregate figures only, never who engaged",
        ),
    ] {
        let reply = w.get(&path).await?;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        let body = unslash(&reply.body);
        assert!(body.contains(stance), "{path}: {stance}");
        let consent = body
            .split("Consent: what the crawls left out or anonymised")
            .nth(1)
            .ok_or(format!("{path}: no consent panel"))?;
        assert!(consent.contains("anonymised"), "{path}: the crawl's lines");
        assert!(consent.contains("reports/consent.csv"), "{path}: its CSV");
        // An engager's actor id is never shown, a name never unescaped; a watched
        // brand's page names nobody (the owned one lists its top engagers).
        let never: &[&str] = if path == "/brands/acme" {
            &[ENGAGER_NAME, "users/bob", "users/eve"]
        } else {
            &[ENGAGER_NAME, "users/bob", "users/eve", "evil.example"]
        };
        for who in never {
            assert!(!reply.body.contains(who), "{path} shows {who}");
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owned_brand_names_its_top_engagers_who_allow_it_and_a_watched_one_nobody() -> TestResult
{
    let w = world(None).await?;
    let page = unslash(&w.get(&format!("/brands/acme?{AUGUST}")).await?.body);
    let engagers = panel(&page, "Top engagers")?;
    // Bob (a like and a boost of the first post, a like of the third) and Eve (a reply,
    // then a like and a boost of the second) tie at 3, Bob first (found first); Ann
    // liked once. Kim, not indexable, is only counted, in the sentence under the table.
    let escaped_name = "Bob &lt;img src=x onerror=alert(2)&gt;";
    assert_eq!(engagers.matches(escaped_name).count(), 3, "{engagers}");
    let order: Vec<usize> = ["mastodon.example", "misskey.example", "brand.example"]
        .iter()
        .filter_map(|host| engagers.find(&format!(">{host}</a>")))
        .collect();
    assert!(order.len() == 3 && order.is_sorted(), "{engagers}");
    assert!(
        !engagers.contains("lemmy.example"),
        "Kim is never a row: {engagers}"
    );
    assert!(
        engagers.contains(
            "Besides these, 1 engager(s) who opted out, are not indexable or are past this \
             list made 1 engagement(s) and 0 thread reply(ies)"
        ),
        "{engagers}"
    );
    assert!(engagers.contains("reports/top-engagers.csv"), "{engagers}");
    let csv = w.get("/brands/acme/reports/top-engagers.csv").await?;
    assert_eq!(csv.status, StatusCode::OK);
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(
        lines.len(),
        5,
        "a header, 3 named, 1 for the others: {}",
        csv.body
    );
    assert!(
        lines
            .last()
            .is_some_and(|l| l.contains("1 others, not named") && l.ends_with(",0,0,0,0,1,1")),
        "{}",
        csv.body
    );
    assert!(!csv.body.contains("lemmy.example"), "{}", csv.body);

    let rival = url::form_urlencoded::byte_serialize(RIVAL.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    let watched = unslash(&w.get(&format!("/brands/{rival}?{AUGUST}")).await?.body);
    let nobody = panel(&watched, "Top engagers")?;
    assert!(
        nobody.contains("A watched brand: its page shows aggregate figures only"),
        "{nobody}"
    );
    assert!(!nobody.contains("Bob"), "{nobody}");
    let refused = w
        .get(&format!("/brands/{rival}/reports/top-engagers.csv"))
        .await?;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert!(!refused.body.contains("Bob"));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversation_shows_who_replied_from_where_and_how_deep_for_owned_brands_only()
-> TestResult {
    let w = world(None).await?;
    let page = unslash(&w.get(&format!("/brands/acme?{AUGUST}")).await?.body);
    let first = "https://brand.example/@acme/1";
    let link = format!(
        "/brands/acme/conversation?post={}&{AUGUST}",
        url::form_urlencoded::byte_serialize(first.as_bytes()).collect::<String>()
    );
    assert!(
        panel(&page, "Top posts")?.contains(&link.replace('&', "&amp;")),
        "each top post links its conversation"
    );
    let reply = w.get(&link).await?;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let body = unslash(&reply.body);
    // Eve's reply to the first post: named (escaped), from misskey.example, depth 1,
    // with the words she allowed to be kept (escaped too).
    assert!(
        body.contains("1 reply from 1 instance; the thread went 1 level deep."),
        "{body}"
    );
    assert!(
        body.contains("Bob &lt;img src=x onerror=alert(2)&gt;"),
        "{body}"
    );
    assert!(body.contains(">misskey.example</a>"), "{body}");
    assert!(body.contains("reply to the post"), "{body}");
    assert!(
        body.contains("nice &lt;script&gt;alert(1)&lt;/script&gt;"),
        "{body}"
    );
    assert!(!reply.body.contains(SCRIPT) && !reply.body.contains(ENGAGER_NAME));

    let rival = url::form_urlencoded::byte_serialize(RIVAL.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    let watched = w
        .get(&format!(
            "/brands/{rival}/conversation?post=https%3A%2F%2Frival.example%2F%40rival%2F1"
        ))
        .await?;
    assert_eq!(watched.status, StatusCode::NOT_FOUND);
    assert!(watched.body.contains("watched brand"), "{}", watched.body);
    for (query, status) in [
        ("", StatusCode::BAD_REQUEST),
        (
            "?post=https%3A%2F%2Felsewhere.example%2F1",
            StatusCode::NOT_FOUND,
        ),
    ] {
        let answer = w.get(&format!("/brands/acme/conversation{query}")).await?;
        assert_eq!(answer.status, status, "{query}: {}", answer.body);
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_languages_panel_counts_declared_languages_and_names_its_unknowns() -> TestResult {
    let w = world(None).await?;
    let page = unslash(&w.get("/brands/acme").await?.body);
    let languages = panel(&page, "Languages of replies and quotes")?;
    // The world's reply declares `de`, its quote `und`: one row each, the second in
    // words and set apart as unknown; likes and boosts are in no row.
    assert!(languages.contains("<td>de</td>"), "{languages}");
    assert!(
        languages.contains(r#"class="unknown">not declared</td>"#),
        "{languages}"
    );
    assert!(
        languages.contains("50.0% of 2 replies and quotes declare a language"),
        "{languages}"
    );
    assert!(languages.contains("reports/languages.csv"), "{languages}");
    assert!(
        page.contains(r#"href="/glossary#languages""#),
        "the panel links its definition"
    );
    Ok(())
}

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

/// The text of the panel titled `title` (up to the end of its section).
fn panel<'a>(page: &'a str, title: &str) -> Result<&'a str, String> {
    page.split(&format!("<h2>{title}</h2>"))
        .nth(1)
        .and_then(|p| p.split("</section>").next())
        .ok_or(format!("no panel {title}"))
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
