//! Guarded HTTP: every request the product makes to another server goes through
//! [`HttpClient`], which refuses forbidden addresses (on every connection, redirects
//! included), caps sizes, times and redirects, and reports failures as typed errors the
//! crawler can classify (dead host, refusal, malformed...).

mod client;
mod guard;
mod resolver;

pub use client::{HttpClient, NetConfig, NetError, Request, Response};
pub use guard::{AddressGuard, Refusal};
pub use resolver::RefusedAddress;
