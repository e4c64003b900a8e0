//! `/brands/{name}/conversation?post=URI`: who replied to one of an owned brand's
//! posts, from which instance, and how deep the thread went. Engagers who may not be
//! named (opted out, not indexable) are counted, never named or quoted; watched brands
//! have no such page (BRIEF section 3: aggregates only).

use std::collections::BTreeMap;

use axum::{
    extract::{Path, RawQuery, State},
    response::Html,
};
use minijinja::Value;
use serde::Serialize;

use crate::{
    AppState, View, WebError,
    audience::engager_label,
    tables::{local_time_at, safe_href, segment, with_query},
};

/// Deepest indentation drawn: deeper replies are drawn at this one, their depth said.
const MAX_INDENT: i64 = 6;

/// One reply as the template shows it.
#[derive(Debug, Serialize)]
struct Reply {
    who: Option<String>,
    is_self: bool,
    host: String,
    host_url: String,
    when: String,
    depth: Option<i64>,
    indent: i64,
    excerpt: Option<String>,
    url: Option<String>,
}

pub(crate) async fn conversation_page(
    State(state): State<AppState>,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, WebError> {
    let view = View::parse(query.as_deref())?;
    let post = url::form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "post")
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| {
            WebError::BadInput(
                "which post? Open a conversation from the brand page's top posts".to_owned(),
            )
        })?;
    let store = state.store();
    let brand = store.brand(&name).await?;
    if !brand.is_owned() {
        return Err(WebError::NotFound(format!(
            "{name} is a watched brand: its pages show aggregate figures only, never who \
             replied. Conversations are shown for owned brands, whose owner gave a token."
        )));
    }
    let replies = store.conversation(&name, &post).await?.ok_or_else(|| {
        WebError::NotFound(format!(
            "{post} is not a post of {name} that fedireach has stored"
        ))
    })?;
    let labels = view.labels();
    let tz = view.window.tz();
    let mut by_instance: BTreeMap<&str, u64> = BTreeMap::new();
    for r in &replies {
        *by_instance.entry(r.host.as_str()).or_default() += 1;
    }
    let mut instances: Vec<(&str, u64)> = by_instance.into_iter().collect();
    instances.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let host_url = |host: &str| with_query(&format!("/instances/{}", segment(host)), &labels.query);
    let deepest = replies.iter().filter_map(|r| r.depth).max();
    let depth_unknown = replies.iter().filter(|r| r.depth.is_none()).count();
    let unnamed = replies
        .iter()
        .filter(|r| r.name.is_none() && !r.is_self)
        .count();
    let shown: Vec<Reply> = replies
        .iter()
        .map(|r| Reply {
            who: r.name.as_ref().map(engager_label),
            is_self: r.is_self,
            host: r.host.clone(),
            host_url: host_url(&r.host),
            when: local_time_at(r.at, tz),
            depth: r.depth,
            indent: r.depth.unwrap_or(1).clamp(1, MAX_INDENT) - 1,
            excerpt: r.excerpt.clone(),
            url: r.uri.as_deref().and_then(safe_href),
        })
        .collect();
    let text = store.post_texts(std::slice::from_ref(&post)).await?;
    let page = minijinja::context! {
        brand => name.clone(),
        brand_url => with_query(&format!("/brands/{}", segment(&name)), &labels.query),
        post_url => safe_href(&post),
        post => post.clone(),
        post_text => text.get(&post).cloned(),
        replies => Value::from_serialize(&shown),
        instances => Value::from_serialize(
            instances
                .iter()
                .map(|(host, n)| (host.to_string(), host_url(host), *n))
                .collect::<Vec<_>>(),
        ),
        deepest => deepest,
        depth_unknown => depth_unknown,
        unnamed => unnamed,
        // The view's controls keep the post (the page is one post's, not a window's).
        post_field => post.clone(),
        post_query => format!("post={}", segment(&post)),
    };
    super::render(&state, "conversation.html", &view, &name, page)
}
