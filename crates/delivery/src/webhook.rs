//! An alert posted to a webhook, in the body its receiver expects:
//!
//! - `generic`: our own JSON, every field of the event.
//! - `slack`: Slack's incoming webhooks take `{"text": ...}` with mrkdwn
//!   (<https://api.slack.com/messaging/webhooks>); Mattermost, Rocket.Chat and Discord's
//!   `/slack` endpoint accept the same.
//! - `matrix`: matrix-hookshot's inbound webhooks take `text` (the plain body), `html`
//!   (the formatted body) and `username`
//!   (<https://matrix-org.github.io/matrix-hookshot/latest/setup/webhooks>).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::{AlertEvent, DeliveryError};

/// How long a receiver may take to answer.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);

/// One webhook of an alert rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Webhook {
    pub url: String,
    #[serde(default)]
    pub format: WebhookFormat,
}

/// The body's shape.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WebhookFormat {
    #[default]
    Generic,
    Slack,
    Matrix,
}

/// The JSON body of `event` for a receiver of `format`.
pub fn webhook_body(format: WebhookFormat, event: &AlertEvent) -> serde_json::Value {
    let text = format!("fedireach alert `{}`: {}", event.rule, event.summary);
    match format {
        WebhookFormat::Generic => serde_json::json!({
            "source": "fedireach",
            "rule": event.rule,
            "kind": event.kind,
            "brand": event.brand,
            "event": event.event_key,
            "summary": event.summary,
            "details": event.details,
        }),
        WebhookFormat::Slack => serde_json::json!({ "text": text }),
        WebhookFormat::Matrix => serde_json::json!({
            "text": text,
            "html": format!(
                "<b>fedireach alert <code>{}</code></b>: {}",
                escape_html(&event.rule),
                escape_html(&event.summary)
            ),
            "username": "fedireach",
        }),
    }
}

/// The client alerts are posted with: no redirects (a receiver that moves is a
/// configuration to fix, not a hop to follow), identified by its User-Agent.
pub fn webhook_client() -> Result<reqwest::Client, DeliveryError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!(
            "fedireach/",
            env!("CARGO_PKG_VERSION"),
            " (alerts)"
        ))
        .timeout(WEBHOOK_TIMEOUT)
        .build()
        .map_err(|e| DeliveryError::Webhook {
            url: String::new(),
            reason: format!("cannot build the HTTP client: {e}"),
        })
}

/// Posts `event` to `hook`; any answer but a 2xx is an error.
pub async fn post_webhook(
    client: &reqwest::Client,
    hook: &Webhook,
    event: &AlertEvent,
) -> Result<(), DeliveryError> {
    let fail = |reason: String| DeliveryError::Webhook {
        url: hook.url.clone(),
        reason,
    };
    let response = client
        .post(&hook.url)
        .timeout(WEBHOOK_TIMEOUT)
        .json(&webhook_body(hook.format, event))
        .send()
        .await
        .map_err(|e| fail(e.to_string()))?;
    if !response.status().is_success() {
        return Err(fail(format!("HTTP {}", response.status())));
    }
    Ok(())
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AlertKind;

    #[test]
    fn each_receiver_gets_its_shape_and_html_is_escaped() {
        let event = AlertEvent {
            rule: "spike".into(),
            kind: AlertKind::Spike,
            brand: Some("<b>acme</b>".into()),
            event_key: "acme/engagements/2026-12-01".into(),
            summary: "<b>acme</b>: 40 engagements".into(),
            details: serde_json::json!({"count": 40}),
        };
        let generic = webhook_body(WebhookFormat::Generic, &event);
        assert_eq!(generic["kind"], "spike");
        assert_eq!(generic["details"]["count"], 40);
        let slack = webhook_body(WebhookFormat::Slack, &event);
        assert_eq!(slack.as_object().map(|o| o.len()), Some(1));
        let matrix = webhook_body(WebhookFormat::Matrix, &event);
        assert!(
            matrix["html"]
                .as_str()
                .is_some_and(|h| h.contains("&lt;b&gt;acme"))
        );
        assert!(
            matrix["text"]
                .as_str()
                .is_some_and(|t| t.contains("40 engagements"))
        );
    }
}
