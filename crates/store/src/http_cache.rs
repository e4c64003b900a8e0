//! The HTTP cache of what a crawl fetched: each request's validators (ETag,
//! Last-Modified) and a digest of the body, so that a later crawl asks conditionally and
//! recognises an unchanged document, even from a server that sends no validator.

use crate::{Store, StoreError, error::QueryContext, time::now};

/// What is remembered of a response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CachedResponse {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// SHA-256 of the body, hex.
    pub body_sha256: Option<String>,
}

impl Store {
    /// The remembered response to `key` (a request: its URL, and the body of a POST), as
    /// long as the post it stands for is still stored (a purged post is walked again).
    pub async fn cached_response(
        &self,
        key: &str,
        post_uri: &str,
    ) -> Result<Option<CachedResponse>, StoreError> {
        let row: Option<(Option<String>, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT etag, last_modified, body_sha256 FROM http_cache
             WHERE url = $1 AND EXISTS (SELECT 1 FROM posts WHERE uri = $2)",
        )
        .bind(key)
        .bind(post_uri)
        .fetch_optional(&self.pool)
        .await
        .doing("reading the HTTP cache")?;
        Ok(
            row.map(|(etag, last_modified, body_sha256)| CachedResponse {
                etag,
                last_modified,
                body_sha256,
            }),
        )
    }

    /// The instances of a stored post's current engagements: a post found unchanged is
    /// not read again, but its engagers' instances are still reported.
    pub async fn engaging_hosts(&self, post_uri: &str) -> Result<Vec<String>, StoreError> {
        sqlx::query_scalar(
            "SELECT DISTINCT e.host FROM engagements e JOIN posts p ON p.id = e.post_id
             WHERE p.uri = $1 AND e.removed_at IS NULL ORDER BY e.host",
        )
        .bind(post_uri)
        .fetch_all(&self.pool)
        .await
        .doing("reading a post's engaging instances")
    }

    /// Remembers the response to `key`, from `host`, replacing what was there.
    pub async fn save_cached_response(
        &self,
        key: &str,
        host: &str,
        status: u16,
        response: &CachedResponse,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO http_cache (url, host, etag, last_modified, status, body_sha256, fetched_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (url) DO UPDATE SET host = excluded.host, etag = excluded.etag,
               last_modified = excluded.last_modified, status = excluded.status,
               body_sha256 = excluded.body_sha256, fetched_at = excluded.fetched_at",
        )
        .bind(key)
        .bind(host)
        .bind(&response.etag)
        .bind(&response.last_modified)
        .bind(i64::from(status))
        .bind(&response.body_sha256)
        .bind(now())
        .execute(&self.pool)
        .await
        .doing("saving to the HTTP cache")?;
        Ok(())
    }
}
