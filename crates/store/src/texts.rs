//! The words of a brand's own posts, for the dashboard's top posts: the first line a
//! reader recognises a post by. Only stored posts have them (public and unlisted: a
//! brand's own publications), so nobody else's words are ever shown.

use std::collections::HashMap;

use crate::{Store, StoreError, error::QueryContext};

/// Posts asked for at once; the dashboard asks for a panel's worth.
const MAX_ASKED: usize = 500;

impl Store {
    /// The text of each of these posts that is stored: its content warning as
    /// `CW: …` where it has one (the text stays behind it, as on its server), else its
    /// plain-text excerpt. At most [`MAX_ASKED`] posts are looked up.
    pub async fn post_texts(&self, uris: &[String]) -> Result<HashMap<String, String>, StoreError> {
        let asked = &uris[..uris.len().min(MAX_ASKED)];
        if asked.is_empty() {
            return Ok(HashMap::new());
        }
        // One query for the panel, not one per post.
        let sql = format!(
            "SELECT uri, summary, content_excerpt FROM posts WHERE is_boost = 0 AND uri IN ({})",
            crate::dialect::placeholders(asked.len())
        );
        let query = asked
            .iter()
            .fold(sqlx::query_as(sqlx::AssertSqlSafe(sql)), |query, uri| {
                query.bind(uri.as_str())
            });
        let rows: Vec<(String, Option<String>, Option<String>)> = query
            .fetch_all(&self.pool)
            .await
            .doing("reading the posts' texts")?;
        Ok(rows
            .into_iter()
            .filter_map(|(uri, summary, excerpt)| {
                let text = match summary {
                    Some(cw) if !cw.trim().is_empty() => Some(format!("CW: {}", cw.trim())),
                    _ => excerpt,
                };
                Some((uri, text.filter(|t| !t.trim().is_empty())?))
            })
            .collect())
    }
}
