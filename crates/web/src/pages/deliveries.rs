//! The crawls page's report mails and alerts (issue #16): each delivery's recent
//! periods with their state (a failed send shows its error and next attempt), and the
//! alerts that fired with whether they reached every channel. Read from the store,
//! where the binary records them.

use chrono::DateTime;

use crate::{AppState, WebError, tables::PlainTable};

/// Rows listed in each table.
const LISTED: i64 = 50;

fn time(seconds: i64) -> String {
    DateTime::from_timestamp(seconds, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// The report mails: one row per delivery and period.
pub(crate) async fn deliveries_table(state: &AppState) -> Result<PlainTable, WebError> {
    let runs = state.store().recent_deliveries(LISTED).await?;
    Ok(PlainTable {
        title: "Report mails".to_owned(),
        headers: [
            "delivery",
            "from",
            "to",
            "state",
            "attempts",
            "last_change",
            "sent",
            "next_attempt",
            "last_error",
        ]
        .map(String::from)
        .to_vec(),
        rows: runs
            .into_iter()
            .map(|r| {
                vec![
                    r.name,
                    r.period_from,
                    r.period_to,
                    r.state,
                    r.attempts.to_string(),
                    time(r.updated_at),
                    r.sent_at.map(time).unwrap_or_default(),
                    r.next_attempt_at.map(time).unwrap_or_default(),
                    r.last_error.unwrap_or_default(),
                ]
            })
            .collect(),
    })
}

/// The report mails and alert rules of the config, each with its last run: a mail's
/// latest period and state, an alert's last firing and how often it fired.
pub(crate) async fn rules_table(state: &AppState) -> Result<PlainTable, WebError> {
    let deliveries: std::collections::HashMap<String, _> = state
        .store()
        .last_delivery_runs()
        .await?
        .into_iter()
        .map(|r| (r.name.clone(), r))
        .collect();
    let firings: std::collections::HashMap<String, (i64, i64)> = state
        .store()
        .alert_rule_firings()
        .await?
        .into_iter()
        .map(|(rule, at, times)| (rule, (at, times)))
        .collect();
    let last_run = |kind: &str, name: &str| -> String {
        if kind == "alert" {
            return firings.get(name).map_or_else(
                || "never fired".to_owned(),
                |(at, times)| format!("fired {times} time(s), last at {}", time(*at)),
            );
        }
        deliveries.get(name).map_or_else(
            || "never run".to_owned(),
            |r| {
                format!(
                    "{} {} to {} at {}",
                    r.state,
                    r.period_from,
                    r.period_to,
                    time(r.updated_at)
                )
            },
        )
    };
    Ok(PlainTable {
        title: "Report mails and alert rules".to_owned(),
        headers: ["kind", "name", "rule", "last_run"]
            .map(String::from)
            .to_vec(),
        rows: state
            .rules()
            .iter()
            .map(|r| {
                vec![
                    r.kind.to_owned(),
                    r.name.clone(),
                    r.rule.clone(),
                    last_run(r.kind, &r.name),
                ]
            })
            .collect(),
    })
}

/// The alerts that fired, newest first.
pub(crate) async fn alerts_table(state: &AppState) -> Result<PlainTable, WebError> {
    let alerts = state.store().recent_alerts(LISTED).await?;
    Ok(PlainTable {
        title: "Alerts".to_owned(),
        headers: ["rule", "fired", "event", "summary", "delivered", "error"]
            .map(String::from)
            .to_vec(),
        rows: alerts
            .into_iter()
            .map(|a| {
                vec![
                    a.rule,
                    time(a.fired_at),
                    a.event_key,
                    a.summary,
                    if a.delivered { "yes" } else { "no" }.to_owned(),
                    a.last_error.unwrap_or_default(),
                ]
            })
            .collect(),
    })
}
