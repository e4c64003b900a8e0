//! End-to-end tests of the `fedireach` binary: one test binary whose modules mirror the
//! features (STYLE rule 12).

mod analytics;
mod brand;
mod config;
mod crawl;
mod deliver;
mod demo;
mod forget;
mod hostile;
mod key;
mod report;
mod schedule;
mod serve;
mod tour;
mod util;
