//! The overview and the brand pages of the simulated fediverse's medium world in
//! headless Chromium (Debian's `chromium`, which `.ci/run` installs): the DOM after
//! loading holds every chart, drawn with data, and a screenshot of each page is saved
//! under the test's target directory (`screenshots/`, at 1280 and 390 px) for a person
//! to look at. Every kind of page is then laid out 390 px wide by a probe page: nothing
//! may stick out of the screen outside a scrolling table, and no word may be broken
//! across lines except after a separator of a URL or host name.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use fedireach_store::Store;
use fedireach_web::{AppState, Dashboards, WebConfig, router};

use crate::{
    medium,
    world::{TestResult, dashboards_dir},
};

/// The browser: `FEDIREACH_CHROMIUM` or `chromium` on the PATH.
fn chromium() -> String {
    std::env::var("FEDIREACH_CHROMIUM").unwrap_or_else(|_| "chromium".to_owned())
}

/// Whole-run limit of one browser call, through coreutils' `timeout`, so a stuck
/// browser fails the test instead of hanging it.
const BROWSER_SECONDS: &str = "60";

/// Runs headless Chromium with the flags Debian's build needs in a container, in a
/// fresh profile; returns stdout.
fn browse(profile: &Path, args: &[String]) -> TestResult<String> {
    let output = Command::new("timeout")
        .arg(BROWSER_SECONDS)
        .arg(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .map_err(|e| {
            format!(
                "cannot run {} ({e}): install Debian's chromium, as .ci/run does",
                chromium()
            )
        })?;
    if !output.status.success() {
        return Err(format!(
            "{} failed ({}): {}",
            chromium(),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// A brand name as one path segment.
fn segment(name: &str) -> String {
    url::form_urlencoded::byte_serialize(name.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

fn screenshots() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overview_and_brand_page_render_in_headless_chromium() -> TestResult {
    let dir = tempfile::TempDir::new()?;
    let store = Store::open(&format!(
        "sqlite://{}",
        dir.path().join("medium.db").display()
    ))
    .await?;
    let medium = medium::load(&store).await?;
    let state = AppState::new(
        store,
        Dashboards::load(&dashboards_dir())?,
        WebConfig::default(),
    )
    .await?;
    let app = router(state).route("/__probe", axum::routing::get(probe));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let window = &medium.window;
    let owned = medium
        .owned
        .first()
        .ok_or("the medium world has an owned brand")?;
    let watched = medium
        .brands
        .iter()
        .find(|b| !medium.owned.contains(b))
        .ok_or("the medium world has a watched brand")?;
    let brand_charts = vec![
        "chart-reach-by-software",
        "chart-engagements-over-time",
        "chart-top-instances",
        "chart-best-time",
        "chart-follower-growth",
    ];
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    let profile = tempfile::TempDir::new()?;
    std::fs::create_dir_all(screenshots())?;
    eprintln!(
        "medium world: {} brands, {} engagements; screenshots in {}",
        medium.brands.len(),
        medium.engagements,
        screenshots().display()
    );
    let pages = [
        // (name, address, charts, screenshot height: the whole page)
        (
            "overview",
            format!("{base}/?{window}"),
            vec!["sparkline"],
            1000,
        ),
        (
            "brand-owned",
            format!("{base}/brands/{}?{window}", segment(owned)),
            brand_charts.clone(),
            5200,
        ),
        (
            "brand-watched",
            format!("{base}/brands/{}?{window}", segment(watched)),
            brand_charts,
            5200,
        ),
    ];
    for (name, url, charts, height) in pages {
        let profile = profile.path().to_owned();
        let shot = screenshots().join(format!("{name}.png"));
        let (dom, _) = tokio::task::spawn_blocking(move || -> TestResult<(String, String)> {
            let dom = browse(&profile, &["--dump-dom".to_owned(), url.clone()])?;
            let shot_out = browse(
                &profile,
                &[
                    format!("--screenshot={}", shot.display()),
                    format!("--window-size=1280,{height}"),
                    url.clone(),
                ],
            )?;
            // The same on a phone's width, for a person to look at.
            browse(
                &profile,
                &[
                    format!("--screenshot={}", shot.with_extension("390.png").display()),
                    format!("--window-size=390,{}", height * 2),
                    url,
                ],
            )?;
            Ok((dom, shot_out))
        })
        .await??;
        for chart in charts {
            let at = dom
                .find(chart)
                .ok_or(format!("{name}: no {chart} in the DOM"))?;
            let figure = &dom[at..];
            let figure = &figure[..figure.find("</figure>").unwrap_or(figure.len())];
            assert!(figure.contains("<svg"), "{name}: {chart} has no SVG");
            assert!(
                !figure.contains("no data"),
                "{name}: {chart} is drawn empty on the medium world"
            );
        }
        if name == "overview" {
            assert_eq!(
                dom.matches("<figure class=\"sparkline\"").count(),
                medium.brands.len(),
                "overview: a sparkline per brand"
            );
        }
        assert!(
            !dom.contains("<script"),
            "{name}: a script element in the DOM"
        );
        let png = std::fs::read(screenshots().join(format!("{name}.png")))?;
        assert_eq!(
            png.get(..4),
            Some(&b"\x89PNG"[..]),
            "{name}: the screenshot is a PNG"
        );
        assert!(
            png.len() > 20_000,
            "{name}: the screenshot is nearly empty ({} bytes)",
            png.len()
        );
    }

    // Every kind of page on a 390 px screen (#14 item 10).
    let instance = &medium.instance;
    let compare = medium
        .brands
        .iter()
        .map(|b| format!("brand={}", segment(b)))
        .collect::<Vec<_>>()
        .join("&");
    let narrow = [
        format!("/?{window}"),
        format!("/brands/{}?{window}", segment(owned)),
        format!("/brands/{}?{window}", segment(watched)),
        format!("/compare?{compare}&{window}"),
        format!("/instances/{}", segment(instance)),
        format!(
            "/brands/{}/conversation?post={}",
            segment(owned),
            segment(&medium.conversation)
        ),
        "/crawls".to_owned(),
        "/glossary".to_owned(),
    ];
    let mut misfits = Vec::new();
    for page in narrow {
        let profile = profile.path().to_owned();
        let probe = format!(
            "{base}/__probe?target={}",
            url::form_urlencoded::byte_serialize(page.as_bytes()).collect::<String>()
        );
        let dom = tokio::task::spawn_blocking(move || {
            browse(
                &profile,
                &[
                    "--virtual-time-budget=20000".to_owned(),
                    "--window-size=600,1000".to_owned(),
                    "--dump-dom".to_owned(),
                    probe,
                ],
            )
        })
        .await??;
        let json = dom
            .split_once("<pre id=\"out\">")
            .and_then(|(_, rest)| rest.split_once("</pre>"))
            .map(|(json, _)| {
                json.replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&amp;", "&")
            })
            .ok_or(format!("{page}: the probe wrote nothing"))?;
        let fit: serde_json::Value = serde_json::from_str(&json)
            .map_err(|e| format!("{page}: the probe said {json:?} ({e})"))?;
        assert_eq!(fit["width"], 390, "{page}: the frame is 390 px wide");
        if fit["scroll_width"].as_u64() > Some(390)
            || fit["sticking_out"]
                .as_array()
                .is_some_and(|a| !a.is_empty())
            || fit["broken_words"]
                .as_array()
                .is_some_and(|a| !a.is_empty())
        {
            misfits.push(format!("{page}: {fit}"));
        }
    }
    assert!(misfits.is_empty(), "at 390 px:\n{}", misfits.join("\n"));

    let _ = stop.send(());
    server.await??;
    Ok(())
}

/// The probe page (`probe/fit.html`) for `?target=PATH` (as a JavaScript string): a
/// test route beside the product's, so the page it fetches is of the same origin.
async fn probe(
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> axum::response::Html<String> {
    let target = query.get("target").map_or("/", String::as_str);
    let literal = serde_json::to_string(target).unwrap_or_default();
    axum::response::Html(include_str!("probe/fit.html").replace("TARGET", &literal))
}
