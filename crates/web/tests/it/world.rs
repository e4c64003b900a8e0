//! A small world written into a real SQLite store through `write_batch`: two brands
//! (one owned, one watched, the watched one with a non-ASCII name), posts in August
//! 2026 on several instances of several families, a crawl with failures and a consent
//! report, and hostile text wherever the data lets text in (post URIs, hashtags, the
//! crawl trigger, consent reasons, engager names and excerpts). The watched brand's post
//! has its replies and quotes unavailable. Of the engagers, Kim is not indexable: the
//! owned brand's pages count Kim and never name Kim.

use std::path::Path;

use axum::{
    Router,
    body::Body,
    http::{HeaderMap, Method, Request, StatusCode, header},
};
use fedireach_core::{
    ActorRef, ActorRefOptions, ConsentAction, ConsentSubject, Coverage, EngagementKind, Host,
    HostHealth, PostCoverage, Reachability, RobotsState, Software, SoftwareSource, Unavailable,
};
use fedireach_store::{
    ActorRecord, Batch, CrawlRecord, CrawlStatus, EngagementRecord, InstanceRecord, PostRecord,
    Store,
};
use fedireach_web::{AppState, Dashboards, WebConfig, router};
use tempfile::TempDir;
use tower::ServiceExt;

pub type TestResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The admin token of worlds that allow actions.
pub const ADMIN: &str = "s3cret-admin-token";
/// A script tag, as a hostile display name or text would carry it.
pub const SCRIPT: &str = "<script>alert(1)</script>";
/// The watched brand: a name with non-ASCII letters, a space and a dot.
pub const RIVAL: &str = "Rïval Co.";
/// An engager's display name that must never be shown.
pub const ENGAGER_NAME: &str = "Bob <img src=x onerror=alert(2)>";
/// A post whose URI carries markup.
pub const HOSTILE_POST: &str = "https://brand.example/@acme/2?<script>alert(1)</script>";
/// A post whose URI is a `javascript:` link.
pub const JS_POST: &str = "javascript:alert(3)";

const ACME_ACTOR: &str = "https://brand.example/users/acme";
const RIVAL_ACTOR: &str = "https://rival.example/users/rival";

/// 2026-08-03T10:00:00Z, a Monday.
const AUG_3: i64 = 1_785_751_200;
const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;

pub struct World {
    _dir: TempDir,
    pub state: AppState,
    pub app: Router,
    /// When the world was written: times at or after it are the test run's own
    /// (crawl runs, snapshots) and are redacted in snapshots.
    pub started: i64,
}

fn actor(text: &str) -> Result<ActorRef, fedireach_core::CoreError> {
    ActorRef::parse(text, ActorRefOptions::default())
}

fn instance(host: &str, software: &str, active: Option<i64>) -> TestResult<InstanceRecord> {
    Ok(InstanceRecord {
        host: Host::parse(host)?,
        software: Software::from_nodeinfo_name(software).ok_or("software")?,
        software_version: None,
        software_source: SoftwareSource::Nodeinfo,
        users_total: None,
        users_active_month: active,
    })
}

fn engager(uri: &str, followers: i64) -> ActorRecord {
    ActorRecord {
        actor_uri: uri.into(),
        followers_count: Some(followers),
        indexable: Some(true),
        display_name: Some(ENGAGER_NAME.into()),
        handle: Some(format!("{SCRIPT}@evil.example")),
        ..ActorRecord::default()
    }
}

fn engagement(
    post: &str,
    kind: EngagementKind,
    who: &str,
    host: &str,
    at: i64,
) -> TestResult<EngagementRecord> {
    let uri = matches!(kind, EngagementKind::Reply | EngagementKind::Quote)
        .then(|| format!("{who}/statuses/{at}-{post}"));
    Ok(EngagementRecord {
        post_uri: post.into(),
        kind,
        actor_uri: who.into(),
        host: Host::parse(host)?,
        uri,
        depth: matches!(kind, EngagementKind::Reply).then_some(1),
        emoji: None,
        content_excerpt: Some(format!("nice {SCRIPT}")),
        source: "test".into(),
        happened_at: Some(at + HOUR),
        language: match kind {
            EngagementKind::Reply => fedireach_core::Language::from_code("de"),
            EngagementKind::Quote => Some(fedireach_core::Language::UNDECLARED),
            _ => None,
        },
    })
}

fn post(uri: &str, author: &str, host: &str, at: i64, tags: &[&str]) -> PostRecord {
    PostRecord {
        uri: uri.into(),
        author_uri: author.into(),
        host: host.into(),
        published_at: at,
        object_type: "Note".into(),
        visibility: "public".into(),
        content_excerpt: Some(format!("launch {SCRIPT}")),
        summary: Some(SCRIPT.into()),
        reported_likes: Some(5),
        reported_boosts: Some(2),
        hashtags: tags.iter().map(|t| (*t).to_owned()).collect(),
        ..PostRecord::default()
    }
}

pub fn dashboards_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dashboards")
}

/// The world, served with `admin_token` (or read-only).
pub async fn world(admin_token: Option<&str>) -> TestResult<World> {
    world_with(admin_token, WebConfig::default()).await
}

/// The world, served with `admin_token` and the rest of `config`.
pub async fn world_with(admin_token: Option<&str>, config: WebConfig) -> TestResult<World> {
    let dir = TempDir::new()?;
    let started = chrono::Utc::now().timestamp() - 1;
    let store = Store::open(&format!("sqlite://{}", dir.path().join("web.db").display())).await?;
    let acme = store
        .add_brand("acme", &[actor("@acme@brand.example")?], Some("ACME_TOKEN"))
        .await?;
    store
        .set_tracked_actor_uri(acme.actors[0].id, ACME_ACTOR)
        .await?;
    let rival = store
        .add_brand(RIVAL, &[actor("@rival@rival.example")?], None)
        .await?;
    store
        .set_tracked_actor_uri(rival.actors[0].id, RIVAL_ACTOR)
        .await?;

    let p1 = "https://brand.example/@acme/1";
    let r1 = "https://rival.example/@rival/1";
    let bob = "https://mastodon.example/users/bob";
    let eve = "https://misskey.example/users/eve";
    let ann = "https://brand.example/users/ann";
    let kim = "https://lemmy.example/u/kim";
    use EngagementKind::{Boost, Like, Quote, Reply};
    store
        .write_batch(&Batch {
            instances: vec![
                instance("mastodon.example", "mastodon", Some(1000))?,
                instance("misskey.example", "sharkey", Some(200))?,
                instance("brand.example", "mastodon", Some(10))?,
                instance("lemmy.example", "lemmy", None)?,
                instance("rival.example", "pleroma", Some(5))?,
            ],
            actors: vec![
                engager(bob, 120),
                engager(eve, 40),
                engager(ann, 7),
                // Kim is not indexable: counted, never named.
                ActorRecord {
                    indexable: Some(false),
                    ..engager(kim, 3)
                },
            ],
            posts: vec![
                post(p1, ACME_ACTOR, "brand.example", AUG_3, &["launch", SCRIPT]),
                post(
                    HOSTILE_POST,
                    ACME_ACTOR,
                    "brand.example",
                    AUG_3 + DAY + 4 * HOUR,
                    &["=HYPERLINK(\"http://evil\")"],
                ),
                post(JS_POST, ACME_ACTOR, "brand.example", AUG_3 + 8 * DAY, &[]),
                // The watched brand's server lists no replies for it (robots.txt) and
                // has no quotes at all: both unknown, not 0.
                PostRecord {
                    coverage: Some(PostCoverage {
                        replies: Coverage::Unavailable(Unavailable::RobotsTxt),
                        quotes: Coverage::Unavailable(Unavailable::NotExposed),
                        ..PostCoverage::all(Coverage::Itemised)
                    }),
                    ..post(
                        r1,
                        RIVAL_ACTOR,
                        "rival.example",
                        AUG_3 + 2 * DAY,
                        &["rival"],
                    )
                },
            ],
            engagements: vec![
                engagement(p1, Like, bob, "mastodon.example", AUG_3)?,
                engagement(p1, Boost, bob, "mastodon.example", AUG_3)?,
                engagement(p1, Reply, eve, "misskey.example", AUG_3)?,
                engagement(p1, Like, ann, "brand.example", AUG_3)?,
                engagement(p1, Quote, kim, "lemmy.example", AUG_3)?,
                engagement(HOSTILE_POST, Like, eve, "misskey.example", AUG_3 + DAY)?,
                engagement(HOSTILE_POST, Boost, eve, "misskey.example", AUG_3 + DAY)?,
                engagement(JS_POST, Like, bob, "mastodon.example", AUG_3 + 8 * DAY)?,
                engagement(r1, Like, bob, "mastodon.example", AUG_3 + 2 * DAY)?,
                engagement(r1, Boost, kim, "lemmy.example", AUG_3 + 2 * DAY)?,
            ],
        })
        .await?;

    // What the crawl found of how misskey.example can be crawled.
    store
        .record_host_health(&[HostHealth {
            host: Host::parse("misskey.example")?,
            reachability: Reachability::Ok,
            last_error: None,
            robots: Some(RobotsState::Partial),
            crawl_delay_ms: Some(2500),
            refused_unsigned: true,
            refusals: vec!["authorized_fetch:activitypub".to_owned()],
        }])
        .await?;

    let crawl = store
        .start_crawl_run(fedireach_core::CrawlTrigger::Manual, None, "90d")
        .await?;
    store
        .record_follower_snapshot(crawl, acme.actors[0].id, Some(500))
        .await?;
    store
        .record_follower_snapshot(crawl, rival.actors[0].id, Some(80))
        .await?;
    store
        .record_crawl(
            crawl,
            &CrawlRecord {
                requests: 40,
                posts_seen: 4,
                engagements_new: 10,
                engagements_removed: 0,
                rate_limit_wait_ms: 1500,
                errors: vec![(
                    "dead.example".into(),
                    "https://dead.example/users/x".into(),
                    fedireach_core::FailureKind::Unreachable,
                    "connection refused".into(),
                )],
                consent: vec![
                    (
                        ConsentSubject::Engager,
                        ConsentAction::Anonymised,
                        "indexable".into(),
                        2,
                    ),
                    (
                        ConsentSubject::Host,
                        ConsentAction::LeftOut,
                        format!("robots.txt {SCRIPT}"),
                        1,
                    ),
                ],
            },
        )
        .await?;
    store
        .finish_crawl_run(crawl, CrawlStatus::Partial, None)
        .await?;

    let dashboards = Dashboards::load(&dashboards_dir())?;
    let state = AppState::new(
        store,
        dashboards,
        WebConfig {
            admin_token: admin_token.map(str::to_owned),
            facts_dir: None,
            ..config
        },
    )
    .await?;
    let app = router(state.clone());
    Ok(World {
        _dir: dir,
        state,
        app,
        started,
    })
}

/// A response, its body as text.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    pub bytes: Vec<u8>,
}

impl World {
    /// Sends a request through the router.
    pub async fn send(&self, request: Request<Body>) -> TestResult<Reply> {
        let response = self.app.clone().oneshot(request).await?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), 16 * 1024 * 1024).await?;
        Ok(Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        })
    }

    pub async fn get(&self, uri: &str) -> TestResult<Reply> {
        self.send(Request::get(uri).body(Body::empty())?).await
    }

    /// A form post as a browser on this dashboard sends it.
    pub async fn post_form(
        &self,
        uri: &str,
        form: &[(&str, &str)],
        extra: &[(&str, &str)],
    ) -> TestResult<Reply> {
        self.post_form_to_host(uri, "127.0.0.1:8080", form, extra)
            .await
    }

    /// A form post to the dashboard reached as `host`.
    pub async fn post_form_to_host(
        &self,
        uri: &str,
        host: &str,
        form: &[(&str, &str)],
        extra: &[(&str, &str)],
    ) -> TestResult<Reply> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::HOST, host)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        for (name, value) in extra {
            request = request.header(*name, *value);
        }
        self.send(request.body(Body::from(body))?).await
    }

    /// A JSON post to the API, with a bearer token when given.
    pub async fn post_json(
        &self,
        uri: &str,
        json: serde_json::Value,
        token: Option<&str>,
    ) -> TestResult<Reply> {
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        self.send(request.body(Body::from(json.to_string()))?).await
    }

    /// Replaces the times the test run wrote itself (crawl runs, follower snapshots:
    /// "now") with `[time]`; the world's own August dates stay.
    pub fn redact_times(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        const LEN: usize = "2026-08-03T10:00:00Z".len();
        while let Some(pos) = rest.find(|c: char| c.is_ascii_digit()) {
            out.push_str(&rest[..pos]);
            rest = &rest[pos..];
            let candidate = rest.get(..LEN).unwrap_or("");
            match chrono::DateTime::parse_from_rfc3339(candidate) {
                Ok(t) if t.timestamp() >= self.started => {
                    out.push_str("[time]");
                    rest = &rest[LEN..];
                }
                _ => {
                    let digits = rest
                        .find(|c: char| !c.is_ascii_digit())
                        .unwrap_or(rest.len());
                    out.push_str(&rest[..digits]);
                    rest = &rest[digits..];
                }
            }
        }
        out.push_str(rest);
        out
    }
}
