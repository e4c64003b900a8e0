//! Report mails and alerts (issue #16), composed from the analytics and recorded in the
//! store: `deliver` and `serve`'s scheduler call `run_due` after a crawl, `send_now`
//! sends one delivery at once (`deliver --now NAME`, for trying a config).
//!
//! A delivery's period is claimed in the store before anything is sent
//! (`Store::claim_delivery`), so a mail goes out once per period whatever the number of
//! processes; a failed send is retried later with backoff ([`BACKOFF`]) and its error
//! shown on the crawls page.

mod alerts;
mod compose;

use std::time::Duration;

use anyhow::Context;
use chrono::{NaiveDate, Utc};
use fedireach_analytics::Analytics;
use fedireach_delivery::{Period, Security, Sender, Smtp, build_message, period_due};
use fedireach_store::{DeliveryClaim, Store};

pub use alerts::{crawl_failed, evaluate as evaluate_alerts};

use crate::config::{Config, DeliveryConfig};

/// Waits before the next attempt of a failed mail, by attempts made so far; after the
/// last, the period is given up (and stays on the crawls page as failed).
const BACKOFF: [Duration; 4] = [
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(8 * 3600),
];

/// What happened to one delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    AlreadySent,
    /// Failed before; retried later.
    Waiting,
    /// Another process is sending it.
    InProgress,
    /// This attempt failed (recorded with its error).
    Failed(String),
}

/// The SMTP server and sender of the config, credentials read from the environment now.
pub fn smtp(config: &Config) -> anyhow::Result<(Smtp, Sender)> {
    let s = &config.smtp;
    let security: Security = s.security.parse()?;
    let credentials = match (
        std::env::var(&s.username_env),
        std::env::var(&s.password_env),
    ) {
        (Ok(user), Ok(password)) if !user.is_empty() => Some((user, password)),
        _ => None,
    };
    let extra_ca_pem = if s.extra_ca_file.as_os_str().is_empty() {
        None
    } else {
        Some(std::fs::read(&s.extra_ca_file).with_context(|| {
            format!(
                "cannot read smtp.extra_ca_file {}; give a PEM file of CA certificates, or leave it empty",
                s.extra_ca_file.display()
            )
        })?)
    };
    Ok((
        Smtp {
            host: s.host.clone(),
            port: s.port,
            security,
            credentials,
            timeout: s.timeout,
            extra_ca_pem,
        },
        Sender {
            from: s.from.clone(),
            reply_to: (!s.reply_to.trim().is_empty()).then(|| s.reply_to.clone()),
        },
    ))
}

/// Today in a delivery's zone.
fn today(delivery: &DeliveryConfig) -> anyhow::Result<NaiveDate> {
    Ok(Utc::now().with_timezone(&delivery.time_zone.0).date_naive())
}

/// Sends every delivery whose current period has not gone out, and the failed ones
/// whose retry is due. Returns each delivery's name and outcome.
pub async fn run_due(
    config: &Config,
    store: &Store,
    analytics: &Analytics,
) -> anyhow::Result<Vec<(String, Outcome)>> {
    let mut outcomes = Vec::new();
    for delivery in &config.delivery {
        let period = period_due(delivery.when, delivery.window, today(delivery)?);
        let outcome = attempt(config, store, analytics, delivery, &period).await?;
        outcomes.push((delivery.name.clone(), outcome));
    }
    outcomes.extend(retry_due(config, store, analytics).await?);
    Ok(outcomes)
}

/// Sends the failed deliveries whose retry is due (`serve` looks every minute).
pub async fn retry_due(
    config: &Config,
    store: &Store,
    analytics: &Analytics,
) -> anyhow::Result<Vec<(String, Outcome)>> {
    let mut outcomes = Vec::new();
    for (name, key) in store.due_delivery_retries().await? {
        let Some(delivery) = config.delivery.iter().find(|d| d.name == name) else {
            continue;
        };
        let Some(period) = parse_key(&key) else {
            continue;
        };
        let outcome = attempt(config, store, analytics, delivery, &period).await?;
        outcomes.push((name, outcome));
    }
    Ok(outcomes)
}

/// Sends delivery `name` for its current period at once, whether or not it went out
/// already, without recording it: the scheduled mail of the period still goes.
pub async fn send_now(
    config: &Config,
    analytics: &Analytics,
    name: &str,
) -> anyhow::Result<Period> {
    let delivery = config
        .delivery
        .iter()
        .find(|d| d.name == name)
        .with_context(|| {
            let names: Vec<&str> = config.delivery.iter().map(|d| d.name.as_str()).collect();
            format!(
                "no delivery named `{name}` in the config; the deliveries are: {}",
                if names.is_empty() {
                    "(none)".to_owned()
                } else {
                    names.join(", ")
                }
            )
        })?;
    let period = period_due(delivery.when, delivery.window, today(delivery)?);
    send(config, analytics, delivery, &period).await?;
    Ok(period)
}

async fn attempt(
    config: &Config,
    store: &Store,
    analytics: &Analytics,
    delivery: &DeliveryConfig,
    period: &Period,
) -> anyhow::Result<Outcome> {
    let (from, to) = (period.from.to_string(), period.to.to_string());
    let claim = store
        .claim_delivery(&delivery.name, &period.key(), (&from, &to))
        .await?;
    let (id, attempts) = match claim {
        DeliveryClaim::Send { id, attempts } => (id, attempts),
        DeliveryClaim::AlreadySent => return Ok(Outcome::AlreadySent),
        DeliveryClaim::NotYet { .. } => return Ok(Outcome::Waiting),
        DeliveryClaim::InProgress => return Ok(Outcome::InProgress),
    };
    match send(config, analytics, delivery, period).await {
        Ok(()) => {
            store.delivery_sent(id).await?;
            tracing::info!(delivery = %delivery.name, %from, %to, "report mail sent");
            Ok(Outcome::Sent)
        }
        Err(error) => {
            let message = format!("{error:#}");
            let next = usize::try_from(attempts)
                .ok()
                .and_then(|n| BACKOFF.get(n))
                .map(|wait| Utc::now().timestamp() + i64::try_from(wait.as_secs()).unwrap_or(0));
            store.delivery_failed(id, &message, next).await?;
            tracing::error!(delivery = %delivery.name, error = %message, retry_at = ?next, "report mail failed");
            Ok(Outcome::Failed(message))
        }
    }
}

async fn send(
    config: &Config,
    analytics: &Analytics,
    delivery: &DeliveryConfig,
    period: &Period,
) -> anyhow::Result<()> {
    let (smtp, sender) = smtp(config)?;
    let report = {
        let (analytics, delivery, period) = (analytics.clone(), delivery.clone(), period.clone());
        // polars and plotters: off the async runtime.
        tokio::task::spawn_blocking(move || compose::report_mail(&analytics, &delivery, &period))
            .await
            .context("composing the mail stopped")??
    };
    let message = build_message(&sender, &delivery.to, &report)?;
    fedireach_delivery::send(&smtp, message).await?;
    Ok(())
}

/// A period back from its key `FROM..TO`.
fn parse_key(key: &str) -> Option<Period> {
    let (from, to) = key.split_once("..")?;
    Some(Period {
        from: from.parse().ok()?,
        to: to.parse().ok()?,
    })
}
