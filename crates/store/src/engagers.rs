//! Who engaged, for owned brands only: the names the store keeps (indexable engagers
//! of owned brands, never anyone with an opt-out signal) for the dashboard's top
//! engagers, and a post's conversation. The caller checks that the brand is owned;
//! every query here still names only engagers whose name is kept and who have not
//! opted out since.

use std::collections::HashMap;

use fedireach_core::EngagementKind;
use sqlx::Row;

use crate::{Store, StoreError, error::QueryContext};

/// Engagers asked for at once: a panel's worth.
const MAX_ASKED: usize = 500;

/// Replies of one conversation listed at most.
const MAX_REPLIES: i64 = 1000;

/// The name an engager may be shown under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngagerName {
    /// `user@domain`, where known.
    pub handle: Option<String>,
    pub display_name: Option<String>,
}

/// One reply (or thread reply) of a brand post's conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationReply {
    pub kind: EngagementKind,
    /// 1 for a direct reply, 2.. for replies to replies, where the source told.
    pub depth: Option<i64>,
    /// The replier's instance.
    pub host: String,
    /// `None` for an engager who may not be named.
    pub name: Option<EngagerName>,
    /// By one of the brand's own accounts.
    pub is_self: bool,
    /// When it was written (else when first seen), Unix seconds.
    pub at: i64,
    /// The reply itself, kept only where its author may be named.
    pub uri: Option<String>,
    pub excerpt: Option<String>,
}

impl Store {
    /// The kept names of these engagers (by the store's actor id), for those who may be
    /// named; at most [`MAX_ASKED`] are looked up.
    pub async fn engager_names(
        &self,
        ids: &[i64],
    ) -> Result<HashMap<i64, EngagerName>, StoreError> {
        let asked = &ids[..ids.len().min(MAX_ASKED)];
        if asked.is_empty() {
            return Ok(HashMap::new());
        }
        let sql = format!(
            "SELECT id, handle, display_name FROM actors
             WHERE opted_out = 0 AND (handle IS NOT NULL OR display_name IS NOT NULL)
               AND id IN ({})",
            crate::dialect::placeholders(asked.len())
        );
        let query = asked
            .iter()
            .fold(sqlx::query_as(sqlx::AssertSqlSafe(sql)), |query, id| {
                query.bind(*id)
            });
        let rows: Vec<(i64, Option<String>, Option<String>)> = query
            .fetch_all(&self.pool)
            .await
            .doing("reading the engagers' names")?;
        Ok(rows
            .into_iter()
            .map(|(id, handle, display_name)| {
                (
                    id,
                    EngagerName {
                        handle,
                        display_name,
                    },
                )
            })
            .collect())
    }

    /// The replies and thread replies of a brand post still at their source, oldest
    /// first (at most 1000): who replied, from which instance, how deep. `None` when
    /// `post_uri` is no post of the brand's tracked actors, or the brand is watched
    /// (aggregates only: who engaged is never shown).
    pub async fn conversation(
        &self,
        brand: &str,
        post_uri: &str,
    ) -> Result<Option<Vec<ConversationReply>>, StoreError> {
        let post: Option<i64> = sqlx::query_scalar(
            "SELECT p.id FROM posts p
             JOIN tracked_actors t ON t.actor_uri = p.author_uri
             JOIN brands b ON b.id = t.brand_id
             WHERE b.name = $1 AND b.token_env IS NOT NULL AND p.uri = $2 AND p.is_boost = 0
             LIMIT 1",
        )
        .bind(brand)
        .bind(post_uri)
        .fetch_optional(&self.pool)
        .await
        .doing("finding the post of a conversation")?;
        let Some(post) = post else {
            return Ok(None);
        };
        let rows = sqlx::query(
            "SELECT e.kind, e.depth, e.host, e.is_self,
                    coalesce(e.happened_at, e.first_seen_at) AS at,
                    a.opted_out = 0 AND (a.handle IS NOT NULL OR a.display_name IS NOT NULL)
                      AS named,
                    a.handle, a.display_name, e.uri, e.content_excerpt
             FROM engagements e JOIN actors a ON a.id = e.actor_id
             WHERE e.post_id = $1 AND e.kind IN ('reply', 'thread_reply')
               AND e.removed_at IS NULL
             ORDER BY at, e.id LIMIT $2",
        )
        .bind(post)
        .bind(MAX_REPLIES)
        .fetch_all(&self.pool)
        .await
        .doing("reading a conversation")?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get("kind")?;
                let named = crate::dialect::flag(r, "named")?;
                let is_self = crate::dialect::flag(r, "is_self")?;
                // The brand's own replies are the brand's, named on its page anyway.
                let shown = named || is_self;
                Ok(ConversationReply {
                    kind: kind
                        .parse::<EngagementKind>()
                        .map_err(|e| sqlx::Error::Decode(e.into()))?,
                    depth: r.try_get("depth")?,
                    host: r.try_get("host")?,
                    name: named
                        .then(|| -> Result<EngagerName, sqlx::Error> {
                            Ok(EngagerName {
                                handle: r.try_get("handle")?,
                                display_name: r.try_get("display_name")?,
                            })
                        })
                        .transpose()?,
                    is_self,
                    at: r.try_get("at")?,
                    uri: if shown { r.try_get("uri")? } else { None },
                    excerpt: if shown {
                        r.try_get("content_excerpt")?
                    } else {
                        None
                    },
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .doing("reading a conversation")
            .map(Some)
    }
}
