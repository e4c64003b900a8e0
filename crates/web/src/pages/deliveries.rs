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
