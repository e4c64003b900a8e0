//! The alert rules of `[[alert]]` over the analytics after each crawl, each event
//! recorded once in the store (`Store::fire_alert_once`) and then posted to the rule's
//! webhooks and mailed to its `mail_to`.
//!
//! `crawl_failed` rules also fire on a host newly refusing the crawler (its robots.txt
//! or its 401/403 now bar what an earlier crawl read: `Store::new_refusals`).
//!
//! Which days are looked at: the [`LOOKBACK_DAYS`] ending on the newest day with
//! engagements, not the wall clock's today, so a late crawl still alerts on the days it
//! brings in. An event seen again by a later crawl is not sent again.

use std::collections::BTreeMap;

use anyhow::Context;
use chrono::{Days, NaiveDate};
use fedireach_analytics::{Analytics, Granularity, Window};
use fedireach_delivery::{
    AlertEvent, AlertKind, AlertRule, DailyCounts, SpikeMetric, build_alert_message, follower_drop,
    host_refusing, post_webhook, spike, viral, webhook_client,
};
use fedireach_store::Store;

use crate::config::Config;

/// Days checked for spikes, ending on the newest day with engagements.
const LOOKBACK_DAYS: u64 = 7;
/// Posts checked for the viral rule: published in the this many days up to the brand's
/// newest post (older ones would all alert at once when a rule is first added).
const VIRAL_DAYS: i64 = 30;
/// Refusals first met in these days are alerted.
const REFUSAL_DAYS: i64 = 7;

/// Evaluates every rule on the analytics, and the `crawl_failed` rules on the hosts
/// newly refusing the crawler, and sends what is new. Returns the events sent. (A crawl
/// that failed is alerted by [`crawl_failed`] where it fails.)
pub async fn evaluate(
    config: &Config,
    store: &Store,
    analytics: &Analytics,
) -> anyhow::Result<Vec<AlertEvent>> {
    let mut events = refusals(config, store).await?;
    if config
        .alert
        .iter()
        .any(|r| r.kind != AlertKind::CrawlFailed)
    {
        let rules = config.alert.clone();
        let analytics = analytics.clone();
        events.extend(
            tokio::task::spawn_blocking(move || find(&rules, &analytics))
                .await
                .context("the alert rules stopped")??,
        );
    }
    let mut sent = Vec::new();
    for event in events {
        if fire(config, store, &event).await? {
            sent.push(event);
        }
    }
    Ok(sent)
}

/// The `crawl_failed` rules for a crawl that failed (`crawl` names it: a job or run id).
pub async fn crawl_failed(
    config: &Config,
    store: &Store,
    crawl: &str,
    reason: &str,
) -> anyhow::Result<usize> {
    let mut sent = 0;
    for rule in config
        .alert
        .iter()
        .filter(|r| r.kind == AlertKind::CrawlFailed)
    {
        let event = AlertEvent {
            rule: rule.name.clone(),
            kind: AlertKind::CrawlFailed,
            brand: None,
            event_key: format!("crawl/{crawl}"),
            summary: format!("the crawl {crawl} failed: {reason}"),
            details: serde_json::json!({"crawl": crawl, "reason": reason}),
        };
        if fire(config, store, &event).await? {
            sent += 1;
        }
    }
    Ok(sent)
}

/// The `crawl_failed` rules' events for the hosts that answered an earlier crawl and
/// refused one in the last [`REFUSAL_DAYS`] (older ones would all alert at once when a
/// rule is first added).
async fn refusals(config: &Config, store: &Store) -> anyhow::Result<Vec<AlertEvent>> {
    let rules: Vec<&AlertRule> = config
        .alert
        .iter()
        .filter(|r| r.kind == AlertKind::CrawlFailed)
        .collect();
    if rules.is_empty() {
        return Ok(Vec::new());
    }
    let since = chrono::Utc::now().timestamp() - REFUSAL_DAYS * 86_400;
    let refusals = store.new_refusals(since).await?;
    let mut events = Vec::new();
    for rule in rules {
        for r in &refusals {
            let first_seen = chrono::DateTime::from_timestamp(r.first_seen, 0)
                .map(|t| t.to_rfc3339())
                .unwrap_or_default();
            events.push(host_refusing(rule, &r.host, &r.refusal, &first_seen));
        }
    }
    Ok(events)
}

/// Records the event once; the first time, posts and mails it. Returns whether it was
/// new. A channel that fails is recorded beside the event (it is not retried: the
/// next event will say what this one would have).
async fn fire(config: &Config, store: &Store, event: &AlertEvent) -> anyhow::Result<bool> {
    let Some(id) = store
        .fire_alert_once(&event.rule, &event.event_key, &event.summary)
        .await?
    else {
        return Ok(false);
    };
    let Some(rule) = config.alert.iter().find(|r| r.name == event.rule) else {
        return Ok(true);
    };
    let mut errors = Vec::new();
    let client = webhook_client()?;
    for hook in &rule.webhooks {
        if let Err(error) = post_webhook(&client, hook, event).await {
            errors.push(error.to_string());
        }
    }
    if !rule.mail_to.is_empty() {
        let mailed = async {
            let (smtp, sender) = super::smtp(config)?;
            let message = build_alert_message(&sender, &rule.mail_to, event)?;
            fedireach_delivery::send(&smtp, message).await?;
            anyhow::Ok(())
        };
        if let Err(error) = mailed.await {
            errors.push(format!("{error:#}"));
        }
    }
    let error = (!errors.is_empty()).then(|| errors.join("; "));
    if let Some(error) = &error {
        tracing::error!(rule = %event.rule, event = %event.event_key, %error, "an alert did not reach every channel");
    } else {
        tracing::info!(rule = %event.rule, event = %event.event_key, "alert sent");
    }
    store.alert_delivered(id, error.as_deref()).await?;
    Ok(true)
}

/// Every event the rules find in the analytics. CPU-bound (polars).
fn find(rules: &[AlertRule], analytics: &Analytics) -> anyhow::Result<Vec<AlertEvent>> {
    let all = Window::all();
    let mut events = Vec::new();
    for brand in analytics.brands() {
        let watched: Vec<&AlertRule> = rules.iter().filter(|r| r.watches(&brand)).collect();
        if watched.iter().all(|r| r.kind == AlertKind::CrawlFailed) {
            continue;
        }
        let timeline = analytics.timeline(&brand, &all, Granularity::Day)?;
        let daily = |metric: SpikeMetric| -> DailyCounts {
            let mut counts = BTreeMap::new();
            for row in &timeline.rows {
                let counted = match metric {
                    SpikeMetric::Engagements => row.kind != "thread_reply",
                    SpikeMetric::Replies => row.kind == "reply",
                    SpikeMetric::Boosts => row.kind == "boost",
                };
                if let (true, Ok(day)) = (counted, row.period.parse::<NaiveDate>()) {
                    *counts.entry(day).or_insert(0) += row.engagements;
                }
            }
            counts
        };
        let newest = daily(SpikeMetric::Engagements).keys().next_back().copied();
        let Some(newest) = newest else { continue };
        for rule in watched {
            match rule.kind {
                AlertKind::Spike => {
                    let days = (0..LOOKBACK_DAYS)
                        .rev()
                        .filter_map(|back| newest.checked_sub_days(Days::new(back)));
                    events.extend(spike(rule, &brand, &daily(rule.metric), days));
                }
                AlertKind::Viral => {
                    let posts = analytics.posts(&brand, &all)?.rows;
                    let published = |p: &fedireach_core::PostRow| {
                        chrono::DateTime::parse_from_rfc3339(&p.published).ok()
                    };
                    let Some(latest) = posts.iter().filter_map(published).max() else {
                        continue;
                    };
                    let since = latest - chrono::Duration::days(VIRAL_DAYS);
                    let recent: Vec<(String, u64)> = posts
                        .iter()
                        .filter(|p| published(p).is_some_and(|t| t >= since))
                        .map(|p| (p.uri.clone(), p.counts.engagements))
                        .collect();
                    events.extend(viral(rule, &brand, &recent));
                }
                AlertKind::FollowerDrop => {
                    let mut by_actor: BTreeMap<String, Vec<(NaiveDate, u64)>> = BTreeMap::new();
                    for row in analytics.followers(&brand, &all)?.rows {
                        let day = row.taken.get(..10).and_then(|d| d.parse().ok());
                        if let (Some(day), Some(followers)) = (day, row.followers) {
                            by_actor
                                .entry(row.actor)
                                .or_default()
                                .push((day, followers));
                        }
                    }
                    for (actor, counts) in by_actor {
                        events.extend(follower_drop(rule, &format!("{brand} ({actor})"), &counts));
                    }
                }
                AlertKind::CrawlFailed => {}
            }
        }
    }
    Ok(events)
}
