//! The store as the crawler's book of host paces (migration 0010): a Crawl-delay holds
//! between processes too.

use std::{
    collections::HashMap,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use fedireach_core::Host;
use fedireach_crawler::{Pace, PaceBook};
use fedireach_store::{HostPace, Store};
use futures::future::BoxFuture;

#[derive(Debug)]
pub struct StorePaceBook {
    pub store: Store,
    /// Whether every request reserves its turn in the host's budget kept in the
    /// database, shared by every process crawling on it: on PostgreSQL, the engine of
    /// several crawling processes and machines (issue #15). On SQLite one process
    /// crawls at a time (the crawl lease), and its own limiter is the whole budget.
    pub shared_budget: bool,
}

impl StorePaceBook {
    /// The paces earlier processes left, by host.
    pub async fn remembered(&self) -> anyhow::Result<HashMap<Host, Pace>> {
        Ok(self
            .store
            .host_paces()
            .await?
            .into_iter()
            .filter_map(|(host, pace)| {
                let last =
                    UNIX_EPOCH + Duration::from_millis(u64::try_from(pace.last_request_ms).ok()?);
                let delay = Duration::from_millis(u64::try_from(pace.crawl_delay_ms).ok()?);
                Some((
                    Host::parse(&host).ok()?,
                    Pace {
                        last_request: last,
                        crawl_delay: delay,
                    },
                ))
            })
            .collect())
    }
}

impl PaceBook for StorePaceBook {
    fn reserve<'a>(
        &'a self,
        host: &'a Host,
        interval: Duration,
        burst: u32,
    ) -> BoxFuture<'a, Option<SystemTime>> {
        Box::pin(async move {
            if !self.shared_budget {
                return None;
            }
            let interval_ms = i64::try_from(interval.as_millis()).unwrap_or(i64::MAX);
            match self
                .store
                .reserve_host_slot(host.as_str(), interval_ms, i64::from(burst))
                .await
            {
                Ok(at) => Some(UNIX_EPOCH + Duration::from_millis(u64::try_from(at).ok()?)),
                Err(error) => {
                    // The process's own limiter still holds; the others may not know.
                    tracing::warn!(%host, %error, "cannot reserve in the host's shared budget");
                    None
                }
            }
        })
    }

    fn hold<'a>(&'a self, host: &'a Host, until: SystemTime) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            if !self.shared_budget {
                return;
            }
            let ms = until
                .duration_since(UNIX_EPOCH)
                .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
                .unwrap_or(0);
            if let Err(error) = self.store.hold_host(host.as_str(), ms).await {
                tracing::warn!(%host, %error, "cannot hold the host back for other processes");
            }
        })
    }

    fn record<'a>(&'a self, host: &'a Host, pace: Pace) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let ms = |d: Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
            let since_epoch = pace
                .last_request
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            let row = HostPace {
                last_request_ms: ms(since_epoch),
                crawl_delay_ms: ms(pace.crawl_delay),
            };
            // Not kept means a restart at once could come early: worth a warning, not
            // worth stopping the crawl for.
            if let Err(error) = self.store.record_host_pace(host.as_str(), row).await {
                tracing::warn!(%host, %error, "cannot remember the host's pace");
            }
        })
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    #[tokio::test]
    async fn a_recorded_pace_is_remembered_by_the_next_process() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let url = format!("sqlite://{}", dir.path().join("p.db").display());
        let book = StorePaceBook {
            store: Store::open(&url).await?,
            shared_budget: false,
        };
        let host = Host::parse("slow.example")?;
        let at = SystemTime::UNIX_EPOCH + Duration::from_millis(1_780_000_000_123);
        let pace = Pace {
            last_request: at,
            crawl_delay: Duration::from_secs(5),
        };
        book.record(&host, pace).await;
        let again = StorePaceBook {
            store: Store::open(&url).await?,
            shared_budget: false,
        };
        assert_eq!(again.remembered().await?.get(&host), Some(&pace));
        Ok(())
    }
}
