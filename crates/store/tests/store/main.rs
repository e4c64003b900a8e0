//! The store against a real SQLite file.

use fedireach_core::{ActorRef, ActorRefOptions, EngagementKind, Host, Software, SoftwareSource};
use fedireach_store::{
    ActorRecord, Batch, EngagementRecord, InstanceRecord, PostRecord, Store, StoreError,
};
use tempfile::TempDir;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn db_url(dir: &TempDir) -> String {
    format!("sqlite://{}", dir.path().join("test.db").display())
}

fn actor(text: &str) -> Result<ActorRef, fedireach_core::CoreError> {
    ActorRef::parse(text, ActorRefOptions::default())
}

const BRAND_ACTOR: &str = "https://brand.example/users/acme";
const POST: &str = "https://brand.example/users/acme/statuses/1";

/// A store with one brand whose actor is resolved and one post.
async fn store_with_post(dir: &TempDir, owned: bool) -> Result<Store, Box<dyn std::error::Error>> {
    let store = Store::open(&db_url(dir)).await?;
    let brand = store
        .add_brand(
            "acme",
            &[actor("@acme@brand.example")?],
            owned.then_some("ACME_TOKEN"),
        )
        .await?;
    store
        .set_tracked_actor_uri(brand.actors[0].id, BRAND_ACTOR)
        .await?;
    store
        .write_batch(&Batch {
            posts: vec![PostRecord {
                uri: POST.into(),
                author_uri: BRAND_ACTOR.into(),
                host: "brand.example".into(),
                published_at: 1_780_000_000,
                object_type: "Note".into(),
                visibility: "public".into(),
                hashtags: vec!["#Rust".into(), "fedi verse".into()],
                ..PostRecord::default()
            }],
            ..Batch::default()
        })
        .await?;
    Ok(store)
}

fn like(actor_uri: &str, host: &str) -> Result<EngagementRecord, fedireach_core::CoreError> {
    Ok(EngagementRecord {
        post_uri: POST.into(),
        kind: EngagementKind::Like,
        actor_uri: actor_uri.into(),
        host: Host::parse(host)?,
        uri: None,
        depth: None,
        emoji: None,
        content_excerpt: None,
        source: "test".into(),
        happened_at: None,
        language: None,
    })
}

async fn count(store_url: &str, sql: &str) -> Result<i64, Box<dyn std::error::Error>> {
    // A second, independent connection: what is on disk, not what a pool cached.
    use sqlx::Connection;
    let mut conn = sqlx::SqliteConnection::connect(store_url).await?;
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(&mut conn)
        .await?)
}

#[tokio::test]
async fn migrations_apply_to_an_empty_file_and_are_idempotent() -> TestResult {
    let dir = TempDir::new()?;
    let url = db_url(&dir);
    Store::open(&url).await?.close().await;
    Store::open(&url).await?.close().await;
    let tables = count(&url, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('brands','tracked_actors','instances','actors','posts','engagements','crawl_runs','crawl_jobs','http_cache','robots_cache','follower_snapshots','opt_outs')").await?;
    assert_eq!(tables, 12);
    let applied = count(&url, "SELECT count(*) FROM _sqlx_migrations").await?;
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations"))?
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "sql"))
        })
        .count();
    assert_eq!(applied, i64::try_from(files)?);
    let journal = count(
        &url,
        "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'",
    )
    .await?;
    assert_eq!(journal, 1, "the store runs in WAL mode");
    Ok(())
}

#[tokio::test]
async fn foreign_keys_are_enforced() -> TestResult {
    let dir = TempDir::new()?;
    let store = store_with_post(&dir, false).await?;
    store
        .write_batch(&Batch {
            engagements: vec![like("https://a.example/users/x", "a.example")?],
            ..Batch::default()
        })
        .await?;
    store.remove_brand("acme").await?;
    let url = db_url(&dir);
    assert_eq!(count(&url, "SELECT count(*) FROM posts").await?, 0);
    assert_eq!(
        count(&url, "SELECT count(*) FROM engagements").await?,
        0,
        "engagements cascade with their post"
    );
    assert_eq!(count(&url, "SELECT count(*) FROM tracked_actors").await?, 0);
    Ok(())
}

#[tokio::test]
async fn the_same_engagement_twice_is_one_row() -> TestResult {
    let dir = TempDir::new()?;
    let store = store_with_post(&dir, false).await?;
    let engager = ActorRecord {
        actor_uri: "https://other.example/users/bob".into(),
        followers_count: Some(10),
        indexable: Some(true),
        ..ActorRecord::default()
    };
    let reply = EngagementRecord {
        kind: EngagementKind::Reply,
        uri: Some("https://other.example/users/bob/statuses/9".into()),
        depth: Some(1),
        ..like(&engager.actor_uri, "other.example")?
    };
    let batch = Batch {
        actors: vec![engager.clone()],
        engagements: vec![like(&engager.actor_uri, "other.example")?, reply.clone()],
        ..Batch::default()
    };
    let first = store.write_batch(&batch).await?;
    let second = store.write_batch(&batch).await?;
    assert_eq!((first.engagements_new, first.engagements_seen), (2, 0));
    assert_eq!((second.engagements_new, second.engagements_seen), (0, 2));
    // A like found again by another route, now with its activity id, is still one like.
    let with_uri = EngagementRecord {
        uri: Some("https://other.example/likes/1".into()),
        ..like(&engager.actor_uri, "other.example")?
    };
    store
        .write_batch(&Batch {
            engagements: vec![with_uri],
            ..Batch::default()
        })
        .await?;
    let url = db_url(&dir);
    assert_eq!(count(&url, "SELECT count(*) FROM engagements").await?, 2);
    assert_eq!(count(&url, "SELECT count(*) FROM actors").await?, 1);
    // A second reply by the same engager is a new engagement.
    let another = EngagementRecord {
        uri: Some("https://other.example/users/bob/statuses/10".into()),
        ..reply
    };
    let third = store
        .write_batch(&Batch {
            engagements: vec![another],
            ..Batch::default()
        })
        .await?;
    assert_eq!(third.engagements_new, 1);
    Ok(())
}

#[tokio::test]
async fn a_declared_language_is_kept_and_its_change_reaches_the_facts() -> TestResult {
    use fedireach_core::FactsUpdate;
    let dir = TempDir::new()?;
    let store = store_with_post(&dir, false).await?;
    let reply = |language: &str| -> Result<EngagementRecord, Box<dyn std::error::Error>> {
        Ok(EngagementRecord {
            kind: EngagementKind::Reply,
            uri: Some("https://other.example/users/bob/statuses/9".into()),
            depth: Some(1),
            language: fedireach_core::Language::from_code(language),
            ..like("https://other.example/users/bob", "other.example")?
        })
    };
    let write = |e: EngagementRecord| {
        let store = &store;
        async move {
            store
                .write_batch(&Batch {
                    engagements: vec![e],
                    ..Batch::default()
                })
                .await
        }
    };
    let language = || async {
        let facts = store.export_facts().await?;
        Ok::<_, Box<dyn std::error::Error>>(
            facts
                .engagements
                .iter()
                .map(|e| (e.kind, e.language.clone()))
                .collect::<Vec<_>>(),
        )
    };
    write(reply("fr")?).await?;
    write(like("https://other.example/users/bob", "other.example")?).await?;
    let fr = Some("fr".to_owned());
    let mut got = language().await?;
    got.sort_by_key(|(kind, _)| kind.as_str());
    assert_eq!(
        got,
        [
            (EngagementKind::Like, None),
            (EngagementKind::Reply, fr.clone())
        ]
    );
    // Seen again by a source that reads no language: the declared one stays, and the
    // facts copy has nothing to catch up on.
    let FactsUpdate::Full { stamp, .. } = store.facts_update(None).await? else {
        panic!("a first copy is a full one");
    };
    write(reply("und")?).await?;
    assert_eq!(
        language()
            .await?
            .iter()
            .find(|(k, _)| *k == EngagementKind::Reply)
            .map(|(_, l)| l.clone()),
        Some(fr)
    );
    assert!(matches!(
        store.facts_update(Some(&stamp)).await?,
        FactsUpdate::Current
    ));
    // The author changed it: the new one is stored, and the copy catches up on it.
    write(reply("de")?).await?;
    let FactsUpdate::Changes { facts, .. } = store.facts_update(Some(&stamp)).await? else {
        panic!("a changed language is a change of the facts");
    };
    assert_eq!(
        facts
            .engagements
            .iter()
            .map(|e| e.language.as_deref())
            .collect::<Vec<_>>(),
        [Some("de")]
    );
    Ok(())
}

#[tokio::test]
async fn only_engagers_who_allow_it_are_named_and_only_for_owned_brands() -> TestResult {
    use fedireach_core::FactsUpdate;
    for owned in [true, false] {
        let dir = TempDir::new()?;
        let store = store_with_post(&dir, owned).await?;
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
        let named: Vec<(i64, bool)> = facts.actors.iter().map(|a| (a.actor_id, a.named)).collect();
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
}

#[tokio::test]
async fn keyed_hash_is_stable_across_reopen_and_differs_between_databases() -> TestResult {
    let dir = TempDir::new()?;
    let url = db_url(&dir);
    let first = Store::open(&url).await?;
    let hash = first.hasher().actor("https://a.example/users/x");
    first.close().await;
    let again = Store::open(&url).await?;
    assert_eq!(again.hasher().actor("https://a.example/users/x"), hash);
    let other_dir = TempDir::new()?;
    let other = Store::open(&db_url(&other_dir)).await?;
    assert_ne!(other.hasher().actor("https://a.example/users/x"), hash);
    Ok(())
}

#[tokio::test]
async fn engager_ids_are_never_stored_in_the_clear() -> TestResult {
    let dir = TempDir::new()?;
    let store = store_with_post(&dir, true).await?;
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
    let bytes = std::fs::read(dir.path().join("test.db"))?;
    let wal = std::fs::read(dir.path().join("test.db-wal")).unwrap_or_default();
    for haystack in [&bytes, &wal] {
        let text = String::from_utf8_lossy(haystack);
        assert!(
            !text.contains("hidden-person"),
            "an opted-out engager's id or handle reached the disk"
        );
        assert!(!text.contains("Hidden Person"));
        assert!(!text.contains("hello"));
    }
    Ok(())
}

#[tokio::test]
async fn names_only_for_indexable_engagers_of_owned_brands() -> TestResult {
    for (owned, indexable, nobot, expect_named) in [
        (true, Some(true), false, true),
        (false, Some(true), false, false),
        (true, None, false, false),
        (true, Some(false), false, false),
        (true, Some(true), true, false),
    ] {
        let dir = TempDir::new()?;
        let store = store_with_post(&dir, owned).await?;
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
            &db_url(&dir),
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
}

#[tokio::test]
async fn self_engagement_is_marked() -> TestResult {
    let dir = TempDir::new()?;
    let store = store_with_post(&dir, false).await?;
    store
        .write_batch(&Batch {
            engagements: vec![
                like(BRAND_ACTOR, "brand.example")?,
                like("https://x.example/u/1", "x.example")?,
            ],
            ..Batch::default()
        })
        .await?;
    let url = db_url(&dir);
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
}

#[tokio::test]
async fn forget_purges_and_remembers() -> TestResult {
    let dir = TempDir::new()?;
    let store = store_with_post(&dir, false).await?;
    let dave = "https://far.example/users/dave";
    let batch = Batch {
        instances: vec![InstanceRecord {
            host: Host::parse("far.example")?,
            software: Software::from_nodeinfo_name("Mastodon").ok_or("software")?,
            software_version: None,
            software_source: SoftwareSource::Nodeinfo,
            users_total: Some(10),
            users_active_month: Some(5),
        }],
        actors: vec![ActorRecord {
            actor_uri: dave.into(),
            handle: Some("dave@far.example".into()),
            ..ActorRecord::default()
        }],
        engagements: vec![
            like(dave, "far.example")?,
            like("https://near.example/u/e", "near.example")?,
        ],
        ..Batch::default()
    };
    store.write_batch(&batch).await?;
    let outcome = store
        .forget_actor(&actor("@dave@far.example")?, "forget")
        .await?;
    assert_eq!((outcome.actors, outcome.engagements), (1, 1));
    let again = store.write_batch(&batch).await?;
    assert_eq!(
        again.left_out_forgotten, 2,
        "the forgotten actor and its like stay out"
    );
    let url = db_url(&dir);
    assert_eq!(count(&url, "SELECT count(*) FROM engagements").await?, 1);

    store
        .forget_instance(&Host::parse("near.example")?, "forget")
        .await?;
    assert_eq!(count(&url, "SELECT count(*) FROM engagements").await?, 0);
    store.write_batch(&batch).await?;
    assert_eq!(
        count(&url, "SELECT count(*) FROM engagements").await?,
        0,
        "the forgotten instance stays out"
    );

    let refused = store
        .forget_instance(&Host::parse("brand.example")?, "forget")
        .await;
    assert!(
        matches!(refused, Err(StoreError::Tracked { .. })),
        "{refused:?}"
    );
    Ok(())
}

#[tokio::test]
async fn unknown_brand_lists_the_existing_ones() -> TestResult {
    let dir = TempDir::new()?;
    let store = store_with_post(&dir, false).await?;
    let err = store
        .remove_brand("nope")
        .await
        .err()
        .ok_or("expected an error")?;
    let message = err.to_string();
    assert!(
        message.contains("nope") && message.contains("acme"),
        "{message}"
    );
    let dup = store
        .add_brand("acme", &[actor("@x@y.example")?], None)
        .await;
    assert!(matches!(dup, Err(StoreError::BrandExists(_))), "{dup:?}");
    Ok(())
}

#[tokio::test]
async fn the_http_cache_remembers_a_response_while_its_post_is_stored() -> TestResult {
    let dir = TempDir::new()?;
    let store = store_with_post(&dir, false).await?;
    let key = "https://brand.example/api/v1/statuses/1";
    assert_eq!(store.cached_response(key, POST).await?, None);
    let first = fedireach_store::CachedResponse {
        etag: Some("W/\"1\"".into()),
        last_modified: None,
        body_sha256: Some("ab".into()),
    };
    store
        .save_cached_response(key, "brand.example", 200, &first)
        .await?;
    assert_eq!(store.cached_response(key, POST).await?, Some(first));
    let second = fedireach_store::CachedResponse {
        etag: Some("W/\"2\"".into()),
        last_modified: Some("Thu, 26 Nov 2026 05:00:00 GMT".into()),
        body_sha256: Some("cd".into()),
    };
    store
        .save_cached_response(key, "brand.example", 200, &second)
        .await?;
    assert_eq!(store.cached_response(key, POST).await?, Some(second));
    store
        .write_batch(&Batch {
            engagements: vec![like("https://far.example/users/x", "far.example")?],
            ..Batch::default()
        })
        .await?;
    assert_eq!(store.engaging_hosts(POST).await?, vec!["far.example"]);
    // A post no longer stored is walked again: its cached response is not offered.
    store.purge_object(POST, "gone_410").await?;
    assert_eq!(store.cached_response(key, POST).await?, None);
    Ok(())
}

#[tokio::test]
async fn a_crawl_that_learned_nothing_of_an_instance_keeps_what_was_known() -> TestResult {
    let dir = TempDir::new()?;
    let store = store_with_post(&dir, false).await?;
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
    assert_eq!(count(&db_url(&dir), software).await?, 1);
    Ok(())
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
    let dir = TempDir::new()?;
    let store = store_with_post(&dir, false).await?;
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
    assert_eq!(
        seen(&changes),
        Seen::Changes {
            engagements: vec![3],
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
            removed: vec![2, 3]
        }
    );

    // Pruned past a copy's stamp, or another database's stamp: everything again.
    store.prune_facts_log(next.log_seq).await?;
    assert_eq!(
        count(&db_url(&dir), "SELECT count(*) FROM facts_log").await?,
        2
    );
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
    let dir = TempDir::new()?;
    let url = db_url(&dir);
    let writer = store_with_post(&dir, true).await?;
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
}
