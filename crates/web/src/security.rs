//! Headers on every response: a strict Content-Security-Policy (no script at all,
//! styles and images from this origin only; the inline SVG charts are markup, not
//! resources), no framing, no MIME sniffing, no referrer leaking brand names.

use axum::{
    http::{HeaderValue, header},
    response::Response,
};

/// The policy: pages work without JavaScript, so none is allowed.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub(crate) async fn headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}
