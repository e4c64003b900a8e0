//! The reports of a brand the dashboard serves: JSON at `/api/v1/brands/{name}/KIND`
//! and CSV at `/brands/{name}/reports/KIND.csv`, each from the window's figures or,
//! with `previous=`, beside its previous period. One name and one dispatch for each.

use std::sync::Arc;

use fedireach_analytics::{Analytics, Format, Granularity, TimelineBasis, Window, render};

use crate::{BrandFigures, WebError, compared::rendered};

/// A report of one brand over a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrandReport {
    Reach,
    ReachByFamily,
    Posts,
    Instances,
    Timeline,
    TimelineEngaged,
    BestTime,
    Hashtags,
    Languages,
    Followers,
    Consent,
}

impl BrandReport {
    /// Every report, in the order the API lists them.
    pub const ALL: [Self; 11] = [
        Self::Reach,
        Self::ReachByFamily,
        Self::Posts,
        Self::Instances,
        Self::Timeline,
        Self::TimelineEngaged,
        Self::BestTime,
        Self::Hashtags,
        Self::Languages,
        Self::Followers,
        Self::Consent,
    ];

    /// Its name in URLs (the `report KIND` name where there is one).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reach => "reach",
            Self::ReachByFamily => "reach-by-family",
            Self::Posts => "posts",
            Self::Instances => "instances",
            Self::Timeline => "timeline",
            Self::TimelineEngaged => "timeline-engaged",
            Self::BestTime => "best-time",
            Self::Hashtags => "hashtags",
            Self::Languages => "languages",
            Self::Followers => "followers",
            Self::Consent => "consent",
        }
    }

    /// The report named `name` in a URL, if there is one.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The report as the window's figures hold it, in `format` (the bytes `report KIND
    /// --format FORMAT` writes).
    pub(crate) fn render(self, f: &BrandFigures, format: Format) -> Result<Vec<u8>, WebError> {
        let mut out = Vec::new();
        match self {
            Self::Reach => render(&f.reach, format, &mut out),
            Self::ReachByFamily => render(&f.family, format, &mut out),
            Self::Posts => render(&f.posts, format, &mut out),
            Self::Instances => render(&f.instances, format, &mut out),
            Self::Timeline => render(&f.timeline, format, &mut out),
            Self::TimelineEngaged => render(&f.timeline_engaged, format, &mut out),
            Self::BestTime => render(&f.best_time, format, &mut out),
            Self::Hashtags => render(&f.hashtags, format, &mut out),
            Self::Languages => render(&f.languages, format, &mut out),
            Self::Followers => render(&f.followers, format, &mut out),
            Self::Consent => render(&f.consent, format, &mut out),
        }?;
        Ok(out)
    }

    /// The report of `brand` over `window` beside its previous period, in `format`.
    /// CPU-bound (polars): run it in `spawn_blocking`.
    pub(crate) fn compared(
        self,
        analytics: &Arc<Analytics>,
        brand: &str,
        window: &Window,
        granularity: Granularity,
        format: Format,
    ) -> Result<Vec<u8>, WebError> {
        let a = analytics;
        match self {
            Self::Reach => rendered(window, format, |w| a.reach(brand, w)),
            Self::ReachByFamily => rendered(window, format, |w| a.reach_by_family(brand, w)),
            Self::Posts => rendered(window, format, |w| a.posts(brand, w)),
            Self::Instances => rendered(window, format, |w| a.instances(brand, w)),
            Self::Timeline => rendered(window, format, |w| a.timeline(brand, w, granularity)),
            Self::TimelineEngaged => rendered(window, format, |w| {
                a.timeline_by(brand, w, granularity, TimelineBasis::Engaged)
            }),
            Self::BestTime => rendered(window, format, |w| a.best_time(brand, w)),
            Self::Hashtags => rendered(window, format, |w| a.hashtags(brand, w)),
            Self::Languages => rendered(window, format, |w| a.languages(brand, w)),
            Self::Followers => rendered(window, format, |w| a.followers(brand, w)),
            Self::Consent => rendered(window, format, |w| a.consent(brand, w)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_parse_back() {
        let mut seen = std::collections::HashSet::new();
        for kind in BrandReport::ALL {
            assert!(seen.insert(kind.as_str()), "{kind:?}");
            assert_eq!(BrandReport::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(BrandReport::parse("top-engagers"), None);
    }
}
