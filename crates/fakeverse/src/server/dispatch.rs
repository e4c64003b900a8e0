//! One handler for every request: find the host, count the request, apply the host's
//! behaviour and rate limit, then answer as its software would.

use std::{sync::Arc, sync::atomic::Ordering};

use axum::{
    body::Bytes,
    extract::{Request, State as Extract},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::Response,
};

use super::{api, docs, politeness, reply, state::State};
use crate::world::{Instance, Quirk, SimSoftware, World};

/// The reserved path answered for any host name.
pub const STATS_PATH: &str = "/__fakeverse/stats";

/// Everything a document builder needs to know about a request.
#[derive(Debug)]
pub(crate) struct Ctx<'a> {
    pub state: &'a State,
    pub world: &'a World,
    pub instance: u32,
    pub inst: &'a Instance,
    pub path: &'a str,
    pub params: Vec<(String, String)>,
    pub body: Bytes,
    pub token: Option<String>,
    /// A valid HTTP signature (checked only where the software requires one).
    pub signature_ok: bool,
}

impl Ctx<'_> {
    pub fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// `https://host` of this host.
    pub fn origin(&self) -> String {
        self.world.origin(self.instance)
    }

    /// Whether the request carries the token of a brand whose first actor lives here.
    pub fn token_valid(&self) -> bool {
        token_home(self.world, self.token.as_deref()) == Some(self.instance)
    }
}

/// The instance whose brand account `token` belongs to (a brand's token is valid on its
/// first actor's home server only).
pub(crate) fn token_home(world: &World, token: Option<&str>) -> Option<u32> {
    let token = token?;
    world
        .brands()
        .iter()
        .find(|b| b.token.as_deref() == Some(token))
        .and_then(|b| b.actors.first())
        .and_then(|a| world.actors().get(*a as usize))
        .map(|a| a.instance)
}

fn host_of(headers: &HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    Some(name.trim_end_matches('.').to_ascii_lowercase())
}

/// The instance of a dead host the request is for, if it is one.
pub(crate) fn dead_host(state: &State, headers: &HeaderMap) -> Option<u32> {
    let i = state.world.instance_index(&host_of(headers)?)?;
    (state.world.instances().get(i as usize)?.quirk == Quirk::Dead).then_some(i)
}

pub(crate) async fn dispatch(Extract(state): Extract<Arc<State>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().unwrap_or("").to_owned();
    if path == STATS_PATH {
        return reply::api(&state.stats_json());
    }
    let Some(instance) = host_of(&parts.headers).and_then(|h| state.world.instance_index(&h))
    else {
        return reply::status(StatusCode::NOT_FOUND);
    };
    let Some(inst) = state.world.instances().get(instance as usize) else {
        return reply::status(StatusCode::NOT_FOUND);
    };
    state.count_request(instance);
    let stats = state.host_stats(instance);
    let token = bearer(&parts.headers);
    // A brand owner's token on the brand's home server, on its client API: the owner's
    // own client, which robots.txt does not address (BRIEF section 3).
    let client_access =
        path.starts_with("/api/") && token_home(&state.world, token.as_deref()) == Some(instance);
    if !client_access {
        check_robots(&state, instance, inst, &path, stats);
    }
    let signed = parts.headers.contains_key("signature");
    if signed && let Some(s) = stats {
        s.signed.fetch_add(1, Ordering::Relaxed);
    }
    if let Some(response) = quirk(&state, instance, inst, &path, stats).await {
        return response;
    }
    // A real server's time to answer (`fakeverse --latency`), after the request was
    // counted on arrival: politeness is judged on when requests arrive.
    if !state.options.latency.is_zero() {
        tokio::time::sleep(state.options.latency).await;
    }
    let signature_ok = signed
        && inst.software == SimSoftware::Gotosocial
        && super::signature::verify(&state, &parts.method, &path, &query, &parts.headers).await;
    let body = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let ctx = Ctx {
        state: &state,
        world: &state.world,
        instance,
        inst,
        path: &path,
        params: url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect(),
        body,
        token,
        signature_ok,
    };
    let rate = politeness::check_rate(&state, instance, &path, &query, ctx.token_valid());
    let mut response = match rate {
        Err(info) => return too_many(&info),
        Ok(info) => {
            let mut r = route(&ctx).await;
            if let Some(info) = info {
                add_rate_headers(&mut r, &info);
            }
            r
        }
    };
    let url = if query.is_empty() {
        path.clone()
    } else {
        format!("{path}?{query}")
    };
    let deny_base = format!("{}://127.0.0.2:{}", state.world.scheme(), state.port);
    response = reply::spoil(response, inst.quirk, &url, &deny_base).await;
    if parts.method == axum::http::Method::GET && response.status() == StatusCode::OK {
        let if_none_match = parts
            .headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok());
        response = reply::conditional(response, if_none_match).await;
    }
    count_answer(&response, stats);
    response
}

/// Counts a 304 and a 5xx in the host's stats.
fn count_answer(response: &Response, stats: Option<&super::state::HostStats>) {
    let Some(s) = stats else {
        return;
    };
    if response.status() == StatusCode::NOT_MODIFIED {
        s.not_modified.fetch_add(1, Ordering::Relaxed);
    }
    if response.status().is_server_error() {
        s.status_5xx.fetch_add(1, Ordering::Relaxed);
    }
}

/// The `Authorization: Bearer` token, if any.
fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned)
}

/// Holds a crawler's request to the host's robots.txt as served now: a disallowed path
/// is counted a violation, and the Crawl-delay (robots.txt's, or the quirk's) is
/// checked on every request, robots.txt's own too (a crawler that starts again at once
/// must still wait out the delay from its last request).
fn check_robots(
    state: &State,
    instance: u32,
    inst: &Instance,
    path: &str,
    stats: Option<&super::state::HostStats>,
) {
    let rules = state.robots_rules(instance, inst);
    if path != "/robots.txt"
        && rules.as_ref().is_some_and(|r| !r.allows(path))
        && let Some(s) = stats
    {
        s.robots_violations.fetch_add(1, Ordering::Relaxed);
    }
    let delay = if inst.quirk == Quirk::CrawlDelay {
        Some(std::time::Duration::from_secs(politeness::CRAWL_DELAY_SECS))
    } else {
        rules
            .as_ref()
            .and_then(|r| r.crawl_delay)
            .and_then(|secs| std::time::Duration::try_from_secs_f64(secs).ok())
    };
    if let Some(delay) = delay {
        state.check_crawl_delay(instance, delay);
    }
}

/// What a misbehaving host answers before looking at the request, if anything: 410 for
/// a gone host, a 503 burst for a flaky one; a slow host answers late.
async fn quirk(
    state: &State,
    instance: u32,
    inst: &Instance,
    path: &str,
    stats: Option<&super::state::HostStats>,
) -> Option<Response> {
    match inst.quirk {
        Quirk::Gone => Some(reply::status(StatusCode::GONE)),
        Quirk::Slow => {
            tokio::time::sleep(state.options.slow_delay).await;
            None
        }
        Quirk::ServerErrors if path != "/robots.txt" && state.in_error_burst(instance) => {
            if let Some(s) = stats {
                s.status_5xx.fetch_add(1, Ordering::Relaxed);
            }
            let mut r = reply::status(StatusCode::SERVICE_UNAVAILABLE);
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            Some(r)
        }
        _ => None,
    }
}

/// A 429 with the host's rate-limit headers (and `Retry-After`, but on Mastodon, which
/// sends none).
fn too_many(info: &politeness::RateInfo) -> Response {
    let mut r = reply::api_error(StatusCode::TOO_MANY_REQUESTS, "Too many requests");
    if !info.mastodon {
        insert(&mut r, "retry-after", &info.retry_after().to_string());
    }
    add_rate_headers(&mut r, info);
    r
}

fn insert(r: &mut Response, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        r.headers_mut().insert(name, v);
    }
}

fn add_rate_headers(r: &mut Response, info: &politeness::RateInfo) {
    if info.mastodon {
        insert(r, "x-ratelimit-limit", &info.limit.to_string());
        insert(r, "x-ratelimit-remaining", &info.remaining.to_string());
        insert(r, "x-ratelimit-reset", &info.reset_iso());
    }
}

async fn route(ctx: &Ctx<'_>) -> Response {
    let software = ctx.inst.software;
    match ctx.path {
        "/robots.txt" => {
            return match ctx.state.robots_txt(ctx.instance, ctx.inst) {
                Some(body) => reply::text(body),
                None => reply::status(StatusCode::GONE),
            };
        }
        "/.well-known/webfinger" => return docs::webfinger(ctx),
        "/.well-known/nodeinfo" => return docs::nodeinfo_links(ctx),
        _ => {}
    }
    if let Some(version) = docs::nodeinfo_version(ctx.inst, ctx.path) {
        return docs::nodeinfo(ctx, version);
    }
    if ctx.path.starts_with("/api/") {
        return api::route(ctx);
    }
    if software == SimSoftware::Gotosocial && !ctx.signature_ok {
        // GoToSocial answers unsigned (or badly signed) ActivityPub requests with 401.
        return reply::status(StatusCode::UNAUTHORIZED);
    }
    docs::activitypub(ctx)
}
