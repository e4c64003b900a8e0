//! Who engaged, as far as the consent rules let a page say: the consent report, an owned
//! brand's top engagers and conversations, the languages panel.

use axum::http::StatusCode;

use crate::world::{ENGAGER_NAME, RIVAL, SCRIPT, TestResult, world};

const AUGUST: &str = "from=2026-08-01&to=2026-08-31";
use crate::pages::*;

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
