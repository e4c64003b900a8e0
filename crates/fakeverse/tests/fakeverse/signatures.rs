//! GoToSocial hosts refuse unsigned ActivityPub requests and accept signed ones after
//! fetching the signer's key from its keyId URL (through the network options).

use axum::{Json, Router, routing::get};
use base64::Engine;
use fedireach_fakeverse::{NetworkOptions, Scale, ServerOptions, SimSoftware, WorldOptions};
use reqwest::StatusCode;
use rsa::{PrivateKey, pkcs8::DecodePrivateKey, sha2::Sha256};
use serde_json::json;

use super::{client, host_of, start_with};

/// A key made for this test only.
const PRIVATE_KEY: &str = include_str!("data/test_signer_key.pem");
const PUBLIC_KEY: &str = include_str!("data/test_signer_pub.pem");
const KEY_ID: &str = "http://keys.example/actor#main-key";

fn sign(key: &PrivateKey, text: &str) -> String {
    let signature = key
        .pkcs1v15_sign::<Sha256>(text.as_bytes())
        .unwrap_or_else(|e| panic!("signing: {e}"));
    base64::engine::general_purpose::STANDARD.encode(signature)
}

#[tokio::test]
async fn gotosocial_checks_signatures_with_the_signers_key() {
    // The signer's actor, served where every host name resolves for the fakeverse.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await;
    let listener = listener.unwrap_or_else(|e| panic!("bind: {e}"));
    let key_addr = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("addr: {e}"));
    let actor = json!({
        "id": "http://keys.example/actor",
        "type": "Application",
        "publicKey": { "id": KEY_ID, "owner": "http://keys.example/actor", "publicKeyPem": PUBLIC_KEY },
    });
    let app = Router::new().route("/actor", get(move || async move { Json(actor.clone()) }));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let server = start_with(ServerOptions {
        world: WorldOptions {
            seed: 1,
            scale: Scale::Small,
            day: 0,
            plain_http: true,
            tour: false,
        },
        network: NetworkOptions {
            resolve_all: Some(key_addr),
            allow_http: true,
            ..NetworkOptions::default()
        },
        ..ServerOptions::default()
    })
    .await;
    let host = host_of(&server, SimSoftware::Gotosocial);
    let world = server.world();
    let first = world
        .instance_index(&host)
        .and_then(|i| world.instances().get(i as usize))
        .map_or(0, |i| i.actors.start);
    let path = world
        .actor_id(first)
        .split_once(&host)
        .map(|(_, p)| p.to_owned())
        .unwrap_or_default();
    let key = PrivateKey::from_pkcs8_pem(PRIVATE_KEY).unwrap_or_else(|e| panic!("test key: {e}"));
    let date = chrono::Utc::now()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    let send = |signature: Option<String>| {
        let mut req = client()
            .get(format!("http://{}{path}", server.addr()))
            .header("host", host.clone())
            .header("date", date.clone())
            .header("accept", "application/activity+json");
        if let Some(s) = signature {
            req = req.header("signature", s);
        }
        req.send()
    };
    let unsigned = send(None).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
    let text = format!("(request-target): get {path}\nhost: {host}\ndate: {date}");
    let header = |sig: String| {
        format!(
            "keyId=\"{KEY_ID}\",algorithm=\"hs2019\",headers=\"(request-target) host date\",signature=\"{sig}\""
        )
    };
    let signed = send(Some(header(sign(&key, &text))))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(signed.status(), StatusCode::OK);
    let doc: serde_json::Value = signed.json().await.expect("a signed fetch gets JSON");
    assert_eq!(doc["id"].as_str(), Some(world.actor_id(first).as_str()));
    let forged = send(Some(header(sign(&key, "something else"))))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(server.stats()["hosts"][&host]["signed"], 2);
}
