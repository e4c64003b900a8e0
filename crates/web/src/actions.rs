//! The actions that change something: add a brand, ask for a crawl. Read-only by
//! default: without a configured admin token every action answers 403. The API takes
//! the token as `Authorization: Bearer`; the page's own forms take it typed into a
//! password field, with the page's form token and a same-origin check, so another
//! site cannot make a visitor's browser post them. A crawl request is a job row for
//! the crawler; the web process never crawls.

use axum::{
    Form, Json,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use fedireach_core::{ActorRef, ActorRefOptions};
use serde::Deserialize;

use crate::{ApiError, AppState, WebError, tables::segment};

/// Who asked, as recorded on the job row.
const REQUESTED_BY: &str = "dashboard";

/// Equal in time whatever the first difference, so the token cannot be guessed byte
/// by byte from response times.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0_u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn check_token(state: &AppState, given: Option<&str>) -> Result<(), WebError> {
    let expected = state.admin_token().ok_or(WebError::ActionsDisabled)?;
    match given {
        Some(token) if same_secret(token, expected) => Ok(()),
        _ => Err(WebError::Unauthorized),
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// A form post must come from this dashboard: the browser's `Sec-Fetch-Site` (when
/// sent) says same-origin, an `Origin` (when sent) names this scheme and host, and the
/// hidden form token matches.
fn check_form(state: &AppState, headers: &HeaderMap, form_token: &str) -> Result<(), WebError> {
    let header_text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header_text(header::HeaderName::from_static("sec-fetch-site"))
        && !matches!(site, "same-origin" | "none")
    {
        return Err(WebError::CrossSite);
    }
    if let Some(origin) = header_text(header::ORIGIN) {
        let host = header_text(header::HOST).unwrap_or_default();
        if !same_origin(state.public_origin(), origin, host) {
            return Err(WebError::CrossSite);
        }
    }
    if !same_secret(form_token, state.form_token()) {
        return Err(WebError::CrossSite);
    }
    Ok(())
}

/// Whether a form's `Origin` is this dashboard: its host is the request's `Host` and
/// its scheme the one this host is served with: `public_url`'s when the request came
/// through that name, else `http` (`serve` itself speaks plain HTTP). So a page of
/// `http://dash.example` (which anyone on the path can write) cannot post to
/// `https://dash.example`.
fn same_origin(public: Option<(&str, &str)>, origin: &str, host: &str) -> bool {
    let Some((scheme, origin_host)) = url::Url::parse(origin)
        .ok()
        .as_ref()
        .and_then(crate::state::origin_parts)
    else {
        return false;
    };
    let host = host.trim().to_ascii_lowercase();
    // `Url` drops a scheme's default port; the Host header may carry it.
    let without_default_port = |scheme: &str| -> String {
        let port = if scheme == "https" { ":443" } else { ":80" };
        host.strip_suffix(port).unwrap_or(&host).to_owned()
    };
    let (expected_scheme, host_without_default) = match public {
        Some((public_scheme, public_host))
            if without_default_port(public_scheme) == public_host =>
        {
            (public_scheme, without_default_port(public_scheme))
        }
        _ => ("http", without_default_port("http")),
    };
    scheme == expected_scheme && origin_host == host_without_default
}

/// A brand to add, from the API or the form.
#[derive(Debug, Deserialize)]
pub(crate) struct NewBrand {
    name: String,
    /// JSON: a list; the form: one text field, actors separated by spaces or lines.
    #[serde(default)]
    actors: ActorList,
    #[serde(default)]
    token_env: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(untagged)]
enum ActorList {
    #[default]
    None,
    List(Vec<String>),
    Text(String),
}

impl ActorList {
    fn items(&self) -> Vec<&str> {
        match self {
            Self::None => Vec::new(),
            Self::List(list) => list.iter().map(String::as_str).collect(),
            Self::Text(text) => text.split_whitespace().collect(),
        }
    }
}

async fn add_brand(state: &AppState, new: &NewBrand) -> Result<fedireach_store::Brand, WebError> {
    let mut actors = Vec::new();
    let mut problems = Vec::new();
    for text in new.actors.items() {
        match ActorRef::parse(text, ActorRefOptions::default()) {
            Ok(actor) => actors.push(actor),
            Err(error) => problems.push(error.to_string()),
        }
    }
    if !problems.is_empty() {
        return Err(WebError::BadInput(problems.join("; ")));
    }
    let token_env = new
        .token_env
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    if let Some(variable) = token_env
        && !state.token_envs().allows(variable)
    {
        return Err(WebError::BadInput(format!(
            "`token_env` = {variable:?} is not a variable a brand added here may read its \
             token from; allowed: {}. On the server, `fedireach brand add --token-env` may \
             name any variable",
            state.token_envs().describe()
        )));
    }
    let brand = state
        .store()
        .add_brand(new.name.trim(), &actors, token_env)
        .await?;
    state.invalidate().await?;
    Ok(brand)
}

/// `POST /api/v1/brands` with `{"name", "actors": [..], "token_env"}`.
pub(crate) async fn api_add_brand(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(new): Json<NewBrand>,
) -> Result<Response, ApiError> {
    check_token(&state, bearer(&headers))?;
    let brand = add_brand(&state, &new).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({
            "name": brand.name,
            "owned": brand.is_owned(),
            "actors": brand.actors.iter().map(|a| a.input.clone()).collect::<Vec<_>>(),
        })),
    )
        .into_response())
}

/// A crawl to ask for; no brand: all of them.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CrawlRequest {
    #[serde(default)]
    brand: Option<String>,
}

async fn enqueue(state: &AppState, brand: Option<&str>) -> Result<i64, WebError> {
    let brand = brand.map(str::trim).filter(|b| !b.is_empty());
    Ok(state.store().enqueue_crawl_job(brand, REQUESTED_BY).await?)
}

/// `POST /api/v1/crawls` with `{"brand": NAME}` or `{}`.
pub(crate) async fn api_request_crawl(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(request): Json<CrawlRequest>,
) -> Result<Response, ApiError> {
    check_token(&state, bearer(&headers))?;
    let job = enqueue(&state, request.brand.as_deref()).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(serde_json::json!({ "job_id": job, "queued": true })),
    )
        .into_response())
}

/// The fields every action form carries.
#[derive(Debug, Deserialize)]
pub(crate) struct FormAuth {
    #[serde(default)]
    admin_token: String,
    #[serde(default)]
    form_token: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct BrandForm {
    #[serde(flatten)]
    auth: FormAuth,
    name: String,
    #[serde(default)]
    actors: String,
    #[serde(default)]
    token_env: Option<String>,
}

/// `POST /brands` from the overview's form: adds the brand, then shows its page.
pub(crate) async fn form_add_brand(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<BrandForm>,
) -> Result<Response, WebError> {
    // A post from another site gets no page of ours back.
    check_form(&state, &headers, &form.auth.form_token)?;
    let added = match check_token(&state, Some(&form.auth.admin_token)) {
        Ok(()) => {
            add_brand(
                &state,
                &NewBrand {
                    name: form.name.clone(),
                    actors: ActorList::Text(form.actors.clone()),
                    token_env: form.token_env.clone(),
                },
            )
            .await
        }
        // Without actions there is no form to fill in again.
        Err(WebError::ActionsDisabled) => return Err(WebError::ActionsDisabled),
        Err(refused) => Err(refused),
    };
    match added {
        Ok(brand) => Ok(Redirect::to(&format!("/brands/{}", segment(&brand.name))).into_response()),
        // Refused (a wrong token, a taken name, a bad actor): the overview again, with
        // what was typed and why, so nothing has to be typed twice.
        Err(error) => {
            error.log();
            let again = crate::pages::FormAgain {
                name: form.name,
                actors: form.actors,
                token_env: form.token_env.unwrap_or_default(),
                error: error.public_message(),
            };
            let page =
                crate::pages::overview(&state, &crate::View::parse(None)?, Some(again)).await?;
            Ok((error.status(), page).into_response())
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct CrawlForm {
    #[serde(flatten)]
    auth: FormAuth,
    #[serde(default)]
    brand: Option<String>,
}

/// `POST /crawls` from the crawl page's form: queues the job, then shows the page.
pub(crate) async fn form_request_crawl(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<CrawlForm>,
) -> Result<Redirect, WebError> {
    check_form(&state, &headers, &form.auth.form_token)?;
    check_token(&state, Some(&form.auth.admin_token))?;
    let job = enqueue(&state, form.brand.as_deref()).await?;
    Ok(Redirect::to(&format!("/crawls?queued={job}")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_origin_matches_in_scheme_and_host() {
        use super::same_origin;
        let public = Some(("https", "dash.example"));
        assert!(same_origin(None, "http://127.0.0.1:8080", "127.0.0.1:8080"));
        assert!(!same_origin(
            None,
            "https://127.0.0.1:8080",
            "127.0.0.1:8080"
        ));
        assert!(!same_origin(
            None,
            "http://127.0.0.1:8081",
            "127.0.0.1:8080"
        ));
        assert!(!same_origin(None, "null", "127.0.0.1:8080"));
        assert!(same_origin(public, "https://dash.example", "dash.example"));
        assert!(same_origin(
            public,
            "https://dash.example",
            "dash.example:443"
        ));
        assert!(!same_origin(public, "http://dash.example", "dash.example"));
        assert!(!same_origin(public, "ftp://dash.example", "dash.example"));
        // Reached directly (not through the public name): plain HTTP.
        assert!(same_origin(public, "http://10.1.2.3:8080", "10.1.2.3:8080"));
        assert!(!same_origin(public, "https://evil.example", "dash.example"));
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(super::same_secret("abc", "abc"));
        assert!(!super::same_secret("abc", "abd"));
        assert!(!super::same_secret("abc", "ab"));
        assert!(!super::same_secret("", "a"));
    }
}
