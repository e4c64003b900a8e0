//! The integration tests of fedireach-activitypub, one binary whose modules mirror the
//! features: the real fixture corpus, and robustness against hostile input.

mod corpus;
mod fixtures;
mod robustness;
