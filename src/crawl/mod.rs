//! Wiring a crawl: the config turned into the crawler's typed settings, the store as the
//! crawler's sink, the run recorded with its consent report.

mod progress;
mod setup;
mod sink;

pub use progress::Bar;
pub use setup::{CrawlSetup, build_plan, instance_actor};
pub use sink::StoreSink;
