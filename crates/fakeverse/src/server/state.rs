//! What the server shares between requests: the world, the lookups built once at
//! start-up, the per-host request counters and rate-limit windows.

use std::{
    collections::{BTreeMap, HashMap},
    sync::{
        Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::Instant,
};

use fedireach_core::EngagementKind;
use serde_json::{Map, Value, json};

use super::{ServerOptions, politeness};
use crate::world::{Instance, NO_PARENT, World, robots::Rules};

/// How long each 5xx burst of a misbehaving host lasts, and how often one begins.
pub(crate) const ERROR_BURST: std::time::Duration = std::time::Duration::from_millis(500);
pub(crate) const ERROR_CYCLE: std::time::Duration = std::time::Duration::from_secs(3);

/// Per-host counters, as `GET /__fakeverse/stats` shows them.
#[derive(Debug, Default)]
pub(crate) struct HostStats {
    pub requests: AtomicU64,
    pub status_429: AtomicU64,
    pub over_limit: AtomicU64,
    pub robots_violations: AtomicU64,
    pub status_5xx: AtomicU64,
    pub dropped: AtomicU64,
    pub signed: AtomicU64,
    /// Conditional GETs answered 304 Not Modified.
    pub not_modified: AtomicU64,
    /// Requests sooner than the host's `Crawl-delay` after the previous one.
    pub crawl_delay_violations: AtomicU64,
    /// Collection pages served with a `next` only because the host's pages never end
    /// (`Quirk::EndlessPages`): the crawler met the quirk.
    pub endless_pages: AtomicU64,
    /// When the previous request (robots.txt aside) arrived, for the crawl delay.
    pub last_request: Mutex<Option<Instant>>,
    /// Requests per second since the server started (the request log).
    pub per_second: Mutex<BTreeMap<u64, u64>>,
}

/// What one host's rate-limit bucket has been asked in all, for the benchmark's bound:
/// each request takes `window / limit` of the time the bucket allows.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct BucketUse {
    pub requests: u64,
    /// Seconds the requests need at the bucket's own pace.
    pub needed_secs: f64,
    pub window_secs: f64,
}

/// A fixed rate-limit window of one host's bucket.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Window {
    pub started: Instant,
    pub count: u64,
}

#[derive(Debug)]
pub(crate) struct State {
    pub world: World,
    pub options: ServerOptions,
    pub started: Instant,
    /// `host/path` of every actor id (trailing `/` trimmed) to the actor.
    pub actor_paths: HashMap<String, u32>,
    /// Replies (and thread replies) below each reply, by the parent's index.
    pub children: HashMap<u32, Vec<u32>>,
    /// Boosts made by brand actors (their outboxes list them), by actor.
    pub boosts_by: HashMap<u32, Vec<u32>>,
    pub stats: Vec<HostStats>,
    /// Rate-limit windows by (instance, bucket).
    pub windows: Mutex<HashMap<(u32, u8), Window>>,
    /// Every request counted by (instance, bucket), never reset.
    pub bucket_use: Mutex<HashMap<(u32, u8), BucketUse>>,
    /// When each host's 5xx bursts began (milliseconds since the start, plus one; 0:
    /// not yet).
    pub burst_counters: Vec<AtomicU64>,
    /// The port the server listens on (for deny-address redirects).
    pub port: u16,
    /// Signers' keys fetched so far, by key id.
    pub keys: Mutex<HashMap<String, rsa::PublicKey>>,
    /// The client GoToSocial hosts fetch signers' keys with.
    pub key_client: reqwest::Client,
    /// robots.txt files an admin replaced while the server runs, by instance
    /// ([`super::FakeverseServer::edit_robots`]).
    robots_edits: Mutex<HashMap<u32, String>>,
}

impl State {
    pub fn new(world: World, options: ServerOptions, port: u16) -> Self {
        let mut actor_paths = HashMap::with_capacity(world.actors().len());
        for a in 0..world.actors().len() {
            let a = u32::try_from(a).unwrap_or(u32::MAX);
            let id = world.actor_id(a);
            if let Some(rest) = id.split_once("://").map(|(_, rest)| rest) {
                actor_paths.insert(rest.trim_end_matches('/').to_owned(), a);
            }
        }
        let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
        for (i, e) in world.engagements().iter().enumerate() {
            if e.parent != NO_PARENT
                && matches!(e.kind, EngagementKind::ThreadReply | EngagementKind::Reply)
            {
                children
                    .entry(e.parent)
                    .or_default()
                    .push(u32::try_from(i).unwrap_or(u32::MAX));
            }
        }
        let mut boosts_by: HashMap<u32, Vec<u32>> = HashMap::new();
        for (i, e) in world.engagements().iter().enumerate() {
            let brand_actor = world
                .actors()
                .get(e.actor as usize)
                .is_some_and(|a| a.brand.is_some());
            if brand_actor && e.kind == EngagementKind::Boost {
                boosts_by
                    .entry(e.actor)
                    .or_default()
                    .push(u32::try_from(i).unwrap_or(u32::MAX));
            }
        }
        let n = world.instances().len();
        let key_client = super::signature::key_client(&options.network);
        Self {
            stats: (0..n).map(|_| HostStats::default()).collect(),
            burst_counters: (0..n).map(|_| AtomicU64::new(0)).collect(),
            world,
            options,
            started: Instant::now(),
            actor_paths,
            children,
            boosts_by,
            windows: Mutex::new(HashMap::new()),
            bucket_use: Mutex::new(HashMap::new()),
            port,
            keys: Mutex::new(HashMap::new()),
            key_client,
            robots_edits: Mutex::new(HashMap::new()),
        }
    }

    pub fn host_stats(&self, instance: u32) -> Option<&HostStats> {
        self.stats.get(instance as usize)
    }

    /// Counts one request to `instance` in its totals and its per-second log.
    pub fn count_request(&self, instance: u32) {
        if let Some(s) = self.host_stats(instance) {
            s.requests.fetch_add(1, Ordering::Relaxed);
            let second = self.started.elapsed().as_secs();
            if let Ok(mut log) = s.per_second.lock() {
                *log.entry(second).or_default() += 1;
            }
        }
    }

    /// Whether a host that has 5xx bursts is in one: the first [`ERROR_BURST`] of every
    /// [`ERROR_CYCLE`] since its first request. A client that waits the `Retry-After`
    /// it is given (1 s) comes back after the burst; one that hammers meets the next.
    pub fn in_error_burst(&self, instance: u32) -> bool {
        let Some(began) = self.burst_counters.get(instance as usize) else {
            return false;
        };
        let now = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX - 1) + 1;
        let first = match began.compare_exchange(0, now, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => now,
            Err(first) => first,
        };
        let cycle = u64::try_from(ERROR_CYCLE.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        let burst = u64::try_from(ERROR_BURST.as_millis()).unwrap_or(0);
        now.saturating_sub(first) % cycle < burst
    }

    /// Counts a request that came sooner than `delay` after the previous one.
    pub fn check_crawl_delay(&self, instance: u32, delay: std::time::Duration) {
        let Some(s) = self.host_stats(instance) else {
            return;
        };
        let now = Instant::now();
        if let Ok(mut last) = s.last_request.lock() {
            if last.is_some_and(|t| now.duration_since(t) < delay) {
                s.crawl_delay_violations.fetch_add(1, Ordering::Relaxed);
            }
            *last = Some(now);
        }
    }

    /// Counts a request against the totals of its bucket.
    pub fn count_bucket(&self, instance: u32, bucket: u8, limit: u64, window: std::time::Duration) {
        if let Ok(mut map) = self.bucket_use.lock() {
            let usage = map.entry((instance, bucket)).or_default();
            usage.requests += 1;
            #[allow(clippy::cast_precision_loss)]
            let share = window.as_secs_f64() / limit.max(1) as f64;
            usage.needed_secs += share;
            usage.window_secs = window.as_secs_f64();
        }
    }

    /// The stats document: every host that has been asked anything.
    pub fn stats_json(&self) -> Value {
        let buckets: HashMap<(u32, u8), BucketUse> = self
            .bucket_use
            .lock()
            .map(|m| m.clone())
            .unwrap_or_default();
        let mut hosts = Map::new();
        for (i, s) in self.stats.iter().enumerate() {
            let requests = s.requests.load(Ordering::Relaxed);
            if requests == 0 {
                continue;
            }
            let Some(inst) = self.world.instances().get(i) else {
                continue;
            };
            let per_second: Map<String, Value> = s
                .per_second
                .lock()
                .map(|log| log.iter().map(|(k, v)| (k.to_string(), json!(v))).collect())
                .unwrap_or_default();
            let max_per_second = per_second.values().filter_map(Value::as_u64).max();
            let host_buckets: Vec<Value> = buckets
                .iter()
                .filter(|((instance, _), _)| *instance as usize == i)
                .map(|((_, bucket), usage)| {
                    json!({
                        "bucket": bucket,
                        "requests": usage.requests,
                        "needed_secs": usage.needed_secs,
                        "window_secs": usage.window_secs,
                    })
                })
                .collect();
            hosts.insert(
                inst.host.clone(),
                json!({
                    "requests": requests,
                    "status_429": s.status_429.load(Ordering::Relaxed),
                    "over_limit": s.over_limit.load(Ordering::Relaxed),
                    "robots_violations": s.robots_violations.load(Ordering::Relaxed),
                    "status_5xx": s.status_5xx.load(Ordering::Relaxed),
                    "dropped": s.dropped.load(Ordering::Relaxed),
                    "signed": s.signed.load(Ordering::Relaxed),
                    "not_modified": s.not_modified.load(Ordering::Relaxed),
                    "crawl_delay_violations": s.crawl_delay_violations.load(Ordering::Relaxed),
                    "endless_pages": s.endless_pages.load(Ordering::Relaxed),
                    "software": inst.software.slug(),
                    "quirk": inst.quirk.as_str(),
                    "max_per_second": max_per_second,
                    "buckets": host_buckets,
                    "per_second": per_second,
                }),
            );
        }
        json!({ "hosts": hosts })
    }
}

impl State {
    /// The robots.txt `instance` serves now: an admin's edit, else its software's file
    /// ([`politeness::robots_txt`]); `None` is 410 Gone.
    pub(crate) fn robots_txt(&self, instance: u32, inst: &Instance) -> Option<String> {
        let edits = self
            .robots_edits
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match edits.get(&instance) {
            Some(body) => Some(body.clone()),
            None => politeness::robots_txt(inst, self.options.time_scale),
        }
    }

    /// The rules of that robots.txt that apply to fedireach.
    pub(crate) fn robots_rules(&self, instance: u32, inst: &Instance) -> Option<Rules> {
        self.robots_txt(instance, inst)
            .map(|body| Rules::parse(&body))
    }

    /// Replaces `instance`'s robots.txt from now on.
    pub(crate) fn edit_robots(&self, instance: u32, body: String) {
        self.robots_edits
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(instance, body);
    }
}
