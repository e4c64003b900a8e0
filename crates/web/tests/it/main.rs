//! The dashboard through its router (in process, `Router::oneshot`) and over real
//! HTTP on loopback, on a small hand-made world with hostile names and texts.

mod actions;
mod api;
mod audience;
mod browser;
mod downloads;
mod http;
mod input;
mod links;
mod medium;
mod pages;
mod panels;
mod world;
