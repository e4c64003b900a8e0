#![doc = include_str!("../README.md")]

mod net;
mod polite;

pub use net::{
    AddressGuard, HttpClient, NetConfig, NetError, Refusal, RefusedAddress, Request, Response,
};
pub use polite::{
    FetchError, FetchStats, Fetched, Fetcher, HostCounts, HostQuota, PolitenessConfig, Robots,
};
