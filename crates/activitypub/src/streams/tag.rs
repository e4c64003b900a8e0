//! Entries of an ActivityStreams `tag` list: hashtags, mentions, custom emoji, links.

use serde_json::Value;

use crate::json::{Fields, non_empty_str};

/// What a tag is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TagKind {
    /// `Hashtag`: `name` is `#word`, `href` the tag's page.
    Hashtag,
    /// `Mention`: `name` is `@user@host`, `href` the actor id.
    Mention,
    /// `Emoji`: a custom emoji, `name` is `:code:`, `icon` its image.
    Emoji,
    /// `Link` (FEP-e232 object links, such as quotes).
    Link,
    /// Any other type, kept as written (empty when the tag has none).
    Other(String),
}

/// One entry of a `tag` list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// What the tag is.
    pub kind: TagKind,
    /// `name`, as written.
    pub name: Option<String>,
    /// `href` (or `id` when there is no `href`).
    pub href: Option<String>,
    /// `mediaType` (FEP-e232 links).
    pub media_type: Option<String>,
    /// `rel` values (FEP-e232 links).
    pub rel: Vec<String>,
    /// The image URL of an `Emoji`.
    pub icon: Option<String>,
}

impl Tag {
    /// Reads one tag; strings and other non-objects are not tags.
    pub(crate) fn from_value(value: &Value) -> Option<Self> {
        let fields = Fields::of(value)?;
        let kind = match fields.types().first().copied().unwrap_or("") {
            "Hashtag" | "as:Hashtag" => TagKind::Hashtag,
            "Mention" | "as:Mention" => TagKind::Mention,
            "Emoji" | "toot:Emoji" => TagKind::Emoji,
            "Link" | "as:Link" => TagKind::Link,
            other => TagKind::Other(other.to_owned()),
        };
        Some(Self {
            kind,
            name: fields.str("name"),
            href: fields.str("href").or_else(|| fields.str("id")),
            media_type: fields.str("mediaType"),
            rel: fields
                .many("rel")
                .filter_map(non_empty_str)
                .map(str::to_owned)
                .collect(),
            icon: fields
                .many("icon")
                .find_map(|icon| Fields::of(icon).and_then(|f| f.id("url")))
                .or_else(|| fields.str("icon")),
        })
    }

    /// Reads a whole `tag` field (one tag or an array).
    pub(crate) fn list(fields: &Fields<'_>) -> Vec<Self> {
        fields.many("tag").filter_map(Self::from_value).collect()
    }
}

/// The hashtags of a tag list: lower-cased, without `#`, deduplicated, in order.
pub fn hashtags(tags: &[Tag]) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for tag in tags.iter().filter(|t| t.kind == TagKind::Hashtag) {
        let Some(name) = tag.name.as_deref() else {
            continue;
        };
        let name = name.trim().trim_start_matches('#').trim().to_lowercase();
        if !name.is_empty() && !found.contains(&name) {
            found.push(name);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn tags(value: Value) -> Vec<Tag> {
        let doc = json!({ "tag": value });
        Fields::of(&doc).map(|f| Tag::list(&f)).unwrap_or_default()
    }

    #[test]
    fn hashtags_are_normalised() {
        let cases = [
            (json!([{"type": "Hashtag", "name": "#Rust"}]), vec!["rust"]),
            (
                json!([{"type": "Hashtag", "name": "#a"}, {"type": "Hashtag", "name": "A"}]),
                vec!["a"],
            ),
            (json!({"type": "Hashtag", "name": "#solo"}), vec!["solo"]),
            (json!([{"type": "Mention", "name": "@x@y"}]), vec![]),
            (
                json!([{"type": "Hashtag"}, {"type": "Hashtag", "name": "#"}]),
                vec![],
            ),
            (json!("not a tag"), vec![]),
        ];
        for (input, expected) in cases {
            assert_eq!(hashtags(&tags(input.clone())), expected, "{input}");
        }
    }

    #[test]
    fn emoji_and_links() {
        let t = tags(json!([
            {"type": "Emoji", "name": ":blob:", "icon": {"type": "Image", "url": "https://e/blob.png"}},
            {"type": "Link", "mediaType": "application/activity+json", "href": "https://q/1", "rel": "https://misskey-hub.net/ns#_misskey_quote"},
            {"name": "untyped"}
        ]));
        assert_eq!(t.len(), 3);
        assert_eq!(t[0].kind, TagKind::Emoji);
        assert_eq!(t[0].icon.as_deref(), Some("https://e/blob.png"));
        assert_eq!(t[1].kind, TagKind::Link);
        assert_eq!(t[1].rel.len(), 1);
        assert_eq!(t[2].kind, TagKind::Other(String::new()));
    }
}
