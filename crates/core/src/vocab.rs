//! The closed vocabularies that cross crates and reach the database as words: who or
//! what a consent line counts and why, what kind of failure a host had, what started a
//! crawl. One enum each, written and read through its `snake_case` name (`as_ref()`,
//! `Display`, `FromStr` and serde all agree), so a word misspelt in one crate is a
//! compile error rather than a row no report matches.

use serde::{Deserialize, Serialize};
use strum::{AsRefStr, Display, EnumString, IntoStaticStr};

/// Declares a vocabulary: a fieldless enum written and read as its variants'
/// `snake_case` names by strum and serde alike.
macro_rules! words {
    ($(#[$meta:meta])* pub enum $name:ident { $($body:tt)* }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
            AsRefStr, IntoStaticStr, Display, EnumString,
        )]
        #[serde(rename_all = "snake_case")]
        #[strum(serialize_all = "snake_case")]
        pub enum $name { $($body)* }
    };
}

words! {
    /// What a consent line counts.
    pub enum ConsentSubject {
        /// An engager, anonymised (its opt-out signals).
        Engager,
        /// A post or object, left out (410 Gone).
        Post,
        /// A whole host, left out (robots.txt, refusals, denylist, forgotten, 410).
        Host,
        /// One route of a host that was read by another route.
        Route,
    }
}

words! {
    /// What was done about the subject.
    pub enum ConsentAction {
        LeftOut,
        Anonymised,
        /// A route refused (the host was read by another).
        Refused,
        /// An owned brand's own client went where robots.txt bars crawlers (BRIEF
        /// section 3).
        ClientAccess,
    }
}

words! {
    /// Why: the signal or answer that led to the action.
    pub enum ConsentReason {
        /// The host's robots.txt disallows the crawler.
        RobotsTxt,
        /// `410 Gone`: the object or the whole host.
        #[serde(rename = "gone_410")]
        #[strum(serialize = "gone_410")]
        Gone410,
        /// 401/403 to an unsigned fetch (authorized fetch).
        AuthorizedFetch,
        /// 401/403 even to a signed fetch.
        RefusedSignedFetch,
        /// The operator forgot the host (`forget`).
        Forgotten,
        /// The operator's denylist.
        Denylist,
        /// Read with the brand owner's token (`client_access`).
        OwnerToken,
        /// The actor states no `indexable`.
        IndexableMissing,
        /// `indexable: false`.
        NotIndexable,
        /// `discoverable: false`.
        NotDiscoverable,
        /// `noindex: true`.
        Noindex,
        /// An opt-out hashtag (`#nobot`, `#noindex`...) in the bio or profile tags.
        BioHashtag,
    }
}

words! {
    /// Which way a host was read: its ActivityPub documents or its client API.
    pub enum Route {
        Activitypub,
        Api,
    }
}

words! {
    /// What went wrong with a host (a crawl with any exits 3).
    pub enum FailureKind {
        /// No connection (DNS, refused, reset, TLS).
        Unreachable,
        /// Still rate-limited after the retries.
        RateLimited,
        /// An address the guard refuses (private, loopback without leave).
        Unsafe,
        /// Served more than a cap allows (bytes, items, pages, requests, time).
        OverLimit,
        /// An HTTP status that is neither success nor a refusal.
        HttpStatus,
        /// Any other transport error (timeouts, a body cut short).
        Transport,
        /// A document that does not parse.
        Malformed,
        /// robots.txt could not be read (5xx, unreachable): the host is not crawled.
        RobotsUnavailable,
    }
}

words! {
    /// What started a crawl.
    #[derive(Default)]
    pub enum CrawlTrigger {
        /// `fedireach crawl` or `demo`.
        #[default]
        Manual,
        /// `serve`'s schedule.
        Schedule,
        /// A job queued by someone (the dashboard, `crawl --queue`) and claimed.
        Job,
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    /// The words stored in the database and shown in reports, each read back.
    #[test]
    fn each_word_is_the_one_stored_and_reads_back() {
        let words = [
            (ConsentReason::Gone410.as_ref(), "gone_410"),
            (ConsentReason::RobotsTxt.as_ref(), "robots_txt"),
            (ConsentReason::Noindex.as_ref(), "noindex"),
            (ConsentAction::LeftOut.as_ref(), "left_out"),
            (ConsentAction::ClientAccess.as_ref(), "client_access"),
            (ConsentSubject::Engager.as_ref(), "engager"),
            (
                FailureKind::RobotsUnavailable.as_ref(),
                "robots_unavailable",
            ),
            (FailureKind::HttpStatus.as_ref(), "http_status"),
            (CrawlTrigger::Schedule.as_ref(), "schedule"),
            (Route::Activitypub.as_ref(), "activitypub"),
        ];
        for (got, word) in words {
            assert_eq!(got, word);
        }
        assert_eq!(
            ConsentReason::from_str("gone_410"),
            Ok(ConsentReason::Gone410)
        );
        assert!(ConsentReason::from_str("gone410").is_err());
        assert_eq!(
            serde_json::to_string(&ConsentReason::Gone410)
                .ok()
                .as_deref(),
            Some("\"gone_410\"")
        );
    }
}
