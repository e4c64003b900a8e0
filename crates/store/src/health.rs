//! How each instance can be crawled, as the last crawls found it: the `instances`
//! columns `reachability`, `last_error`, `robots_state`, `crawl_delay_ms` and
//! `requires_signature` (migration 0001), written after each crawl and read by the
//! instance page.

use fedireach_core::HostHealth;

use crate::{Store, StoreError, error::QueryContext, time::now};

/// reachability, last_error, robots_state, crawl_delay_ms, requires_signature,
/// checked_at.
type HealthRow = (
    String,
    Option<String>,
    String,
    Option<i64>,
    i64,
    Option<i64>,
);

/// A host that began refusing the crawler after answering an earlier crawl.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostRefusal {
    pub host: String,
    /// `REASON:ROUTE`, as in the consent report (`robots_txt:activitypub`...).
    pub refusal: String,
    /// When a crawl first met it (Unix seconds).
    pub first_seen: i64,
}

/// An instance's crawl health as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceHealth {
    /// `unknown` (never asked), `ok`, `failing` (the last crawl got no answer below
    /// 500), `dead` (the last two crawls did not) or `gone`.
    pub reachability: String,
    pub last_error: Option<String>,
    /// `unknown`, `allowed`, `partial`, `disallowed` or `gone`.
    pub robots_state: String,
    pub crawl_delay_ms: Option<i64>,
    /// It refused an unsigned ActivityPub GET at some crawl.
    pub requires_signature: bool,
    /// When a crawl last asked it anything (Unix seconds).
    pub checked_at: Option<i64>,
}

impl Store {
    /// Records what a crawl found of each host's health, on the hosts that have an
    /// instance row (a host only failed or refused has none: the crawl's failures say
    /// it). A host failing at two crawls in a row is `dead`; robots.txt and the
    /// Crawl-delay are kept from an earlier crawl when this one did not ask.
    pub async fn record_host_health(&self, health: &[HostHealth]) -> Result<(), StoreError> {
        let at = now();
        let mut tx = self.pool.begin().await.doing("recording host health")?;
        for h in health {
            // Before the row is updated: whether an earlier crawl had asked the host
            // without meeting this refusal is read from what that crawl recorded
            // (migration 0011 says which crawls recorded refusals). A robots.txt that
            // was partial is new only when it now bars everything: a partial file may
            // have barred this route all along.
            for refusal in &h.refusals {
                sqlx::query(
                    "INSERT INTO host_refusals (host, refusal, first_seen, last_seen, newly)
                     VALUES ($1, $2, $3, $3, coalesce((
                       SELECT CASE WHEN checked_at >= (SELECT CAST(value AS BIGINT)
                                 FROM crawl_memory WHERE name = 'host_refusals_since')
                         AND (CASE
                           WHEN $2 LIKE 'robots_txt:%' THEN robots_state = 'allowed'
                             OR (robots_state = 'partial' AND $4 = 'disallowed')
                           WHEN $2 LIKE '%:activitypub' THEN requires_signature = 0
                           ELSE TRUE END)
                         THEN 1 ELSE 0 END
                       FROM instances WHERE host = $1), 0))
                     ON CONFLICT (host, refusal) DO UPDATE SET last_seen = excluded.last_seen",
                )
                .bind(h.host.as_str())
                .bind(refusal)
                .bind(at)
                .bind(h.robots.map(|r| r.as_str()))
                .execute(&mut *tx)
                .await
                .doing("recording what a host refused")?;
            }
            sqlx::query(
                "UPDATE instances SET
                   reachability = CASE
                     WHEN $2 = 'failing' AND reachability IN ('failing', 'dead') THEN 'dead'
                     ELSE $2 END,
                   last_error = $3,
                   robots_state = coalesce($4, robots_state),
                   crawl_delay_ms = CASE WHEN $4 IS NULL THEN crawl_delay_ms ELSE $5 END,
                   requires_signature = CASE WHEN $6 > instances.requires_signature
                     THEN $6 ELSE instances.requires_signature END,
                   checked_at = $7
                 WHERE host = $1",
            )
            .bind(h.host.as_str())
            .bind(h.reachability.as_str())
            .bind(&h.last_error)
            .bind(h.robots.map(|r| r.as_str()))
            .bind(h.crawl_delay_ms.and_then(|d| i64::try_from(d).ok()))
            .bind(i64::from(h.refused_unsigned))
            .bind(at)
            .execute(&mut *tx)
            .await
            .doing("recording a host's health")?;
        }
        tx.commit().await.doing("recording host health")?;
        Ok(())
    }

    /// The refusals first met since `since` (Unix seconds) by hosts that had answered
    /// an earlier crawl without them: "a host newly refusing us". Oldest first.
    pub async fn new_refusals(&self, since: i64) -> Result<Vec<HostRefusal>, StoreError> {
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT host, refusal, first_seen FROM host_refusals
             WHERE newly = 1 AND first_seen >= $1
             ORDER BY first_seen, host, refusal",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .doing("reading the hosts newly refusing the crawler")?;
        Ok(rows
            .into_iter()
            .map(|(host, refusal, first_seen)| HostRefusal {
                host,
                refusal,
                first_seen,
            })
            .collect())
    }

    /// An instance's crawl health; `None` for a host without an instance row.
    pub async fn instance_health(&self, host: &str) -> Result<Option<InstanceHealth>, StoreError> {
        let row: Option<HealthRow> = sqlx::query_as(
            "SELECT reachability, last_error, robots_state, crawl_delay_ms,
                        requires_signature, checked_at
                 FROM instances WHERE host = $1",
        )
        .bind(host)
        .fetch_optional(&self.pool)
        .await
        .doing("reading an instance's health")?;
        Ok(row.map(
            |(reachability, last_error, robots_state, crawl_delay_ms, signature, checked_at)| {
                InstanceHealth {
                    reachability,
                    last_error,
                    robots_state,
                    crawl_delay_ms,
                    requires_signature: signature != 0,
                    checked_at,
                }
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use fedireach_core::{Batch, Host, InstanceRecord, Reachability, RobotsState, Software};

    use super::*;

    fn health(host: &Host, reachability: Reachability, robots: Option<RobotsState>) -> HostHealth {
        HostHealth {
            host: host.clone(),
            reachability,
            last_error: (reachability == Reachability::Failing).then(|| "timed out".to_owned()),
            robots,
            crawl_delay_ms: robots.map(|_| 500_000),
            refused_unsigned: robots == Some(RobotsState::Partial),
            refusals: Vec::new(),
        }
    }

    #[tokio::test]
    async fn health_is_kept_on_the_instance_row_and_failing_twice_is_dead()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::TempDir::new()?;
        let store = Store::open(&format!("sqlite://{}", dir.path().join("h.db").display())).await?;
        let gts = Host::parse("gts.example")?;
        // No instance row yet: nothing is recorded.
        store
            .record_host_health(&[health(&gts, Reachability::Ok, Some(RobotsState::Partial))])
            .await?;
        assert_eq!(store.instance_health("gts.example").await?, None);
        store
            .write_batch(&Batch {
                instances: vec![InstanceRecord {
                    host: gts.clone(),
                    software: Software::from_nodeinfo_name("gotosocial").ok_or("software")?,
                    software_version: None,
                    software_source: fedireach_core::SoftwareSource::Nodeinfo,
                    users_total: None,
                    users_active_month: None,
                }],
                ..Batch::default()
            })
            .await?;
        let fresh = store.instance_health("gts.example").await?.ok_or("a row")?;
        assert_eq!(
            (fresh.reachability.as_str(), fresh.robots_state.as_str()),
            ("unknown", "unknown")
        );
        store
            .record_host_health(&[health(&gts, Reachability::Ok, Some(RobotsState::Partial))])
            .await?;
        let ok = store.instance_health("gts.example").await?.ok_or("a row")?;
        assert_eq!(ok.reachability, "ok");
        assert_eq!(ok.robots_state, "partial");
        assert_eq!(ok.crawl_delay_ms, Some(500_000));
        assert!(ok.requires_signature);
        assert!(ok.checked_at.is_some());
        // Failing, without asking robots.txt: robots.txt, the delay and the signature
        // are kept; failing again is dead; an answer makes it ok again.
        store
            .record_host_health(&[health(&gts, Reachability::Failing, None)])
            .await?;
        let failing = store.instance_health("gts.example").await?.ok_or("a row")?;
        assert_eq!(failing.reachability, "failing");
        assert_eq!(failing.last_error.as_deref(), Some("timed out"));
        assert_eq!(
            (failing.robots_state.as_str(), failing.crawl_delay_ms),
            ("partial", Some(500_000))
        );
        assert!(failing.requires_signature);
        store
            .record_host_health(&[health(&gts, Reachability::Failing, None)])
            .await?;
        let dead = store.instance_health("gts.example").await?.ok_or("a row")?;
        assert_eq!(dead.reachability, "dead");
        store
            .record_host_health(&[health(&gts, Reachability::Ok, Some(RobotsState::Allowed))])
            .await?;
        let back = store.instance_health("gts.example").await?.ok_or("a row")?;
        assert_eq!(
            (
                back.reachability.as_str(),
                back.robots_state.as_str(),
                back.last_error
            ),
            ("ok", "allowed", None)
        );
        Ok(())
    }

    fn instance(host: &Host, software: &str) -> Result<InstanceRecord, Box<dyn std::error::Error>> {
        Ok(InstanceRecord {
            host: host.clone(),
            software: Software::from_nodeinfo_name(software).ok_or("software")?,
            software_version: None,
            software_source: fedireach_core::SoftwareSource::Nodeinfo,
            users_total: None,
            users_active_month: None,
        })
    }

    #[tokio::test]
    async fn a_refusal_is_new_only_from_a_host_that_answered_an_earlier_crawl_without_it()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::TempDir::new()?;
        let store = Store::open(&format!("sqlite://{}", dir.path().join("r.db").display())).await?;
        let masto = Host::parse("masto.example")?;
        let gts = Host::parse("gts.example")?;
        store
            .write_batch(&Batch {
                instances: vec![instance(&masto, "mastodon")?, instance(&gts, "gotosocial")?],
                ..Batch::default()
            })
            .await?;
        let refusing = |host: &Host, robots: RobotsState, refusals: &[&str]| HostHealth {
            refusals: refusals.iter().map(|r| (*r).to_owned()).collect(),
            ..health(host, Reachability::Ok, Some(robots))
        };
        // First crawl: GoToSocial refuses from the first meeting; Mastodon allows all.
        store
            .record_host_health(&[
                refusing(&masto, RobotsState::Allowed, &[]),
                refusing(&gts, RobotsState::Partial, &["robots_txt:activitypub"]),
            ])
            .await?;
        assert_eq!(store.new_refusals(0).await?, []);
        // Second crawl: Mastodon's admin barred crawlers; GoToSocial refuses as before,
        // and now also on its API; a partial file barring more is not new.
        store
            .record_host_health(&[
                refusing(&masto, RobotsState::Disallowed, &["robots_txt:activitypub"]),
                refusing(
                    &gts,
                    RobotsState::Partial,
                    &["robots_txt:activitypub", "robots_txt:api"],
                ),
            ])
            .await?;
        let new = store.new_refusals(0).await?;
        assert_eq!(
            new.iter()
                .map(|r| (r.host.as_str(), r.refusal.as_str()))
                .collect::<Vec<_>>(),
            [("masto.example", "robots_txt:activitypub")]
        );
        // Seen again: still one refusal, first seen when it began.
        store
            .record_host_health(&[refusing(
                &masto,
                RobotsState::Disallowed,
                &["robots_txt:activitypub"],
            )])
            .await?;
        assert_eq!(store.new_refusals(0).await?, new);
        assert_eq!(store.new_refusals(new[0].first_seen + 1).await?, []);
        Ok(())
    }
}
