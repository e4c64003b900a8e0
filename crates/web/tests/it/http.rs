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

    let missing = client.get(format!("{base}/brands/nobody")).send().await?;
    assert_eq!(missing.status(), 404);
    let bad = client.get(format!("{base}/?tz=nowhere")).send().await?;
    assert_eq!(bad.status(), 400);

    let _ = stop.send(());
    server.await??;
    Ok(())
}
