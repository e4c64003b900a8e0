//! fedireach's instance actor (BRIEF section 3): the Application that signs the
//! crawler's fetches, openly identified. Servers that require signatures (GoToSocial,
//! Mastodon in authorized-fetch mode, bovine) verify a signature by fetching the key
//! from `{public_url}/actor`, and may look the actor up by WebFinger. Both routes are
//! open (no admin token) and only exist when `public_url` is configured.

use axum::{
    Json, Router,
    extract::{Query, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

use crate::escape::html;

/// The ActivityPub media type the actor is served as.
const ACTIVITY_JSON: &str = "application/activity+json";
/// WebFinger's media type.
const JRD_JSON: &str = "application/jrd+json";

/// What the actor document says; the binary fills it from the configuration and the
/// key the crawler signs with.
#[derive(Debug, Clone)]
pub struct InstanceActor {
    /// The configured `public_url`, without a trailing slash.
    pub base_url: String,
    /// The `preferredUsername`, and the user part of the WebFinger `acct:`.
    pub username: String,
    /// The public half of the signing key, as PEM.
    pub public_key_pem: String,
    /// The operator's contact (`crawl.contact_url`), when configured.
    pub contact_url: Option<String>,
    /// The operator's data policy (`crawl.policy_url`), when configured.
    pub policy_url: Option<String>,
}

impl InstanceActor {
    /// The actor's id: `{public_url}/actor`.
    pub fn id(&self) -> String {
        format!("{}/actor", self.base_url)
    }

    /// The key's id, the `keyId` of every signature: `{public_url}/actor#main-key`.
    pub fn key_id(&self) -> String {
        format!("{}/actor#main-key", self.base_url)
    }

    /// The host part of `public_url` (with its port when there is one), for WebFinger.
    pub fn host(&self) -> String {
        let rest = self
            .base_url
            .split_once("://")
            .map_or(self.base_url.as_str(), |(_, rest)| rest);
        rest.split('/').next().unwrap_or_default().to_owned()
    }

    fn summary(&self) -> String {
        let mut summary = format!(
            "<p>The instance actor of fedireach, engagement analytics for brands on the \
             fediverse, at {base}. It signs the crawler's fetches of public posts and of \
             their public replies, boosts and likes; it never posts, follows or answers. \
             Servers that refuse it are left out and reported.</p>",
            base = html(&self.base_url)
        );
        for (label, url) in [
            ("Operator contact", &self.contact_url),
            ("Data policy and opt-out", &self.policy_url),
        ] {
            if let Some(url) = url {
                summary.push_str(&format!(
                    "<p>{label}: <a href=\"{url}\">{url}</a></p>",
                    url = html(url)
                ));
            }
        }
        summary
    }

    /// The actor document.
    pub fn document(&self) -> serde_json::Value {
        let id = self.id();
        let attachment: Vec<serde_json::Value> =
            [("Contact", &self.contact_url), ("Policy", &self.policy_url)]
                .into_iter()
                .filter_map(|(name, url)| {
                    let url = url.as_ref()?;
                    Some(json!({
                        "type": "PropertyValue",
                        "name": name,
                        "value": format!("<a href=\"{u}\">{u}</a>", u = html(url)),
                    }))
                })
                .collect();
        json!({
            "@context": [
                "https://www.w3.org/ns/activitystreams",
                "https://w3id.org/security/v1",
                {"PropertyValue": "schema:PropertyValue", "value": "schema:value",
                 "schema": "http://schema.org#", "discoverable": "toot:discoverable",
                 "indexable": "toot:indexable", "toot": "http://joinmastodon.org/ns#"}
            ],
            "id": id,
            "type": "Application",
            "preferredUsername": self.username,
            "name": "fedireach (engagement analytics)",
            "summary": self.summary(),
            "url": self.policy_url.clone().unwrap_or_else(|| self.base_url.clone()),
            "inbox": format!("{id}/inbox"),
            "outbox": format!("{id}/outbox"),
            "manuallyApprovesFollowers": true,
            "discoverable": false,
            "indexable": false,
            "attachment": attachment,
            "publicKey": {
                "id": self.key_id(),
                "owner": id,
                "publicKeyPem": self.public_key_pem,
            },
        })
    }
}

/// The instance actor's routes: `/actor`, its (empty) outbox and its WebFinger entry.
/// Merged into the dashboard's router by `serve`; no state of the dashboard's.
pub fn instance_actor_router(actor: InstanceActor) -> Router {
    Router::new()
        .route("/actor", get(actor_document))
        .route("/actor/outbox", get(outbox))
        .route("/.well-known/webfinger", get(webfinger))
        .with_state(Arc::new(actor))
}

async fn actor_document(State(actor): State<Arc<InstanceActor>>) -> Response {
    activity_json(actor.document())
}

async fn outbox(State(actor): State<Arc<InstanceActor>>) -> Response {
    activity_json(json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/outbox", actor.id()),
        "type": "OrderedCollection",
        "totalItems": 0,
        "orderedItems": [],
    }))
}

fn activity_json(document: serde_json::Value) -> Response {
    ([(header::CONTENT_TYPE, ACTIVITY_JSON)], Json(document)).into_response()
}

#[derive(Debug, Deserialize)]
struct WebFingerQuery {
    resource: Option<String>,
}

async fn webfinger(
    State(actor): State<Arc<InstanceActor>>,
    Query(query): Query<WebFingerQuery>,
) -> Response {
    let Some(resource) = query.resource else {
        return error(
            StatusCode::BAD_REQUEST,
            "WebFinger needs `resource`, e.g. ?resource=acct:NAME@HOST",
        );
    };
    let acct = format!("acct:{}@{}", actor.username, actor.host());
    if !resource.eq_ignore_ascii_case(&acct) && resource != actor.id() {
        return error(
            StatusCode::NOT_FOUND,
            &format!("no such resource here; the only one is {acct}"),
        );
    }
    let document = json!({
        "subject": acct,
        "aliases": [actor.id()],
        "links": [
            {"rel": "self", "type": ACTIVITY_JSON, "href": actor.id()},
        ],
    });
    ([(header::CONTENT_TYPE, JRD_JSON)], Json(document)).into_response()
}

fn error(status: StatusCode, message: &str) -> Response {
    (
        status,
        Json(json!({"error": message, "status": status.as_u16()})),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use axum::{body::Body, http::Request};
    use tower::ServiceExt;

    use super::*;

    fn actor() -> InstanceActor {
        InstanceActor {
            base_url: "https://reach.example:8443".into(),
            username: "fedireach".into(),
            public_key_pem: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n".into(),
            contact_url: Some("mailto:ops@reach.example".into()),
            policy_url: Some("https://reach.example/policy?a=1&b=<2>".into()),
        }
    }

    async fn get(
        uri: &str,
    ) -> Result<(StatusCode, String, serde_json::Value), Box<dyn std::error::Error>> {
        let response = instance_actor_router(actor())
            .oneshot(Request::get(uri).body(Body::empty())?)
            .await?;
        let status = response.status();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = axum::body::to_bytes(response.into_body(), 1 << 20).await?;
        Ok((status, content_type, serde_json::from_slice(&body)?))
    }

    #[tokio::test]
    async fn the_actor_is_an_application_with_its_key_contact_and_policy()
    -> Result<(), Box<dyn std::error::Error>> {
        let (status, content_type, doc) = get("/actor").await?;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(content_type, ACTIVITY_JSON);
        assert_eq!(doc["type"], "Application");
        assert_eq!(doc["id"], "https://reach.example:8443/actor");
        assert_eq!(
            doc["publicKey"]["id"],
            "https://reach.example:8443/actor#main-key"
        );
        assert_eq!(doc["publicKey"]["owner"], doc["id"]);
        assert_eq!(doc["publicKey"]["publicKeyPem"], actor().public_key_pem);
        let summary = doc["summary"].as_str().unwrap_or_default();
        assert!(summary.contains("mailto:ops@reach.example"), "{summary}");
        // The policy URL is escaped into the HTML summary.
        assert!(
            summary.contains("https:&#x2f;&#x2f;reach.example&#x2f;policy?a=1&amp;b=&lt;2&gt;"),
            "{summary}"
        );
        assert_eq!(doc["attachment"].as_array().map(Vec::len), Some(2));
        Ok(())
    }

    #[tokio::test]
    async fn webfinger_finds_the_actor_by_acct_and_nothing_else()
    -> Result<(), Box<dyn std::error::Error>> {
        let (status, content_type, doc) =
            get("/.well-known/webfinger?resource=acct:fedireach@reach.example:8443").await?;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(content_type, JRD_JSON);
        assert_eq!(doc["links"][0]["href"], "https://reach.example:8443/actor");
        assert_eq!(doc["links"][0]["rel"], "self");
        let (status, _, _) =
            get("/.well-known/webfinger?resource=acct:someone@reach.example:8443").await?;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _, _) = get("/.well-known/webfinger").await?;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        Ok(())
    }
}
