//! Every route of the dashboard, pages, downloads, the JSON API and the actions, in
//! one table.

use axum::{
    Router,
    extract::{Path, RawQuery, State},
    http::header,
    middleware,
    response::IntoResponse,
    routing::{get, post},
};

use tower_http::compression::CompressionLayer;

use crate::{
    AppState, WebError, actions, api, downloads, etag, ops, pages, reports::BrandReport, security,
};

/// The dashboard's router, with its state.
pub fn router(state: AppState) -> Router {
    let mut api_routes = Router::new()
        .route("/brands", get(api::brands).post(actions::api_add_brand))
        .route("/brands/{name}/figures", get(api::figures))
        .route("/compare", get(api::compare))
        .route("/crawls", get(api::crawls).post(actions::api_request_crawl));
    for kind in BrandReport::ALL {
        api_routes = api_routes.route(
            &format!("/brands/{{name}}/{}", kind.as_str()),
            get(
                move |State(state): State<AppState>,
                      Path(name): Path<String>,
                      RawQuery(query): RawQuery| {
                    api::report(kind, state, name, query)
                },
            ),
        );
    }
    let api_routes = api_routes.fallback(api::not_found);

    Router::new()
        .route("/", get(pages::overview_page))
        .route("/brands", post(actions::form_add_brand))
        .route("/brands/{name}", get(pages::brand_page))
        .route("/brands/{name}/reports/{file}", get(downloads::brand_csv))
        .route("/brands/{name}/conversation", get(pages::conversation_page))
        .route("/brands/{name}/charts/{file}", get(downloads::brand_chart))
        .route("/glossary", get(pages::glossary_page))
        .route("/compare", get(pages::compare_page))
        .route("/compare.csv", get(downloads::compare_csv))
        .route(
            "/compare/families.csv",
            get(downloads::compare_families_csv),
        )
        .route("/compare/charts/{file}", get(downloads::compare_chart))
        .route("/instances/{host}", get(pages::instance_page))
        .route("/instances/{host}/table.csv", get(downloads::instance_csv))
        .route(
            "/crawls",
            get(pages::crawls_page).post(actions::form_request_crawl),
        )
        .route("/crawls.csv", get(downloads::runs_csv))
        .route("/crawls/consent.csv", get(downloads::consent_csv))
        .route("/crawls/failures.csv", get(downloads::failures_csv))
        .route("/assets/style.css", get(stylesheet))
        .route("/healthz", get(ops::healthz))
        .route("/metrics", get(ops::metrics))
        .nest("/api/v1", api_routes)
        .fallback(not_found)
        // Validators on the plain body, then compression of what is sent: gzip or br
        // as the client accepts (tower-http's default leaves images and bodies under
        // 32 bytes as they are).
        .layer(middleware::from_fn(etag::etag))
        .layer(CompressionLayer::new())
        .layer(middleware::map_response(security::headers))
        .with_state(state)
}

async fn stylesheet(State(state): State<AppState>) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        state.dashboards().stylesheet.clone(),
    )
}

async fn not_found() -> WebError {
    WebError::NotFound("no page at this address; the overview is at /".into())
}
