//! What the store hands the analytics: what an instance is known as, the facts copy's
//! changes since its stamp, and batches that leave the write lock free between
//! transactions.

use fedireach_core::{Host, Software, SoftwareSource};
use fedireach_store::{ActorRecord, Batch, InstanceRecord, Store};

use crate::*;

#[tokio::test]
async fn a_crawl_that_learned_nothing_of_an_instance_keeps_what_was_known() -> TestResult {
    on_both(|db| async move {
        let store = store_with_post(&db, false).await?;
        let instance = |software: Software, source: SoftwareSource| -> Result<Batch, String> {
            Ok(Batch {
                instances: vec![InstanceRecord {
                    host: Host::parse("quiet.example").map_err(|e| e.to_string())?,
                    software,
                    software_version: None,
                    software_source: source,
                    users_total: None,
                    users_active_month: None,
                }],
                ..Batch::default()
            })
        };
        let misskey = Software::from_nodeinfo_name("misskey").ok_or("software")?;
        let software = "SELECT count(*) FROM instances WHERE host = 'quiet.example' \
                        AND software = 'misskey' AND software_source = 'context'";
        store
            .write_batch(&instance(Software::unknown(), SoftwareSource::Unknown)?)
            .await?;
        store
            .write_batch(&instance(misskey.clone(), SoftwareSource::Context)?)
            .await?;
        store
            .write_batch(&instance(Software::unknown(), SoftwareSource::Unknown)?)
            .await?;
        assert_eq!(count(db.url(), software).await?, 1);
        Ok(())
    })
    .await
}

/// What `facts_update` tells a copy at `stamp`, reduced to what the test checks.
#[derive(Debug, PartialEq)]
enum Seen {
    Current,
    Full(usize),
    Changes {
        engagements: Vec<i64>,
        removed: Vec<i64>,
    },
}

fn seen(update: &fedireach_core::FactsUpdate) -> Seen {
    use fedireach_core::FactsUpdate;
    match update {
        FactsUpdate::Current => Seen::Current,
        FactsUpdate::Full { facts, .. } => Seen::Full(facts.engagements.len()),
        FactsUpdate::Changes { facts, removed, .. } => Seen::Changes {
            engagements: facts.engagements.iter().map(|e| e.engagement_id).collect(),
            removed: removed.clone(),
        },
    }
}

fn stamp_of(update: &fedireach_core::FactsUpdate) -> Option<fedireach_core::FactsStamp> {
    use fedireach_core::FactsUpdate;
    match update {
        FactsUpdate::Current => None,
        FactsUpdate::Full { stamp, .. } | FactsUpdate::Changes { stamp, .. } => Some(stamp.clone()),
    }
}

#[tokio::test]
async fn a_copy_of_the_facts_learns_what_changed_since_its_stamp() -> TestResult {
    on_both(|db| async move {
        let store = store_with_post(&db, false).await?;
        let likes = |actors: &[&str]| -> Result<Batch, fedireach_core::CoreError> {
            let mut batch = Batch::default();
            for a in actors {
                batch.actors.push(ActorRecord {
                    actor_uri: (*a).into(),
                    ..ActorRecord::default()
                });
                batch.engagements.push(like(a, "far.example")?);
            }
            Ok(batch)
        };
        store
            .write_batch(&likes(&[
                "https://far.example/u/a",
                "https://far.example/u/b",
            ])?)
            .await?;

        // No copy: everything.
        let first = store.facts_update(None).await?;
        assert_eq!(seen(&first), Seen::Full(2));
        let stamp = stamp_of(&first).ok_or("a stamp")?;
        assert_eq!(
            seen(&store.facts_update(Some(&stamp)).await?),
            Seen::Current
        );

        // Seen again by a later crawl: nothing the facts carry changed.
        store
            .write_batch(&likes(&["https://far.example/u/a"])?)
            .await?;
        assert_eq!(
            seen(&store.facts_update(Some(&stamp)).await?),
            Seen::Current
        );

        // A new like, and a forget: the copy gets the one and drops the other.
        store
            .write_batch(&likes(&["https://far.example/u/c"])?)
            .await?;
        store
            .forget_actor(&actor("https://far.example/u/a")?, "test")
            .await?;
        let changes = store.facts_update(Some(&stamp)).await?;
        // The new like's id: the next SQLite gives, a later one on PostgreSQL, whose
        // identity column also spends a number on an insert that met a conflict.
        let new = store
            .export_facts()
            .await?
            .engagements
            .iter()
            .map(|e| e.engagement_id)
            .max()
            .ok_or("the new like")?;
        assert!(new > 2, "a new id: {new}");
        assert_eq!(
            seen(&changes),
            Seen::Changes {
                engagements: vec![new],
                removed: vec![1]
            }
        );
        let next = stamp_of(&changes).ok_or("a stamp")?;

        // A brand's post deleted (a 410): its engagements cascade into the log too.
        store.purge_object(POST, "gone_410").await?;
        assert_eq!(
            seen(&store.facts_update(Some(&next)).await?),
            Seen::Changes {
                engagements: vec![],
                removed: vec![2, new]
            }
        );

        // Pruned past a copy's stamp, or another database's stamp: everything again.
        store.prune_facts_log(next.log_seq).await?;
        assert_eq!(count(db.url(), "SELECT count(*) FROM facts_log").await?, 2);
        assert_eq!(
            seen(&store.facts_update(Some(&stamp)).await?),
            Seen::Full(0)
        );
        let foreign = fedireach_core::FactsStamp {
            store_id: "another".into(),
            ..next.clone()
        };
        assert_eq!(
            seen(&store.facts_update(Some(&foreign)).await?),
            Seen::Full(0)
        );
        assert!(matches!(
            seen(&store.facts_update(Some(&next)).await?),
            Seen::Changes { .. }
        ));
        Ok(())
    })
    .await
}

/// The largest write a crawl makes, one post's engagements, goes in bounded
/// transactions: while it is written, the crawl's lease is renewed (by the same
/// process, as the crawl's renewer does) and another process (a second `Store` on the
/// file) lists the brands and takes its turn to write, each at once; what they see is a
/// part of the post's engagements, never a long-held lock. The whole batch arrives in
/// the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_batch_leaves_the_write_lock_free_between_transactions() -> TestResult {
    use std::time::{Duration, Instant};
    on_both(|db| async move {
        let url = db.url().to_owned();
        let writer = store_with_post(&db, true).await?;
        let renewer = writer.clone();
        let other = Store::open(&url).await?;
        let total = 5 * fedireach_store::ROWS_PER_TRANSACTION;
        let mut batch = Batch::default();
        for n in 0..total {
            let uri = format!("https://many.example/users/u{n}");
            batch.actors.push(ActorRecord {
                actor_uri: uri.clone(),
                indexable: Some(true),
                ..ActorRecord::default()
            });
            batch.engagements.push(like(&uri, "many.example")?);
        }
        assert!(matches!(
            renewer.try_acquire_lease("crawl", "crawler", 60).await?,
            fedireach_store::LeaseAttempt::Acquired { .. }
        ));
        let writing = tokio::spawn(async move { writer.write_batch(&batch).await });
        let likes = "SELECT COUNT(*) FROM engagements WHERE kind = 'like'";
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut seen = count(&url, likes).await?;
        while seen == 0 {
            assert!(Instant::now() < deadline, "nothing written after 120 s");
            assert!(
                !writing.is_finished(),
                "the write ended before any poll saw it"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
            seen = count(&url, likes).await?;
        }
        // Part of the post is on disk: the write is under way, in more than one transaction.
        let asked = Instant::now();
        assert!(renewer.renew_lease("crawl", "crawler", 60).await?);
        assert_eq!(other.list_brands().await?.len(), 1);
        let answered = asked.elapsed();
        // Another process's write (a `brand add`) gets in between two transactions.
        other
            .add_brand("other", &[actor("@other@other.example")?], None)
            .await?;
        let written = asked.elapsed();
        let during = count(&url, likes).await?;
        assert!(
            usize::try_from(seen)? < total && usize::try_from(during)? < total,
            "the engagements arrived all at once ({seen}, then {during}, of {total})"
        );
        assert!(
            answered < Duration::from_secs(5),
            "the lease renewal and the brand list waited {answered:?} for the writer"
        );
        println!("renewal and list: {answered:?}; another process's write: {written:?}");
        let outcome = writing.await??;
        assert_eq!(outcome.engagements_new, u64::try_from(total)?);
        assert_eq!(count(&url, likes).await?, i64::try_from(total)?);
        Ok(())
    })
    .await
}
