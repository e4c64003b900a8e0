//! Unknown is not zero: for each post and each counted kind, whether the count was
//! itemised (every engagement listed), only reported by the origin (`totalItems`,
//! `favourites_count`...), or unavailable, and why. A kind that is unavailable is shown as
//! "n/a" with its reason, never as 0.

use serde::{Deserialize, Serialize};

use crate::EngagementKind;

/// Why a kind of engagement of a post could not be counted at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unavailable {
    /// The origin's software lists it nowhere and reports no count.
    NotExposed,
    /// The origin serves it only to a client with a token (an owned brand's).
    NeedsToken,
    /// The origin refused (401/403 to a signed request, a disabled API).
    Refused,
    /// The origin's robots.txt disallows the documents that carry it.
    RobotsTxt,
}

impl Unavailable {
    pub const ALL: [Self; 4] = [
        Self::NotExposed,
        Self::NeedsToken,
        Self::Refused,
        Self::RobotsTxt,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotExposed => "not_exposed",
            Self::NeedsToken => "needs_token",
            Self::Refused => "refused",
            Self::RobotsTxt => "robots_txt",
        }
    }

    /// A few words for people ("n/a: needs a token").
    pub fn describe(self) -> &'static str {
        match self {
            Self::NotExposed => "not exposed by the server software",
            Self::NeedsToken => "needs the brand owner's token",
            Self::Refused => "refused by the server",
            Self::RobotsTxt => "disallowed by robots.txt",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|u| u.as_str() == s)
    }
}

/// How the count of one kind of engagement of one post is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Coverage {
    /// Every engagement of the kind was listed (its count is what was itemised).
    Itemised,
    /// Only a count reported by the origin.
    Reported,
    /// Neither: the count is unknown, for this reason.
    Unavailable(Unavailable),
}

impl Coverage {
    /// `itemised`, `reported` or `unavailable`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Itemised => "itemised",
            Self::Reported => "reported",
            Self::Unavailable(_) => "unavailable",
        }
    }

    pub fn reason(self) -> Option<Unavailable> {
        match self {
            Self::Unavailable(why) => Some(why),
            _ => None,
        }
    }

    pub fn is_unavailable(self) -> bool {
        matches!(self, Self::Unavailable(_))
    }

    /// One word for storage: `itemised`, `reported` or `unavailable:REASON`.
    pub fn code(self) -> String {
        match self {
            Self::Unavailable(why) => format!("unavailable:{}", why.as_str()),
            other => other.as_str().to_owned(),
        }
    }

    /// The inverse of [`Self::code`]; `None` for anything else.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "itemised" => Some(Self::Itemised),
            "reported" => Some(Self::Reported),
            _ => code
                .strip_prefix("unavailable:")
                .and_then(Unavailable::parse)
                .map(Self::Unavailable),
        }
    }
}

impl Serialize for Coverage {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.code())
    }
}

impl<'de> Deserialize<'de> for Coverage {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Self::from_code(&code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown coverage `{code}`")))
    }
}

/// The coverage of the four counted kinds of one post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PostCoverage {
    pub replies: Coverage,
    pub boosts: Coverage,
    pub likes: Coverage,
    pub quotes: Coverage,
}

impl PostCoverage {
    /// The kinds counted in a post's figures, in report order.
    pub const KINDS: [EngagementKind; 4] = [
        EngagementKind::Reply,
        EngagementKind::Boost,
        EngagementKind::Like,
        EngagementKind::Quote,
    ];

    /// The same coverage for every kind.
    pub fn all(coverage: Coverage) -> Self {
        Self {
            replies: coverage,
            boosts: coverage,
            likes: coverage,
            quotes: coverage,
        }
    }

    /// The coverage of `kind`; thread replies share the replies'.
    pub fn of(&self, kind: EngagementKind) -> Coverage {
        match kind {
            EngagementKind::Reply | EngagementKind::ThreadReply => self.replies,
            EngagementKind::Boost => self.boosts,
            EngagementKind::Like => self.likes,
            EngagementKind::Quote => self.quotes,
        }
    }

    pub fn set(&mut self, kind: EngagementKind, coverage: Coverage) {
        match kind {
            EngagementKind::Reply | EngagementKind::ThreadReply => self.replies = coverage,
            EngagementKind::Boost => self.boosts = coverage,
            EngagementKind::Like => self.likes = coverage,
            EngagementKind::Quote => self.quotes = coverage,
        }
    }

    /// The kinds whose count is unknown.
    pub fn unavailable(&self) -> impl Iterator<Item = (EngagementKind, Unavailable)> + '_ {
        Self::KINDS
            .into_iter()
            .filter_map(|kind| Some((kind, self.of(kind).reason()?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_junk_is_refused() {
        let mut every = vec![Coverage::Itemised, Coverage::Reported];
        every.extend(Unavailable::ALL.map(Coverage::Unavailable));
        for coverage in every {
            assert_eq!(Coverage::from_code(&coverage.code()), Some(coverage));
        }
        assert_eq!(Coverage::from_code("unavailable:"), None);
        assert_eq!(Coverage::from_code("unavailable"), None);
        assert_eq!(Coverage::from_code("ITEMISED"), None);
    }

    #[test]
    fn thread_replies_share_the_replies_coverage() {
        let mut coverage = PostCoverage::all(Coverage::Itemised);
        coverage.set(
            EngagementKind::Like,
            Coverage::Unavailable(Unavailable::NeedsToken),
        );
        assert_eq!(coverage.of(EngagementKind::ThreadReply), Coverage::Itemised);
        assert_eq!(
            coverage.unavailable().collect::<Vec<_>>(),
            [(EngagementKind::Like, Unavailable::NeedsToken)]
        );
    }
}
