//! The store against a real SQLite file and a real PostgreSQL database: every test runs
//! on both (`fedireach-testdb` starts the server).

use fedireach_core::{ActorRef, ActorRefOptions, EngagementKind, Host, Software, SoftwareSource};
use fedireach_store::{
    ActorRecord, Batch, EngagementRecord, InstanceRecord, PostRecord, Store, StoreError,
};
use fedireach_testdb::{Backend, TestDb, on_both};

mod consent;
mod facts;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn actor(text: &str) -> Result<ActorRef, fedireach_core::CoreError> {
    ActorRef::parse(text, ActorRefOptions::default())
}

const BRAND_ACTOR: &str = "https://brand.example/users/acme";
const POST: &str = "https://brand.example/users/acme/statuses/1";

/// A store with one brand whose actor is resolved and one post.
async fn store_with_post(db: &TestDb, owned: bool) -> Result<Store, Box<dyn std::error::Error>> {
    let store = Store::open(db.url()).await?;
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
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(store_url).await?;
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(&mut conn)
        .await?)
}

/// Every text the database holds: SQLite's file and write-ahead log as bytes,
/// PostgreSQL's tables row by row.
async fn stored_text(db: &TestDb) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    use sqlx::Connection;
    if db.backend() == Backend::Sqlite {
        let file = db.url().trim_start_matches("sqlite://");
        let bytes = std::fs::read(file)?;
        let wal = std::fs::read(format!("{file}-wal")).unwrap_or_default();
        return Ok([bytes, wal]
            .iter()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .collect());
    }
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(db.url()).await?;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'",
    )
    .fetch_all(&mut conn)
    .await?;
    let mut texts = Vec::new();
    for table in tables {
        let sql = format!("SELECT coalesce(string_agg(t::text, ' '), '') FROM {table} t");
        texts.push(
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(&mut conn)
                .await?,
        );
    }
    Ok(texts)
}

#[tokio::test]
async fn migrations_apply_to_an_empty_file_and_are_idempotent() -> TestResult {
    on_both(|db| async move {
                let url = db.url().to_owned();
        Store::open(&url).await?.close().await;
        Store::open(&url).await?.close().await;
        let (catalog, migrations) = match db.backend() {
            Backend::Sqlite => ("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND ", "migrations"),
            Backend::Postgres => (
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_",
                "migrations/postgres",
            ),
        };
        let tables = count(&url, &format!("{catalog}name IN ('brands','tracked_actors','instances','actors','posts','engagements','crawl_runs','crawl_jobs','http_cache','robots_cache','follower_snapshots','opt_outs')")).await?;
        assert_eq!(tables, 12);
        let applied = count(&url, "SELECT count(*) FROM _sqlx_migrations").await?;
        let dir = format!("{}/../../{migrations}", env!("CARGO_MANIFEST_DIR"));
        let files = std::fs::read_dir(dir)?
            .filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "sql"))
            })
            .count();
        assert_eq!(applied, i64::try_from(files)?);
        if db.backend() == Backend::Postgres {
            return Ok(());
        }
        let journal = count(
            &url,
            "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'",
        )
        .await?;
        assert_eq!(journal, 1, "the store runs in WAL mode");
        Ok(())
    })
    .await
}

#[tokio::test]
async fn foreign_keys_are_enforced() -> TestResult {
    on_both(|db| async move {
        let store = store_with_post(&db, false).await?;
        store
            .write_batch(&Batch {
                engagements: vec![like("https://a.example/users/x", "a.example")?],
                ..Batch::default()
            })
            .await?;
        store.remove_brand("acme").await?;
        let url = db.url().to_owned();
        assert_eq!(count(&url, "SELECT count(*) FROM posts").await?, 0);
        assert_eq!(
            count(&url, "SELECT count(*) FROM engagements").await?,
            0,
            "engagements cascade with their post"
        );
        assert_eq!(count(&url, "SELECT count(*) FROM tracked_actors").await?, 0);
        Ok(())
    })
    .await
}

#[tokio::test]
async fn the_same_engagement_twice_is_one_row() -> TestResult {
    on_both(|db| async move {
        let store = store_with_post(&db, false).await?;
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
        let url = db.url().to_owned();
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
    })
    .await
}

#[tokio::test]
async fn a_declared_language_is_kept_and_its_change_reaches_the_facts() -> TestResult {
    on_both(|db| async move {
        use fedireach_core::FactsUpdate;
        let store = store_with_post(&db, false).await?;
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
    })
    .await
}

#[tokio::test]
async fn forget_purges_and_remembers() -> TestResult {
    on_both(|db| async move {
        let store = store_with_post(&db, false).await?;
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
        let url = db.url().to_owned();
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
    })
    .await
}

#[tokio::test]
async fn unknown_brand_lists_the_existing_ones() -> TestResult {
    on_both(|db| async move {
        let store = store_with_post(&db, false).await?;
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
    })
    .await
}

#[tokio::test]
async fn the_http_cache_remembers_a_response_while_its_post_is_stored() -> TestResult {
    on_both(|db| async move {
        let store = store_with_post(&db, false).await?;
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
    })
    .await
}
