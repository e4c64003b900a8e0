//! The public REST APIs the crawler may use: Mastodon's (lookup, statuses, context,
//! favourited_by, reblogged_by, quotes; Link-header paging), Misskey's `/api/notes/*`
//! and `/api/users/*` (POST with a JSON body), and PeerTube's `/api/v1/*`.

mod mastodon;
mod misskey;
mod peertube;

use axum::{http::StatusCode, response::Response};

use super::{dispatch::Ctx, reply};
use crate::world::SimSoftware;

pub(crate) fn route(ctx: &Ctx<'_>) -> Response {
    match ctx.inst.software {
        SimSoftware::Mastodon
        | SimSoftware::Pleroma
        | SimSoftware::Akkoma
        | SimSoftware::Gotosocial
        | SimSoftware::Friendica
        | SimSoftware::Pixelfed => mastodon::route(ctx),
        s if s.is_misskey() => misskey::route(ctx),
        SimSoftware::Peertube => peertube::route(ctx),
        _ => reply::status(StatusCode::NOT_FOUND),
    }
}

/// The `limit` parameter, defaulted and capped as the software does.
fn limit(value: Option<&str>, default: usize, max: usize) -> usize {
    value
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(default)
        .clamp(1, max)
}
