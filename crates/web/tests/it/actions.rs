//! Actions: read-only without a token, the bearer token for the API, the form token
//! and same-origin check for the page's forms; a crawl request is a queued job.

use axum::http::StatusCode;
use serde_json::json;

use crate::world::{ADMIN, TestResult, world};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_configured_token_every_action_is_refused() -> TestResult {
    let w = world(None).await?;
    let reply = w
        .post_json("/api/v1/crawls", json!({}), Some("anything"))
        .await?;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    let reply = w
        .post_json(
            "/api/v1/brands",
            json!({"name": "x", "actors": ["@x@x.example"]}),
            Some(""),
        )
        .await?;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let page = w.get("/crawls").await?;
    assert!(
        !page.body.contains("Queue a crawl"),
        "no action forms on a read-only dashboard"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_needs_the_bearer_token() -> TestResult {
    let w = world(Some(ADMIN)).await?;
    for token in [None, Some("wrong"), Some("s3cret-admin-tokeN")] {
        let reply = w
            .post_json("/api/v1/crawls", json!({"brand": "acme"}), token)
            .await?;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{token:?}");
    }
    let reply = w
        .post_json("/api/v1/crawls", json!({"brand": "acme"}), Some(ADMIN))
        .await?;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
    insta::assert_json_snapshot!("action_crawl", serde_json::from_str::<serde_json::Value>(&reply.body)?, { ".job_id" => "[id]" });
    let reply = w
        .post_json("/api/v1/crawls", json!({"brand": "nobody"}), Some(ADMIN))
        .await?;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);

    let reply = w
        .post_json(
            "/api/v1/brands",
            json!({"name": "new brand", "actors": ["@new@new.example"]}),
            Some(ADMIN),
        )
        .await?;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    insta::assert_json_snapshot!(
        "action_add_brand",
        serde_json::from_str::<serde_json::Value>(&reply.body)?
    );
    assert_eq!(
        w.get("/brands/new%20brand").await?.status,
        StatusCode::OK,
        "the new brand has a page at once"
    );
    for name in ["new brand", " acme "] {
        let again = w
            .post_json(
                "/api/v1/brands",
                json!({"name": name, "actors": ["@other@new.example"]}),
                Some(ADMIN),
            )
            .await?;
        assert_eq!(again.status, StatusCode::CONFLICT, "{name}: {}", again.body);
        assert!(again.body.contains("already"), "{}", again.body);
    }
    let hostile = w
        .post_json(
            "/api/v1/brands",
            json!({"name": "<script>", "actors": ["@x@x.example"]}),
            Some(ADMIN),
        )
        .await?;
    assert_eq!(hostile.status, StatusCode::BAD_REQUEST, "{}", hostile.body);
    let bad_actor = w
        .post_json(
            "/api/v1/brands",
            json!({"name": "ok", "actors": ["javascript:alert(1)"]}),
            Some(ADMIN),
        )
        .await?;
    assert_eq!(
        bad_actor.status,
        StatusCode::BAD_REQUEST,
        "{}",
        bad_actor.body
    );
    Ok(())
}

/// The hidden form token of a page.
fn form_token(page: &str) -> String {
    page.split("name=\"form_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_forms_are_csrf_safe() -> TestResult {
    let w = world(Some(ADMIN)).await?;
    let page = w.get("/crawls").await?;
    assert!(page.body.contains("Queue a crawl"));
    let token = form_token(&page.body);
    assert_eq!(token.len(), 32, "{token}");

    let same_origin = [
        ("origin", "http://127.0.0.1:8080"),
        ("sec-fetch-site", "same-origin"),
    ];
    // Another site's form: refused whatever it carries.
    let cross = [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ];
    let reply = w
        .post_form(
            "/crawls",
            &[("form_token", &token), ("admin_token", ADMIN)],
            &cross,
        )
        .await?;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    // Without the page's form token, or with a wrong admin token.
    let reply = w
        .post_form(
            "/crawls",
            &[("form_token", "0"), ("admin_token", ADMIN)],
            &same_origin,
        )
        .await?;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let reply = w
        .post_form(
            "/crawls",
            &[("form_token", &token), ("admin_token", "guess")],
            &same_origin,
        )
        .await?;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    // The page's own form.
    let reply = w
        .post_form(
            "/crawls",
            &[
                ("form_token", &token),
                ("admin_token", ADMIN),
                ("brand", "acme"),
            ],
            &same_origin,
        )
        .await?;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let location = reply
        .headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(location.starts_with("/crawls?queued="), "{location}");

    let reply = w
        .post_form(
            "/brands",
            &[
                ("form_token", &token),
                ("admin_token", ADMIN),
                ("name", "Form Brand"),
                ("actors", "@f@form.example\nhttps://form.example/users/g"),
            ],
            &same_origin,
        )
        .await?;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(
        reply.headers.get("location").map(|v| v.as_bytes()),
        Some(&b"/brands/Form%20Brand"[..])
    );
    Ok(())
}
