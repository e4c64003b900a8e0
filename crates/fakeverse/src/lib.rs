#![doc = include_str!("../README.md")]

mod error;
mod server;
mod time;
mod truth;
mod world;

pub use error::FakeverseError;
pub use server::{
    DEFAULT_TIME_SCALE, FakeverseServer, NetworkOptions, Ready, STATS_PATH, ServerOptions, run,
    write_file,
};
pub use time::{rfc3339, rfc3339_millis};
pub use truth::{
    BrandReports, REPLY_DEPTH, Truth, TruthBrand, TruthEngagement, TruthInstance, TruthPost,
};
pub use world::{
    Actor, Brand, EMOJIS, Engagement, HISTORY_DAYS, Instance, LAUNCH_DAY, MAX_DAY, NEVER,
    NO_PARENT, OptOut, Post, Quirk, RecordedRobots, Scale, SimSoftware, TOUR, World, WorldOptions,
    recorded_robots, tour_brand,
};
