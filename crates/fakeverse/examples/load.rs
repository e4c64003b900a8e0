//! Starts a world's server and measures how long it took and how many requests a
//! second it serves (plain HTTP, 64 clients, a mix of notes, actors, WebFinger and
//! NodeInfo across every host):
//! `cargo run --release -p fedireach-fakeverse --example load -- medium`.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use fedireach_fakeverse::{FakeverseServer, Scale, ServerOptions, WorldOptions};

const CLIENTS: usize = 64;
const SECONDS: u64 = 5;

#[tokio::main]
async fn main() {
    let scale = std::env::args()
        .nth(1)
        .and_then(|s| s.parse::<Scale>().ok())
        .unwrap_or(Scale::Medium);
    let began = Instant::now();
    let options = ServerOptions {
        world: WorldOptions {
            seed: 1,
            scale,
            day: 0,
            plain_http: true,
            tour: false,
        },
        // A load test measures the server, not its politeness.
        rate_limit: Some((u64::MAX, Duration::from_secs(1))),
        ..ServerOptions::default()
    };
    let server = match FakeverseServer::start(options).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot start: {e}");
            return;
        }
    };
    let started = began.elapsed();
    let world = server.world();
    let mut urls: Vec<(String, String)> = Vec::new();
    for (p, _) in world
        .posts()
        .iter()
        .enumerate()
        .filter(|(_, p)| world.post_visible(p))
    {
        let uri = world.post_uri(u32::try_from(p).unwrap_or(0));
        let host = uri.split('/').nth(2).unwrap_or_default().to_owned();
        urls.push((host, uri));
    }
    for (i, inst) in world.instances().iter().enumerate() {
        if inst.quirk != fedireach_fakeverse::Quirk::Normal {
            continue;
        }
        let actor = inst.actors.start;
        let (host, id) = (inst.host.clone(), world.actor_id(actor));
        urls.push((host.clone(), id));
        urls.push((host.clone(), format!("http://{host}/.well-known/nodeinfo")));
        let user = world
            .actors()
            .get(actor as usize)
            .map_or("", |a| &*a.username)
            .to_owned();
        urls.push((
            host.clone(),
            format!("http://{host}/.well-known/webfinger?resource=acct:{user}@{host}"),
        ));
        let _ = i;
    }
    let urls = Arc::new(urls);
    let done = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let addr = server.addr();
    let deadline = Instant::now() + Duration::from_secs(SECONDS);
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let (urls, done, failed) = (urls.clone(), done.clone(), failed.clone());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut i = c;
            while Instant::now() < deadline {
                let (host, url) = &urls[i % urls.len()];
                let path = url.splitn(4, '/').nth(3).unwrap_or_default();
                let sent = client
                    .get(format!("http://{addr}/{path}"))
                    .header("host", host)
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
                i += CLIENTS;
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let ok = done.load(Ordering::Relaxed);
    println!(
        "{scale}: started in {started:.2?} ({} instances, {} engagements); {} requests/s ({ok} ok, {} not 2xx or failed: 401s of GoToSocial, 410s of gone actors, 404s of threads.net NodeInfo; {CLIENTS} clients, {SECONDS} s)",
        world.instances().len(),
        world.engagements().len(),
        ok / SECONDS,
        failed.load(Ordering::Relaxed),
    );
    server.shutdown().await;
}
