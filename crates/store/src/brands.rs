//! Brands and their tracked actors.

use fedireach_core::ActorRef;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::{Store, StoreError, error::QueryContext, time::now};

/// Longest brand name: it is shown in tables and used in URLs.
const MAX_BRAND_NAME: usize = 64;

/// A brand as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Brand {
    pub id: i64,
    pub name: String,
    /// The environment variable holding the read-only token; owned iff set.
    pub token_env: Option<String>,
    pub actors: Vec<TrackedActor>,
}

impl Brand {
    /// Owned brands gave a token; the others are watched (public data, aggregates only).
    pub fn is_owned(&self) -> bool {
        self.token_env.is_some()
    }
}

/// An account a brand publishes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackedActor {
    pub id: i64,
    /// As given on the command line, normalised (`@user@domain` or URL).
    pub input: String,
    pub host: String,
    /// The actor id, once a crawl resolved it.
    pub actor_uri: Option<String>,
    /// Why the last crawl could not read it, if it could not.
    pub unread: Option<Unread>,
}

/// Why a crawl could not read a tracked actor: its posts are unknown, not absent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unread {
    /// `unresolved` (the actor itself could not be read) or `unlisted` (its posts
    /// could not be listed).
    pub kind: String,
    /// What stood in the way, as the crawl said it.
    pub reason: String,
}

impl Unread {
    /// The kinds a crawl records.
    pub const KINDS: [&'static str; 2] = ["unresolved", "unlisted"];

    /// The kind and reason in a phrase: "could not be resolved: ...".
    pub fn phrase(&self) -> String {
        let what = if self.kind == "unlisted" {
            "its posts could not be listed"
        } else {
            "could not be resolved"
        };
        format!("{what}: {}", self.reason)
    }
}

/// A brand name is a path segment of its dashboard page (`/brands/NAME`, percent
/// encoded): a browser resolves the segments `.` and `..` (and their `%2e` spellings)
/// before asking, so such a name would lead to another page. A name must therefore hold a
/// letter or digit and not start with a dot.
fn check_brand_name(name: &str) -> Result<(), StoreError> {
    let ok = !name.is_empty()
        && name.chars().count() <= MAX_BRAND_NAME
        && !name.starts_with([' ', '.'])
        && !name.ends_with(' ')
        && name.chars().any(char::is_alphanumeric)
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(StoreError::BadBrandName(name.to_owned()))
    }
}

fn check_env_name(name: &str) -> Result<(), StoreError> {
    let mut chars = name.chars();
    let ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 128;
    if ok {
        Ok(())
    } else {
        Err(StoreError::BadTokenEnv(name.to_owned()))
    }
}

impl Store {
    /// Adds a brand with its actors, in order (the first actor's home server is where the
    /// token, if any, is valid). Duplicate actors are kept once.
    pub async fn add_brand(
        &self,
        name: &str,
        actors: &[ActorRef],
        token_env: Option<&str>,
    ) -> Result<Brand, StoreError> {
        check_brand_name(name)?;
        if let Some(env) = token_env {
            check_env_name(env)?;
        }
        if actors.is_empty() {
            return Err(StoreError::NoActors);
        }
        let mut tx = self.begin_write().await.doing("starting to add a brand")?;
        let inserted = sqlx::query(
            "INSERT INTO brands (name, token_env, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO NOTHING RETURNING id",
        )
        .bind(name)
        .bind(token_env)
        .bind(now())
        .fetch_optional(&mut *tx)
        .await
        .doing("adding a brand")?;
        let Some(row) = inserted else {
            return Err(StoreError::BrandExists(name.to_owned()));
        };
        let brand_id: i64 = row.try_get(0).doing("reading the new brand's id")?;
        let mut position = 0i64;
        for actor in actors {
            let done = sqlx::query(
                "INSERT INTO tracked_actors (brand_id, position, input, host) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (brand_id, input) DO NOTHING",
            )
            .bind(brand_id)
            .bind(position)
            .bind(actor.to_string())
            .bind(actor.host().as_str())
            .execute(&mut *tx)
            .await
            .doing("adding a tracked actor")?;
            position += i64::try_from(done.rows_affected()).unwrap_or(1);
        }
        tx.commit().await.doing("saving the new brand")?;
        self.brand(name).await
    }

    /// Every brand with its actors, by name.
    pub async fn list_brands(&self) -> Result<Vec<Brand>, StoreError> {
        let rows = sqlx::query(
            "SELECT b.id AS brand_id, b.name, b.token_env,
                    t.id AS actor_id, t.input, t.host, t.actor_uri, t.unread,
                    t.unread_reason
             FROM brands b JOIN tracked_actors t ON t.brand_id = b.id
             ORDER BY b.name, t.position",
        )
        .fetch_all(&self.pool)
        .await
        .doing("listing brands")?;
        let mut brands: Vec<Brand> = Vec::new();
        for row in &rows {
            let read = || -> Result<(i64, TrackedActor), sqlx::Error> {
                Ok((
                    row.try_get("brand_id")?,
                    TrackedActor {
                        id: row.try_get("actor_id")?,
                        input: row.try_get("input")?,
                        host: row.try_get("host")?,
                        actor_uri: row.try_get("actor_uri")?,
                        unread: row
                            .try_get::<Option<String>, _>("unread")?
                            .map(|kind| Unread {
                                kind,
                                reason: row
                                    .try_get::<Option<String>, _>("unread_reason")
                                    .ok()
                                    .flatten()
                                    .unwrap_or_default(),
                            }),
                    },
                ))
            };
            let (brand_id, actor) = read().doing("reading brands")?;
            match brands.last_mut() {
                Some(brand) if brand.id == brand_id => brand.actors.push(actor),
                _ => brands.push(Brand {
                    id: brand_id,
                    name: row.try_get("name").doing("reading brands")?,
                    token_env: row.try_get("token_env").doing("reading brands")?,
                    actors: vec![actor],
                }),
            }
        }
        Ok(brands)
    }

    /// One brand by name; an unknown name is an error listing the brands that exist.
    pub async fn brand(&self, name: &str) -> Result<Brand, StoreError> {
        let brands = self.list_brands().await?;
        let existing = brands.iter().map(|b| b.name.clone()).collect();
        brands
            .into_iter()
            .find(|b| b.name == name)
            .ok_or_else(|| StoreError::BrandNotFound {
                name: name.to_owned(),
                existing,
            })
    }

    pub(crate) async fn brand_id(&self, name: &str) -> Result<i64, StoreError> {
        self.brand(name).await.map(|b| b.id)
    }

    /// Removes a brand and what was stored only for it: its posts and their engagements
    /// go unless another brand tracks the same actor.
    pub async fn remove_brand(&self, name: &str) -> Result<(), StoreError> {
        let id = self.brand_id(name).await?;
        let mut tx = self
            .pool
            .begin()
            .await
            .doing("starting to remove a brand")?;
        sqlx::query("DELETE FROM brands WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .doing("removing a brand")?;
        sqlx::query(
            "DELETE FROM posts WHERE author_uri NOT IN
               (SELECT actor_uri FROM tracked_actors WHERE actor_uri IS NOT NULL)",
        )
        .execute(&mut *tx)
        .await
        .doing("removing the brand's posts")?;
        sqlx::query("DELETE FROM actors WHERE id NOT IN (SELECT actor_id FROM engagements)")
            .execute(&mut *tx)
            .await
            .doing("removing engagers no brand needs")?;
        tx.commit().await.doing("saving the brand's removal")?;
        Ok(())
    }

    /// Records the actor id a tracked actor resolved to.
    pub async fn set_tracked_actor_uri(
        &self,
        tracked_actor_id: i64,
        actor_uri: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE tracked_actors SET actor_uri = $1, resolved_at = $2 WHERE id = $3")
            .bind(actor_uri)
            .bind(now())
            .bind(tracked_actor_id)
            .execute(&self.pool)
            .await
            .doing("recording a resolved actor")?;
        Ok(())
    }

    /// Records why a crawl could not read a tracked actor (`kind`: one of
    /// [`Unread::KINDS`]), or, with `None`, that it could.
    pub async fn set_tracked_actor_unread(
        &self,
        tracked_actor_id: i64,
        unread: Option<(&str, &str)>,
    ) -> Result<(), StoreError> {
        let (kind, reason) = unread.unzip();
        sqlx::query("UPDATE tracked_actors SET unread = $1, unread_reason = $2 WHERE id = $3")
            .bind(kind)
            .bind(reason)
            .bind(tracked_actor_id)
            .execute(&self.pool)
            .await
            .doing("recording whether a tracked actor could be read")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brand_names() {
        for (name, ok) in [
            ("acme", true),
            ("Acme Corp.", true),
            ("ça-va_2", true),
            ("", false),
            (" acme", false),
            ("acme ", false),
            ("a/b", false),
            ("<b>", false),
            (&"x".repeat(65), false),
        ] {
            assert_eq!(check_brand_name(name).is_ok(), ok, "{name:?}");
        }
    }

    #[test]
    fn env_names() {
        for (name, ok) in [
            ("ACME_TOKEN", true),
            ("_X1", true),
            ("1X", false),
            ("A-B", false),
            ("", false),
        ] {
            assert_eq!(check_env_name(name).is_ok(), ok, "{name:?}");
        }
    }
}
