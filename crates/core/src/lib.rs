//! The pure core of fedireach: the words of the product brief as types.
//!
//! Everything here is free of IO so that every other crate can depend on it: host names,
//! references to actors as a user types them, server software and its family, engagement
//! kinds, the crawl window, and the report rows that the analytics compute and the
//! simulated fediverse predicts.

mod actor_ref;
mod coverage;
mod engagement;
mod error;
mod facts;
mod host;
mod language;
mod records;
mod report;
mod software;
mod vocab;
mod window;

pub use actor_ref::{ActorRef, ActorRefOptions};
pub use coverage::{Coverage, PostCoverage, Unavailable};
pub use engagement::EngagementKind;
pub use error::CoreError;
pub use facts::{
    ActorFact, BrandActorFact, ConsentFact, EngagementFact, Facts, FactsStamp, FactsUpdate,
    FollowerSnapshotFact, InstanceFact, PostFact,
};
pub use host::Host;
pub use language::{
    Language, LanguageCounts, LanguageRow, LanguagesReport, UNDECLARED, primary_language,
};
pub use records::{
    ActorRecord, Batch, EngagementRecord, HostHealth, InstanceRecord, PostRecord, Reachability,
    RobotsState,
};
pub use report::{
    CoverageRow, InstanceRow, InstancesReport, KindCounts, PostRow, PostsReport, ReachFigures,
    ReachReport, ReachRow, ReportedCounts, UnavailablePosts, pct_2dp, round_half_away,
};
pub use software::{Family, Software, SoftwareSource};
pub use vocab::{ConsentAction, ConsentReason, ConsentSubject, CrawlTrigger, FailureKind, Route};
pub use window::Since;
