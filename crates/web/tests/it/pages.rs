//! Every page: status, the parts it must show, hostile text shown as text, and the
//! 404/400 pages for unknown names and bad input.

use axum::http::StatusCode;
use fedireach_web::CONTENT_SECURITY_POLICY;

use crate::world::{ENGAGER_NAME, RIVAL, SCRIPT, TestResult, world};

const AUGUST: &str = "from=2026-08-01&to=2026-08-31";

/// minijinja's HTML escaping writes `/` as `&#x2f;` (harmless, decoded by every
/// browser); the expectations below are written with plain slashes.
fn unslash(body: &str) -> String {
    body.replace("&#x2f;", "/")
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
                "role=\"img\" aria-label=\"Reach by server software: ",
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
        ("/compare".into(), vec!["Choose two or more brands", "acme"]),
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
        body.contains("<td>javascript:alert(3)</td>"),
        "shown as text"
    );
    assert!(
        body.contains("href=\"https://brand.example/@acme/1\""),
        "web URLs stay links"
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
