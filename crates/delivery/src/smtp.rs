//! Sending a mail over SMTP with `lettre`: STARTTLS on the submission port or implicit
//! TLS (rustls, the platform's roots from `webpki-roots`), credentials handed in by the
//! binary from environment variables. Plain SMTP is only for a relay on loopback (a
//! local MTA, the tests' server): credentials never cross a network in clear.

use std::{net::IpAddr, str::FromStr, time::Duration};

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    transport::smtp::{
        authentication::Credentials,
        client::{Certificate, Tls, TlsParameters},
    },
};
use serde::{Deserialize, Serialize};

use crate::DeliveryError;

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Security {
    /// Plain connection upgraded by STARTTLS, which must succeed (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No TLS: accepted only for a server on a loopback address.
    Plain,
}

impl FromStr for Security {
    type Err = DeliveryError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "starttls" => Ok(Self::Starttls),
            "tls" => Ok(Self::Tls),
            "plain" => Ok(Self::Plain),
            _ => Err(DeliveryError::BadSetting {
                input: s.to_owned(),
                what: "SMTP security",
                expected: "`starttls`, `tls` or `plain` (loopback only)",
            }),
        }
    }
}

/// Where and how mail is sent.
#[derive(Debug, Clone)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// User name and password, read by the binary from the environment.
    pub credentials: Option<(String, String)>,
    /// Whole-exchange time limit.
    pub timeout: Duration,
    /// Certificates (PEM) trusted beside the platform's roots: a private CA that signs
    /// the company relay's certificate (`smtp.extra_ca_file`).
    pub extra_ca_pem: Option<Vec<u8>>,
}

/// The mail's `From` and `Reply-To`.
#[derive(Debug, Clone)]
pub struct Sender {
    pub from: String,
    pub reply_to: Option<String>,
}

impl Smtp {
    /// Whether the host is a loopback address or `localhost`: the only place plain
    /// SMTP may go.
    pub fn is_loopback(&self) -> bool {
        let host = self.host.trim_start_matches('[').trim_end_matches(']');
        host.eq_ignore_ascii_case("localhost")
            || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }

    fn server(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

/// Sends one mail; an error says which server refused it and why.
pub async fn send(smtp: &Smtp, message: Message) -> Result<(), DeliveryError> {
    let fail = |source| DeliveryError::Smtp {
        server: smtp.server(),
        source,
    };
    let tls = match smtp.security {
        Security::Plain if !smtp.is_loopback() => {
            return Err(DeliveryError::BadSetting {
                input: smtp.host.clone(),
                what: "host for plain SMTP",
                expected: "`starttls` or `tls` for any server that is not on loopback",
            });
        }
        Security::Plain => Tls::None,
        Security::Starttls => Tls::Required(tls_parameters(smtp).map_err(fail)?),
        Security::Tls => Tls::Wrapper(tls_parameters(smtp).map_err(fail)?),
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.host.clone())
        .port(smtp.port)
        .tls(tls)
        .timeout(Some(smtp.timeout));
    if let Some((user, password)) = &smtp.credentials {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    let transport = builder.build();
    // lettre's timeout bounds each socket operation; a relay that stalls between them
    // (a greeting never sent, an AUTH never answered) is cut here.
    match tokio::time::timeout(smtp.timeout, transport.send(message)).await {
        Ok(sent) => sent.map(drop).map_err(fail),
        Err(_) => Err(DeliveryError::SmtpTimeout {
            server: smtp.server(),
            after: smtp.timeout,
        }),
    }
}

/// The TLS parameters for `smtp.host`: the platform's roots (webpki-roots), and the
/// extra CA when the config names one. The host name is always verified.
fn tls_parameters(smtp: &Smtp) -> Result<TlsParameters, lettre::transport::smtp::Error> {
    let mut builder = TlsParameters::builder(smtp.host.clone());
    if let Some(pem) = &smtp.extra_ca_pem {
        builder = builder.add_root_certificate(Certificate::from_pem(pem)?);
    }
    builder.build_rustls()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_smtp_only_to_loopback() {
        for (host, loopback) in [
            ("127.0.0.1", true),
            ("::1", true),
            ("[::1]", true),
            ("localhost", true),
            ("10.0.0.1", false),
            ("smtp.example.org", false),
        ] {
            let smtp = Smtp {
                host: host.into(),
                port: 25,
                security: Security::Plain,
                credentials: None,
                timeout: Duration::from_secs(1),
                extra_ca_pem: None,
            };
            assert_eq!(smtp.is_loopback(), loopback, "{host}");
        }
    }
}
