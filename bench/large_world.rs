//! The large world (about a million engagements) loaded into a store as a crawl would
//! have found it, and the polars pipeline's reach checked against one plain SQL query
//! on it. It takes minutes, so it is no part of `cargo test` (`test = false` in
//! Cargo.toml): `make bench-analytics` runs it in release and benchmarks the store it
//! leaves in `FEDIREACH_BENCH_DIR`.

// The end-to-end tests' sandbox and loader, shared as they are.
#[allow(dead_code)]
#[path = "../tests/it/util.rs"]
mod util;

#[allow(dead_code)]
#[path = "../tests/it/analytics.rs"]
mod analytics;

use fedireach_fakeverse::Scale;

#[test]
fn the_large_world_loads_and_sql_agrees_with_the_pipeline() -> util::TestResult {
    let sandbox = match std::env::var_os("FEDIREACH_BENCH_DIR") {
        Some(dir) => util::Sandbox::at(std::path::Path::new(&dir))?,
        None => util::Sandbox::new()?,
    };
    let started = std::time::Instant::now();
    let (sandbox, truth) = analytics::loaded(Scale::Large, sandbox)?;
    println!(
        "large world: {} engagements generated and loaded in {:.1}s",
        truth.engagements.len(),
        started.elapsed().as_secs_f64()
    );
    analytics::sql_and_polars_agree(&sandbox, &truth)
}
