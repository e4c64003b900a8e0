//! Wiring a crawl: the config turned into the crawler's typed settings, the store as the
//! crawler's sink, the run recorded with its consent report.

mod denylist;
mod lease;
mod pace;
mod progress;
mod run;
mod setup;
mod sink;

pub use denylist::DenyList;
pub use lease::{CrawlLease, holder_id};
pub use pace::StorePaceBook;
pub use progress::Bar;
pub use run::{CrawlSpec, Ended, Finished, Tokens, run_crawl, summary_text};
pub use setup::{CrawlSetup, INSTANCE_KEY, build_plan, instance_actor};
pub use sink::StoreSink;
