//! End-to-end tests of the `fedireach` binary: one test binary whose modules mirror the
//! features (STYLE rule 12).

mod alerts;
mod analytics;
mod brand;
mod config;
mod crawl;
mod deliver;
mod demo;
mod facts_copy;
mod forget;
mod hostile;
mod hosts;
mod key;
mod report;
mod schedule;
mod serve;
mod tour;
mod util;
mod world;
