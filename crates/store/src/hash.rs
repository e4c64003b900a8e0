//! The keyed hash that stands for an engager: HMAC-SHA-256 of the actor id under a secret
//! generated on first use and kept in the database, so hashes are stable across runs and
//! useless to anyone without that file.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Length of the secret key, in bytes.
pub(crate) const KEY_LEN: usize = 32;

/// Hashes engager ids, handles and engagement uris under the database's secret.
#[derive(Clone)]
pub struct KeyedHasher {
    key: [u8; KEY_LEN],
}

impl std::fmt::Debug for KeyedHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyedHasher { key: <secret> }")
    }
}

impl KeyedHasher {
    pub(crate) fn new(key: [u8; KEY_LEN]) -> Self {
        Self { key }
    }

    /// The hash of `text` (hex), domain-separated by `kind` so an actor id and a handle
    /// that happen to be the same string never collide.
    pub fn hash(&self, kind: &str, text: &str) -> String {
        // new_from_slice accepts any key length for HMAC, so this cannot fail.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key) else {
            return String::new();
        };
        mac.update(kind.as_bytes());
        mac.update(&[0]);
        mac.update(text.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// The hash of an actor id.
    pub fn actor(&self, actor_uri: &str) -> String {
        self.hash("actor", &normalise_uri(actor_uri))
    }

    /// The hash of a handle `user@domain` (case-insensitive, leading `@` ignored).
    pub fn handle(&self, handle: &str) -> String {
        let handle = handle.trim().trim_start_matches('@').to_lowercase();
        self.hash("handle", &handle)
    }

    /// The hash of an object or activity uri.
    pub fn object(&self, uri: &str) -> String {
        self.hash("object", &normalise_uri(uri))
    }
}

/// Two spellings of one id (`HTTPS://Host/x`, `https://host/x`) hash the same; the path
/// stays case-sensitive, as servers treat it.
fn normalise_uri(uri: &str) -> String {
    match url::Url::parse(uri.trim()) {
        Ok(url) => url.to_string(),
        Err(_) => uri.trim().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_separated_and_normalised() {
        let h = KeyedHasher::new([7; KEY_LEN]);
        assert_eq!(
            h.actor("HTTPS://Example.org/users/A"),
            h.actor("https://example.org/users/A")
        );
        assert_ne!(
            h.actor("https://example.org/users/A"),
            h.actor("https://example.org/users/a")
        );
        assert_ne!(h.actor("x"), h.object("x"));
        assert_eq!(
            h.handle("@Alice@Example.org"),
            h.handle("alice@example.org")
        );
        let other = KeyedHasher::new([8; KEY_LEN]);
        assert_ne!(
            h.actor("https://example.org/users/A"),
            other.actor("https://example.org/users/A")
        );
        assert_eq!(h.actor("a").len(), 64);
    }
}
