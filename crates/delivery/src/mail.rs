//! A report as a mail: `multipart/mixed` of a `multipart/related` body (a
//! `multipart/alternative` of plain text and HTML, then each chart as an inline PNG that
//! the HTML shows by `cid:`), then each CSV report attached.
//!
//! Attachments and images are base64-encoded whatever their content, so the bytes a
//! reader saves are exactly the bytes of `fedireach report --format csv` (a 7-bit or
//! quoted-printable part may have its line ends rewritten on the way).

use lettre::{
    Message,
    message::{
        Attachment as MimeAttachment, Body, Mailbox, MultiPart, SinglePart,
        header::{ContentTransferEncoding, ContentType},
    },
};
use minijinja::{Environment, context};
use serde::Serialize;

use crate::{AlertEvent, DeliveryError, Sender};

/// The HTML body's template, compiled into the binary (it runs from any directory).
const HTML_TEMPLATE: &str = include_str!("../templates/report.html");
/// The plain-text body's template.
const TEXT_TEMPLATE: &str = include_str!("../templates/report.txt");

/// Everything a report mail says.
#[derive(Debug, Clone, Serialize)]
pub struct ReportMail {
    /// The delivery's name, as in the config.
    pub name: String,
    pub subject: String,
    /// First and last day covered, `YYYY-MM-DD`, and the zone they are read in.
    pub from: String,
    pub to: String,
    pub time_zone: String,
    pub sections: Vec<BrandSection>,
    #[serde(skip)]
    pub attachments: Vec<Attachment>,
}

/// One brand's part of the mail.
#[derive(Debug, Clone, Serialize)]
pub struct BrandSection {
    pub brand: String,
    pub figures: Vec<FigureLine>,
    pub charts: Vec<InlineChart>,
}

/// A key figure with its previous period. `None` is unknown (shown as such, never as 0).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureLine {
    pub label: String,
    pub value: Option<f64>,
    pub previous: Option<f64>,
    pub change_pct: Option<f64>,
}

/// A chart shown inline: the HTML's `<img src="cid:{cid}">`.
#[derive(Debug, Clone, Serialize)]
pub struct InlineChart {
    pub cid: String,
    pub title: String,
    /// The chart's text alternative (the `alt` of the image and the plain-text part).
    pub alt: String,
    #[serde(skip)]
    pub png: Vec<u8>,
}

/// A file attached to the mail.
#[derive(Debug, Clone)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The mail of `report` from `sender` to `to`.
pub fn build_message(
    sender: &Sender,
    to: &[String],
    report: &ReportMail,
) -> Result<Message, DeliveryError> {
    if to.is_empty() {
        return Err(DeliveryError::NoRecipients(report.name.clone()));
    }
    let (html, text) = render(report)?;
    let mut builder = Message::builder()
        .from(mailbox(&sender.from)?)
        .subject(report.subject.clone())
        .date_now();
    if let Some(reply_to) = sender.reply_to.as_deref().filter(|r| !r.trim().is_empty()) {
        builder = builder.reply_to(mailbox(reply_to)?);
    }
    for address in to {
        builder = builder.to(mailbox(address)?);
    }
    let mut related = MultiPart::related().multipart(MultiPart::alternative_plain_html(text, html));
    for chart in report.sections.iter().flat_map(|s| &s.charts) {
        related = related.singlepart(
            MimeAttachment::new_inline(chart.cid.clone())
                .body(base64_body(chart.png.clone()), content_type("image/png")?),
        );
    }
    let mut mixed = MultiPart::mixed().multipart(related);
    for file in &report.attachments {
        mixed = mixed.singlepart(attachment(file)?);
    }
    Ok(builder.multipart(mixed)?)
}

/// An alert as a short plain-text mail.
pub fn build_alert_message(
    sender: &Sender,
    to: &[String],
    event: &AlertEvent,
) -> Result<Message, DeliveryError> {
    if to.is_empty() {
        return Err(DeliveryError::NoRecipients(event.rule.clone()));
    }
    let mut builder = Message::builder()
        .from(mailbox(&sender.from)?)
        .subject(format!("fedireach alert {}: {}", event.rule, event.summary))
        .date_now();
    if let Some(reply_to) = sender.reply_to.as_deref().filter(|r| !r.trim().is_empty()) {
        builder = builder.reply_to(mailbox(reply_to)?);
    }
    for address in to {
        builder = builder.to(mailbox(address)?);
    }
    let details = serde_json::to_string_pretty(&event.details).unwrap_or_default();
    Ok(builder.singlepart(SinglePart::plain(format!(
        "{}\n\nRule: {}\nEvent: {}\n\n{details}\n",
        event.summary, event.rule, event.event_key
    )))?)
}

fn attachment(file: &Attachment) -> Result<SinglePart, DeliveryError> {
    Ok(MimeAttachment::new(file.filename.clone()).body(
        base64_body(file.bytes.clone()),
        content_type(&file.content_type)?,
    ))
}

fn base64_body(bytes: Vec<u8>) -> Body {
    // Base64 can encode any bytes: the error branch (handing the bytes back) is for
    // encodings that cannot.
    Body::new_with_encoding(bytes, ContentTransferEncoding::Base64).unwrap_or_else(Body::new)
}

fn content_type(value: &str) -> Result<ContentType, DeliveryError> {
    ContentType::parse(value).map_err(|_| DeliveryError::BadSetting {
        input: value.to_owned(),
        what: "content type",
        expected: "a MIME type such as text/csv",
    })
}

/// Checks a configured address (`name@example.org` or `Name <name@example.org>`).
pub fn check_address(address: &str) -> Result<(), DeliveryError> {
    mailbox(address).map(|_| ())
}

fn mailbox(address: &str) -> Result<Mailbox, DeliveryError> {
    address
        .trim()
        .parse()
        .map_err(|source| DeliveryError::BadAddress {
            address: address.to_owned(),
            source,
        })
}

/// The HTML and plain-text bodies. The HTML template is autoescaped: brand names and
/// every other text from the data are escaped.
fn render(report: &ReportMail) -> Result<(String, String), DeliveryError> {
    let mut env = Environment::new();
    env.add_filter("figure", figure);
    env.add_filter("change", change);
    env.add_template("report.html", HTML_TEMPLATE)?;
    env.add_template("report.txt", TEXT_TEMPLATE)?;
    let ctx = context! { report => report };
    let html = env.get_template("report.html")?.render(&ctx)?;
    let text = env.get_template("report.txt")?.render(&ctx)?;
    Ok((html, text))
}

/// A figure as shown: whole numbers without decimals, others with two; unknown said so.
fn figure(value: Option<f64>) -> String {
    match value {
        None => "unknown".to_owned(),
        Some(v) if v.fract() == 0.0 && v.abs() < 1e15 => format!("{v:.0}"),
        Some(v) => format!("{v:.2}"),
    }
}

/// A change in percent, signed; unknown without a previous value (or from zero).
fn change(pct: Option<f64>) -> String {
    match pct {
        None => "n/a".to_owned(),
        Some(p) if p > 0.0 => format!("+{p:.1}%"),
        Some(p) => format!("{p:.1}%"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> ReportMail {
        ReportMail {
            name: "weekly".into(),
            subject: "acme: 2026-11-30 to 2026-12-06".into(),
            from: "2026-11-30".into(),
            to: "2026-12-06".into(),
            time_zone: "UTC".into(),
            sections: vec![BrandSection {
                brand: "<script>acme</script>".into(),
                figures: vec![
                    FigureLine {
                        label: "Engagements".into(),
                        value: Some(120.0),
                        previous: Some(100.0),
                        change_pct: Some(20.0),
                    },
                    FigureLine {
                        label: "Cross-server share (%)".into(),
                        value: None,
                        previous: None,
                        change_pct: None,
                    },
                ],
                charts: vec![InlineChart {
                    cid: "reach-0@fedireach".into(),
                    title: "Reach by server software".into(),
                    alt: "mastodon 120".into(),
                    png: vec![0x89, b'P', b'N', b'G'],
                }],
            }],
            attachments: vec![Attachment {
                filename: "acme-reach.csv".into(),
                content_type: "text/csv; charset=utf-8".into(),
                bytes: b"software,engagements\nmastodon,120\n".to_vec(),
            }],
        }
    }

    #[test]
    fn the_html_escapes_the_data_and_shows_unknown_as_unknown() -> Result<(), DeliveryError> {
        let (html, text) = render(&report())?;
        assert!(html.contains("&lt;script&gt;acme&lt;"), "{html}");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("src=\"cid:reach-0@fedireach\""), "{html}");
        assert!(
            html.contains("+20.0%") && html.contains("unknown"),
            "{html}"
        );
        assert!(
            text.contains("Engagements: 120 (previous 100, +20.0%)"),
            "{text}"
        );
        assert!(text.contains("Cross-server share (%): unknown"), "{text}");
        Ok(())
    }

    #[test]
    fn a_mail_needs_recipients_and_real_addresses() {
        let sender = Sender {
            from: "fedireach <reports@example.org>".into(),
            reply_to: None,
        };
        assert!(matches!(
            build_message(&sender, &[], &report()),
            Err(DeliveryError::NoRecipients(_))
        ));
        assert!(matches!(
            build_message(&sender, &["not an address".into()], &report()),
            Err(DeliveryError::BadAddress { .. })
        ));
        assert!(build_message(&sender, &["lead@example.org".into()], &report()).is_ok());
    }
}
