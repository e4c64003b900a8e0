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
        let mut out = HashMap::new();
        for uri in uris.iter().take(MAX_ASKED) {
            let row: Option<(Option<String>, Option<String>)> = sqlx::query_as(
                "SELECT summary, content_excerpt FROM posts WHERE uri = ? AND is_boost = 0",
            )
            .bind(uri)
            .fetch_optional(&self.pool)
            .await
            .doing("reading a post's text")?;
            let text = row.and_then(|(summary, excerpt)| match summary {
                Some(cw) if !cw.trim().is_empty() => Some(format!("CW: {}", cw.trim())),
                _ => excerpt,
            });
            if let Some(text) = text.filter(|t| !t.trim().is_empty()) {
                out.insert(uri.clone(), text);
            }
        }
        Ok(out)
    }
}
