#![doc = include_str!("../README.md")]

mod analytics;
mod cache;
mod columns;
mod error;
mod figures;
mod frames;
mod period;
mod raw;
mod render;
mod reports;
mod request;
mod window;

#[cfg(test)]
mod crosscheck;
#[cfg(test)]
mod testkit;

pub use analytics::Analytics;
pub use cache::{FactsCache, Purge};
pub use error::{AnalyticsError, Result};
pub use period::{Change, Compared, Figure, Figures, Number};
pub use render::{Format, Tabular, guard_cell, render, render_compared, shown_columns};
pub use reports::{
    best_time::{BestTimeReport, BestTimeRow},
    compare::{CompareFamilyRow, CompareReport, CompareRow},
    consent::{ConsentReport, ConsentRow},
    engagers::{EngagerCounts, EngagerRow, EngagersReport},
    followers::{FollowersReport, FollowersRow},
    hashtags::{HashtagRow, HashtagsReport},
    reach::{FamilyReport, FamilyRow},
    timeline::{Granularity, TimelineBasis, TimelineReport, TimelineRow},
};
pub use request::{ReportKind, ReportRequest};
pub use window::{Baseline, Window};
