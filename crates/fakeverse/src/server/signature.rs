//! HTTP signatures as GoToSocial checks them: every ActivityPub request must be signed
//! (draft-cavage, `rsa-sha256`/`hs2019`), the signer's key is fetched from its `keyId`
//! URL (through the [`NetworkOptions`] the crawler's `[network]` section gives), and the
//! signature is checked over the request target with and then without its query.

use std::{collections::HashMap, net::SocketAddr, sync::Arc, time::Duration};

use axum::http::{HeaderMap, Method};
use base64::Engine;
use rsa::{PublicKey, pkcs1::DecodeRsaPublicKey, pkcs8::DecodePublicKey, sha2::Sha256};

use super::state::State;

/// How the simulated servers reach other servers (to fetch a signer's key): the
/// crawler's `[network]` options.
#[derive(Debug, Clone, Default)]
pub struct NetworkOptions {
    /// Every host name resolves to this address (`network.resolve_all`).
    pub resolve_all: Option<SocketAddr>,
    /// Per-host addresses (`network.resolve`).
    pub resolve: HashMap<String, SocketAddr>,
    /// A CA to trust beside the system's (`network.extra_ca_file`, as PEM).
    pub extra_ca_pem: Option<String>,
    /// Whether `http://` key ids may be fetched (`network.allow_http`).
    pub allow_http: bool,
}

/// How far `Date` may be from now (Mastodon and GoToSocial allow hours).
const MAX_CLOCK_SKEW_SECS: i64 = 12 * 3600;

#[derive(Debug)]
struct Resolver {
    all: Option<SocketAddr>,
    map: HashMap<String, SocketAddr>,
}

impl reqwest::dns::Resolve for Resolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let fixed = self.map.get(name.as_str()).copied().or(self.all);
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = match fixed {
                Some(addr) => vec![addr],
                None => tokio::net::lookup_host((host.as_str(), 0)).await?.collect(),
            };
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The client the simulated servers fetch keys with.
pub(crate) fn key_client(network: &NetworkOptions) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::limited(3))
        .https_only(!network.allow_http)
        .dns_resolver(Arc::new(Resolver {
            all: network.resolve_all,
            map: network.resolve.clone(),
        }));
    if let Some(pem) = &network.extra_ca_pem
        && let Ok(cert) = reqwest::Certificate::from_pem(pem.as_bytes())
    {
        builder = builder.add_root_certificate(cert);
    }
    builder.build().unwrap_or_default()
}

/// The parameters of a `Signature` header.
fn params(header: &str) -> HashMap<String, String> {
    header
        .split(',')
        .filter_map(|kv| kv.trim().split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().trim_matches('"').to_owned()))
        .collect()
}

fn signing_string(
    names: &str,
    method: &Method,
    target: &str,
    headers: &HeaderMap,
) -> Option<String> {
    let mut lines = Vec::new();
    for name in names.split_whitespace() {
        let name = name.to_ascii_lowercase();
        if name == "(request-target)" {
            lines.push(format!(
                "(request-target): {} {target}",
                method.as_str().to_ascii_lowercase()
            ));
        } else {
            let value = headers.get(&name)?.to_str().ok()?;
            lines.push(format!("{name}: {}", value.trim()));
        }
    }
    Some(lines.join("\n"))
}

async fn fetch_key(state: &State, key_id: &str) -> Option<PublicKey> {
    if let Some(key) = state.keys.lock().ok()?.get(key_id) {
        return Some(key.clone());
    }
    let url = key_id.split('#').next()?;
    let doc: serde_json::Value = state
        .key_client
        .get(url)
        .header("accept", "application/activity+json")
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    let pem = doc["publicKey"]["publicKeyPem"]
        .as_str()
        .or_else(|| doc["publicKeyPem"].as_str())?;
    let key = PublicKey::from_public_key_pem(pem)
        .or_else(|_| PublicKey::from_pkcs1_pem(pem))
        .ok()?;
    state
        .keys
        .lock()
        .ok()?
        .insert(key_id.to_owned(), key.clone());
    Some(key)
}

/// Whether the request carries a valid signature by a key its `keyId` serves.
pub(crate) async fn verify(
    state: &State,
    method: &Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
) -> bool {
    let Some(header) = headers.get("signature").and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let p = params(header);
    let (Some(key_id), Some(signature)) = (p.get("keyId"), p.get("signature")) else {
        return false;
    };
    let names = p.get("headers").map_or("date", String::as_str);
    let fresh = headers
        .get("date")
        .and_then(|v| v.to_str().ok())
        .and_then(|d| chrono::DateTime::parse_from_rfc2822(d).ok())
        .is_some_and(|d| {
            (chrono::Utc::now().timestamp() - d.timestamp()).abs() <= MAX_CLOCK_SKEW_SECS
        });
    if !fresh || !names.contains("(request-target)") {
        return false;
    }
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(signature) else {
        return false;
    };
    let Some(key) = fetch_key(state, key_id).await else {
        return false;
    };
    let with_query = if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    };
    [with_query, path.to_owned()].iter().any(|target| {
        signing_string(names, method, target, headers)
            .is_some_and(|s| key.pkcs1v15_verify::<Sha256>(s.as_bytes(), &bytes).is_ok())
    })
}
