//! Finding and loading the real fixture corpus.
//!
//! The directory is `<repo root>/../shared/fixtures/real` (CI clones the repo with
//! `shared/` beside it, as on the development machine), or
//! `$FEDIREACH_SHARED/fixtures/real`. A missing directory fails the tests that need it:
//! silently skipping would hide a broken checkout.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

/// Generous cap: the largest fixture is well under 100 kB.
pub const MAX_BYTES: usize = 1 << 20;

pub fn fixtures_dir() -> PathBuf {
    let shared = match std::env::var_os("FEDIREACH_SHARED") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    let dir = shared.join("fixtures/real");
    assert!(
        dir.is_dir(),
        "real fixtures not found at {}: clone the repo with `shared/` beside it, or set \
         FEDIREACH_SHARED to the shared directory",
        dir.display()
    );
    dir
}

pub fn json_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            json_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "json") {
            found.push(path);
        }
    }
}

pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Every fixture, parsed as JSON once per test binary, in path order.
pub fn all_values() -> &'static [Value] {
    static VALUES: OnceLock<Vec<Value>> = OnceLock::new();
    VALUES.get_or_init(|| {
        let mut files = Vec::new();
        json_files(&fixtures_dir(), &mut files);
        files.sort();
        files
            .iter()
            .map(|path| {
                serde_json::from_slice(&read(path))
                    .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
            })
            .collect()
    })
}
