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

use super::ServerOptions;
use crate::world::{NO_PARENT, World};

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
    /// Requests sooner than the host's `Crawl-delay` after the previous one.
    pub crawl_delay_violations: AtomicU64,
    /// When the previous request (robots.txt aside) arrived, for the crawl delay.
    pub last_request: Mutex<Option<Instant>>,
    /// Requests per second since the server started (the request log).
    pub per_second: Mutex<BTreeMap<u64, u64>>,
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
    /// Per-host request counters for the 5xx bursts.
    pub burst_counters: Vec<AtomicU64>,
    /// The port the server listens on (for deny-address redirects).
    pub port: u16,
    /// Signers' keys fetched so far, by key id.
    pub keys: Mutex<HashMap<String, rsa::PublicKey>>,
    /// The client GoToSocial hosts fetch signers' keys with.
    pub key_client: reqwest::Client,
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
            port,
            keys: Mutex::new(HashMap::new()),
            key_client,
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

    /// The stats document: every host that has been asked anything.
    pub fn stats_json(&self) -> Value {
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
                    "crawl_delay_violations": s.crawl_delay_violations.load(Ordering::Relaxed),
                    "software": inst.software.slug(),
                    "quirk": inst.quirk.as_str(),
                    "max_per_second": max_per_second,
                    "per_second": per_second,
                }),
            );
        }
        json!({ "hosts": hosts })
    }
}
