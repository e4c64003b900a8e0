//! The analytics' input: every fact the figures are computed from, as plain rows; and
//! what a columnar copy of them needs to catch up (the change log of migration 0003).

use fedireach_core::{
    ActorFact, BrandActorFact, ConsentFact, Coverage, EngagementFact, EngagementKind, Facts,
    FactsStamp, FactsUpdate, FollowerSnapshotFact, InstanceFact, PostCoverage, PostFact,
};
use sqlx::{AnyConnection, Row, any::AnyRow};

use crate::{DatabaseKind, Store, StoreError, dialect::flag, error::QueryContext};

/// The columns of an engagement fact, for every query that exports them.
const ENGAGEMENT_COLUMNS: &str = "id, post_id, kind, actor_id, host, happened_at, first_seen_at,
    removed_at, is_self, language";

impl Store {
    /// Reads every fact. Row by row: fine for tests and small stores; the analytics keep
    /// a columnar copy for large ones ([`Store::facts_update`]).
    pub async fn export_facts(&self) -> Result<Facts, StoreError> {
        let mut tx = self.begin_snapshot().await.doing("starting to export")?;
        let mut facts = small_tables(self.kind, &mut tx).await?;
        facts.engagements = engagements(&mut tx, None).await?;
        tx.commit().await.doing("finishing an export")?;
        Ok(facts)
    }

    /// What a columnar copy of the facts at `copy` (`None`: no usable copy) needs to
    /// hold the facts as they are now, read in one transaction so that a crawl writing
    /// meanwhile cannot tear it.
    pub async fn facts_update(&self, copy: Option<&FactsStamp>) -> Result<FactsUpdate, StoreError> {
        let mut tx = self.pool.begin().await.doing("starting to export")?;
        let (store_id, version, pruned): (String, i64, i64) =
            sqlx::query_as("SELECT store_id, version, pruned_seq FROM facts_state WHERE id = 1")
                .fetch_one(&mut *tx)
                .await
                .doing("reading the state of the facts")?;
        let log_seq: i64 = sqlx::query_scalar(self.kind.last_log_seq_sql())
            .fetch_one(&mut *tx)
            .await
            .doing("reading the facts' change log")?;
        let stamp = FactsStamp {
            store_id,
            log_seq: log_seq.max(pruned),
            version,
        };
        let update = match copy {
            Some(base) if *base == stamp => FactsUpdate::Current,
            Some(base)
                if base.store_id == stamp.store_id
                    && base.log_seq >= pruned
                    && base.log_seq <= stamp.log_seq =>
            {
                let mut facts = small_tables(self.kind, &mut tx).await?;
                facts.engagements = engagements(&mut tx, Some(base.log_seq)).await?;
                let removed = sqlx::query_scalar(
                    "SELECT DISTINCT l.engagement_id FROM facts_log l
                     WHERE l.seq > $1 AND NOT EXISTS (SELECT 1 FROM engagements e WHERE e.id = l.engagement_id)
                     ORDER BY l.engagement_id",
                )
                .bind(base.log_seq)
                .fetch_all(&mut *tx)
                .await
                .doing("reading the deleted engagements")?;
                FactsUpdate::Changes {
                    facts,
                    removed,
                    base: base.clone(),
                    stamp,
                }
            }
            _ => {
                let mut facts = small_tables(self.kind, &mut tx).await?;
                facts.engagements = engagements(&mut tx, None).await?;
                FactsUpdate::Full { facts, stamp }
            }
        };
        tx.commit().await.doing("finishing an export")?;
        Ok(update)
    }

    /// Forgets the change log up to `seq`, which a copy now holds: a copy older than
    /// that is rebuilt whole.
    ///
    /// Pruning is housekeeping done by readers (`report`, the dashboard): it waits for
    /// SQLite's write lock a second, not the writers' 30 s, and a
    /// failure leaves the log to be pruned next time; the caller may ignore it.
    pub async fn prune_facts_log(&self, seq: i64) -> Result<(), StoreError> {
        let mut conn = self
            .pool
            .acquire()
            .await
            .doing("starting to prune the facts' change log")?;
        if self.kind == DatabaseKind::Postgres {
            // No file lock to wait for: PostgreSQL's readers never block the writer.
            return prune(self.kind, &mut conn, seq).await;
        }
        sqlx::query(PRUNE_BUSY_TIMEOUT)
            .execute(&mut *conn)
            .await
            .doing("starting to prune the facts' change log")?;
        let pruned = prune(self.kind, &mut conn, seq).await;
        sqlx::query(crate::open::BUSY_TIMEOUT_PRAGMA)
            .execute(&mut *conn)
            .await
            .doing("finishing to prune the facts' change log")?;
        pruned
    }
}

/// How long pruning the change log waits for another process's write: 1 s.
const PRUNE_BUSY_TIMEOUT: &str = "PRAGMA busy_timeout = 1000";

async fn prune(kind: DatabaseKind, conn: &mut AnyConnection, seq: i64) -> Result<(), StoreError> {
    let mut tx = kind
        .begin_write(conn)
        .await
        .doing("starting to prune the facts' change log")?;
    sqlx::query("DELETE FROM facts_log WHERE seq <= $1")
        .bind(seq)
        .execute(&mut *tx)
        .await
        .doing("pruning the facts' change log")?;
    sqlx::query("UPDATE facts_state SET pruned_seq = $1 WHERE id = 1 AND pruned_seq < $1")
        .bind(seq)
        .execute(&mut *tx)
        .await
        .doing("recording the pruned change log")?;
    tx.commit().await.doing("saving the pruned change log")
}

/// The engagements: all of them, or those logged as changed after `since`.
async fn engagements(
    conn: &mut AnyConnection,
    since: Option<i64>,
) -> Result<Vec<EngagementFact>, StoreError> {
    let sql = match since {
        None => format!("SELECT {ENGAGEMENT_COLUMNS} FROM engagements ORDER BY id"),
        Some(_) => format!(
            "SELECT {ENGAGEMENT_COLUMNS} FROM engagements
             WHERE id IN (SELECT engagement_id FROM facts_log WHERE seq > $1) ORDER BY id"
        ),
    };
    let query = sqlx::query(sqlx::AssertSqlSafe(sql));
    let query = match since {
        Some(seq) => query.bind(seq),
        None => query,
    };
    query
        .fetch_all(&mut *conn)
        .await
        .doing("exporting engagements")?
        .iter()
        .map(|r| {
            let kind: &str = r.try_get("kind")?;
            Ok(EngagementFact {
                engagement_id: r.try_get("id")?,
                post_id: r.try_get("post_id")?,
                kind: kind
                    .parse::<EngagementKind>()
                    .map_err(|e| sqlx::Error::Decode(e.into()))?,
                actor_id: r.try_get("actor_id")?,
                host: r.try_get("host")?,
                happened_at: r.try_get("happened_at")?,
                first_seen_at: r.try_get("first_seen_at")?,
                removed_at: r.try_get("removed_at")?,
                is_self: flag(r, "is_self")?,
                language: r.try_get("language")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .doing("reading engagements")
}

/// Every fact but the engagements.
async fn small_tables(kind: DatabaseKind, conn: &mut AnyConnection) -> Result<Facts, StoreError> {
    let brand_actors = export(
        conn,
        "SELECT b.id AS brand_id, b.name, b.token_env IS NOT NULL AS owned,
                t.id AS tracked_actor_id, t.actor_uri, t.host
         FROM brands b JOIN tracked_actors t ON t.brand_id = b.id ORDER BY b.id, t.position",
        ("exporting brands", "reading brands"),
        brand_actor_fact,
    )
    .await?;
    let posts = export(
        conn,
        sqlx::AssertSqlSafe(format!(
            "SELECT p.id, p.uri, p.author_uri, p.host, p.published_at, p.object_type, p.is_boost,
                p.deleted_at IS NOT NULL AS deleted, p.reported_replies, p.reported_likes,
                p.reported_boosts, p.reported_quotes, p.replies_coverage, p.boosts_coverage,
                p.likes_coverage, p.quotes_coverage,
                (SELECT {} FROM post_hashtags h WHERE h.post_id = p.id) AS tags
             FROM posts p ORDER BY p.id",
            kind.joined("tag")
        )),
        ("exporting posts", "reading posts"),
        post_fact,
    )
    .await?;
    // Named: a handle or name is kept (only for indexable engagers of owned brands)
    // and no opt-out signal has been seen since.
    let actors = export(
        conn,
        "SELECT id, host, followers_count,
                (handle IS NOT NULL OR display_name IS NOT NULL) AND opted_out = 0 AS named
         FROM actors ORDER BY id",
        ("exporting engagers", "reading engagers"),
        actor_fact,
    )
    .await?;
    let instances = export(
        conn,
        "SELECT host, software, family, users_active_month FROM instances ORDER BY host",
        ("exporting instances", "reading instances"),
        instance_fact,
    )
    .await?;
    let follower_snapshots = export(
        conn,
        "SELECT crawl_id, tracked_actor_id, taken_at, followers FROM follower_snapshots
         ORDER BY taken_at, tracked_actor_id",
        ("exporting follower counts", "reading follower counts"),
        follower_snapshot_fact,
    )
    .await?;
    let consent = export(
        conn,
        "SELECT c.crawl_id, r.started_at, c.subject, c.action, c.reason, c.count
         FROM crawl_consent c JOIN crawl_runs r ON r.id = c.crawl_id
         ORDER BY c.crawl_id, c.subject, c.action, c.reason",
        ("exporting the consent report", "reading the consent report"),
        consent_fact,
    )
    .await?;
    Ok(Facts {
        brand_actors,
        posts,
        engagements: Vec::new(),
        actors,
        instances,
        follower_snapshots,
        consent,
    })
}

/// Every row of `sql`, read with `read`; `doing` says what failed: the query, or
/// reading its rows.
async fn export<T>(
    conn: &mut AnyConnection,
    sql: impl sqlx::SqlSafeStr,
    doing: (&'static str, &'static str),
    read: fn(&AnyRow) -> Result<T, sqlx::Error>,
) -> Result<Vec<T>, StoreError> {
    sqlx::query(sql)
        .fetch_all(&mut *conn)
        .await
        .doing(doing.0)?
        .iter()
        .map(read)
        .collect::<Result<_, sqlx::Error>>()
        .doing(doing.1)
}

fn brand_actor_fact(r: &AnyRow) -> Result<BrandActorFact, sqlx::Error> {
    Ok(BrandActorFact {
        brand_id: r.try_get("brand_id")?,
        brand: r.try_get("name")?,
        owned: flag(r, "owned")?,
        tracked_actor_id: r.try_get("tracked_actor_id")?,
        actor_uri: r.try_get("actor_uri")?,
        host: r.try_get("host")?,
    })
}

fn actor_fact(r: &AnyRow) -> Result<ActorFact, sqlx::Error> {
    Ok(ActorFact {
        actor_id: r.try_get("id")?,
        host: r.try_get("host")?,
        followers_count: r.try_get("followers_count")?,
        named: flag(r, "named")?,
    })
}

fn instance_fact(r: &AnyRow) -> Result<InstanceFact, sqlx::Error> {
    Ok(InstanceFact {
        host: r.try_get("host")?,
        software: r.try_get("software")?,
        family: r.try_get("family")?,
        users_active_month: r.try_get("users_active_month")?,
    })
}

fn follower_snapshot_fact(r: &AnyRow) -> Result<FollowerSnapshotFact, sqlx::Error> {
    Ok(FollowerSnapshotFact {
        crawl_id: r.try_get("crawl_id")?,
        tracked_actor_id: r.try_get("tracked_actor_id")?,
        taken_at: r.try_get("taken_at")?,
        followers: r.try_get("followers")?,
    })
}

fn consent_fact(r: &AnyRow) -> Result<ConsentFact, sqlx::Error> {
    Ok(ConsentFact {
        crawl_id: r.try_get("crawl_id")?,
        crawl_started_at: r.try_get("started_at")?,
        subject: word(r, "subject")?,
        action: word(r, "action")?,
        reason: r.try_get("reason")?,
        count: r.try_get("count")?,
    })
}

fn post_fact(r: &AnyRow) -> Result<PostFact, sqlx::Error> {
    let tags: Option<String> = r.try_get("tags")?;
    let mut hashtags: Vec<String> = tags
        .unwrap_or_default()
        .split('\u{1f}')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    hashtags.sort();
    Ok(PostFact {
        post_id: r.try_get("id")?,
        uri: r.try_get("uri")?,
        author_uri: r.try_get("author_uri")?,
        host: r.try_get("host")?,
        published_at: r.try_get("published_at")?,
        object_type: r.try_get("object_type")?,
        is_boost: flag(r, "is_boost")?,
        deleted: flag(r, "deleted")?,
        reported_replies: r.try_get("reported_replies")?,
        reported_likes: r.try_get("reported_likes")?,
        reported_boosts: r.try_get("reported_boosts")?,
        reported_quotes: r.try_get("reported_quotes")?,
        coverage: post_coverage(r)?,
        hashtags,
    })
}

/// A post's coverage as stored; `None` unless all four kinds were recorded and read
/// back (a damaged cell is not guessed at).
fn post_coverage(r: &AnyRow) -> Result<Option<PostCoverage>, sqlx::Error> {
    let read = |column: &str| -> Result<Option<Coverage>, sqlx::Error> {
        Ok(r.try_get::<Option<String>, _>(column)?
            .as_deref()
            .and_then(Coverage::from_code))
    };
    Ok(
        match (
            read("replies_coverage")?,
            read("boosts_coverage")?,
            read("likes_coverage")?,
            read("quotes_coverage")?,
        ) {
            (Some(replies), Some(boosts), Some(likes), Some(quotes)) => Some(PostCoverage {
                replies,
                boosts,
                likes,
                quotes,
            }),
            _ => None,
        },
    )
}

/// A column holding one of a core vocabulary's words, read back as its enum.
fn word<T: std::str::FromStr>(row: &sqlx::any::AnyRow, column: &str) -> Result<T, sqlx::Error>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let text: String = row.try_get(column)?;
    text.parse().map_err(|e| sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: Box::new(e),
    })
}
