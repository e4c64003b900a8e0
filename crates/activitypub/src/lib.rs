#![doc = include_str!("../README.md")]

mod addressing;
mod context;
mod error;
mod html;
mod json;
mod nodeinfo;
mod optout;
mod quote;
mod streams;
mod webfinger;

pub use addressing::{Visibility, is_public};
pub use context::JsonLdContext;
pub use error::ParseError;
pub use html::html_to_text;
pub use nodeinfo::{
    NodeInfo, NodeInfoLink, NodeInfoVersion, parse_nodeinfo, parse_nodeinfo_discovery,
};
pub use optout::{OPT_OUT_HASHTAGS, OptOut, OptOutReason, OptOutSignals, opt_out_hashtag_in_text};
pub use quote::{Quote, QuoteForm, is_activity_media_type, quote_link};
pub use streams::{
    Activity, ActivityKind, Actor, ActorKind, Collection, CollectionKind, CollectionRef, Document,
    Object, ObjectKind, ObjectRef, PublicKey, Tag, TagKind, hashtags, parse_activity, parse_actor,
    parse_collection, parse_document, parse_object,
};
pub use webfinger::{ActorLink, ActorLinkSource, Jrd, JrdLink, parse_webfinger};
