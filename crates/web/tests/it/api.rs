//! The JSON API: one route per report kind, snapshots of every body (times the test
//! run wrote redacted), JSON errors with their status.

use axum::http::StatusCode;

use crate::world::{RIVAL, TestResult, world};

const AUGUST: &str = "from=2026-08-01&to=2026-08-31";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_report_kind_has_its_route() -> TestResult {
    let w = world(None).await?;
    let rival = url::form_urlencoded::byte_serialize(RIVAL.as_bytes()).collect::<String>();
    let routes = [
        ("brands", "/api/v1/brands".to_owned()),
        ("figures", format!("/api/v1/brands/acme/figures?{AUGUST}")),
        ("reach", format!("/api/v1/brands/acme/reach?{AUGUST}")),
        (
            "reach_by_family",
            format!("/api/v1/brands/acme/reach-by-family?{AUGUST}"),
        ),
        ("posts", format!("/api/v1/brands/acme/posts?{AUGUST}")),
        (
            "instances",
            format!("/api/v1/brands/acme/instances?{AUGUST}"),
        ),
        ("timeline", format!("/api/v1/brands/acme/timeline?{AUGUST}")),
        (
            "timeline_engaged",
            format!("/api/v1/brands/acme/timeline-engaged?{AUGUST}"),
        ),
        (
            "best_time",
            format!("/api/v1/brands/acme/best-time?{AUGUST}&tz=Europe%2FParis"),
        ),
        ("hashtags", format!("/api/v1/brands/acme/hashtags?{AUGUST}")),
        (
            "languages",
            format!("/api/v1/brands/acme/languages?{AUGUST}"),
        ),
        ("followers", "/api/v1/brands/acme/followers".to_owned()),
        ("consent", "/api/v1/brands/acme/consent".to_owned()),
        (
            "compare",
            format!("/api/v1/compare?brand=acme&brand={rival}&{AUGUST}"),
        ),
        ("crawls", "/api/v1/crawls".to_owned()),
        (
            "reach_previous",
            format!("/api/v1/brands/acme/reach?{AUGUST}&previous=true"),
        ),
    ];
    for (name, path) in routes {
        let reply = w.get(&path).await?;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
        assert_eq!(
            reply
                .headers
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/json"),
            "{path}"
        );
        let value: serde_json::Value = serde_json::from_str(&w.redact_times(&reply.body))?;
        insta::assert_json_snapshot!(format!("api_{name}"), value);
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_report_takes_previous_true() -> TestResult {
    // The README: every report takes `previous=true` (the report beside its previous
    // period, with the changes); compare too, which once ignored it.
    let w = world(None).await?;
    let rival = url::form_urlencoded::byte_serialize(RIVAL.as_bytes()).collect::<String>();
    let mut paths: Vec<String> = fedireach_web::BrandReport::ALL
        .iter()
        .map(|kind| {
            format!(
                "/api/v1/brands/acme/{}?{AUGUST}&previous=true",
                kind.as_str()
            )
        })
        .collect();
    paths.push(format!(
        "/api/v1/compare?brand=acme&brand={rival}&{AUGUST}&previous=true"
    ));
    for path in paths {
        let reply = w.get(&path).await?;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
        let value: serde_json::Value = serde_json::from_str(&reply.body)?;
        assert!(value.get("current").is_some(), "{path}: {value}");
        assert!(value.get("previous").is_some(), "{path}: {value}");
        assert!(value.get("changes").is_some(), "{path}: {value}");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_answers_the_same_json_as_the_report_command() -> TestResult {
    let w = world(None).await?;
    let reply = w
        .get(&format!("/api/v1/brands/acme/posts?{AUGUST}"))
        .await?;
    let analytics = w.state.analytics();
    let window = fedireach_analytics::Window::parse(Some("2026-08-01"), Some("2026-08-31"), None)?;
    let request = fedireach_analytics::ReportRequest {
        kind: fedireach_analytics::ReportKind::Posts,
        brands: vec!["acme".into()],
        window,
        granularity: fedireach_analytics::Granularity::Day,
        format: fedireach_analytics::Format::Json,
        previous: false,
    };
    let expected = tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        analytics.write_report(&request, &mut out).map(|()| out)
    })
    .await??;
    assert_eq!(reply.bytes, expected);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_errors_are_json_with_their_status() -> TestResult {
    let w = world(None).await?;
    let cases = [
        ("/api/v1/brands/nobody/reach", StatusCode::NOT_FOUND),
        (
            "/api/v1/brands/acme/reach?from=2026-99-01",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/brands/acme/reach?tz=%3Cscript%3E",
            StatusCode::BAD_REQUEST,
        ),
        ("/api/v1/compare", StatusCode::BAD_REQUEST),
        ("/api/v1/compare?brand=acme", StatusCode::BAD_REQUEST),
        (
            "/api/v1/compare?brand=acme&brand=acme&previous=true",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/compare?brand=nobody&brand=acme",
            StatusCode::NOT_FOUND,
        ),
        ("/api/v1/brands/acme/nothing", StatusCode::NOT_FOUND),
        ("/api/v1/nothing", StatusCode::NOT_FOUND),
    ];
    let mut bodies = Vec::new();
    for (path, status) in cases {
        let reply = w.get(path).await?;
        assert_eq!(reply.status, status, "{path}: {}", reply.body);
        let value: serde_json::Value = serde_json::from_str(&reply.body)?;
        assert_eq!(value["status"], status.as_u16(), "{path}");
        bodies.push(serde_json::json!({ "path": path, "body": value }));
    }
    insta::assert_json_snapshot!("api_errors", bodies);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn previous_year_compares_with_the_same_days_a_year_before() -> TestResult {
    let w = world(None).await?;
    let reply = w
        .get(&format!("/api/v1/brands/acme/reach?{AUGUST}&previous=year"))
        .await?;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let value: serde_json::Value = serde_json::from_str(&reply.body)?;
    assert_eq!(value["current"]["from"], "2026-08-01");
    assert_eq!(value["previous"]["from"], "2025-08-01", "{value}");
    assert_eq!(value["previous"]["to"], "2025-08-31", "{value}");
    let period = w
        .get(&format!("/api/v1/brands/acme/reach?{AUGUST}&previous=true"))
        .await?;
    let period: serde_json::Value = serde_json::from_str(&period.body)?;
    assert_eq!(period["previous"]["from"], "2026-07-01");

    let bad = w
        .get(&format!(
            "/api/v1/brands/acme/reach?{AUGUST}&previous=decade"
        ))
        .await?;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("previous=year"), "{}", bad.body);

    // The brand page says what its changes are against, keeps the choice in its
    // links, and shows it chosen in the form.
    let page = w
        .get(&format!("/brands/acme?{AUGUST}&previous=year"))
        .await?
        .body
        .replace("&#x2f;", "/");
    assert!(page.contains("vs same days a year before"), "{page}");
    assert!(!page.contains("vs previous period"));
    assert!(page.contains("<option value=\"year\" selected>"));
    assert!(page.contains("previous=year"), "the links keep the choice");
    let plain = w.get(&format!("/brands/acme?{AUGUST}")).await?.body;
    assert!(plain.contains("vs previous period"));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_period_from_a_chosen_date_can_be_the_comparison() -> TestResult {
    let w = world(None).await?;
    // August's 31 days against as many from the 1st of April.
    let reply = w
        .get(&format!(
            "/api/v1/brands/acme/reach?{AUGUST}&previous=2026-04-01"
        ))
        .await?;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let value: serde_json::Value = serde_json::from_str(&reply.body)?;
    assert_eq!(value["previous"]["from"], "2026-04-01", "{value}");
    assert_eq!(value["previous"]["to"], "2026-05-01", "{value}");
    let csv = w
        .get(&format!(
            "/brands/acme/reports/reach.csv?{AUGUST}&previous=2026-04-01"
        ))
        .await?;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    // The page says what its changes are against, keeps the date in its links and
    // shows it in the form's date field.
    let page = w
        .get(&format!("/brands/acme?{AUGUST}&previous=2026-04-01"))
        .await?
        .body
        .replace("&#x2f;", "/");
    assert!(
        page.contains("vs same number of days from 2026-04-01"),
        "{page}"
    );
    assert!(
        page.contains("previous=2026-04-01"),
        "the links keep the choice"
    );
    assert!(
        page.contains(r#"<input type="date" name="previous" value="2026-04-01">"#),
        "{page}"
    );
    let bad = w
        .get(&format!("/brands/acme?{AUGUST}&previous=2026-02-30"))
        .await?;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    Ok(())
}
