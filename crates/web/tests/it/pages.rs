//! Every page: status, the parts it must show, hostile text shown as text, and the
//! 404/400 pages for unknown names and bad input.

use axum::http::StatusCode;
use fedireach_web::CONTENT_SECURITY_POLICY;

use crate::world::{ENGAGER_NAME, RIVAL, SCRIPT, TestResult, world};

pub(crate) const AUGUST: &str = "from=2026-08-01&to=2026-08-31";

/// minijinja's HTML escaping writes `/` as `&#x2f;` (harmless, decoded by every
/// browser), and table cells carry `<wbr>` after URL separators; the expectations
/// below are written with plain slashes and without the break hints.
pub(crate) fn unslash(body: &str) -> String {
    body.replace("&#x2f;", "/").replace("<wbr>", "")
}

/// No markup from the data reaches a page unescaped.
pub(crate) fn assert_escaped(path: &str, body: &str) {
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
                "<td>manual</td>",
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
    w.state
        .store()
        .start_crawl_run(fedireach_core::CrawlTrigger::Manual, None, "90d")
        .await?;
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

/// The text of the panel titled `title` (up to the end of its section).
pub(crate) fn panel<'a>(page: &'a str, title: &str) -> Result<&'a str, String> {
    page.split(&format!("<h2>{title}</h2>"))
        .nth(1)
        .and_then(|p| p.split("</section>").next())
        .ok_or(format!("no panel {title}"))
}
