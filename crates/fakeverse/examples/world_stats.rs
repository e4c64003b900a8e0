//! Generates a world and prints its summary and how long generation and the truth took:
//! `cargo run --release -p fedireach-fakeverse --example world_stats -- medium`.

use std::time::Instant;

use fedireach_fakeverse::{Scale, Truth, World, WorldOptions};

fn main() {
    let scale = std::env::args()
        .nth(1)
        .and_then(|s| s.parse::<Scale>().ok())
        .unwrap_or(Scale::Small);
    let started = Instant::now();
    let world = World::generate(&WorldOptions {
        seed: 1,
        scale,
        day: 0,
        plain_http: false,
        tour: false,
    });
    let generated = started.elapsed();
    let truth = Truth::of(&world);
    let truth_done = started.elapsed();
    let bytes = truth.to_json().map(|j| j.len()).unwrap_or(0);
    print!("{}", world.summary());
    println!(
        "generated in {generated:.2?}, truth in {:.2?}, truth JSON {bytes} bytes, {} engagements kept",
        truth_done - generated,
        truth.engagements.len()
    );
}
