//! Alert rules and their evaluation on figures the binary hands in. Every finding is an
//! [`AlertEvent`] whose `event_key` names what happened (a brand's day, a post, a
//! crawl): the store records each key once, so an alert fires once per event however
//! many crawls see it again.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::Webhook;

/// The trailing window a day's count is compared with.
pub const TRAILING_DAYS: u64 = 28;
/// A spike's factor when the config gives none: three times a normal day.
pub const DEFAULT_FACTOR: f64 = 3.0;

/// Engagements per day (in the rule's zone), days without any absent.
pub type DailyCounts = BTreeMap<NaiveDate, u64>;

/// One rule of the config's `[[alert]]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertRule {
    /// Shown in the alert and on the dashboard; also its key in the store.
    pub name: String,
    pub kind: AlertKind,
    /// The brands it watches; empty: every brand.
    #[serde(default)]
    pub brands: Vec<String>,
    /// Spike: what is counted per day.
    #[serde(default)]
    pub metric: SpikeMetric,
    /// Spike: a day counts as one above `factor` × the median of the 28 days before it.
    #[serde(default = "default_factor")]
    pub factor: f64,
    /// Viral: engagements a post must pass; follower drop: followers lost between two
    /// crawls.
    #[serde(default)]
    pub threshold: u64,
    /// Where the alert is posted.
    #[serde(default)]
    pub webhooks: Vec<Webhook>,
    /// Who gets it by mail (through `[smtp]`).
    #[serde(default)]
    pub mail_to: Vec<String>,
}

fn default_factor() -> f64 {
    DEFAULT_FACTOR
}

/// What a rule watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// A brand's day above `factor` × its trailing 28-day median.
    Spike,
    /// A post past `threshold` engagements.
    Viral,
    /// A brand's followers down by more than `threshold` since the previous crawl.
    FollowerDrop,
    /// A crawl that failed, or found a host refusing us that did not before.
    CrawlFailed,
}

/// The count a spike rule watches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpikeMetric {
    /// Replies, boosts, likes and quotes.
    #[default]
    Engagements,
    Replies,
    Boosts,
}

/// Something an alert rule found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertEvent {
    pub rule: String,
    pub kind: AlertKind,
    pub brand: Option<String>,
    /// What happened, uniquely: fires once per key.
    pub event_key: String,
    /// One line.
    pub summary: String,
    /// The figures behind it.
    pub details: serde_json::Value,
}

impl AlertRule {
    /// Whether the rule watches `brand`.
    pub fn watches(&self, brand: &str) -> bool {
        self.brands.is_empty() || self.brands.iter().any(|b| b == brand)
    }
}

/// The median of `values` (the mean of the middle two for an even count); 0 for none.
pub fn median(values: &mut [u64]) -> f64 {
    values.sort_unstable();
    let n = values.len();
    if n == 0 {
        return 0.0;
    }
    #[allow(clippy::cast_precision_loss)]
    let at = |i: usize| values.get(i).copied().unwrap_or(0) as f64;
    if n % 2 == 1 {
        at(n / 2)
    } else {
        (at(n / 2 - 1) + at(n / 2)) / 2.0
    }
}

/// The days of `days` on which `brand`'s count is above `factor` × the median of the
/// 28 days before (days without engagements count as 0). A median of 0 is taken as 1,
/// so a brand that is usually silent alerts on a day of more than `factor` engagements,
/// not on its first one.
pub fn spike(
    rule: &AlertRule,
    brand: &str,
    daily: &DailyCounts,
    days: impl IntoIterator<Item = NaiveDate>,
) -> Vec<AlertEvent> {
    let mut events = Vec::new();
    for day in days {
        let count = daily.get(&day).copied().unwrap_or(0);
        let mut trailing: Vec<u64> = (1..=TRAILING_DAYS)
            .filter_map(|back| day.checked_sub_days(Days::new(back)))
            .map(|d| daily.get(&d).copied().unwrap_or(0))
            .collect();
        let median = median(&mut trailing);
        let bar = rule.factor * median.max(1.0);
        #[allow(clippy::cast_precision_loss)]
        if count as f64 > bar {
            let metric = metric_name(rule.metric);
            events.push(AlertEvent {
                rule: rule.name.clone(),
                kind: AlertKind::Spike,
                brand: Some(brand.to_owned()),
                event_key: format!("{brand}/{metric}/{day}"),
                summary: format!(
                    "{brand}: {count} {metric} on {day}, above {} × the 28-day median of {median}",
                    rule.factor
                ),
                details: serde_json::json!({
                    "day": day.to_string(), "metric": metric, "count": count,
                    "median_28d": median, "factor": rule.factor,
                }),
            });
        }
    }
    events
}

/// The posts past the rule's threshold: (post URI, engagements).
pub fn viral(rule: &AlertRule, brand: &str, posts: &[(String, u64)]) -> Vec<AlertEvent> {
    posts
        .iter()
        .filter(|(_, engagements)| *engagements > rule.threshold)
        .map(|(uri, engagements)| AlertEvent {
            rule: rule.name.clone(),
            kind: AlertKind::Viral,
            brand: Some(brand.to_owned()),
            event_key: format!("{brand}/{uri}"),
            summary: format!(
                "{brand}: a post passed {} engagements ({engagements}): {uri}",
                rule.threshold
            ),
            details: serde_json::json!({"post": uri, "engagements": engagements}),
        })
        .collect()
}

/// A drop of more than the threshold between the last two follower counts (date of
/// the count, followers), oldest first.
pub fn follower_drop(
    rule: &AlertRule,
    brand: &str,
    counts: &[(NaiveDate, u64)],
) -> Option<AlertEvent> {
    let [.., (_, before), (day, now)] = counts else {
        return None;
    };
    let lost = before.checked_sub(*now)?;
    (lost > rule.threshold).then(|| AlertEvent {
        rule: rule.name.clone(),
        kind: AlertKind::FollowerDrop,
        brand: Some(brand.to_owned()),
        event_key: format!("{brand}/{day}"),
        summary: format!("{brand}: {lost} followers lost by {day} ({before} to {now})"),
        details: serde_json::json!({"day": day.to_string(), "before": before, "now": now, "lost": lost}),
    })
}

/// A host that answered an earlier crawl and now refuses the crawler (`refusal` as
/// `REASON:ROUTE`, the consent report's words; `first_seen` when a crawl first met it).
pub fn host_refusing(rule: &AlertRule, host: &str, refusal: &str, first_seen: &str) -> AlertEvent {
    let (reason, route) = refusal.split_once(':').unwrap_or((refusal, ""));
    let what = match route {
        "api" => "its client API",
        "activitypub" => "its ActivityPub documents",
        _ => "some of its pages",
    };
    let how = match reason {
        "robots_txt" => format!("its robots.txt now disallows {what} to crawlers"),
        "authorized_fetch" => format!("it now answers 401/403 to unsigned requests for {what}"),
        "refused_signed_fetch" => format!("it now refuses even signed requests for {what}"),
        other => format!("it now refuses {what} ({other})"),
    };
    AlertEvent {
        rule: rule.name.clone(),
        kind: AlertKind::CrawlFailed,
        brand: None,
        event_key: format!("refusal/{host}/{refusal}"),
        summary: format!(
            "{host} newly refuses fedireach: {how}; what depends on it is unknown from now on"
        ),
        details: serde_json::json!({"host": host, "refusal": refusal, "first_seen": first_seen}),
    }
}

fn metric_name(metric: SpikeMetric) -> &'static str {
    match metric {
        SpikeMetric::Engagements => "engagements",
        SpikeMetric::Replies => "replies",
        SpikeMetric::Boosts => "boosts",
    }
}

/// Brands as a rule names them: their names, or `all` when the list is empty.
pub fn brand_list(brands: &[String], all: &str) -> String {
    if brands.is_empty() {
        all.to_owned()
    } else {
        brands.join(", ")
    }
}

/// "1 recipient", "2 recipients": a count with its noun.
pub fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

impl AlertRule {
    /// The rule in a sentence, for the dashboard: what fires it and where it goes
    /// (webhooks and recipients counted, never named).
    pub fn describe(&self) -> String {
        let brands = brand_list(&self.brands, "any brand");
        let what = match self.kind {
            AlertKind::Spike => {
                let metric = match self.metric {
                    SpikeMetric::Engagements => "engagements",
                    SpikeMetric::Replies => "replies",
                    SpikeMetric::Boosts => "boosts",
                };
                format!(
                    "a day of {brands} with {metric} above {} x the median of the {TRAILING_DAYS} days before",
                    self.factor
                )
            }
            AlertKind::Viral => {
                format!("a post of {brands} past {} engagements", self.threshold)
            }
            AlertKind::FollowerDrop => format!(
                "{brands} losing more than {} followers between two crawls",
                self.threshold
            ),
            AlertKind::CrawlFailed => {
                "a crawl that failed, or a host newly refusing fedireach".to_owned()
            }
        };
        let mut channels = Vec::new();
        if !self.webhooks.is_empty() {
            channels.push(counted(self.webhooks.len(), "webhook"));
        }
        if !self.mail_to.is_empty() {
            channels.push(format!(
                "mail to {}",
                counted(self.mail_to.len(), "recipient")
            ));
        }
        if channels.is_empty() {
            format!("{what}; recorded only (no webhook, no mail)")
        } else {
            format!("{what}; by {}", channels.join(" and "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(kind: AlertKind, factor: f64, threshold: u64) -> AlertRule {
        AlertRule {
            name: "r".into(),
            kind,
            brands: vec![],
            metric: SpikeMetric::Engagements,
            factor,
            threshold,
            webhooks: vec![],
            mail_to: vec![],
        }
    }

    fn day(n: u64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 1)
            .and_then(|d| d.checked_add_days(Days::new(n)))
            .unwrap_or_default()
    }

    #[test]
    fn medians() {
        for (mut values, expected) in [
            (vec![], 0.0),
            (vec![5], 5.0),
            (vec![9, 1, 5], 5.0),
            (vec![4, 1, 3, 2], 2.5),
        ] {
            assert_eq!(median(&mut values), expected, "{values:?}");
        }
    }

    #[test]
    fn a_spike_is_a_day_above_factor_times_the_trailing_median() {
        // 28 days of 10 a day, then 30 (not above 3 × 10), then 31.
        let mut daily: DailyCounts = (0..28).map(|n| (day(n), 10)).collect();
        daily.insert(day(28), 30);
        daily.insert(day(29), 31);
        let events = spike(
            &rule(AlertKind::Spike, 3.0, 0),
            "acme",
            &daily,
            (28..30).map(day),
        );
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0].event_key, format!("acme/engagements/{}", day(29)));
    }

    #[test]
    fn a_silent_brand_needs_more_than_factor_engagements() {
        let daily: DailyCounts = [(day(40), 3), (day(41), 4)].into_iter().collect();
        let events = spike(
            &rule(AlertKind::Spike, 3.0, 0),
            "acme",
            &daily,
            [day(40), day(41)],
        );
        assert_eq!(events.len(), 1);
        assert!(events[0].event_key.ends_with(&day(41).to_string()));
    }

    #[test]
    fn viral_posts_and_follower_drops() {
        let posts = vec![
            ("https://a/1".to_owned(), 100),
            ("https://a/2".to_owned(), 101),
        ];
        let events = viral(&rule(AlertKind::Viral, 0.0, 100), "acme", &posts);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].event_key, "acme/https://a/2");
        let drop = rule(AlertKind::FollowerDrop, 0.0, 10);
        assert!(follower_drop(&drop, "acme", &[(day(0), 500), (day(1), 490)]).is_none());
        assert!(follower_drop(&drop, "acme", &[(day(0), 500), (day(1), 520)]).is_none());
        assert!(follower_drop(&drop, "acme", &[(day(1), 500)]).is_none());
        let event = follower_drop(&drop, "acme", &[(day(0), 9), (day(1), 500), (day(2), 489)]);
        assert_eq!(event.map(|e| e.event_key), Some(format!("acme/{}", day(2))));
    }

    #[test]
    fn a_refusing_host_is_said_in_words_once_per_host_and_refusal() {
        let rule = rule(AlertKind::CrawlFailed, 0.0, 0);
        let event = host_refusing(
            &rule,
            "masto.example",
            "robots_txt:activitypub",
            "2026-12-07T10:00:00Z",
        );
        assert_eq!(
            event.event_key,
            "refusal/masto.example/robots_txt:activitypub"
        );
        assert_eq!(
            event.summary,
            "masto.example newly refuses fedireach: its robots.txt now disallows its \
             ActivityPub documents to crawlers; what depends on it is unknown from now on"
        );
        let api = host_refusing(&rule, "gts.example", "authorized_fetch:api", "");
        assert!(
            api.summary
                .contains("401/403 to unsigned requests for its client API")
        );
    }

    #[test]
    fn rules_are_described_in_a_sentence_without_their_addresses() -> Result<(), serde_json::Error>
    {
        let rule: AlertRule = serde_json::from_str(
            r#"{"name": "acme spikes", "kind": "spike", "brands": ["acme"],
                "metric": "replies", "webhooks": [{"url": "https://hooks.example/secret"}],
                "mail_to": ["ops@example.org", "cm@example.org"]}"#,
        )?;
        assert_eq!(
            rule.describe(),
            "a day of acme with replies above 3 x the median of the 28 days before; \
             by 1 webhook and mail to 2 recipients"
        );
        let failed: AlertRule =
            serde_json::from_str(r#"{"name": "crawls", "kind": "crawl_failed"}"#)?;
        assert_eq!(
            failed.describe(),
            "a crawl that failed, or a host newly refusing fedireach; recorded only (no webhook, no mail)"
        );
        Ok(())
    }
}
