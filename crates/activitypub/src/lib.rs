#![doc = include_str!("../README.md")]

mod addressing;
mod context;
mod error;
mod html;
mod json;
mod link_header;
mod listing;
mod mastodon;
mod misskey;
mod nodeinfo;
mod optout;
mod peertube;
mod quote;
mod streams;
mod webfinger;

pub use addressing::{Visibility, is_public};
pub use context::JsonLdContext;
pub use error::ParseError;
pub use html::html_to_text;
pub use link_header::{PageLinks, parse_link_header};
pub use listing::Listing;
pub use mastodon::{
    Account, AccountField, Status, StatusContext, StatusQuote, parse_account, parse_accounts,
    parse_status, parse_status_context, parse_statuses,
};
pub use misskey::{
    MisskeyNote, MisskeyReaction, MisskeyUser, parse_misskey_note, parse_misskey_notes,
    parse_misskey_reactions,
};
pub use nodeinfo::{
    NodeInfo, NodeInfoLink, NodeInfoVersion, parse_nodeinfo, parse_nodeinfo_discovery,
};
pub use optout::{OPT_OUT_HASHTAGS, OptOut, OptOutReason, OptOutSignals, opt_out_hashtag_in_text};
pub use peertube::{
    PeerTubeActor, PeerTubeComment, PeerTubePage, PeerTubeThread, PeerTubeVideo,
    parse_peertube_comment_threads, parse_peertube_thread, parse_peertube_video,
    parse_peertube_videos,
};
pub use quote::{Quote, QuoteForm, is_activity_media_type, quote_link};
pub use streams::{
    Activity, ActivityKind, Actor, ActorKind, Collection, CollectionKind, CollectionRef, Document,
    Object, ObjectKind, ObjectRef, PublicKey, Tag, TagKind, hashtags, parse_activity, parse_actor,
    parse_collection, parse_document, parse_object,
};
pub use webfinger::{ActorLink, ActorLinkSource, Jrd, JrdLink, parse_webfinger};
