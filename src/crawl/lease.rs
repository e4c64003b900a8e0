//! The crawl lease: one crawl at a time across every process sharing the database
//! (`serve`'s scheduler, `crawl` from cron, `crawl --queue`, a second `serve`).
//!
//! The lease row names its holder as `HOST:PID:NONCE`. The holder renews it while it
//! works; a holder that died stops renewing and its lease is taken over once expired,
//! or at once when it was a process of this machine that no longer exists.

use std::{sync::OnceLock, time::Duration};

use anyhow::Context;
use fedireach_store::{LeaseAttempt, Store};
use tokio::{sync::watch, task::JoinHandle};

/// The lease's name in the store.
const CRAWL_LEASE: &str = "crawl";

/// How long a lease lasts without renewal: long enough for a slow disk, short enough
/// that a crashed holder on another machine blocks crawls only briefly.
const TTL_SECS: i64 = 60;

/// How often the holder renews: well inside the TTL.
const RENEW_EVERY: Duration = Duration::from_secs(15);

/// This process's name as a lease holder, the same for its whole life.
pub fn holder_id() -> &'static str {
    static HOLDER: OnceLock<String> = OnceLock::new();
    HOLDER.get_or_init(|| {
        format!(
            "{}:{}:{:08x}",
            host_name(),
            std::process::id(),
            rand::random::<u32>()
        )
    })
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|s| s.trim().replace(':', "_"))
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}

/// Whether `holder` was a process of this machine that has exited (so its lease can be
/// taken over without waiting for the expiry). Only Linux can tell; elsewhere a holder
/// is presumed alive until its lease expires.
fn holder_is_dead(holder: &str) -> bool {
    let mut parts = holder.rsplitn(3, ':');
    let (Some(_nonce), Some(pid), Some(host)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    if host != host_name() || holder == holder_id() {
        return false;
    }
    let Ok(pid) = pid.parse::<u32>() else {
        return false;
    };
    cfg!(target_os = "linux") && !std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// The crawl lease, held: renewed in the background until released.
#[derive(Debug)]
pub struct CrawlLease {
    store: Store,
    renewer: JoinHandle<()>,
    lost: watch::Receiver<bool>,
}

impl CrawlLease {
    /// Takes the lease if nobody alive holds it; `Err(holder)` names who does. On
    /// success, work a dead crawler left (runs still `running`, jobs it had claimed) is
    /// recovered first.
    pub async fn try_take(store: &Store) -> anyhow::Result<Result<Self, String>> {
        let me = holder_id();
        let acquired = match store.try_acquire_lease(CRAWL_LEASE, me, TTL_SECS).await? {
            LeaseAttempt::Acquired { .. } => true,
            LeaseAttempt::Held { holder, .. } if holder_is_dead(&holder) => {
                tracing::warn!(%holder, "the last crawler died; taking over its lease");
                store
                    .take_over_lease(CRAWL_LEASE, &holder, me, TTL_SECS)
                    .await?
            }
            LeaseAttempt::Held { holder, .. } => return Ok(Err(holder)),
        };
        if !acquired {
            return Ok(Err("another process (it took the lease first)".to_owned()));
        }
        let (runs, jobs) = store
            .recover_abandoned_crawls()
            .await
            .context("cannot recover what an earlier crawler left")?;
        if runs + jobs > 0 {
            tracing::info!(
                runs,
                jobs,
                "marked crawls left by a stopped crawler as interrupted; their jobs are queued again"
            );
        }
        let (tell, lost) = watch::channel(false);
        let renewer = tokio::spawn(renew(store.clone(), tell));
        Ok(Ok(Self {
            store: store.clone(),
            renewer,
            lost,
        }))
    }

    /// Resolves if the lease was lost (it expired and another process took it): the
    /// crawl under it must stop.
    pub async fn lost(&self) {
        let mut lost = self.lost.clone();
        // An error means the renewer ended, which only `release` does.
        let _ = lost.wait_for(|lost| *lost).await;
    }

    /// Gives the lease back.
    pub async fn release(self) -> anyhow::Result<()> {
        self.renewer.abort();
        self.store
            .release_lease(CRAWL_LEASE, holder_id())
            .await
            .context("cannot release the crawl lease")
    }
}

async fn renew(store: Store, lost: watch::Sender<bool>) {
    let mut ticks = tokio::time::interval(RENEW_EVERY);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        match store.renew_lease(CRAWL_LEASE, holder_id(), TTL_SECS).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::error!("the crawl lease was taken by another process; stopping");
                let _ = lost.send(true);
                return;
            }
            // A busy disk: try again at the next tick, the TTL leaves room.
            Err(error) => tracing::warn!(%error, "cannot renew the crawl lease"),
        }
    }
}
