//! Document ids, derived from the world's parts on demand, in each software's own
//! layout (`/users/x/statuses/N` on Mastodon, `/notes/AID` on Misskey...).
//!
//! Object numbers are decodable: `seconds * 10^7 + n`, where `n` is an engagement's
//! index, or [`POST_BASE`] plus a post's index. They grow with time, as Mastodon's
//! snowflake ids and Misskey's aids do, so paging by id pages by time; the server finds
//! an object from its number and then checks that the whole id matches.

use super::{Engagement, Post, SimSoftware, World};
use fedireach_core::EngagementKind;

/// Numbers at and above this (modulo [`NUM_SPAN`]) are posts.
pub const POST_BASE: u64 = 9_000_000;
/// The span of index numbers inside one second.
pub const NUM_SPAN: u64 = 10_000_000;

/// What an object number stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumTarget {
    Post(u32),
    Engagement(u32),
}

/// Decodes an object number.
pub fn decode_num(num: u64) -> NumTarget {
    let n = num % NUM_SPAN;
    if n >= POST_BASE {
        NumTarget::Post(u32::try_from(n - POST_BASE).unwrap_or(u32::MAX))
    } else {
        NumTarget::Engagement(u32::try_from(n).unwrap_or(u32::MAX))
    }
}

fn secs(t: i64) -> u64 {
    u64::try_from(t).unwrap_or(0)
}

/// Lower-case base 36, as Misskey writes its ids.
pub fn base36(mut n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// A UUID-shaped string whose last group carries `n % NUM_SPAN` (PeerTube, Pleroma,
/// Friendica): the index part of an object number, which [`decode_num`] reads back.
pub fn uuid(key: u64, n: u64) -> String {
    let n = n % NUM_SPAN;
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        key >> 32,
        (key >> 16) & 0xffff,
        key & 0xfff,
        (key >> 4) & 0xfff,
        n & 0xffff_ffff_ffff
    )
}

impl World {
    fn base(&self, instance: u32) -> String {
        let host = self
            .instances
            .get(instance as usize)
            .map_or("", |i| i.host.as_str());
        format!("{}://{host}", self.scheme)
    }

    /// The URL scheme of every id: `https` or `http`.
    pub fn scheme(&self) -> &'static str {
        self.scheme
    }

    /// `https://host` of an instance.
    pub fn origin(&self, instance: u32) -> String {
        self.base(instance)
    }

    /// The number of a post.
    pub fn post_num(&self, post: u32) -> u64 {
        let published = self.posts.get(post as usize).map_or(0, |p| p.published);
        secs(published) * NUM_SPAN + POST_BASE + u64::from(post)
    }

    /// The number of an engagement.
    pub fn engagement_num(&self, e: u32) -> u64 {
        let created = self.engagements.get(e as usize).map_or(0, |e| e.created);
        secs(created) * NUM_SPAN + u64::from(e)
    }

    /// A Misskey-style user id for an actor.
    pub fn misskey_user_id(&self, actor: u32) -> String {
        let key = self.actors.get(actor as usize).map_or(0, |a| a.key);
        base36(((key >> 40) << 32) | u64::from(actor))
    }

    /// The actor's id (its ActivityPub URL).
    pub fn actor_id(&self, actor: u32) -> String {
        let Some(a) = self.actors.get(actor as usize) else {
            return String::new();
        };
        let base = self.base(a.instance);
        let user = &a.username;
        match self.instance_of(actor).map(|i| i.software) {
            Some(s) if s.is_misskey() => format!("{base}/users/{}", self.misskey_user_id(actor)),
            Some(SimSoftware::Peertube) if a.brand.is_some() => {
                format!("{base}/video-channels/{user}")
            }
            Some(SimSoftware::Peertube) => format!("{base}/accounts/{user}"),
            Some(SimSoftware::Lemmy | SimSoftware::Mbin) => format!("{base}/u/{user}"),
            Some(SimSoftware::Friendica) => format!("{base}/profile/{user}"),
            Some(SimSoftware::Wordpress) => format!("{base}/author/{user}/"),
            Some(SimSoftware::Threads) => {
                format!("{base}/ap/users/{}/", 17_841_400_000_000 + u64::from(actor))
            }
            _ => format!("{base}/users/{user}"),
        }
    }

    /// `@user@host`.
    pub fn handle(&self, actor: u32) -> String {
        match (self.actors.get(actor as usize), self.instance_of(actor)) {
            (Some(a), Some(i)) => format!("@{}@{}", a.username, i.host),
            _ => String::new(),
        }
    }

    /// A brand post's id.
    pub fn post_uri(&self, post: u32) -> String {
        let Some(p) = self.posts.get(post as usize) else {
            return String::new();
        };
        self.object_uri(p.actor, self.post_num(post))
    }

    /// The id of an engagement: the reply or quote object, or the Like/Announce activity.
    pub fn engagement_uri(&self, e: u32) -> String {
        let Some(eng) = self.engagements.get(e as usize) else {
            return String::new();
        };
        let num = self.engagement_num(e);
        let actor_id = self.actor_id(eng.actor);
        let software = self.instance_of(eng.actor).map(|i| i.software);
        match eng.kind {
            EngagementKind::Reply | EngagementKind::ThreadReply
                if software == Some(SimSoftware::Peertube) =>
            {
                // A PeerTube comment lives under the video it comments, on its own host.
                let video = self.post_uri(eng.post);
                let uuid = video.rsplit('/').next().unwrap_or_default();
                format!(
                    "{}/videos/watch/{uuid}/comments/{num}",
                    self.actor_base(eng.actor)
                )
            }
            EngagementKind::Reply | EngagementKind::ThreadReply | EngagementKind::Quote => {
                self.object_uri(eng.actor, num)
            }
            EngagementKind::Like => match software {
                Some(s) if s.is_misskey() => {
                    format!("{}/likes/{}", self.actor_base(eng.actor), base36(num))
                }
                Some(SimSoftware::Pleroma | SimSoftware::Akkoma | SimSoftware::Friendica) => {
                    let key = self.actors.get(eng.actor as usize).map_or(0, |a| a.key);
                    format!(
                        "{}/activities/{}",
                        self.actor_base(eng.actor),
                        uuid(key, num)
                    )
                }
                _ => format!("{actor_id}#likes/{num}"),
            },
            EngagementKind::Boost => match software {
                Some(SimSoftware::Mastodon | SimSoftware::Gotosocial) => {
                    format!("{actor_id}/statuses/{num}/activity")
                }
                Some(s) if s.is_misskey() => {
                    format!(
                        "{}/notes/{}/activity",
                        self.actor_base(eng.actor),
                        base36(num)
                    )
                }
                _ => {
                    let key = self.actors.get(eng.actor as usize).map_or(0, |a| a.key);
                    format!(
                        "{}/activities/{}",
                        self.actor_base(eng.actor),
                        uuid(key, num)
                    )
                }
            },
        }
    }

    fn actor_base(&self, actor: u32) -> String {
        self.actors
            .get(actor as usize)
            .map_or_else(String::new, |a| self.base(a.instance))
    }

    /// The id of a Note/Video object numbered `num`, written by `actor`.
    fn object_uri(&self, actor: u32, num: u64) -> String {
        let Some(a) = self.actors.get(actor as usize) else {
            return String::new();
        };
        let base = self.base(a.instance);
        match self.instance_of(actor).map(|i| i.software) {
            Some(s) if s.is_misskey() => format!("{base}/notes/{}", base36(num)),
            Some(SimSoftware::Peertube) => format!("{base}/videos/watch/{}", uuid(a.key, num)),
            Some(SimSoftware::Pleroma | SimSoftware::Akkoma | SimSoftware::Friendica) => {
                format!("{base}/objects/{}", uuid(a.key, num))
            }
            Some(SimSoftware::Pixelfed) => format!("{base}/p/{}/{num}", a.username),
            Some(SimSoftware::Lemmy | SimSoftware::Mbin) => format!("{base}/comment/{num}"),
            // WordPress writes no replies here; its objects are the blog's posts.
            Some(SimSoftware::Wordpress) => format!("{base}/?p={num}"),
            Some(SimSoftware::Threads) => format!("{}post/{num}/", self.actor_id(actor)),
            _ => format!("{base}/users/{}/statuses/{num}", a.username),
        }
    }

    /// The URI of the object an engagement answers: the post, or the parent reply.
    pub fn in_reply_to(&self, eng: &Engagement) -> String {
        if eng.parent == super::NO_PARENT {
            self.post_uri(eng.post)
        } else {
            self.engagement_uri(eng.parent)
        }
    }

    /// A post's author's brand name.
    pub fn brand_name(&self, post: &Post) -> &str {
        self.brands
            .get(post.brand as usize)
            .map_or("", |b| b.name.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_decode() {
        assert_eq!(
            decode_num(1_780_000_000 * NUM_SPAN + 42),
            NumTarget::Engagement(42)
        );
        assert_eq!(
            decode_num(1_780_000_000 * NUM_SPAN + POST_BASE + 7),
            NumTarget::Post(7)
        );
        assert_eq!(base36(0), "0");
        assert_eq!(base36(35), "z");
        assert_eq!(base36(36), "10");
        assert_eq!(uuid(0, 255).len(), 36);
    }
}
