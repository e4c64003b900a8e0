//! The crawl lease and the scheduler's job rows, against a real SQLite file and a real
//! PostgreSQL database, each shared by two `Store`s (as two processes share it).

use fedireach_store::{CrawlStatus, LeaseAttempt, Store};
use fedireach_testdb::{TestDb, on_both};

type TestResult = Result<(), Box<dyn std::error::Error>>;

async fn two_stores(db: &TestDb) -> Result<(Store, Store), Box<dyn std::error::Error>> {
    Ok((Store::open(db.url()).await?, Store::open(db.url()).await?))
}

#[tokio::test]
async fn one_holder_at_a_time_until_release_or_expiry() -> TestResult {
    on_both(|db| async move {
        let (a, b) = two_stores(&db).await?;
        assert!(matches!(
            a.try_acquire_lease("crawl", "a", 60).await?,
            LeaseAttempt::Acquired { .. }
        ));
        // Taking it again is renewing it; somebody else is refused and told who holds it.
        assert!(matches!(
            a.try_acquire_lease("crawl", "a", 60).await?,
            LeaseAttempt::Acquired { .. }
        ));
        match b.try_acquire_lease("crawl", "b", 60).await? {
            LeaseAttempt::Held { holder, .. } => assert_eq!(holder, "a"),
            other => panic!("b took a held lease: {other:?}"),
        }
        assert!(a.renew_lease("crawl", "a", 60).await?);
        assert!(
            !b.renew_lease("crawl", "b", 60).await?,
            "b renewed what it does not hold"
        );
        // Releasing is only the holder's to do.
        b.release_lease("crawl", "b").await?;
        assert!(matches!(
            b.try_acquire_lease("crawl", "b", 60).await?,
            LeaseAttempt::Held { .. }
        ));
        a.release_lease("crawl", "a").await?;
        assert!(matches!(
            b.try_acquire_lease("crawl", "b", 0).await?,
            LeaseAttempt::Acquired { .. }
        ));
        // b's lease (TTL 0) has expired: a takes it over, and b can no longer renew it.
        assert!(matches!(
            a.try_acquire_lease("crawl", "a", 60).await?,
            LeaseAttempt::Acquired { .. }
        ));
        assert!(!b.renew_lease("crawl", "b", 60).await?);
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_dead_holders_lease_is_taken_over_only_from_that_holder() -> TestResult {
    on_both(|db| async move {
        let (a, b) = two_stores(&db).await?;
        a.try_acquire_lease("crawl", "dead", 60).await?;
        assert!(!b.take_over_lease("crawl", "somebody-else", "b", 60).await?);
        assert!(b.take_over_lease("crawl", "dead", "b", 60).await?);
        match a.try_acquire_lease("crawl", "a", 60).await? {
            LeaseAttempt::Held { holder, .. } => assert_eq!(holder, "b"),
            other => panic!("{other:?}"),
        }
        Ok(())
    })
    .await
}

#[tokio::test]
async fn recovery_interrupts_abandoned_runs_and_queues_their_jobs_again() -> TestResult {
    on_both(|db| async move {
        let (store, _) = two_stores(&db).await?;
        let job = store.enqueue_crawl_job(None, "test").await?;
        let claimed = store
            .claim_crawl_job("dead")
            .await?
            .ok_or("nothing claimed")?;
        assert_eq!(claimed.id, job);
        let abandoned = store
            .start_crawl_run(fedireach_core::CrawlTrigger::Job, None, "90d")
            .await?;
        let finished = store
            .start_crawl_run(fedireach_core::CrawlTrigger::Manual, None, "90d")
            .await?;
        store
            .finish_crawl_run(finished, CrawlStatus::Done, None)
            .await?;
        assert_eq!(store.recover_abandoned_crawls().await?, (1, 1));
        let runs = store.recent_crawl_runs(10).await?;
        let status = |id| runs.iter().find(|r| r.id == id).map(|r| r.status);
        assert_eq!(status(abandoned), Some(CrawlStatus::Interrupted));
        assert_eq!(status(finished), Some(CrawlStatus::Done));
        assert_eq!(store.crawl_job_state(job).await?.as_deref(), Some("queued"));
        assert_eq!(store.recover_abandoned_crawls().await?, (0, 0));
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_scheduled_time_is_queued_once_and_never_piles_up() -> TestResult {
    on_both(|db| async move {
        let (a, b) = two_stores(&db).await?;
        let first = a.enqueue_scheduled_crawl(1_000).await?;
        assert!(first.is_some());
        // The other process queues the same time: nothing added.
        assert_eq!(b.enqueue_scheduled_crawl(1_000).await?, None);
        // A later time while the first still waits: nothing added either.
        assert_eq!(b.enqueue_scheduled_crawl(2_000).await?, None);
        let job = a.claim_crawl_job("a").await?.ok_or("nothing claimed")?;
        assert_eq!(job.requested_by, "schedule");
        assert_eq!(Some(job.id), first);
        // Still running: nothing added.
        assert_eq!(b.enqueue_scheduled_crawl(2_000).await?, None);
        a.finish_crawl_job(job.id, None, true).await?;
        let second = b
            .enqueue_scheduled_crawl(2_000)
            .await?
            .ok_or("not queued")?;
        let job = a.claim_crawl_job("a").await?.ok_or("nothing claimed")?;
        assert_eq!(job.id, second);
        a.finish_crawl_job(job.id, None, true).await?;
        // A time already crawled is never queued again.
        assert_eq!(a.enqueue_scheduled_crawl(1_000).await?, None);
        assert_eq!(a.unfinished_crawl_jobs().await?, 0);
        Ok(())
    })
    .await
}

/// Issue #15: a host's budget is shared by every process on the database. Two `Store`s
/// (two processes), three tasks each, reserve 30 requests to one host at one per 20 ms
/// with bursts of 3: taken in the order they were reserved, any request is at least one
/// interval after the one a burst earlier, whoever reserved either. A hold a server
/// asked for holds every process back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hosts_budget_is_shared_by_every_process() -> TestResult {
    on_both(|db| async move {
        const INTERVAL: i64 = 20;
        const BURST: i64 = 3;
        let (a, b) = two_stores(&db).await?;
        let mut tasks = tokio::task::JoinSet::new();
        for store in [
            a.clone(),
            a.clone(),
            a.clone(),
            b.clone(),
            b.clone(),
            b.clone(),
        ] {
            tasks.spawn(async move {
                let mut slots = Vec::new();
                for _ in 0..5 {
                    slots.push(
                        store
                            .reserve_host_slot("busy.example", INTERVAL, BURST)
                            .await?,
                    );
                }
                Ok::<_, fedireach_store::StoreError>(slots)
            });
        }
        let mut slots = Vec::new();
        while let Some(done) = tasks.join_next().await {
            slots.extend(done??);
        }
        slots.sort_unstable();
        assert_eq!(slots.len(), 30);
        let usize_burst = usize::try_from(BURST)?;
        for (earlier, later) in slots.iter().zip(&slots[usize_burst..]) {
            assert!(
                later - earlier >= INTERVAL,
                "{later} is less than {INTERVAL} ms after {earlier}, a burst earlier: {slots:?}"
            );
        }
        // A server's Retry-After, met by one process, holds the other back.
        let until = slots.last().copied().unwrap_or(0) + 5_000;
        a.hold_host("busy.example", until).await?;
        assert!(b.reserve_host_slot("busy.example", INTERVAL, BURST).await? >= until);
        // Another host has its own budget.
        let quiet = b
            .reserve_host_slot("quiet.example", INTERVAL, BURST)
            .await?;
        assert!(quiet < until);
        Ok(())
    })
    .await
}
