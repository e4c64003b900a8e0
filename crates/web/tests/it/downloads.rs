//! CSV downloads (snapshots, the formula guard) and charts at their own URLs.

use axum::http::StatusCode;

use crate::world::{RIVAL, TestResult, world};

const AUGUST: &str = "from=2026-08-01&to=2026-08-31";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_table_downloads_as_csv() -> TestResult {
    let w = world(None).await?;
    let rival = url::form_urlencoded::byte_serialize(RIVAL.as_bytes()).collect::<String>();
    let mut files = vec![];
    for kind in [
        "reach",
        "reach-by-family",
        "posts",
        "instances",
        "timeline",
        "best-time",
        "hashtags",
        "languages",
        "followers",
        "consent",
    ] {
        files.push((
            format!("brand_{kind}"),
            format!("/brands/acme/reports/{kind}.csv?{AUGUST}"),
        ));
    }
    files.extend([
        (
            "compare".to_owned(),
            format!("/compare.csv?brand=acme&brand={rival}&{AUGUST}"),
        ),
        (
            "compare_families".to_owned(),
            format!("/compare/families.csv?brand=acme&brand={rival}&{AUGUST}"),
        ),
        (
            "instance".to_owned(),
            format!("/instances/mastodon.example/table.csv?{AUGUST}"),
        ),
        ("crawls".to_owned(), "/crawls.csv".to_owned()),
        (
            "crawl_failures".to_owned(),
            "/crawls/failures.csv".to_owned(),
        ),
        ("consent".to_owned(), "/crawls/consent.csv".to_owned()),
    ]);
    for (name, path) in files {
        let reply = w.get(&path).await?;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
        assert_eq!(
            reply
                .headers
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("text/csv; charset=utf-8"),
            "{path}"
        );
        let disposition = reply
            .headers
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(
            disposition.starts_with("attachment; filename=\"") && disposition.is_ascii(),
            "{disposition}"
        );
        // A brand's report is named by brand, report and days, for a folder of them.
        if let Some(kind) = name.strip_prefix("brand_") {
            assert_eq!(
                disposition,
                format!("attachment; filename=\"acme-{kind}-2026-08-01-to-2026-08-31.csv\"")
            );
        }
        insta::assert_snapshot!(format!("csv_{name}"), w.redact_times(&reply.body));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_chart_links_the_csv_of_the_report_it_draws() -> TestResult {
    let w = world(None).await?;
    let page = w.get(&format!("/brands/acme?{AUGUST}")).await?.body;
    for (chart, report) in [
        ("reach-by-software", "reach"),
        ("engagements-over-time", "timeline"),
        ("engagement-times", "timeline-engaged"),
        ("top-instances", "instances"),
        ("best-time", "best-time"),
    ] {
        let figure = page
            .split(&format!("id=\"chart-{chart}\""))
            .nth(1)
            .and_then(|p| p.split("</figure>").next())
            .ok_or(format!("no {chart} chart"))?;
        let link = format!("reports&#x2f;{report}.csv?");
        let plain = format!("reports/{report}.csv?");
        assert!(
            figure.contains(&link) || figure.contains(&plain),
            "{chart} links {report}.csv"
        );
        let url = format!("/brands/acme/reports/{report}.csv?{AUGUST}");
        assert_eq!(w.get(&url).await?.status, StatusCode::OK, "{url}");
    }
    // Reach by software links its sums by family as well.
    let reach = page
        .split("id=\"chart-reach-by-software\"")
        .nth(1)
        .and_then(|p| p.split("</figure>").next())
        .ok_or("no reach chart")?
        .replace("&#x2f;", "/");
    assert!(reach.contains("reports/reach-by-family.csv?"), "{reach}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn previous_true_downloads_the_changes_against_the_previous_period() -> TestResult {
    let w = world(None).await?;
    let reply = w
        .get(&format!(
            "/brands/acme/reports/reach.csv?{AUGUST}&previous=true"
        ))
        .await?;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let mut lines = reply.body.lines();
    assert_eq!(
        lines.next(),
        Some("key,figure,current,previous,change,change_pct")
    );
    // August's engagements against July's (none): the total row first.
    assert!(
        lines.any(|l| l.starts_with("all,engagements,")),
        "{}",
        reply.body
    );
    assert_eq!(
        reply
            .headers
            .get("content-disposition")
            .and_then(|v| v.to_str().ok()),
        Some("attachment; filename=\"acme-reach-2026-08-01-to-2026-08-31-vs-previous.csv\"")
    );
    // The JSON of the same question gives the same changes.
    let json: serde_json::Value = serde_json::from_str(
        &w.get(&format!("/api/v1/brands/acme/reach?{AUGUST}&previous=true"))
            .await?
            .body,
    )?;
    let csv_rows = reply.body.lines().count() - 1;
    assert_eq!(json["changes"].as_array().map(Vec::len), Some(csv_rows));
    let rival = url::form_urlencoded::byte_serialize(RIVAL.as_bytes()).collect::<String>();
    let compare = w
        .get(&format!(
            "/compare.csv?brand=acme&brand={rival}&{AUGUST}&previous=true"
        ))
        .await?;
    assert_eq!(compare.status, StatusCode::OK);
    assert!(
        compare
            .body
            .starts_with("key,figure,current,previous,change,change_pct\n")
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_downloaded_chart_says_whose_it_is_and_when() -> TestResult {
    let w = world(None).await?;
    let svg = w
        .get(&format!("/brands/acme/charts/top-instances.svg?{AUGUST}"))
        .await?
        .body;
    assert!(
        svg.contains("Top instances · acme, 2026-08-01 to 2026-08-31"),
        "{svg}"
    );
    let zoned = w
        .get("/brands/acme/charts/reach-by-software.svg?tz=Europe/Paris")
        .await?
        .body;
    assert!(
        zoned.contains("Engagements by server software · acme, all time (Europe/Paris)"),
        "{zoned}"
    );
    // The page's own charts keep their plain titles: the page says whose and when.
    let page = w.get(&format!("/brands/acme?{AUGUST}")).await?.body;
    assert!(!page.contains("Top instances · acme"));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_formula_in_a_cell_is_defused() -> TestResult {
    let w = world(None).await?;
    let reply = w.get("/brands/acme/reports/hashtags.csv").await?;
    // Hashtags are stored lower-cased.
    assert!(reply.body.contains("\"'=hyperlink("), "{}", reply.body);
    assert!(!reply.body.contains(",=hyperlink"), "{}", reply.body);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_chart_is_at_its_own_url_as_svg_and_png() -> TestResult {
    let w = world(None).await?;
    let rival = url::form_urlencoded::byte_serialize(RIVAL.as_bytes()).collect::<String>();
    let mut paths: Vec<String> = Vec::new();
    for chart in [
        "reach-by-software",
        "engagements-over-time",
        "top-instances",
        "best-time",
        "follower-growth",
        "sparkline",
    ] {
        for ext in ["svg", "png"] {
            paths.push(format!("/brands/acme/charts/{chart}.{ext}?{AUGUST}"));
        }
    }
    paths.push(format!(
        "/compare/charts/share-of-voice.png?brand=acme&brand={rival}"
    ));
    paths.push(format!(
        "/compare/charts/share-of-voice.svg?brand=acme&brand={rival}"
    ));
    for path in paths {
        let reply = w.get(&path).await?;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
        let kind = reply
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if path.contains(".png") {
            assert_eq!(kind, "image/png");
            assert_eq!(
                reply.bytes.get(..8),
                Some(&b"\x89PNG\r\n\x1a\n"[..]),
                "{path}"
            );
        } else {
            assert_eq!(kind, "image/svg+xml");
            assert!(reply.body.starts_with("<svg"), "{path}");
        }
        assert!(
            reply.headers.get("x-alt-text").is_some(),
            "{path} carries its text alternative"
        );
    }
    Ok(())
}
