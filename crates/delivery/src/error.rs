//! What can go wrong while sending; each message says what failed and what to do.

use thiserror::Error;

/// A delivery or alert that could not be built or sent.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum DeliveryError {
    /// An address of the config that is not one.
    #[error(
        "`{address}` is not a mail address ({source}); write `name@example.org` or `Name <name@example.org>`"
    )]
    BadAddress {
        address: String,
        #[source]
        source: lettre::address::AddressError,
    },
    /// A delivery without recipients.
    #[error("the delivery `{0}` has no recipients; add `to = [\"someone@example.org\"]`")]
    NoRecipients(String),
    /// The mail could not be put together.
    #[error("cannot build the mail: {0}")]
    Build(#[from] lettre::error::Error),
    /// The HTML or text body could not be rendered.
    #[error("cannot render the mail's body: {0}")]
    Render(#[from] minijinja::Error),
    /// The SMTP server refused the mail or could not be reached.
    #[error(
        "the SMTP server {server} did not take the mail ({source}); check [smtp] host, port, security and the credentials' environment variables"
    )]
    Smtp {
        server: String,
        #[source]
        source: lettre::transport::smtp::Error,
    },
    /// The SMTP server did not finish the exchange in `smtp.timeout`.
    #[error(
        "the SMTP server {server} did not finish taking the mail within {after:?}; check that it is an SMTP server and answers on that port, or raise smtp.timeout"
    )]
    SmtpTimeout {
        server: String,
        after: std::time::Duration,
    },
    /// A webhook receiver could not be reached or answered with an error.
    #[error("the webhook {url} failed ({reason}); check the URL and that the receiver is up")]
    Webhook { url: String, reason: String },
    /// A window or schedule of the config that is not one.
    #[error("`{input}` is not a {what}; use {expected}")]
    BadSetting {
        input: String,
        what: &'static str,
        expected: &'static str,
    },
}
