//! `[smtp]`, `[[delivery]]` and `[[alert]]`: report mails that arrive by themselves and
//! alerts (issue #16). The shapes of a delivery's window and time and of an alert rule
//! belong to `fedireach-delivery`; this file holds the defaults and the checks.

use std::{collections::BTreeSet, path::PathBuf, time::Duration};

use anyhow::{Context, bail, ensure};
use fedireach_analytics::ReportKind;
use fedireach_delivery::{AlertKind, AlertRule, ReportWindow, Security, When};

use super::Zone;
use serde::{Deserialize, Serialize};

/// The submission port, with STARTTLS.
pub const DEFAULT_SMTP_PORT: u16 = 587;
/// The variables holding the SMTP user name and password (never in the file).
pub const DEFAULT_SMTP_USERNAME_ENV: &str = "FEDIREACH_SMTP_USERNAME";
pub const DEFAULT_SMTP_PASSWORD_ENV: &str = "FEDIREACH_SMTP_PASSWORD";
/// Whole-exchange time limit with the SMTP server.
pub const DEFAULT_SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// The mail server reports and alerts go through.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmtpConfig {
    /// Empty: no mail is sent.
    pub host: String,
    pub port: u16,
    /// `starttls`, `tls` (implicit, port 465) or `plain` (a relay on loopback only).
    pub security: String,
    /// Environment variables holding the credentials; unset variables: no login.
    pub username_env: String,
    pub password_env: String,
    /// `From:`, e.g. `fedireach <reports@example.org>`.
    pub from: String,
    /// `Reply-To:`; empty: none.
    pub reply_to: String,
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
    /// A PEM file of CA certificates trusted beside the platform's roots, for a relay
    /// whose certificate a private CA signed; empty: the platform's roots only.
    pub extra_ca_file: PathBuf,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        Self {
            host: String::new(),
            port: DEFAULT_SMTP_PORT,
            security: "starttls".to_owned(),
            username_env: DEFAULT_SMTP_USERNAME_ENV.to_owned(),
            password_env: DEFAULT_SMTP_PASSWORD_ENV.to_owned(),
            from: String::new(),
            reply_to: String::new(),
            timeout: DEFAULT_SMTP_TIMEOUT,
            extra_ca_file: PathBuf::new(),
        }
    }
}

/// One scheduled report mail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryConfig {
    /// Its name (`deliver --now NAME`, the crawls page).
    pub name: String,
    /// Recipients.
    pub to: Vec<String>,
    /// Brands in the mail, one section each; empty: every brand.
    #[serde(default)]
    pub brands: Vec<String>,
    /// Report kinds attached as CSV, as `fedireach report KIND`.
    #[serde(default = "default_reports")]
    pub reports: Vec<ReportKind>,
    /// `7d`, `30d` or `calendar_month`.
    #[serde(default = "default_window")]
    pub window: ReportWindow,
    /// `after_crawl`, `weekly:monday` or `monthly`.
    #[serde(default = "default_when")]
    pub when: When,
    /// The zone its days are read in.
    #[serde(default)]
    pub time_zone: Zone,
}

impl DeliveryConfig {
    /// The delivery in a sentence, for the dashboard (recipients counted, not named).
    pub fn describe(&self) -> String {
        format!(
            "{} of {} over {}, sent {} ({}), to {}",
            self.reports
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            fedireach_delivery::brand_list(&self.brands, "every brand"),
            self.window,
            self.when,
            self.time_zone,
            fedireach_delivery::counted(self.to.len(), "recipient")
        )
    }
}

fn default_reports() -> Vec<ReportKind> {
    vec![ReportKind::Reach, ReportKind::Posts, ReportKind::Instances]
}
fn default_window() -> ReportWindow {
    ReportWindow::CalendarMonth
}
fn default_when() -> When {
    When::Monthly
}

/// Checks `[smtp]`, `[[delivery]]` and `[[alert]]` together.
pub(super) fn validate(
    smtp: &SmtpConfig,
    deliveries: &[DeliveryConfig],
    alerts: &[AlertRule],
) -> anyhow::Result<()> {
    let mails = !deliveries.is_empty() || alerts.iter().any(|a| !a.mail_to.is_empty());
    validate_smtp(smtp, mails)?;
    validate_deliveries(deliveries)?;
    validate_alerts(alerts)
}

/// `[smtp]`; `mails`: whether anything is configured to be mailed.
fn validate_smtp(smtp: &SmtpConfig, mails: bool) -> anyhow::Result<()> {
    let security: Security = smtp
        .security
        .parse()
        .with_context(|| format!("`smtp.security` = {:?}", smtp.security))?;
    if mails {
        ensure!(
            !smtp.host.trim().is_empty(),
            "`[[delivery]]` and alert mails need `smtp.host`, the mail server to send through"
        );
        fedireach_delivery::check_address(&smtp.from).context("`smtp.from`")?;
    }
    if !smtp.reply_to.trim().is_empty() {
        fedireach_delivery::check_address(&smtp.reply_to).context("`smtp.reply_to`")?;
    }
    if security == Security::Plain && !smtp.host.is_empty() {
        let probe = fedireach_delivery::Smtp {
            host: smtp.host.clone(),
            port: smtp.port,
            security,
            credentials: None,
            timeout: smtp.timeout,
            extra_ca_pem: None,
        };
        ensure!(
            probe.is_loopback(),
            "`smtp.security` = \"plain\" is only for a relay on loopback; use \"starttls\" or \"tls\" for {:?}",
            smtp.host
        );
    }
    Ok(())
}

/// Every `[[delivery]]`: a name of its own and valid recipients.
fn validate_deliveries(deliveries: &[DeliveryConfig]) -> anyhow::Result<()> {
    let mut names = BTreeSet::new();
    for d in deliveries {
        ensure!(
            !d.name.trim().is_empty() && names.insert(d.name.as_str()),
            "every `[[delivery]]` needs a name of its own; {:?} is empty or used twice",
            d.name
        );
        ensure!(
            !d.to.is_empty(),
            "delivery `{}` has no recipient in `to`",
            d.name
        );
        for address in &d.to {
            fedireach_delivery::check_address(address)
                .with_context(|| format!("delivery `{}`: `to`", d.name))?;
        }
    }
    Ok(())
}

/// Every `[[alert]]`: a name of its own, somewhere to go, sane thresholds.
fn validate_alerts(alerts: &[AlertRule]) -> anyhow::Result<()> {
    let mut rules = BTreeSet::new();
    for a in alerts {
        ensure!(
            !a.name.trim().is_empty() && rules.insert(a.name.as_str()),
            "every `[[alert]]` needs a name of its own; {:?} is empty or used twice",
            a.name
        );
        ensure!(
            !a.webhooks.is_empty() || !a.mail_to.is_empty(),
            "alert `{}` goes nowhere: give it `webhooks` or `mail_to`",
            a.name
        );
        if a.kind == AlertKind::Spike {
            ensure!(
                a.factor.is_finite() && a.factor >= 1.0,
                "alert `{}`: `factor` = {} must be at least 1",
                a.name,
                a.factor
            );
        }
        if matches!(a.kind, AlertKind::Viral) && a.threshold == 0 {
            bail!(
                "alert `{}`: a viral rule needs `threshold`, the engagements a post must pass",
                a.name
            );
        }
        for hook in &a.webhooks {
            let url = url::Url::parse(&hook.url).with_context(|| {
                format!("alert `{}`: webhook {:?} is not a URL", a.name, hook.url)
            })?;
            ensure!(
                matches!(url.scheme(), "https" | "http") && url.host_str().is_some(),
                "alert `{}`: webhook {:?} must be an http(s) URL",
                a.name,
                hook.url
            );
        }
        for address in &a.mail_to {
            fedireach_delivery::check_address(address)
                .with_context(|| format!("alert `{}`: `mail_to`", a.name))?;
        }
    }
    Ok(())
}
