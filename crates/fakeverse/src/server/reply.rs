//! Responses as the simulated servers write them, and the misbehaviours applied to
//! ActivityPub documents.

use axum::{
    body::Body,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};

use crate::world::Quirk;

/// Marks a response as an ActivityPub document, which misbehaving hosts spoil.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ApDocument;

/// The size of an oversized document: past the crawler's 5 MB cap.
pub(crate) const OVERSIZED_BYTES: usize = 6_000_000;

/// A drip host's pace: one byte of every document each this long.
pub(crate) const DRIP_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);

/// What a gzip bomb inflates to: 1,024 gzip members of 1 MiB of spaces each (a gzip
/// stream may hold several members, inflated one after the other), about 1 MiB sent.
const BOMB_MEMBERS: usize = 1024;
const BOMB_MEMBER_BYTES: usize = 1 << 20;

/// The gzip bomb's body, made once.
fn gzip_bomb() -> axum::body::Bytes {
    static BOMB: std::sync::OnceLock<axum::body::Bytes> = std::sync::OnceLock::new();
    BOMB.get_or_init(|| {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let member = encoder
            .write_all(&vec![b' '; BOMB_MEMBER_BYTES])
            .and_then(|()| encoder.finish())
            .unwrap_or_default();
        axum::body::Bytes::from(member.repeat(BOMB_MEMBERS))
    })
    .clone()
}

fn with_type(status: StatusCode, content_type: &'static str, body: impl Into<Body>) -> Response {
    let mut r = Response::new(body.into());
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// An ActivityPub document.
pub(crate) fn ap(value: &Value) -> Response {
    let mut r = with_type(
        StatusCode::OK,
        "application/activity+json; charset=utf-8",
        value.to_string(),
    );
    r.extensions_mut().insert(ApDocument);
    r
}

/// A REST API answer.
pub(crate) fn api(value: &Value) -> Response {
    with_type(
        StatusCode::OK,
        "application/json; charset=utf-8",
        value.to_string(),
    )
}

/// A REST API error, as Mastodon writes them.
pub(crate) fn api_error(status: StatusCode, message: &str) -> Response {
    with_type(
        status,
        "application/json; charset=utf-8",
        json!({ "error": message }).to_string(),
    )
}

/// A WebFinger JRD.
pub(crate) fn jrd(value: &Value) -> Response {
    with_type(
        StatusCode::OK,
        "application/jrd+json; charset=utf-8",
        value.to_string(),
    )
}

/// A NodeInfo document of schema `version`.
pub(crate) fn nodeinfo(value: &Value, version: &str) -> Response {
    let content_type = if version == "2.1" {
        "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/2.1#\"; charset=utf-8"
    } else {
        "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/2.0#\"; charset=utf-8"
    };
    with_type(StatusCode::OK, content_type, value.to_string())
}

pub(crate) fn text(body: String) -> Response {
    with_type(StatusCode::OK, "text/plain; charset=utf-8", body)
}

pub(crate) fn status(status: StatusCode) -> Response {
    with_type(
        status,
        "application/json; charset=utf-8",
        json!({ "error": status.canonical_reason().unwrap_or("error") }).to_string(),
    )
}

pub(crate) fn redirect(location: &str) -> Response {
    let mut r = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// The ETag of a body as Rails' `Rack::ETag` gives one to every GET answered 200
/// (Mastodon's ActivityPub documents and API answers alike): weak, a digest of the body.
/// A request whose `If-None-Match` names it gets 304 Not Modified, without a body.
pub(crate) async fn conditional(response: Response, if_none_match: Option<&str>) -> Response {
    use std::hash::{Hash, Hasher};
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return status(StatusCode::INTERNAL_SERVER_ERROR);
    };
    // A fixed-key hasher: the same body gets the same tag from every server of a test.
    let mut hasher = std::hash::DefaultHasher::new();
    bytes.hash(&mut hasher);
    let etag = format!("W/\"{:016x}\"", hasher.finish());
    if let Ok(value) = HeaderValue::from_str(&etag) {
        parts.headers.insert(header::ETAG, value);
    }
    let matches = if_none_match.is_some_and(|list| {
        list.split(',')
            .map(str::trim)
            .any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag.trim_start_matches("W/"))
    });
    if matches {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_TYPE);
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The document padded past any sane size cap.
async fn oversized(response: Response) -> Response {
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap_or_default();
    let mut body = bytes.to_vec();
    if body.last() == Some(&b'}') {
        body.pop();
        body.extend_from_slice(b",\"_padding\":\"");
        body.resize(body.len() + OVERSIZED_BYTES, b'x');
        body.extend_from_slice(b"\"}");
    }
    with_type(
        StatusCode::OK,
        "application/activity+json; charset=utf-8",
        body,
    )
}

/// Of two URLs that redirect to each other (the request's, with and without a
/// `loop=1` marker), the other one.
fn looped(url: &str) -> String {
    match (url.strip_suffix("?loop=1"), url.strip_suffix("&loop=1")) {
        (Some(back), _) | (None, Some(back)) => back.to_owned(),
        _ if url.contains('?') => format!("{url}&loop=1"),
        _ => format!("{url}?loop=1"),
    }
}

/// The document one byte at a time, [`DRIP_INTERVAL`] apart.
async fn drip(response: Response) -> Response {
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap_or_default();
    let drip = futures::stream::unfold(0, move |at: usize| {
        let byte = bytes.get(at..=at).map(|_| bytes.slice(at..=at));
        async move {
            if at > 0 {
                tokio::time::sleep(DRIP_INTERVAL).await;
            }
            Some((Ok::<_, std::convert::Infallible>(byte?), at + 1))
        }
    });
    with_type(
        StatusCode::OK,
        "application/activity+json; charset=utf-8",
        Body::from_stream(drip),
    )
}

/// Spoils an ActivityPub document the way the host's quirk says. `url` is the request's
/// own URL (path and query), `deny_base` the refused address to redirect to.
pub(crate) async fn spoil(
    response: Response,
    quirk: Quirk,
    url: &str,
    deny_base: &str,
) -> Response {
    if response.extensions().get::<ApDocument>().is_none() {
        return response;
    }
    match quirk {
        Quirk::MalformedJson => {
            let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap_or_default();
            let half = bytes.slice(0..bytes.len() / 2);
            with_type(
                StatusCode::OK,
                "application/activity+json; charset=utf-8",
                half,
            )
        }
        Quirk::HtmlBody => with_type(
            StatusCode::OK,
            "application/activity+json; charset=utf-8",
            "<!DOCTYPE html><html><head><title>Welcome</title></head><body><h1>It works!</h1></body></html>",
        ),
        Quirk::WrongContentType => {
            let mut response = response;
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            response
        }
        Quirk::Oversized => oversized(response).await,
        Quirk::RedirectLoop => redirect(&looped(url)),
        Quirk::DenyRedirect => redirect(&format!("{deny_base}{url}")),
        Quirk::Drip => drip(response).await,
        Quirk::GzipBomb => {
            let mut r = with_type(
                StatusCode::OK,
                "application/activity+json; charset=utf-8",
                gzip_bomb(),
            );
            r.headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            r
        }
        _ => response,
    }
}
