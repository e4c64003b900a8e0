#![doc = include_str!("../README.md")]

mod batch;
mod brands;
mod crawl_report;
mod delivery;
mod error;
mod facts;
mod forget;
mod hash;
mod health;
mod http_cache;
mod jobs;
mod lease;
mod open;
mod pace;
mod purge;
mod runs;
mod secrets;
mod time;
mod url;

pub use batch::{BatchOutcome, ROWS_PER_TRANSACTION};
pub use brands::{Brand, TrackedActor};
pub use crawl_report::{CrawlCounts, FailedHost};
pub use delivery::{DeliveryClaim, DeliveryRun, FiredAlert};
pub use error::StoreError;
pub use fedireach_core::{ActorRecord, Batch, EngagementRecord, InstanceRecord, PostRecord};
pub use forget::ForgetOutcome;
pub use hash::KeyedHasher;
pub use health::InstanceHealth;
pub use http_cache::CachedResponse;
pub use jobs::{BrandCrawlStatus, CrawlJob};
pub use lease::LeaseAttempt;
pub use open::Store;
pub use pace::HostPace;
pub use runs::{CrawlHealth, CrawlRecord, CrawlRun, CrawlStatus};
pub use secrets::SecretPut;
pub use url::{DatabaseKind, SUPPORTED_DATABASES, check_database_url};
