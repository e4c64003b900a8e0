//! The instance a document or actor belongs to.

use std::fmt;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::CoreError;

/// An instance: the host of an actor id, lower-cased and IDNA-normalised (punycode), with
/// the port kept when it is not the scheme's default (BRIEF section 1, "instance").
///
/// Built only through [`Host::parse`] or [`Host::from_url`], so a value always holds a
/// normalised name and two spellings of one instance compare equal.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Host(String);

/// Longest host name accepted (DNS allows 253, plus room for a port).
const MAX_HOST_LEN: usize = 260;

impl Host {
    /// Parses `domain` or `domain:port`, as typed by a user or found in a document.
    pub fn parse(input: &str) -> Result<Self, CoreError> {
        let err = |reason: &str| CoreError::Host {
            input: input.to_owned(),
            reason: reason.to_owned(),
        };
        let trimmed = input.trim().trim_end_matches('.');
        if trimmed.is_empty() {
            return Err(err("it is empty"));
        }
        if trimmed.len() > MAX_HOST_LEN {
            return Err(err("it is too long"));
        }
        if trimmed.contains(['/', '@', '?', '#', ' ', '\\']) {
            return Err(err("a host has no path, user, query or spaces"));
        }
        // The URL parser decodes percent escapes in a host: `ex%41mple.com` would become
        // `example.com`, another name than the one typed.
        if trimmed.contains('%') {
            return Err(err("a host has no percent escapes"));
        }
        // Let the URL parser do IDNA and lower-casing, exactly as it does for actor ids.
        let url = Url::parse(&format!("https://{trimmed}/")).map_err(|e| err(&e.to_string()))?;
        let host = url.host_str().ok_or_else(|| err("it has no host"))?;
        check_name(host).map_err(err)?;
        Self::from_url(&url).ok_or_else(|| err("it has no host"))
    }

    /// The instance of a URL, or `None` for a URL without a host or whose host is not
    /// a valid name (see [`Host::parse`]).
    pub fn from_url(url: &Url) -> Option<Self> {
        let host = url.host_str()?;
        if host.is_empty() || check_name(host).is_err() {
            return None;
        }
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        Some(match url.port() {
            Some(port) => Self(format!("{host}:{port}")),
            None => Self(host),
        })
    }

    /// The name as stored and shown: `domain` or `domain:port`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name without the port.
    pub fn name(&self) -> &str {
        match self.0.rsplit_once(':') {
            // An IPv6 literal is bracketed, so a colon after `]` or with no brackets is a port.
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
            _ => &self.0,
        }
    }

    /// Whether this host is `domain` or one of its subdomains.
    pub fn is_within(&self, domain: &str) -> bool {
        let name = self.name();
        name == domain
            || name
                .strip_suffix(domain)
                .is_some_and(|rest| rest.ends_with('.'))
    }
}

/// Longest DNS name (RFC 1035 section 2.3.4), without the trailing dot.
const MAX_NAME_LEN: usize = 253;
/// Longest DNS label.
const MAX_LABEL_LEN: usize = 63;

/// Checks a host as the URL parser gives it (lower-case, punycode, no port): an IP
/// literal, or a DNS name of letter-digit-hyphen labels (RFC 1123 section 2.1; `_` is
/// allowed, some real servers' names carry it), each 1 to 63 bytes, not starting or
/// ending with a hyphen, 253 bytes in all. IDNA is the URL parser's (UTS 46): a
/// punycode label it could not decode has been refused already.
fn check_name(host: &str) -> Result<(), &'static str> {
    if host.starts_with('[') || host.parse::<std::net::Ipv4Addr>().is_ok() {
        return Ok(());
    }
    let name = host.strip_suffix('.').unwrap_or(host);
    if name.len() > MAX_NAME_LEN {
        return Err("it is longer than 253 characters");
    }
    for label in name.split('.') {
        if label.is_empty() {
            return Err("it has an empty label (two dots in a row, or a leading dot)");
        }
        if label.len() > MAX_LABEL_LEN {
            return Err("a label is longer than 63 characters");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err("a label starts or ends with a hyphen");
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err("a label holds characters other than letters, digits and hyphens");
        }
    }
    Ok(())
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Host {
    type Error = CoreError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Host> for String {
    fn from(value: Host) -> Self {
        value.0
    }
}

impl AsRef<str> for Host {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Option<&str>) {
        let got = Host::parse(input).ok();
        assert_eq!(got.as_ref().map(Host::as_str), expected, "input {input:?}");
    }

    #[test]
    fn parses_and_normalises() {
        check("Mastodon.Social", Some("mastodon.social"));
        check("mastodon.social.", Some("mastodon.social"));
        check("bücher.example", Some("xn--bcher-kva.example"));
        check("example.org:443", Some("example.org"));
        check("example.org:8443", Some("example.org:8443"));
        check("", None);
        check("a/b", None);
        check("user@example.org", None);
        check("exa mple.org", None);
        check("[::1]:8443", Some("[::1]:8443"));
        check("127.0.0.1:3000", Some("127.0.0.1:3000"));
        check("under_score.example", Some("under_score.example"));
    }

    #[test]
    fn refuses_names_that_are_not_dns_names() {
        for bad in [
            "a..b",
            ".example",
            "-bad-.example",
            "bad-.example",
            "-bad.example",
            "ex%41mple.com",
            "exa%2emple.com",
            "a\\b.example",
            &format!("{}.example", "a".repeat(64)),
            &format!("{}example", "abcdefghi.".repeat(25)),
            "xn--a.example",
            "a!b.example",
        ] {
            check(bad, None);
        }
        check(
            &format!("{}.example", "a".repeat(63)),
            Some(&format!("{}.example", "a".repeat(63))),
        );
        for url in ["https://a..b/users/x", "https://-bad-.example/users/x"] {
            let url = Url::parse(url).ok();
            assert_eq!(url.as_ref().and_then(Host::from_url), None, "{url:?}");
        }
    }

    #[test]
    fn name_and_within() {
        let host = Host::parse("www.threads.net:8443").ok();
        assert_eq!(host.as_ref().map(Host::name), Some("www.threads.net"));
        assert!(host.as_ref().is_some_and(|h| h.is_within("threads.net")));
        let other = Host::parse("notthreads.net").ok();
        assert!(!other.is_some_and(|h| h.is_within("threads.net")));
    }
}
