#![doc = include_str!("../README.md")]

mod alert;
mod error;
mod mail;
mod schedule;
mod smtp;
mod webhook;

pub use alert::{
    AlertEvent, AlertKind, AlertRule, DailyCounts, SpikeMetric, brand_list, counted, follower_drop,
    host_refusing, median, spike, viral,
};
pub use error::DeliveryError;
pub use mail::{
    Attachment, BrandSection, FigureLine, InlineChart, ReportMail, build_alert_message,
    build_message, check_address,
};
pub use schedule::{Period, ReportWindow, When, period_due};
pub use smtp::{Security, Sender, Smtp, send};
pub use webhook::{Webhook, WebhookFormat, post_webhook, webhook_body, webhook_client};
