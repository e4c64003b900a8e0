//! Validators on every page, chart, CSV and JSON answer: a weak `ETag` over the body
//! (weak: the same bytes may travel gzip- or br-encoded) and `Cache-Control: no-cache`,
//! so a browser or a script asking again after a crawl gets fresh figures, and before
//! one gets `304 Not Modified` without the body (RFC 9110 section 13.1.2, RFC 9111
//! section 5.2.2.4).

use axum::{
    body::{Body, HttpBody},
    extract::Request,
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};

/// Bodies up to this size get a validator; larger ones (none today) pass as they are.
const MAX_TAGGED_BODY: usize = 64 * 1024 * 1024;

pub(crate) async fn etag(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let if_none_match = request.headers().get(header::IF_NONE_MATCH).cloned();
    let response = next.run(request).await;
    if !(method == Method::GET || method == Method::HEAD)
        || response.status() != StatusCode::OK
        || response.headers().contains_key(header::ETAG)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // Only a body whose whole length is known is read here: a stream passes untouched.
    let known = body
        .size_hint()
        .exact()
        .and_then(|n| usize::try_from(n).ok())
        .is_some_and(|n| n <= MAX_TAGGED_BODY);
    if !known {
        return Response::from_parts(parts, body);
    }
    let bytes = match axum::body::to_bytes(body, MAX_TAGGED_BODY).await {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::warn!(%error, "could not read a response body to tag it");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let tag = format!("W/\"{}\"", hex::encode(&Sha256::digest(&bytes)[..16]));
    let Ok(value) = HeaderValue::from_str(&tag) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    parts.headers.insert(header::ETAG, value.clone());
    if !parts.headers.contains_key(header::CACHE_CONTROL) {
        parts
            .headers
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    if if_none_match.is_some_and(|wanted| matches(&wanted, &tag)) {
        let mut not_modified = StatusCode::NOT_MODIFIED.into_response();
        copy_validators(&parts.headers, not_modified.headers_mut());
        return not_modified;
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Whether `If-None-Match` names `tag` (weak comparison: `W/` is ignored) or is `*`.
fn matches(wanted: &HeaderValue, tag: &str) -> bool {
    let Ok(wanted) = wanted.to_str() else {
        return false;
    };
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let ours = opaque(tag);
    wanted
        .split(',')
        .any(|t| t.trim() == "*" || opaque(t) == ours)
}

/// The headers a 304 repeats from the 200 it stands for (RFC 9110 section 15.4.5).
fn copy_validators(from: &HeaderMap, to: &mut HeaderMap) {
    for name in [header::ETAG, header::CACHE_CONTROL, header::VARY] {
        if let Some(value) = from.get(&name) {
            to.insert(name, value.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly_and_takes_lists_and_stars() {
        let tag = "W/\"abc\"";
        for (header, expected) in [
            ("W/\"abc\"", true),
            ("\"abc\"", true),
            ("\"x\", W/\"abc\"", true),
            ("*", true),
            ("W/\"abd\"", false),
            ("", false),
        ] {
            assert_eq!(
                matches(&HeaderValue::from_static(header), tag),
                expected,
                "{header}"
            );
        }
    }
}
