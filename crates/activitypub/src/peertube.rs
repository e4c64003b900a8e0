//! The PeerTube REST API: videos, comment threads and thread trees.
//!
//! Over ActivityPub a video exposes counts (`likes`, `dislikes`, `shares`, `comments`);
//! the REST API (`/api/v1/videos/:id`, `/api/v1/videos/:id/comment-threads`,
//! `/api/v1/videos/:id/comment-threads/:threadId`) names the commenters.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::error::ParseError;
use crate::json::{self, Fields};
use crate::listing::Listing;

/// How deep a comment thread tree is read; PeerTube itself truncates trees.
const MAX_TREE_DEPTH: usize = 32;

/// An account or channel as PeerTube summarises it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerTubeActor {
    /// The local name (handle's local part).
    pub name: Option<String>,
    /// The actor's server.
    pub host: Option<String>,
    /// The actor id (URL).
    pub url: Option<String>,
    /// The display name.
    pub display_name: Option<String>,
}

impl PeerTubeActor {
    fn from_value(value: &Value) -> Option<Self> {
        let f = Fields::of(value)?;
        let actor = Self {
            name: f.str("name"),
            host: f.str("host"),
            url: f.str("url"),
            display_name: f.str("displayName"),
        };
        (actor.name.is_some() || actor.url.is_some()).then_some(actor)
    }
}

/// A PeerTube video.
#[derive(Debug, Clone, PartialEq)]
pub struct PeerTubeVideo {
    /// The server-local numeric id.
    pub id: Option<u64>,
    /// The UUID.
    pub uuid: Option<String>,
    /// The video's URL (its ActivityPub id).
    pub url: Option<String>,
    /// The title.
    pub name: Option<String>,
    /// When it was published.
    pub published_at: Option<DateTime<Utc>>,
    /// Likes, as counted by the server.
    pub likes: Option<u64>,
    /// Dislikes, as counted by the server.
    pub dislikes: Option<u64>,
    /// Views, as counted by the server (never reported as impressions).
    pub views: Option<u64>,
    /// The channel it was published in.
    pub channel: Option<PeerTubeActor>,
    /// The account that owns the channel.
    pub account: Option<PeerTubeActor>,
}

impl PeerTubeVideo {
    fn from_value(value: &Value) -> Option<Self> {
        let f = Fields::of(value)?;
        let video = Self {
            id: f.count("id"),
            uuid: f.str("uuid"),
            url: f.str("url"),
            name: f.str("name"),
            published_at: f.date("publishedAt"),
            likes: f.count("likes"),
            dislikes: f.count("dislikes"),
            views: f.count("views"),
            channel: f.get("channel").and_then(PeerTubeActor::from_value),
            account: f.get("account").and_then(PeerTubeActor::from_value),
        };
        (video.id.is_some() || video.uuid.is_some() || video.url.is_some()).then_some(video)
    }
}

/// A PeerTube comment.
#[derive(Debug, Clone, PartialEq)]
pub struct PeerTubeComment {
    /// The server-local numeric id.
    pub id: u64,
    /// The comment's URL (its ActivityPub id).
    pub url: Option<String>,
    /// The text (HTML on recent versions).
    pub text: Option<String>,
    /// The root comment of its thread.
    pub thread_id: Option<u64>,
    /// The comment it answers; `None` for a thread root (a reply to the video).
    pub in_reply_to_comment_id: Option<u64>,
    /// When it was posted.
    pub created_at: Option<DateTime<Utc>>,
    /// The author; absent on deleted comments.
    pub account: Option<PeerTubeActor>,
    /// Replies in its thread, as counted by the server.
    pub total_replies: Option<u64>,
    /// Deleted (kept as a placeholder in the tree).
    pub is_deleted: bool,
}

impl PeerTubeComment {
    fn from_value(value: &Value) -> Option<Self> {
        let f = Fields::of(value)?;
        Some(Self {
            id: f.count("id")?,
            url: f.str("url"),
            text: f.str("text"),
            thread_id: f.count("threadId"),
            in_reply_to_comment_id: f.count("inReplyToCommentId"),
            created_at: f.date("createdAt"),
            account: f.get("account").and_then(PeerTubeActor::from_value),
            total_replies: f.count("totalReplies"),
            is_deleted: f.bool("isDeleted").unwrap_or(false),
        })
    }
}

/// A page of a PeerTube list (`{total, data}`).
#[derive(Debug, Clone, PartialEq)]
pub struct PeerTubePage<T> {
    /// `total` as counted by the server (threads include deleted ones).
    pub total: Option<u64>,
    /// The entries of this page.
    pub data: Listing<T>,
}

/// A comment and its replies (`/comment-threads/:threadId`).
#[derive(Debug, Clone, PartialEq)]
pub struct PeerTubeThread {
    /// The comment at this node.
    pub comment: PeerTubeComment,
    /// Its direct replies (PeerTube may truncate them).
    pub children: Vec<PeerTubeThread>,
}

impl PeerTubeThread {
    fn from_value(value: &Value, depth: usize) -> Option<Self> {
        let f = Fields::of(value)?;
        Some(Self {
            comment: f.get("comment").and_then(PeerTubeComment::from_value)?,
            children: if depth < MAX_TREE_DEPTH {
                f.many("children")
                    .filter_map(|child| Self::from_value(child, depth + 1))
                    .collect()
            } else {
                Vec::new()
            },
        })
    }

    /// Every comment of the tree, depth first, with its depth (0 for this node).
    pub fn flatten(&self) -> Vec<(usize, &PeerTubeComment)> {
        let mut out = Vec::new();
        let mut stack = vec![(0, self)];
        while let Some((depth, node)) = stack.pop() {
            out.push((depth, &node.comment));
            stack.extend(node.children.iter().rev().map(|child| (depth + 1, child)));
        }
        out
    }
}

/// Parses a video (`/api/v1/videos/:id`).
pub fn parse_peertube_video(bytes: &[u8], max_bytes: usize) -> Result<PeerTubeVideo, ParseError> {
    let map = json::read_object(bytes, max_bytes)?;
    PeerTubeVideo::from_value(&Value::Object(map)).ok_or(ParseError::MissingField {
        document: "a PeerTube video",
        field: "id/uuid/url",
    })
}

/// Parses a list of videos (`/api/v1/video-channels/:name/videos`).
pub fn parse_peertube_videos(
    bytes: &[u8],
    max_bytes: usize,
) -> Result<PeerTubePage<PeerTubeVideo>, ParseError> {
    parse_page(
        bytes,
        max_bytes,
        "a PeerTube video list",
        PeerTubeVideo::from_value,
    )
}

/// Parses a comment-threads list (`/api/v1/videos/:id/comment-threads`).
pub fn parse_peertube_comment_threads(
    bytes: &[u8],
    max_bytes: usize,
) -> Result<PeerTubePage<PeerTubeComment>, ParseError> {
    parse_page(
        bytes,
        max_bytes,
        "a PeerTube comment list",
        PeerTubeComment::from_value,
    )
}

/// Parses a thread tree (`/api/v1/videos/:id/comment-threads/:threadId`).
pub fn parse_peertube_thread(bytes: &[u8], max_bytes: usize) -> Result<PeerTubeThread, ParseError> {
    let map = json::read_object(bytes, max_bytes)?;
    PeerTubeThread::from_value(&Value::Object(map), 0).ok_or(ParseError::MissingField {
        document: "a PeerTube comment thread",
        field: "comment",
    })
}

fn parse_page<T>(
    bytes: &[u8],
    max_bytes: usize,
    document: &'static str,
    parse: impl Fn(&Value) -> Option<T>,
) -> Result<PeerTubePage<T>, ParseError> {
    let map = json::read_object(bytes, max_bytes)?;
    let f = Fields(&map);
    if !f.has("data") {
        return Err(ParseError::MissingField {
            document,
            field: "data",
        });
    }
    Ok(PeerTubePage {
        total: f.count("total"),
        data: Listing::from_values(f.many("data"), parse),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: usize = 1 << 20;

    #[test]
    fn video_and_threads() {
        let video = br#"{"id":12,"uuid":"9c9de5e8-0a1e-484a-b099-e80766180a6d","shortUUID":"kjh",
            "url":"https://pt/videos/watch/9c9d","name":"Talk","publishedAt":"2024-06-01T10:00:00.000Z",
            "likes":10,"dislikes":1,"views":"3000",
            "channel":{"name":"brand_channel","host":"pt","url":"https://pt/video-channels/brand_channel","displayName":"Brand"},
            "account":{"name":"brand","host":"pt","url":"https://pt/accounts/brand"}}"#;
        let video = parse_peertube_video(video, MAX).expect("the sample parses");
        assert_eq!(
            (video.likes, video.dislikes, video.views),
            (Some(10), Some(1), Some(3000))
        );
        assert_eq!(
            video.channel.and_then(|c| c.name).as_deref(),
            Some("brand_channel")
        );

        let threads = br#"{"total":3,"totalNotDeletedComments":2,"data":[
            {"id":1,"url":"https://pt/videos/watch/9c9d/comments/1","text":"nice","threadId":1,
             "inReplyToCommentId":null,"createdAt":"2024-06-02T10:00:00.000Z","totalReplies":2,
             "account":{"name":"fan","host":"m.example","url":"https://m.example/users/fan"}},
            {"id":2,"isDeleted":true,"account":null,"threadId":2},
            {"text":"no id"}]}"#;
        let Ok(page) = parse_peertube_comment_threads(threads, MAX) else {
            panic!("threads should parse");
        };
        assert_eq!(page.total, Some(3));
        assert_eq!(page.data.items.len(), 2);
        assert_eq!(page.data.skipped, 1);
        assert!(page.data.items[1].is_deleted);
        assert!(matches!(
            parse_peertube_comment_threads(br#"{"total":1}"#, MAX),
            Err(ParseError::MissingField { .. })
        ));
    }

    #[test]
    fn thread_tree_flattens_depth_first() {
        let tree = br#"{"comment":{"id":1,"threadId":1},"children":[
            {"comment":{"id":2,"inReplyToCommentId":1},"children":[{"comment":{"id":3},"children":[]}]},
            {"comment":{"id":4},"children":[]},
            {"children":[]}]}"#;
        let tree = parse_peertube_thread(tree, MAX).expect("the sample parses");
        let flat: Vec<(usize, u64)> = tree.flatten().into_iter().map(|(d, c)| (d, c.id)).collect();
        assert_eq!(flat, [(0, 1), (1, 2), (2, 3), (1, 4)]);
    }
}
