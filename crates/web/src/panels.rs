//! The vocabulary of the dashboard files: the figures, charts and tables a panel can
//! name, each with its name in `dashboards/*.toml`, the report it draws and its term
//! on `/glossary`.

use serde::{Deserialize, Deserializer, Serialize, de::Error as _};

/// Reads one of `all`'s names, or fails with "unknown WHAT `x`: use one of ..." (the
/// dashboard file's error then points at the value's line).
fn named<'de, D: Deserializer<'de>, T: Copy>(
    deserializer: D,
    what: &str,
    all: &[(&'static str, T)],
) -> Result<T, D::Error> {
    let name = String::deserialize(deserializer)?;
    lookup(what, &name, all).map_err(D::Error::custom)
}

/// One of `all`'s names, or "unknown WHAT `x`: use one of ...".
pub(crate) fn lookup<T: Copy>(
    what: &str,
    name: &str,
    all: &[(&'static str, T)],
) -> Result<T, String> {
    all.iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| *v)
        .ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|(n, _)| *n).collect();
            format!("unknown {what} `{name}`: use one of {}", names.join(", "))
        })
}

/// A figure the overview and the key-figures panel can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    Engagements,
    UniqueEngagers,
    Instances,
    PotentialReach,
    CrossServerSharePct,
    FollowerGrowth,
}

impl Metric {
    pub(crate) const ALL: [(&'static str, Self); 6] = [
        ("engagements", Self::Engagements),
        ("unique_engagers", Self::UniqueEngagers),
        ("instances", Self::Instances),
        ("potential_reach", Self::PotentialReach),
        ("cross_server_share_pct", Self::CrossServerSharePct),
        ("follower_growth", Self::FollowerGrowth),
    ];
}

/// A chart the brand page can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChartName {
    ReachBySoftware,
    EngagementsOverTime,
    /// The same engagements dated by when they happened, where that is known.
    EngagementTimes,
    TopInstances,
    BestTime,
    FollowerGrowth,
}

impl<'de> Deserialize<'de> for ChartName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        named(deserializer, "chart", &Self::ALL)
    }
}

impl ChartName {
    pub const ALL: [(&'static str, Self); 6] = [
        ("reach-by-software", Self::ReachBySoftware),
        ("engagements-over-time", Self::EngagementsOverTime),
        ("engagement-times", Self::EngagementTimes),
        ("top-instances", Self::TopInstances),
        ("best-time", Self::BestTime),
        ("follower-growth", Self::FollowerGrowth),
    ];

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
    }

    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, c)| *c == self)
            .map_or("", |(n, _)| n)
    }

    /// Its term on `/glossary` (the anchor its panel links to).
    pub fn glossary(self) -> &'static str {
        match self {
            Self::ReachBySoftware => "engagements-by-software",
            Self::EngagementsOverTime => "window",
            Self::EngagementTimes => "window",
            Self::TopInstances => "instances",
            Self::BestTime => "best-time",
            Self::FollowerGrowth => "followers",
        }
    }

    /// The report the chart draws, downloadable as `/brands/NAME/reports/KIND.csv`.
    pub fn report(self) -> &'static str {
        match self {
            Self::ReachBySoftware => "reach",
            Self::EngagementsOverTime => "timeline",
            Self::EngagementTimes => "timeline-engaged",
            Self::TopInstances => "instances",
            Self::BestTime => "best-time",
            Self::FollowerGrowth => "followers",
        }
    }
}

/// A table the brand page can show (each also downloadable as CSV).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TableName {
    TopPosts,
    TopInstances,
    ReachBySoftware,
    ReachByFamily,
    Hashtags,
    /// The declared languages of the replies and quotes.
    Languages,
    /// Who engaged most, for owned brands (named only where allowed).
    TopEngagers,
    /// What the crawls in the window left out or anonymised, and why: counts only.
    Consent,
}

impl<'de> Deserialize<'de> for TableName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        named(deserializer, "table", &Self::ALL)
    }
}

impl TableName {
    /// Its term on `/glossary` (the anchor its panel links to).
    pub fn glossary(self) -> &'static str {
        match self {
            Self::TopPosts => "top-posts",
            Self::TopInstances => "penetration",
            Self::ReachBySoftware => "engagements-by-software",
            Self::ReachByFamily => "families",
            Self::Hashtags => "hashtags",
            Self::Languages => "languages",
            Self::TopEngagers => "top-engagers",
            Self::Consent => "consent",
        }
    }

    pub(crate) const ALL: [(&'static str, Self); 8] = [
        ("top-posts", Self::TopPosts),
        ("top-instances", Self::TopInstances),
        ("reach-by-software", Self::ReachBySoftware),
        ("reach-by-family", Self::ReachByFamily),
        ("hashtags", Self::Hashtags),
        ("languages", Self::Languages),
        ("top-engagers", Self::TopEngagers),
        ("consent", Self::Consent),
    ];
}

/// The `type` of a panel in a dashboard file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PanelType {
    Figures,
    Chart,
    Table,
    Brands,
}

impl PanelType {
    pub(crate) const ALL: [(&'static str, Self); 4] = [
        ("figures", Self::Figures),
        ("chart", Self::Chart),
        ("table", Self::Table),
        ("brands", Self::Brands),
    ];

    pub(crate) fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, t)| *t == self)
            .map_or("", |(n, _)| n)
    }
}

impl<'de> Deserialize<'de> for PanelType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        named(deserializer, "panel type", &Self::ALL)
    }
}

/// One panel of a page, as the templates see it (`panel.type` picks the markup).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Panel {
    Figures {
        title: String,
        metrics: Vec<Metric>,
    },
    Chart {
        title: String,
        chart: ChartName,
    },
    Table {
        title: String,
        table: TableName,
        limit: usize,
    },
    Brands {
        title: String,
        metrics: Vec<Metric>,
    },
}
