//! A reference crawl: finds every engagement of every brand post through the origin's
//! own endpoints, as BRIEF section 2 describes them (Mastodon: favourited_by,
//! reblogged_by, the replies collections down to the reply depth, quotes with the
//! owner's token; PeerTube: likes, announces, comments; Misskey: reactions, renotes,
//! replies), drops engagers that answer 410, and must find exactly the truth's
//! engagement list. The crawler proper is tested against the same truth.

use std::collections::{BTreeMap, HashMap};

use fedireach_fakeverse::{FakeverseServer, REPLY_DEPTH, Truth};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Got, get, request, start_unlimited};

/// (post, kind, actor): what the store holds of one engagement.
type Key = (String, String, String);

struct Crawl<'a> {
    server: &'a FakeverseServer,
    robots: HashMap<String, String>,
    gone: HashMap<String, bool>,
    found: BTreeMap<Key, usize>,
}

fn host(url: &str) -> String {
    url.split('/')
        .nth(2)
        .expect("an absolute URL has a host")
        .to_owned()
}

fn path(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| u.path().to_owned())
        .unwrap_or_default()
}

impl Crawl<'_> {
    /// GET as a polite crawler: robots.txt first; `None` when disallowed or unreachable.
    async fn fetch(&mut self, url: &str) -> Option<Got> {
        let h = host(url);
        if !self.robots.contains_key(&h) {
            let robots = self.try_get(&format!("http://{h}/robots.txt")).await;
            let body = match robots {
                Some(r) if r.status == StatusCode::GONE => "GONE".to_owned(),
                Some(r) if r.status == StatusCode::OK => r.body,
                _ => String::new(),
            };
            self.robots.insert(h.clone(), body);
        }
        let robots = self.robots.get(&h).cloned().unwrap_or_default();
        if robots == "GONE" {
            return Some(Got {
                status: StatusCode::GONE,
                headers: Default::default(),
                body: String::new(),
            });
        }
        let p = path(url);
        if !super::consistency::robots_allows(&robots, &p) {
            return None;
        }
        self.try_get(url).await
    }

    async fn try_get(&self, url: &str) -> Option<Got> {
        for _ in 0..5 {
            let got = super::consistency_fetch(self.server.addr(), url).await?;
            if got.status != StatusCode::SERVICE_UNAVAILABLE {
                return Some(got);
            }
        }
        None
    }

    /// Whether an actor opted out with a 410 (itself or its whole host).
    async fn gone(&mut self, actor: &str) -> bool {
        if let Some(g) = self.gone.get(actor) {
            return *g;
        }
        let g = self
            .fetch(actor)
            .await
            .is_some_and(|r| r.status == StatusCode::GONE);
        self.gone.insert(actor.to_owned(), g);
        g
    }

    async fn add(&mut self, post: &str, kind: &str, actor: &str) {
        if !self.gone(actor).await {
            *self
                .found
                .entry((post.to_owned(), kind.to_owned(), actor.to_owned()))
                .or_default() += 1;
        }
    }

    /// An object's author, fetching it when only its id is listed.
    async fn author(&mut self, item: &Value) -> Option<(String, Value)> {
        let doc = match item.as_str() {
            Some(url) => {
                let got = self.fetch(url).await?;
                (got.status == StatusCode::OK).then(|| got.json())?
            }
            None => item.clone(),
        };
        Some((doc["attributedTo"].as_str()?.to_owned(), doc))
    }

    /// Mastodon's replies collection of `doc`, down to the reply depth; below a reply
    /// from a bovine-shaped host, its `replies` URL (one OrderedCollection of ids).
    async fn mastodon_replies(&mut self, post: &str, doc: &Value, depth: u8) {
        let (mut items, mut next): (Vec<Value>, Option<String>) = match doc["replies"].as_str() {
            Some(url) => {
                let collection = match self.fetch(url).await {
                    Some(got) if got.status == StatusCode::OK => got.json(),
                    _ => Value::Null,
                };
                let items = collection["orderedItems"].as_array().cloned();
                (items.unwrap_or_default(), None)
            }
            None => (
                doc["replies"]["first"]["items"]
                    .as_array()
                    .cloned()
                    .expect("replies.first.items is an array"),
                doc["replies"]["first"]["next"].as_str().map(str::to_owned),
            ),
        };
        while let Some(url) = next {
            let Some(page) = self.fetch(&url).await else {
                break;
            };
            let page = page.json();
            let page_items = page["items"]
                .as_array()
                .cloned()
                .expect("items is an array");
            // An empty page ends the walk: some hosts' `next` never runs out.
            if page_items.is_empty() {
                break;
            }
            items.extend(page_items);
            next = page["next"].as_str().map(str::to_owned);
        }
        for item in items {
            let Some((actor, reply)) = self.author(&item).await else {
                continue;
            };
            let kind = if depth == 1 { "reply" } else { "thread_reply" };
            self.add(post, kind, &actor).await;
            if depth < 1 + REPLY_DEPTH && reply.get("replies").is_some() {
                Box::pin(self.mastodon_replies(post, &reply, depth + 1)).await;
            }
        }
    }

    async fn mastodon(&mut self, post: &str, token: Option<&str>) {
        let Some(doc) = self.fetch(post).await else {
            return;
        };
        let doc = doc.json();
        self.mastodon_replies(post, &doc, 1).await;
        let id = post
            .rsplit('/')
            .next()
            .expect("split yields at least one part");
        let origin = host(post);
        for (endpoint, kind) in [("favourited_by", "like"), ("reblogged_by", "boost")] {
            let mut next = Some(format!(
                "http://{origin}/api/v1/statuses/{id}/{endpoint}?limit=80"
            ));
            while let Some(url) = next {
                let page = get(self.server, &url).await;
                for account in page.json().as_array().cloned().unwrap_or_default() {
                    let actor = account["uri"].as_str().expect("uri is a string").to_owned();
                    self.add(post, kind, &actor).await;
                }
                next = page
                    .header("link")
                    .and_then(|l| l.split(", ").find(|p| p.ends_with("rel=\"next\"")))
                    .and_then(|p| p.split('>').next())
                    .map(|p| p.trim_start_matches('<').to_owned());
            }
        }
        if let Some(token) = token {
            let url = format!("http://{origin}/api/v1/statuses/{id}/quotes");
            let quotes = request(self.server, Method::GET, &url, None, Some(token))
                .await
                .json();
            for status in quotes.as_array().cloned().unwrap_or_default() {
                let actor = status["account"]["uri"]
                    .as_str()
                    .expect("account.uri is a string")
                    .to_owned();
                self.add(post, "quote", &actor).await;
            }
        }
    }

    async fn peertube(&mut self, post: &str) {
        let Some(video) = self.fetch(post).await else {
            return;
        };
        let video = video.json();
        // Comments come as one flat list: depth is counted along inReplyTo, and the
        // same reply depth applies as to a walk of replies collections.
        let mut comments: Vec<(String, String, String)> = Vec::new();
        for key in ["likes", "shares", "comments"] {
            let base = video[key].as_str().expect("key is a string").to_owned();
            let mut next = Some(format!("{base}?page=1"));
            while let Some(url) = next {
                let Some(page) = self.fetch(&url).await else {
                    break;
                };
                let page = page.json();
                let page_items = page["orderedItems"]
                    .as_array()
                    .cloned()
                    .expect("orderedItems is an array");
                if page_items.is_empty() {
                    break;
                }
                for item in page_items {
                    match key {
                        "likes" => {
                            self.add(post, "like", item.as_str().unwrap_or_default())
                                .await
                        }
                        "shares" => {
                            if let Some(got) = self.fetch(item.as_str().unwrap_or_default()).await
                                && got.status == StatusCode::OK
                            {
                                let actor = got.json()["actor"]
                                    .as_str()
                                    .expect("actor is a string")
                                    .to_owned();
                                self.add(post, "boost", &actor).await;
                            }
                        }
                        _ => {
                            if let Some((actor, doc)) = self.author(&item).await {
                                let id = doc["id"].as_str().expect("id is a string").to_owned();
                                let parent = doc["inReplyTo"]
                                    .as_str()
                                    .expect("inReplyTo is a string")
                                    .to_owned();
                                comments.push((id, parent, actor));
                            }
                        }
                    }
                }
                next = page["next"].as_str().map(str::to_owned);
            }
        }
        let parents: HashMap<String, String> = comments
            .iter()
            .map(|(id, parent, _)| (id.clone(), parent.clone()))
            .collect();
        for (id, _, actor) in &comments {
            let (mut depth, mut cursor) = (0u8, id.clone());
            while cursor != post && depth < u8::MAX {
                depth += 1;
                match parents.get(&cursor) {
                    Some(parent) => cursor = parent.clone(),
                    None => break,
                }
            }
            if cursor == post && depth <= 1 + REPLY_DEPTH {
                self.add(
                    post,
                    if depth == 1 { "reply" } else { "thread_reply" },
                    actor,
                )
                .await;
            }
        }
    }

    async fn webfinger(&mut self, user: &Value, origin: &str) -> Option<String> {
        let username = user["username"].as_str()?;
        let h = user["host"].as_str().unwrap_or(origin).to_owned();
        let jrd = self
            .fetch(&format!(
                "http://{h}/.well-known/webfinger?resource=acct:{username}@{h}"
            ))
            .await?;
        if jrd.status == StatusCode::GONE {
            return None;
        }
        let links = jrd.json()["links"]
            .as_array()
            .cloned()
            .expect("links is an array");
        links
            .iter()
            .find(|l| l["rel"] == "self")
            .and_then(|l| l["href"].as_str())
            .map(str::to_owned)
    }

    async fn misskey(&mut self, post: &str) {
        let origin = host(post);
        let note = post
            .rsplit('/')
            .next()
            .expect("split yields at least one part")
            .to_owned();
        for (endpoint, kind) in [
            ("notes/reactions", "like"),
            ("notes/renotes", "boost"),
            ("notes/replies", "reply"),
        ] {
            let mut until: Option<String> = None;
            loop {
                let mut body = json!({ "noteId": note, "limit": 100 });
                if let Some(u) = &until {
                    body["untilId"] = json!(u);
                }
                let url = format!("http://{origin}/api/{endpoint}");
                let page = request(self.server, Method::POST, &url, Some(body), None)
                    .await
                    .json();
                let items = page.as_array().cloned().unwrap_or_default();
                for item in &items {
                    let kind = if kind == "boost" && item["text"].is_string() {
                        "quote"
                    } else {
                        kind
                    };
                    if let Some(actor) = self.webfinger(&item["user"], &origin).await {
                        self.add(post, kind, &actor).await;
                    }
                }
                match items.last().and_then(|i| i["id"].as_str()) {
                    Some(last) if items.len() == 100 => until = Some(last.to_owned()),
                    _ => break,
                }
            }
        }
    }
}

/// Crawls every `every`-th post of `server`'s world and compares with its truth.
async fn crawl_and_compare(server: &FakeverseServer, every: usize) {
    let truth = Truth::of(server.world());
    let mut crawl = Crawl {
        server,
        robots: HashMap::new(),
        gone: HashMap::new(),
        found: BTreeMap::new(),
    };
    let posts: Vec<_> = truth.posts.iter().step_by(every).collect();
    for post in &posts {
        let brand = truth.brands.iter().find(|b| b.name == post.brand);
        let token = brand.and_then(|b| b.token.clone());
        let first_actor = brand.map(|b| b.actor_ids[0].clone()).unwrap_or_default();
        let token = token.filter(|_| host(&first_actor) == host(&post.uri));
        if post.uri.contains("/videos/watch/") {
            crawl.peertube(&post.uri).await;
        } else if post.uri.contains("/notes/") {
            crawl.misskey(&post.uri).await;
        } else {
            crawl.mastodon(&post.uri, token.as_deref()).await;
        }
    }
    let crawled: std::collections::BTreeSet<&str> = posts.iter().map(|p| p.uri.as_str()).collect();
    let mut expected: BTreeMap<Key, usize> = BTreeMap::new();
    for e in truth
        .engagements
        .iter()
        .filter(|e| crawled.contains(e.post.as_str()))
    {
        *expected
            .entry((e.post.clone(), e.kind.to_string(), e.actor.clone()))
            .or_default() += 1;
    }
    let missing: Vec<_> = expected
        .iter()
        .filter(|(k, n)| crawl.found.get(*k) != Some(n))
        .take(5)
        .collect();
    let extra: Vec<_> = crawl
        .found
        .iter()
        .filter(|(k, n)| expected.get(*k) != Some(n))
        .take(5)
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "truth but not found: {missing:?}\nfound but not in truth: {extra:?}"
    );
    assert!(expected.len() * every > 1000, "{}", expected.len());
}

#[tokio::test]
async fn a_reference_crawl_finds_exactly_the_truth() {
    crawl_and_compare(&start_unlimited(21, 0).await, 1).await;
}

/// 25 days later: new posts and engagements, undone likes and boosts, deleted replies.
#[tokio::test]
async fn a_later_day_crawl_finds_that_days_truth() {
    let server = start_unlimited(22, 25).await;
    crawl_and_compare(&server, 3).await;
}

/// More worlds, on other days, crawled side by side.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reference_crawls_of_other_seeds_and_days() {
    let mut tasks = tokio::task::JoinSet::new();
    for (seed, day) in [(31u64, 0u32), (32, 0), (33, 7), (34, 30), (35, 15), (36, 0)] {
        tasks.spawn(async move {
            let server = start_unlimited(seed, day).await;
            crawl_and_compare(&server, 1).await;
        });
    }
    while let Some(r) = tasks.join_next().await {
        assert!(r.is_ok(), "{r:?}");
    }
}
