//! World sizes.

use std::{fmt, str::FromStr};

use crate::FakeverseError;

/// How big a world is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scale {
    /// The demo: tens of instances, a few thousand engagements.
    Small,
    /// Hundreds of instances, tens of thousands of engagements.
    Medium,
    /// Thousands of instances, about a million engagements.
    Large,
}

/// The knobs a scale turns.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ScaleParams {
    /// Instances beside the fixed ones (brand homes, threads.net, misbehaving hosts).
    pub extra_instances: u32,
    /// Hosts of each misbehaving kind.
    pub per_quirk: u32,
    /// Mean actors per instance.
    pub mean_actors: f64,
    /// Posts per brand actor over the whole generated span.
    pub posts_per_actor: u32,
    /// Mean engagements per post (thread replies excluded).
    pub mean_engagements: f64,
}

impl Scale {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Small => "small",
            Self::Medium => "medium",
            Self::Large => "large",
        }
    }

    pub(crate) fn params(self) -> ScaleParams {
        match self {
            Self::Small => ScaleParams {
                extra_instances: 12,
                per_quirk: 1,
                mean_actors: 12.0,
                posts_per_actor: 24,
                mean_engagements: 30.0,
            },
            Self::Medium => ScaleParams {
                extra_instances: 260,
                per_quirk: 2,
                mean_actors: 40.0,
                posts_per_actor: 110,
                mean_engagements: 85.0,
            },
            Self::Large => ScaleParams {
                extra_instances: 2_900,
                per_quirk: 5,
                mean_actors: 60.0,
                posts_per_actor: 400,
                mean_engagements: 800.0,
            },
        }
    }
}

impl fmt::Display for Scale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scale {
    type Err = FakeverseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "small" => Ok(Self::Small),
            "medium" => Ok(Self::Medium),
            "large" => Ok(Self::Large),
            other => Err(FakeverseError::UnknownScale(other.to_owned())),
        }
    }
}
