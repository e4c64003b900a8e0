//! Signed fetches (BRIEF section 3): fedireach's instance actor signs its GETs the way
//! every fediverse server does, draft-cavage HTTP signatures over
//! `(request-target) host date` with RSASSA-PKCS1-v1_5 / SHA-256, so that servers
//! requiring signatures (GoToSocial, Mastodon in authorized-fetch mode) can see who asks,
//! and refuse.

use std::time::SystemTime;

use base64::Engine;
use rsa::{
    Generate, PrivateKey,
    pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding},
    sha2::Sha256,
};
use thiserror::Error;
use url::Url;

/// What can go wrong with the instance actor's key.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SignError {
    /// The stored key is not a PKCS#8 PEM RSA key.
    #[error("the instance actor's stored key cannot be read ({0}); the database may be damaged")]
    BadKey(String),
    /// Key generation or signing failed.
    #[error("cannot sign with the instance actor's key: {0}")]
    Crypto(String),
}

/// The instance actor's key and the id servers fetch it from.
#[derive(Clone)]
pub struct InstanceKey {
    key_id: String,
    key: PrivateKey,
}

impl std::fmt::Debug for InstanceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstanceKey")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// A new private key (PKCS#8 PEM), to be kept in the store.
pub fn generate_key_pem() -> Result<String, SignError> {
    let key = PrivateKey::try_generate().map_err(|e| SignError::Crypto(format!("{e:?}")))?;
    key.to_pkcs8_pem(LineEnding::LF)
        .map(|pem| pem.to_string())
        .map_err(|e| SignError::Crypto(e.to_string()))
}

impl InstanceKey {
    /// The key from its PEM, published at `key_id` (the actor's `publicKey.id`).
    pub fn from_pem(key_id: impl Into<String>, pem: &str) -> Result<Self, SignError> {
        let key = PrivateKey::from_pkcs8_pem(pem).map_err(|e| SignError::BadKey(e.to_string()))?;
        Ok(Self {
            key_id: key_id.into(),
            key,
        })
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The public half, as the actor document publishes it.
    pub fn public_key_pem(&self) -> Result<String, SignError> {
        self.key
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| SignError::Crypto(e.to_string()))
    }

    /// The `Date` and `Signature` headers for a GET of `url` at `now`. GoToSocial checks
    /// either the path with its query or without it, so callers retry once without.
    pub fn sign_get(
        &self,
        url: &Url,
        now: SystemTime,
        with_query: bool,
    ) -> Result<Vec<(&'static str, String)>, SignError> {
        let date = httpdate::fmt_http_date(now);
        let host = match url.port() {
            Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_owned(),
        };
        let mut target = url.path().to_owned();
        if with_query && let Some(query) = url.query() {
            target.push('?');
            target.push_str(query);
        }
        let signing_string = format!("(request-target): get {target}\nhost: {host}\ndate: {date}");
        let signature = self
            .key
            .pkcs1v15_sign::<Sha256>(signing_string.as_bytes())
            .map_err(|e| SignError::Crypto(e.to_string()))?;
        let signature = base64::engine::general_purpose::STANDARD.encode(signature);
        let header = format!(
            "keyId=\"{}\",algorithm=\"rsa-sha256\",headers=\"(request-target) host date\",signature=\"{signature}\"",
            self.key_id
        );
        Ok(vec![("date", date), ("signature", header)])
    }
}

#[cfg(test)]
mod tests {
    use rsa::pkcs8::DecodePublicKey;

    use super::*;

    #[test]
    fn signatures_verify_with_the_published_key() -> Result<(), Box<dyn std::error::Error>> {
        let pem = generate_key_pem()?;
        let key = InstanceKey::from_pem("https://fedireach.example/actor#main-key", &pem)?;
        let url = Url::parse("https://gts.example/users/a/outbox?page=2")?;
        let now = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_784_000_000);
        let headers = key.sign_get(&url, now, true)?;
        let date = headers
            .iter()
            .find(|(k, _)| *k == "date")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let signature = headers
            .iter()
            .find(|(k, _)| *k == "signature")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        assert!(
            signature.starts_with("keyId=\"https://fedireach.example/actor#main-key\""),
            "{signature}"
        );
        let b64 = signature
            .rsplit("signature=\"")
            .next()
            .unwrap_or_default()
            .trim_end_matches('"');
        let raw = base64::engine::general_purpose::STANDARD.decode(b64)?;
        let public = rsa::PublicKey::from_public_key_pem(&key.public_key_pem()?)?;
        let signed = format!(
            "(request-target): get /users/a/outbox?page=2\nhost: gts.example\ndate: {date}"
        );
        assert!(
            public
                .pkcs1v15_verify::<Sha256>(signed.as_bytes(), &raw)
                .is_ok()
        );
        let without_query =
            format!("(request-target): get /users/a/outbox\nhost: gts.example\ndate: {date}");
        assert!(
            public
                .pkcs1v15_verify::<Sha256>(without_query.as_bytes(), &raw)
                .is_err()
        );
        let headers = key.sign_get(&url, now, false)?;
        let b64 = headers[1]
            .1
            .rsplit("signature=\"")
            .next()
            .unwrap_or_default()
            .trim_end_matches('"');
        let raw = base64::engine::general_purpose::STANDARD.decode(b64)?;
        assert!(
            public
                .pkcs1v15_verify::<Sha256>(without_query.as_bytes(), &raw)
                .is_ok()
        );
        Ok(())
    }
}
