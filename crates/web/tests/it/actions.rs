//! Actions: read-only without a token, the bearer token for the API, the form token
//! and same-origin check for the page's forms; a crawl request is a queued job.

use axum::http::StatusCode;
use fedireach_web::{TokenEnvPolicy, WebConfig};
use serde_json::json;

use crate::world::{ADMIN, TestResult, world, world_with};

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
    // A brand added with a wrong token: refused, and the overview comes back with the
    // page's navigation, why, and what was typed (never the token).
    let reply = w
        .post_form(
            "/brands",
            &[
                ("form_token", &token),
                ("admin_token", "guess"),
                ("name", "Typed Brand"),
                ("actors", "@typed@typed.example"),
                ("token_env", "TYPED_TOKEN"),
            ],
            &same_origin,
        )
        .await?;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    for kept in [
        "<nav aria-label=\"Main\">",
        "role=\"alert\" id=\"add-brand-error\">Not added: ",
        "value=\"Typed Brand\"",
        "value=\"@typed@typed.example\"",
        "value=\"TYPED_TOKEN\"",
    ] {
        assert!(reply.body.contains(kept), "{kept} in {}", reply.body);
    }
    assert!(
        !reply.body.contains("guess"),
        "the token is never shown again"
    );
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
    // The page it leads to says what was queued and lists it in the queue.
    let page = w.get(location).await?.body;
    let job = location.trim_start_matches("/crawls?queued=");
    assert!(
        page.contains(&format!("Crawl #{job} of brand acme is queued.")),
        "{page}"
    );
    let queue = page
        .split("<h2>Queue</h2>")
        .nth(1)
        .and_then(|p| p.split("</section>").next())
        .ok_or("a queue panel")?;
    assert!(
        queue.contains(&format!("<td>{job}</td><td>acme</td><td>queued</td>")),
        "{queue}"
    );

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

/// The form from a page of another scheme on the same host and port (`https://` where
/// the dashboard is served over `http://`, or `http://` where `public_url` says
/// `https://`): refused, though host and port match.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_form_origin_check_compares_the_scheme() -> TestResult {
    for (public_url, host, good, bad) in [
        (
            "",
            "127.0.0.1:8080",
            "http://127.0.0.1:8080",
            "https://127.0.0.1:8080",
        ),
        (
            "https://dash.example",
            "dash.example",
            "https://dash.example",
            "http://dash.example",
        ),
    ] {
        let w = world_with(
            Some(ADMIN),
            WebConfig {
                public_url: url::Url::parse(public_url).ok(),
                ..WebConfig::default()
            },
        )
        .await?;
        let token = form_token(&w.get("/crawls").await?.body);
        let form = [("form_token", token.as_str()), ("admin_token", ADMIN)];
        let reply = w
            .post_form_to_host("/crawls", host, &form, &[("origin", bad)])
            .await?;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{bad} to {host}");
        let reply = w
            .post_form_to_host("/crawls", host, &form, &[("origin", good)])
            .await?;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{good} to {host}");
    }
    Ok(())
}

/// A brand's token variable through the API or the form: only what the operator
/// allowed, by name or prefix; none by default, with a 400 that says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_brand_token_variable_through_the_web_must_be_allowed() -> TestResult {
    let brand = |name: &str, env: &str| json!({"name": name, "actors": ["@t@tok.example"], "token_env": env});
    let w = world(Some(ADMIN)).await?;
    let reply = w
        .post_json(
            "/api/v1/brands",
            brand("cloud", "SOME_CLOUD_SECRET"),
            Some(ADMIN),
        )
        .await?;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert!(reply.body.contains("SOME_CLOUD_SECRET"), "{}", reply.body);
    assert!(
        reply.body.contains("brand_token_env_allow"),
        "{}",
        reply.body
    );
    assert!(w.state.store().brand("cloud").await.is_err(), "not stored");
    let token = form_token(&w.get("/").await?.body);
    let reply = w
        .post_form(
            "/brands",
            &[
                ("form_token", &token),
                ("admin_token", ADMIN),
                ("name", "cloud"),
                ("actors", "@t@tok.example"),
                ("token_env", "AWS_SECRET_ACCESS_KEY"),
            ],
            &[("sec-fetch-site", "same-origin")],
        )
        .await?;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    // Without a token variable: a watched brand, as before.
    let reply = w
        .post_json(
            "/api/v1/brands",
            json!({"name": "watched", "actors": ["@t@tok.example"]}),
            Some(ADMIN),
        )
        .await?;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);

    let w = world_with(
        Some(ADMIN),
        WebConfig {
            token_envs: TokenEnvPolicy {
                names: vec!["ACME2_TOKEN".into()],
                prefix: "FEDIREACH_BRAND_".into(),
            },
            ..WebConfig::default()
        },
    )
    .await?;
    for (name, env, status) in [
        ("by-name", "ACME2_TOKEN", StatusCode::CREATED),
        ("by-prefix", "FEDIREACH_BRAND_X", StatusCode::CREATED),
        ("other", "ACME3_TOKEN", StatusCode::BAD_REQUEST),
        ("cloud", "SOME_CLOUD_SECRET", StatusCode::BAD_REQUEST),
    ] {
        let reply = w
            .post_json("/api/v1/brands", brand(name, env), Some(ADMIN))
            .await?;
        assert_eq!(reply.status, status, "{env}: {}", reply.body);
    }
    assert_eq!(
        w.state
            .store()
            .brand("by-prefix")
            .await?
            .token_env
            .as_deref(),
        Some("FEDIREACH_BRAND_X")
    );
    Ok(())
}

/// Brand names that a browser would resolve to another page (`.`, `..`, or with no
/// letter or digit) are refused; every accepted name's link, resolved as a browser
/// does, reaches that brand's page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_brand_name_accepted_is_reachable() -> TestResult {
    let w = world(Some(ADMIN)).await?;
    let add = async |name: &str| {
        w.post_json(
            "/api/v1/brands",
            json!({"name": name, "actors": ["@n@names.example"]}),
            Some(ADMIN),
        )
        .await
    };
    for name in [".", "..", "...", ".hidden", "-", "_ _"] {
        let reply = add(name).await?;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{name:?}: {}",
            reply.body
        );
    }
    let base = url::Url::parse("http://127.0.0.1:8080/")?;
    for name in ["v1.0", "a..b", "x.", "Ça va", "_under", "a-b_c d.e"] {
        let reply = add(name).await?;
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "{name:?}: {}",
            reply.body
        );
        let link = format!("/brands/{}", fedireach_web::segment(name));
        let resolved = base.join(&link)?;
        assert_eq!(
            resolved.path(),
            link,
            "{name:?}: a browser asks for {resolved}"
        );
        let page = w.get(resolved.path()).await?;
        assert_eq!(page.status, StatusCode::OK, "{name:?} at {link}");
    }
    Ok(())
}
