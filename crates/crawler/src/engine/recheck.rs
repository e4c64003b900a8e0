//! Cheap re-crawls: one request tells whether a post changed since it was last read in
//! full. Where the origin's API sums up a post in one document (Mastodon's status, with
//! its counts and its author; Misskey's `notes/show`), that document is remembered (its
//! ETag, Last-Modified and a digest of its body) once the post's findings are saved, and
//! asked for conditionally next time: a 304, or the same body, means nothing changed, so
//! nothing else of the post is fetched. PeerTube's videos do not change when someone
//! engages, but the roots of their `likes`, `shares` and `comments` collections carry
//! counts: those three stand for a video. Other softwares' posts are read in full every
//! time.
//!
//! What the summary leaves out (a like undone and another given between two crawls, an
//! engager's new follower count) waits for the post's next change.

use fedireach_activitypub::{CollectionRef, Object};
use serde_json::json;
use url::Url;

use super::{
    ctx::{ACCEPT_AP, ACCEPT_JSON, join},
    sources::{Route, mastodon_status_id, misskey_note_id},
};
use crate::Request;

/// The requests whose answers change whenever the post's engagements do, if the
/// origin's software has them (none: the post is read in full). The sources make the
/// same requests, so on a changed post they are answered from the crawl's fetch cache.
pub fn indicators(
    origin: &Route,
    post: &Object,
    api_id: Option<&str>,
    base: &Url,
    token: Option<&str>,
) -> Vec<Request> {
    let Some(uri) = post.id.as_deref() else {
        return Vec::new();
    };
    match origin.family().as_str() {
        "mastodon" | "pleroma" | "gotosocial" => {
            let url = api_id
                .map(str::to_owned)
                .or_else(|| mastodon_status_id(uri, post.url.as_deref()))
                .and_then(|id| base.join("/api/v1/statuses/").ok()?.join(&id).ok());
            url.map(|url| with_token(Request::get(url, ACCEPT_JSON), token))
                .into_iter()
                .collect()
        }
        "misskey" => {
            let url = base.join("/api/notes/show").ok();
            misskey_note_id(uri)
                .zip(url)
                .map(|(id, url)| {
                    let body = json!({ "noteId": id }).to_string();
                    with_token(Request::post_json(url, body), token)
                })
                .into_iter()
                .collect()
        }
        "peertube" => {
            let roots: Vec<Request> = [&post.likes, &post.shares, &post.comments]
                .into_iter()
                .filter_map(|collection| match collection {
                    Some(CollectionRef::Url(url)) => join(base, url),
                    _ => None,
                })
                .map(|url| Request::get(url, ACCEPT_AP))
                .collect();
            // A video that does not link all three is read in full.
            if roots.len() == 3 { roots } else { Vec::new() }
        }
        _ => Vec::new(),
    }
}

fn with_token(mut request: Request, token: Option<&str>) -> Request {
    request.bearer = token.map(str::to_owned);
    request
}
