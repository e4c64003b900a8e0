//! BRIEF section 3 as the store enforces it: engager ids only as a keyed hash, names
//! only for indexable engagers of owned brands, self-engagement marked.

use fedireach_core::EngagementKind;
use fedireach_store::{ActorRecord, Batch, EngagementRecord, Store};

use crate::*;

#[tokio::test]
async fn only_engagers_who_allow_it_are_named_and_only_for_owned_brands() -> TestResult {
    on_both(|db| async move {
        use fedireach_core::FactsUpdate;
        for owned in [true, false] {
            let db = db.fresh().await?;
            let store = store_with_post(&db, owned).await?;
            let person = |uri: &str, indexable: bool| ActorRecord {
                actor_uri: uri.into(),
                handle: Some(format!(
                    "{}@other.example",
                    uri.rsplit('/').next().unwrap_or("")
                )),
                display_name: Some("A Person".into()),
                indexable: Some(indexable),
                ..ActorRecord::default()
            };
            let reply = |uri: &str,
                         n: u32,
                         depth: i64|
             -> Result<EngagementRecord, Box<dyn std::error::Error>> {
                Ok(EngagementRecord {
                    kind: if depth == 1 {
                        EngagementKind::Reply
                    } else {
                        EngagementKind::ThreadReply
                    },
                    uri: Some(format!("{uri}/statuses/{n}")),
                    depth: Some(depth),
                    content_excerpt: Some(format!("words {n}")),
                    happened_at: Some(1_780_000_000 + i64::from(n)),
                    ..like(uri, "other.example")?
                })
            };
            let (amy, zed) = (
                "https://other.example/users/amy",
                "https://other.example/users/zed",
            );
            store
                .write_batch(&Batch {
                    actors: vec![person(amy, true), person(zed, false)],
                    engagements: vec![reply(amy, 1, 1)?, reply(zed, 2, 2)?, reply(amy, 3, 3)?],
                    ..Batch::default()
                })
                .await?;
            let facts = store.export_facts().await?;
            let named: Vec<(i64, bool)> =
                facts.actors.iter().map(|a| (a.actor_id, a.named)).collect();
            let ids: Vec<i64> = named.iter().map(|(id, _)| *id).collect();
            let names = store.engager_names(&ids).await?;
            let conversation = store.conversation("acme", POST).await?;
            if !owned {
                // A watched brand's engagers are never named, and it has no conversation.
                assert!(
                    named.iter().all(|(_, n)| !n) && names.is_empty(),
                    "{named:?}"
                );
                assert_eq!(conversation, None);
                continue;
            }
            assert_eq!(named.iter().filter(|(_, n)| *n).count(), 1, "{named:?}");
            assert_eq!(names.len(), 1);
            assert_eq!(
                names
                    .values()
                    .next()
                    .and_then(|n| n.handle.clone())
                    .as_deref(),
                Some("amy@other.example")
            );
            let replies = conversation.ok_or("the owned brand's post has a conversation")?;
            let seen: Vec<(Option<i64>, Option<&str>, Option<&str>)> = replies
                .iter()
                .map(|r| {
                    (
                        r.depth,
                        r.name.as_ref().and_then(|n| n.handle.as_deref()),
                        r.excerpt.as_deref(),
                    )
                })
                .collect();
            assert_eq!(
                seen,
                [
                    (Some(1), Some("amy@other.example"), Some("words 1")),
                    (Some(2), None, None),
                    (Some(3), Some("amy@other.example"), Some("words 3")),
                ]
            );
            assert_eq!(
                store
                    .conversation("acme", "https://elsewhere.example/1")
                    .await?,
                None
            );
            // Amy opts out later: her name goes, and the facts' copy learns it.
            let FactsUpdate::Full { stamp, .. } = store.facts_update(None).await? else {
                panic!("a first copy is a full one");
            };
            store
                .write_batch(&Batch {
                    actors: vec![person(amy, false)],
                    ..Batch::default()
                })
                .await?;
            assert!(store.engager_names(&ids).await?.is_empty());
            let FactsUpdate::Changes { facts, .. } = store.facts_update(Some(&stamp)).await? else {
                panic!("an engager who may no longer be named is a change of the facts");
            };
            assert!(facts.actors.iter().all(|a| !a.named));
        }
        Ok(())
    })
    .await
}

#[tokio::test]
async fn keyed_hash_is_stable_across_reopen_and_differs_between_databases() -> TestResult {
    on_both(|db| async move {
        let url = db.url().to_owned();
        let first = Store::open(&url).await?;
        let hash = first.hasher().actor("https://a.example/users/x");
        first.close().await;
        let again = Store::open(&url).await?;
        assert_eq!(again.hasher().actor("https://a.example/users/x"), hash);
        let other_db = db.fresh().await?;
        let other = Store::open(other_db.url()).await?;
        assert_ne!(other.hasher().actor("https://a.example/users/x"), hash);
        Ok(())
    })
    .await
}

#[tokio::test]
async fn engager_ids_are_never_stored_in_the_clear() -> TestResult {
    on_both(|db| async move {
        let store = store_with_post(&db, true).await?;
        let secret_id = "https://other.example/users/hidden-person";
        store
            .write_batch(&Batch {
                actors: vec![ActorRecord {
                    actor_uri: secret_id.into(),
                    handle: Some("hidden-person@other.example".into()),
                    display_name: Some("Hidden Person".into()),
                    indexable: None, // missing flag: not indexable
                    ..ActorRecord::default()
                }],
                engagements: vec![EngagementRecord {
                    kind: EngagementKind::Reply,
                    uri: Some(format!("{secret_id}/statuses/1")),
                    content_excerpt: Some("hello".into()),
                    ..like(secret_id, "other.example")?
                }],
                ..Batch::default()
            })
            .await?;
        store.close().await;
        for text in stored_text(&db).await? {
            assert!(
                !text.contains("hidden-person"),
                "an opted-out engager's id or handle reached the disk"
            );
            assert!(!text.contains("Hidden Person"));
            assert!(!text.contains("hello"));
        }
        Ok(())
    })
    .await
}

#[tokio::test]
async fn names_only_for_indexable_engagers_of_owned_brands() -> TestResult {
    on_both(|db| async move {
        for (owned, indexable, nobot, expect_named) in [
            (true, Some(true), false, true),
            (false, Some(true), false, false),
            (true, None, false, false),
            (true, Some(false), false, false),
            (true, Some(true), true, false),
        ] {
            let db = db.fresh().await?;
            let store = store_with_post(&db, owned).await?;
            let uri = "https://other.example/users/carol";
            store
                .write_batch(&Batch {
                    actors: vec![ActorRecord {
                        actor_uri: uri.into(),
                        handle: Some("carol@other.example".into()),
                        display_name: Some("Carol".into()),
                        indexable,
                        nobot,
                        ..ActorRecord::default()
                    }],
                    engagements: vec![like(uri, "other.example")?],
                    ..Batch::default()
                })
                .await?;
            let named = count(
                db.url(),
                "SELECT count(*) FROM actors WHERE handle IS NOT NULL",
            )
            .await?;
            assert_eq!(
                named == 1,
                expect_named,
                "owned {owned} indexable {indexable:?} nobot {nobot}"
            );
        }
        Ok(())
    })
    .await
}

#[tokio::test]
async fn self_engagement_is_marked() -> TestResult {
    on_both(|db| async move {
        let store = store_with_post(&db, false).await?;
        store
            .write_batch(&Batch {
                engagements: vec![
                    like(BRAND_ACTOR, "brand.example")?,
                    like("https://x.example/u/1", "x.example")?,
                ],
                ..Batch::default()
            })
            .await?;
        let url = db.url().to_owned();
        assert_eq!(
            count(&url, "SELECT count(*) FROM engagements WHERE is_self = 1").await?,
            1
        );
        let facts = store.export_facts().await?;
        assert_eq!(facts.engagements.iter().filter(|e| e.is_self).count(), 1);
        assert_eq!(
            facts.posts[0].hashtags,
            vec!["fedi verse".to_owned(), "rust".to_owned()]
        );
        Ok(())
    })
    .await
}
