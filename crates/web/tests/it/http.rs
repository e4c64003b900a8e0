//! A few requests over real HTTP on 127.0.0.1, through the same router `serve` runs.

use crate::world::{TestResult, world};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_and_api_over_real_http() -> TestResult {
    let w = world(None).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = w.app.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    let client = reqwest::Client::new();
    let base = format!("http://{addr}");

    let page = client.get(format!("{base}/brands/acme")).send().await?;
    assert_eq!(page.status(), 200);
    assert!(page.headers().contains_key("content-security-policy"));
    assert!(page.text().await?.contains("id=\"chart-best-time\""));

    let json = client
        .get(format!(
            "{base}/api/v1/brands/acme/reach?from=2026-08-01&to=2026-08-31"
        ))
        .send()
        .await?;
    assert_eq!(json.status(), 200);
    let value: serde_json::Value = json.json().await?;
    insta::assert_json_snapshot!("http_reach", value);

    let csv = client
        .get(format!("{base}/brands/acme/reports/instances.csv"))
        .send()
        .await?;
    assert_eq!(csv.status(), 200);
    insta::assert_snapshot!("http_instances_csv", csv.text().await?);

    // Compressed as the client accepts, with a validator: asked again with it, the same
    // page is a 304 without a body; once the data changes, the page is sent again.
    let gzipped = client
        .get(format!("{base}/brands/acme"))
        .header("accept-encoding", "gzip")
        .send()
        .await?;
    assert_eq!(gzipped.status(), 200);
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    assert_eq!(gzipped.headers()["cache-control"], "no-cache");
    let tag = gzipped.headers()["etag"].to_str()?.to_owned();
    assert!(tag.starts_with("W/\""), "{tag}");
    let compressed = gzipped.bytes().await?;
    let mut page = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(&compressed[..]),
        &mut page,
    )?;
    assert!(
        page.contains("id=\"chart-best-time\""),
        "the page, gzip-decoded"
    );
    assert!(
        compressed.len() * 3 < page.len(),
        "gzip shrinks the page: {} of {} bytes",
        compressed.len(),
        page.len()
    );
    let brotli = client
        .get(format!("{base}/brands/acme"))
        .header("accept-encoding", "br")
        .send()
        .await?;
    assert_eq!(brotli.headers()["content-encoding"], "br");
    assert_eq!(
        brotli.headers()["etag"].to_str()?,
        tag,
        "one validator per content"
    );
    let again = client
        .get(format!("{base}/brands/acme"))
        .header("if-none-match", &tag)
        .send()
        .await?;
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"].to_str()?, tag);
    assert!(again.bytes().await?.is_empty());
    // A PNG is already compressed: sent as it is, with its validator.
    let png = client
        .get(format!("{base}/brands/acme/charts/reach-by-software.png"))
        .header("accept-encoding", "gzip, br")
        .send()
        .await?;
    assert_eq!(png.status(), 200);
    assert!(!png.headers().contains_key("content-encoding"));
    assert!(png.headers().contains_key("etag"));
    // A brand added changes the overview: the old validator no longer matches.
    let overview = client.get(format!("{base}/")).send().await?;
    let before = overview.headers()["etag"].to_str()?.to_owned();
    let actor = fedireach_core::ActorRef::parse("@late@late.example", Default::default())?;
    w.state.store().add_brand("late", &[actor], None).await?;
    let changed = client
        .get(format!("{base}/"))
        .header("if-none-match", &before)
        .send()
        .await?;
    assert_eq!(changed.status(), 200);
    assert_ne!(changed.headers()["etag"].to_str()?, before);

    let missing = client.get(format!("{base}/brands/nobody")).send().await?;
    assert_eq!(missing.status(), 404);
    let bad = client.get(format!("{base}/?tz=nowhere")).send().await?;
    assert_eq!(bad.status(), 400);

    let _ = stop.send(());
    server.await??;
    Ok(())
}
