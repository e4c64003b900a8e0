//! An actor as a user names it on the command line: a handle or an actor URL.

use std::fmt;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::{CoreError, Host};

/// What the actor reference parser accepts beyond the secure default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ActorRefOptions {
    /// Accept `http://` actor URLs (config `network.allow_http`).
    pub allow_http: bool,
}

/// A tracked actor as given: `@user@domain` / `user@domain` (resolved later through
/// WebFinger) or an actor URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ActorRef {
    /// `user@domain`, with the domain IDNA-normalised.
    Handle { user: String, domain: Host },
    /// An actor id, with its instance.
    Url { url: Url, host: Host },
}

/// Longest reference accepted; real actor URLs are far shorter.
const MAX_REF_LEN: usize = 2048;
/// Longest user part of a handle; Mastodon allows 30, other softwares a little more.
const MAX_USER_LEN: usize = 128;

impl ActorRef {
    /// Parses a handle or an actor URL, refusing anything else with a message that shows
    /// the accepted forms.
    pub fn parse(input: &str, options: ActorRefOptions) -> Result<Self, CoreError> {
        let err = |reason: &str| CoreError::ActorRef {
            input: input.to_owned(),
            reason: reason.to_owned(),
        };
        let text = input.trim();
        if text.is_empty() {
            return Err(err("it is empty"));
        }
        if text.len() > MAX_REF_LEN {
            return Err(err("it is too long"));
        }
        if let Some((scheme, _)) = text.split_once("://") {
            return Self::parse_url(text, scheme, options).map_err(|reason| err(&reason));
        }
        let handle = text.strip_prefix("acct:").unwrap_or(text);
        let handle = handle.strip_prefix('@').unwrap_or(handle);
        let Some((user, domain)) = handle.split_once('@') else {
            return Err(err("a handle needs a user and a domain"));
        };
        if user.is_empty() || user.len() > MAX_USER_LEN {
            return Err(err("the user part is empty or too long"));
        }
        if !user
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '~'))
        {
            return Err(err("the user part may hold only letters, digits, _ . - ~"));
        }
        let domain = Host::parse(domain).map_err(|e| match e {
            CoreError::Host { reason, .. } => {
                err(&format!("the domain is not a host name: {reason}"))
            }
            _ => err("the domain is not a host name"),
        })?;
        if !domain.name().contains('.') && !domain.name().starts_with('[') {
            return Err(err("the domain has no dot"));
        }
        Ok(Self::Handle {
            user: user.to_owned(),
            domain,
        })
    }

    fn parse_url(text: &str, scheme: &str, options: ActorRefOptions) -> Result<Self, String> {
        match scheme.to_ascii_lowercase().as_str() {
            "https" => {}
            "http" if options.allow_http => {}
            "http" => return Err("http:// ids are refused unless network.allow_http is set".into()),
            other => return Err(format!("the scheme `{other}` is not https")),
        }
        // The URL parser decodes percent escapes in the host (`ex%41mple.com` becomes
        // `example.com`): refuse them, so the instance stored is the one typed.
        let authority = text.split_once("://").map_or("", |(_, rest)| {
            rest.split(['/', '?', '#']).next().unwrap_or("")
        });
        if authority.contains('%') {
            return Err("the host has percent escapes".into());
        }
        let url = Url::parse(text).map_err(|e| format!("it is not a URL ({e})"))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err("an actor URL carries no user name or password".into());
        }
        let host = Host::from_url(&url).ok_or("the URL has no host")?;
        Ok(Self::Url { url, host })
    }

    /// The instance named by the reference: the handle's domain or the URL's host.
    pub fn host(&self) -> Host {
        match self {
            Self::Handle { domain, .. } => domain.clone(),
            Self::Url { host, .. } => host.clone(),
        }
    }
}

impl fmt::Display for ActorRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Handle { user, domain } => write!(f, "@{user}@{domain}"),
            Self::Url { url, .. } => f.write_str(url.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, allow_http: bool, expected: Option<&str>) {
        let got = ActorRef::parse(input, ActorRefOptions { allow_http })
            .ok()
            .map(|r| r.to_string());
        assert_eq!(got.as_deref(), expected, "input {input:?}");
    }

    #[test]
    fn accepted_forms() {
        check("@alice@example.org", false, Some("@alice@example.org"));
        check("alice@Example.ORG", false, Some("@alice@example.org"));
        check(
            " acct:alice@example.org ",
            false,
            Some("@alice@example.org"),
        );
        check(
            "@bob@bücher.example",
            false,
            Some("@bob@xn--bcher-kva.example"),
        );
        check(
            "@bob_1.x-y@host.example:8443",
            false,
            Some("@bob_1.x-y@host.example:8443"),
        );
        check(
            "https://mastodon.social/users/Gargron",
            false,
            Some("https://mastodon.social/users/Gargron"),
        );
        check(
            "https://Tube.Example/video-channels/news",
            false,
            Some("https://tube.example/video-channels/news"),
        );
        check(
            "http://localhost:3000/users/a",
            true,
            Some("http://localhost:3000/users/a"),
        );
    }

    #[test]
    fn refused_forms() {
        check("", false, None);
        check("alice", false, None);
        check("@alice", false, None);
        check("@@example.org", false, None);
        check("@alice@", false, None);
        check("@al ice@example.org", false, None);
        check("@alice@localhost", false, None);
        check("@alice@exa/mple.org", false, None);
        check("@x@a..b", false, None);
        check("@x@.example", false, None);
        check("@x@-bad-.example", false, None);
        check("@x@ex%41mple.com", false, None);
        check("https://ex%41mple.com/users/x", false, None);
        check("<script>@example.org", false, None);
        check("http://example.org/users/a", false, None);
        check("ftp://example.org/users/a", false, None);
        check("https://user:pw@example.org/users/a", false, None);
        check("https://", false, None);
        check(
            &format!("https://example.org/{}", "a".repeat(3000)),
            false,
            None,
        );
    }

    #[test]
    fn error_shows_accepted_forms() {
        let err = ActorRef::parse("nonsense", ActorRefOptions::default());
        let message = err.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("@user@domain"), "{message}");
        assert!(message.contains("https://"), "{message}");
    }
}
