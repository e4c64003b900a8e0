#![doc = include_str!("../README.md")]

mod net;
mod polite;
mod sign;

pub use net::{
    AddressGuard, HttpClient, NetConfig, NetError, Refusal, RefusedAddress, Request, Response,
};
pub use polite::{
    FetchError, FetchStats, Fetched, Fetcher, HostCounts, HostQuota, PolitenessConfig, Robots,
};
pub use sign::{InstanceKey, SignError, generate_key_pem};
