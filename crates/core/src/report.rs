//! The rows of the `reach`, `posts` and `instances` reports: computed by the analytics
//! from the store and predicted by the simulated fediverse's ground truth, so both
//! serialise through these types and compare equal byte for byte.
//!
//! Every figure excludes self-engagement (engagements by the brand's own tracked actors).
//! "Engagements" are replies + boosts + likes + quotes; thread replies are shown apart.
//! Unique engagers and unique instances count the actors and hosts of every kind,
//! thread replies included.

use serde::{Deserialize, Serialize};

/// A row's engagements by kind, in report order: the one definition of these columns.
/// Rows hold it `#[serde(flatten)]`, so JSON keeps the plain field names and CSV the
/// same headers ([`Self::FIELDS`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindCounts {
    pub replies: u64,
    pub thread_replies: u64,
    pub boosts: u64,
    pub likes: u64,
    pub quotes: u64,
    /// Replies + boosts + likes + quotes: thread replies are shown apart.
    pub engagements: u64,
}

impl KindCounts {
    /// The field names, in order: the JSON keys and the CSV headers.
    pub const FIELDS: [&'static str; 6] = [
        "replies",
        "thread_replies",
        "boosts",
        "likes",
        "quotes",
        "engagements",
    ];

    /// The counts of each kind, with `engagements` their sum (thread replies apart).
    pub fn new(replies: u64, thread_replies: u64, boosts: u64, likes: u64, quotes: u64) -> Self {
        Self {
            replies,
            thread_replies,
            boosts,
            likes,
            quotes,
            engagements: replies + boosts + likes + quotes,
        }
    }

    /// The counts in [`Self::FIELDS`] order.
    pub fn columns(&self) -> [u64; 6] {
        [
            self.replies,
            self.thread_replies,
            self.boosts,
            self.likes,
            self.quotes,
            self.engagements,
        ]
    }

    /// The counts of each kind (replies, thread replies, boosts, likes, quotes), without
    /// their sum.
    pub fn by_kind(&self) -> [u64; 5] {
        [
            self.replies,
            self.thread_replies,
            self.boosts,
            self.likes,
            self.quotes,
        ]
    }

    /// Counts one engagement of `kind` (and in `engagements`, unless a thread reply).
    pub fn record(&mut self, kind: crate::EngagementKind) {
        use crate::EngagementKind as K;
        match kind {
            K::Reply => self.replies += 1,
            K::ThreadReply => self.thread_replies += 1,
            K::Boost => self.boosts += 1,
            K::Like => self.likes += 1,
            K::Quote => self.quotes += 1,
        }
        if kind.counts_as_engagement() {
            self.engagements += 1;
        }
    }

    /// The count of one kind.
    pub fn get(&self, kind: crate::EngagementKind) -> u64 {
        use crate::EngagementKind as K;
        match kind {
            K::Reply => self.replies,
            K::ThreadReply => self.thread_replies,
            K::Boost => self.boosts,
            K::Like => self.likes,
            K::Quote => self.quotes,
        }
    }

    /// Adds another row's counts to these.
    pub fn add(&mut self, other: &Self) {
        self.replies += other.replies;
        self.thread_replies += other.thread_replies;
        self.boosts += other.boosts;
        self.likes += other.likes;
        self.quotes += other.quotes;
        self.engagements += other.engagements;
    }
}

/// How far a group of engagers reaches: the columns a reach row has after its counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ReachFigures {
    pub unique_engagers: u64,
    pub unique_instances: u64,
    /// Sum of the follower counts of the unique engagers who boosted.
    pub potential_reach: u64,
    /// This group's engagements / all engagements, in %, see [`pct_2dp`].
    pub share_pct: f64,
}

impl ReachFigures {
    /// The field names, in order: the JSON keys and the CSV headers.
    pub const FIELDS: [&'static str; 4] = [
        "unique_engagers",
        "unique_instances",
        "potential_reach",
        "share_pct",
    ];
}

/// `report reach`: one row per server software, sorted by engagements descending, then
/// software.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReachReport {
    pub brand: String,
    /// First day of the window (YYYY-MM-DD), `null` for all time.
    pub from: Option<String>,
    /// Last day of the window (inclusive), `null` for all time.
    pub to: Option<String>,
    pub rows: Vec<ReachRow>,
}

/// Reach of a brand on one server software.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReachRow {
    pub software: String,
    pub family: String,
    #[serde(flatten)]
    pub counts: KindCounts,
    #[serde(flatten)]
    pub reach: ReachFigures,
    /// Of the brand's posts in the window, how many have each kind unavailable: this
    /// row's count of that kind leaves them out (unknown, not 0).
    #[serde(default)]
    pub unavailable_posts: UnavailablePosts,
}

/// How many of the posts behind a row had each counted kind unavailable (see
/// [`crate::Coverage`]): the row's count of that kind is a floor that leaves them out.
/// Posts crawled before coverage was recorded count as known.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnavailablePosts {
    pub replies: u64,
    pub boosts: u64,
    pub likes: u64,
    pub quotes: u64,
}

impl UnavailablePosts {
    /// The kinds in report order, with their JSON names.
    pub const KINDS: [&'static str; 4] = ["replies", "boosts", "likes", "quotes"];

    /// Counts each unavailable kind of `coverage`.
    pub fn add(&mut self, coverage: &crate::PostCoverage) {
        for (n, c) in [
            (&mut self.replies, coverage.replies),
            (&mut self.boosts, coverage.boosts),
            (&mut self.likes, coverage.likes),
            (&mut self.quotes, coverage.quotes),
        ] {
            *n += u64::from(c.is_unavailable());
        }
    }

    /// Counts each kind a report's coverage row has unavailable (the same as
    /// [`Self::add`], from the row's words rather than the stored codes).
    pub fn add_row(&mut self, row: &CoverageRow) {
        for (n, kind) in [
            (&mut self.replies, "replies"),
            (&mut self.boosts, "boosts"),
            (&mut self.likes, "likes"),
            (&mut self.quotes, "quotes"),
        ] {
            *n += u64::from(row.unavailable.contains_key(kind));
        }
    }

    /// The count for a kind named as in [`Self::KINDS`]; 0 for any other name.
    pub fn of(&self, kind: &str) -> u64 {
        match kind {
            "replies" => self.replies,
            "boosts" => self.boosts,
            "likes" => self.likes,
            "quotes" => self.quotes,
            _ => 0,
        }
    }

    /// Whether any kind of any post was unavailable.
    pub fn any(&self) -> bool {
        Self::KINDS.iter().any(|k| self.of(k) > 0)
    }

    /// A sentence saying what counts over these posts leave out, or `None` when they
    /// leave nothing out: "Unknown, so not in these counts: the quotes of 12 posts.".
    pub fn note(&self) -> Option<String> {
        let parts: Vec<String> = Self::KINDS
            .iter()
            .filter(|k| self.of(k) > 0)
            .map(|k| {
                let n = self.of(k);
                format!("the {k} of {n} post{}", if n == 1 { "" } else { "s" })
            })
            .collect();
        (!parts.is_empty()).then(|| {
            format!(
                "Unknown, so not in these counts: {} (each post's coverage says why).",
                parts.join(", ")
            )
        })
    }

    /// The counts of the kinds in [`Self::KINDS`] order, as CSV cells.
    pub fn cells(&self) -> [String; 4] {
        Self::KINDS.map(|k| self.of(k).to_string())
    }
}

impl<'a> FromIterator<&'a crate::PostCoverage> for UnavailablePosts {
    fn from_iter<I: IntoIterator<Item = &'a crate::PostCoverage>>(iter: I) -> Self {
        let mut out = Self::default();
        for coverage in iter {
            out.add(coverage);
        }
        out
    }
}

/// `report posts`: one row per brand post, sorted by publication time, then uri.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostsReport {
    pub brand: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub rows: Vec<PostRow>,
}

/// One brand post with its itemised and reported engagements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostRow {
    pub uri: String,
    /// The tracked actor that wrote it, as its actor id.
    pub actor: String,
    /// RFC 3339, UTC, whole seconds (`2026-08-01T12:00:00Z`).
    pub published: String,
    #[serde(flatten)]
    pub counts: KindCounts,
    /// What the origin server reported, where it reported anything.
    pub reported: ReportedCounts,
    /// The author's follower count at the crawl closest to publication.
    pub followers: Option<u64>,
    /// engagements / followers, rounded half away from zero to 4 decimals.
    pub engagement_rate: Option<f64>,
    /// Engagements from other instances than the author's / all engagements, in %.
    pub cross_server_share_pct: f64,
    /// The softwares of the engaging instances, sorted.
    pub softwares: Vec<String>,
    /// How each kind's count is known; `null` for a post crawled before it was recorded.
    #[serde(default)]
    pub coverage: Option<CoverageRow>,
}

/// A post's coverage as reports show it: per kind `itemised`, `reported` or
/// `unavailable`, and for each unavailable kind why (`not_exposed`, `needs_token`,
/// `refused`, `robots_txt`). An unavailable kind's count is unknown, not 0.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageRow {
    pub replies: String,
    pub boosts: String,
    pub likes: String,
    pub quotes: String,
    /// Kind (`replies`, `boosts`, `likes`, `quotes`) -> why it is unavailable.
    pub unavailable: std::collections::BTreeMap<String, String>,
}

impl From<crate::PostCoverage> for CoverageRow {
    fn from(c: crate::PostCoverage) -> Self {
        let unavailable = [
            ("replies", c.replies),
            ("boosts", c.boosts),
            ("likes", c.likes),
            ("quotes", c.quotes),
        ]
        .into_iter()
        .filter_map(|(kind, cov)| Some((kind.to_owned(), cov.reason()?.as_str().to_owned())))
        .collect();
        Self {
            replies: c.replies.as_str().to_owned(),
            boosts: c.boosts.as_str().to_owned(),
            likes: c.likes.as_str().to_owned(),
            quotes: c.quotes.as_str().to_owned(),
            unavailable,
        }
    }
}

impl CoverageRow {
    /// One kind's coverage in a word: `itemised`, `reported` or `unavailable: REASON`.
    pub fn describe(&self, kind: &str) -> String {
        let state = match kind {
            "replies" => &self.replies,
            "boosts" => &self.boosts,
            "likes" => &self.likes,
            _ => &self.quotes,
        };
        match self.unavailable.get(kind) {
            Some(why) => format!("{state}: {why}"),
            None => state.clone(),
        }
    }
}

impl crate::PostCoverage {
    /// One cell for columnar copies: the four codes, comma-separated.
    pub fn to_cell(&self) -> String {
        [self.replies, self.boosts, self.likes, self.quotes]
            .map(crate::Coverage::code)
            .join(",")
    }

    /// The inverse of [`Self::to_cell`]; `None` for anything else.
    pub fn from_cell(cell: &str) -> Option<Self> {
        let mut codes = cell.split(',').map(crate::Coverage::from_code);
        let coverage = Self {
            replies: codes.next()??,
            boosts: codes.next()??,
            likes: codes.next()??,
            quotes: codes.next()??,
        };
        codes.next().is_none().then_some(coverage)
    }
}

/// Counts a post's origin server reported (`totalItems`, `favourites_count`...).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportedCounts {
    pub replies: Option<u64>,
    pub boosts: Option<u64>,
    pub likes: Option<u64>,
    pub quotes: Option<u64>,
}

/// `report instances`: one row per engaging instance, sorted by engagements descending,
/// then host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstancesReport {
    pub brand: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub rows: Vec<InstanceRow>,
}

/// A brand's engagement from one instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstanceRow {
    pub host: String,
    pub software: String,
    pub family: String,
    #[serde(flatten)]
    pub counts: KindCounts,
    pub unique_engagers: u64,
    /// NodeInfo `usage.users.activeMonth`, where the instance published it.
    pub active_month: Option<u64>,
    /// unique engagers / monthly active users, in %, where both are known and the
    /// latter is not zero.
    pub penetration_pct: Option<f64>,
    /// Of the brand's posts in the window, how many have each kind unavailable.
    #[serde(default)]
    pub unavailable_posts: UnavailablePosts,
}

/// `num / den` rounded half away from zero to `decimals` decimals, computed on integers
/// so that every implementation gets the same float. `None` when `den` is zero.
pub fn round_half_away(num: u64, den: u64, decimals: u32) -> Option<f64> {
    if den == 0 {
        return None;
    }
    let scale = 10u128.pow(decimals);
    let (num, den) = (u128::from(num), u128::from(den));
    // floor((num * scale) / den + 1/2) for non-negative values is half away from zero.
    let scaled = (2 * num * scale + den) / (2 * den);
    // scaled and scale are far below 2^53 for any count this product sees.
    #[allow(clippy::cast_precision_loss)]
    let value = scaled as f64 / scale as f64;
    Some(value)
}

/// A share in %, rounded half away from zero to 2 decimals; 0 when `den` is zero.
pub fn pct_2dp(num: u64, den: u64) -> f64 {
    round_half_away(num.saturating_mul(100), den, 2).unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_half_away_from_zero() {
        for (num, den, decimals, expected) in [
            (1, 8, 2, Some(0.13)), // 0.125 -> 0.13
            (1, 3, 2, Some(0.33)),
            (2, 3, 2, Some(0.67)),
            (1005, 100_000, 4, Some(0.0101)), // 0.01005 -> 0.0101
            (0, 5, 2, Some(0.0)),
            (5, 0, 2, None),
        ] {
            assert_eq!(round_half_away(num, den, decimals), expected, "{num}/{den}");
        }
        assert_eq!(pct_2dp(1, 8), 12.5);
        assert_eq!(pct_2dp(1, 3), 33.33);
        assert_eq!(pct_2dp(2, 3), 66.67);
        assert_eq!(pct_2dp(1, 0), 0.0);
        assert_eq!(pct_2dp(1, 80_000), 0.0); // 0.00125 -> 0.00
        assert_eq!(pct_2dp(1, 40_000), 0.0); // 0.0025 -> 0.00
        assert_eq!(pct_2dp(1, 20_000), 0.01); // 0.005 -> 0.01
    }

    #[test]
    fn unavailable_posts_count_each_unavailable_kind_once_per_post() {
        use crate::{Coverage, PostCoverage, Unavailable};
        let peertube = PostCoverage {
            quotes: Coverage::Unavailable(Unavailable::NotExposed),
            ..PostCoverage::all(Coverage::Itemised)
        };
        let refused = PostCoverage {
            replies: Coverage::Reported,
            ..PostCoverage::all(Coverage::Unavailable(Unavailable::Refused))
        };
        let counted: UnavailablePosts = [peertube, peertube, refused].iter().collect();
        assert_eq!(
            counted,
            UnavailablePosts {
                replies: 0,
                boosts: 1,
                likes: 1,
                quotes: 3,
            }
        );
        assert!(counted.any());
        let mut from_rows = UnavailablePosts::default();
        for coverage in [peertube, peertube, refused] {
            from_rows.add_row(&CoverageRow::from(coverage));
        }
        assert_eq!(from_rows, counted, "the rows count as the codes do");
        assert_eq!(counted.cells(), ["0", "1", "1", "3"].map(String::from));
        assert!(!UnavailablePosts::default().any());
        assert_eq!(UnavailablePosts::default().note(), None);
        assert_eq!(
            counted.note().as_deref(),
            Some(
                "Unknown, so not in these counts: the boosts of 1 post, the likes of 1 post, \
                 the quotes of 3 posts (each post's coverage says why)."
            )
        );
    }
}
