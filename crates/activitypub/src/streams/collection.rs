//! Collections and their pages: outboxes, `replies`, `likes`, followers, featured.
//!
//! Real servers send `totalItems` as a number or a string, `first` as a URL or an inline
//! page, and items as ids or inline documents. Mastodon 4.6's context serializer leaked
//! Ruby names (`"type": "unordered"`, `part_of`), so snake-case keys are read too.

use serde_json::Value;

use super::ObjectRef;
use crate::context::JsonLdContext;
use crate::json::{Fields, MAX_INLINE_DEPTH, id_of};

/// The type of a collection.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CollectionKind {
    /// `Collection` (also Mastodon 4.6's `"unordered"`).
    Collection,
    /// `OrderedCollection` (also `"ordered"`).
    OrderedCollection,
    /// `CollectionPage`.
    CollectionPage,
    /// `OrderedCollectionPage`.
    OrderedCollectionPage,
    /// A collection detected by its shape, of another or no type (kept as written).
    Other(String),
}

impl CollectionKind {
    pub(crate) fn parse(kind: &str) -> Option<Self> {
        Some(match kind {
            "Collection" | "unordered" => Self::Collection,
            "OrderedCollection" | "ordered" => Self::OrderedCollection,
            "CollectionPage" | "unordered_page" => Self::CollectionPage,
            "OrderedCollectionPage" | "ordered_page" => Self::OrderedCollectionPage,
            _ => return None,
        })
    }

    /// Whether this is a page of a larger collection.
    pub fn is_page(&self) -> bool {
        matches!(self, Self::CollectionPage | Self::OrderedCollectionPage)
    }
}

/// A collection or collection page.
#[derive(Debug, Clone, PartialEq)]
pub struct Collection {
    /// The `@context` it was served with.
    pub ld_context: JsonLdContext,
    /// `id`, when given.
    pub id: Option<String>,
    /// The type.
    pub kind: CollectionKind,
    /// `totalItems` (number or string), when given.
    pub total_items: Option<u64>,
    /// `first` page.
    pub first: Option<CollectionRef>,
    /// `last` page.
    pub last: Option<CollectionRef>,
    /// `next` page.
    pub next: Option<CollectionRef>,
    /// `prev` page.
    pub prev: Option<CollectionRef>,
    /// `partOf`: the collection a page belongs to.
    pub part_of: Option<String>,
    /// `items` or `orderedItems`, in order.
    pub items: Vec<ObjectRef>,
}

impl Collection {
    pub(crate) fn from_fields(fields: Fields<'_>, depth: usize) -> Self {
        let kind = fields
            .types()
            .into_iter()
            .find_map(|t| CollectionKind::parse(t.strip_prefix("as:").unwrap_or(t)))
            .unwrap_or_else(|| {
                CollectionKind::Other(fields.types().first().copied().unwrap_or("").to_owned())
            });
        // Mastodon 4.6's buggy context pages say "unordered" but carry `part_of`.
        let kind = match (kind, fields.has("part_of") || fields.has("partOf")) {
            (CollectionKind::Collection, true) if fields.types().contains(&"unordered") => {
                CollectionKind::CollectionPage
            }
            (CollectionKind::OrderedCollection, true) if fields.types().contains(&"ordered") => {
                CollectionKind::OrderedCollectionPage
            }
            (kind, _) => kind,
        };
        let page = |key: &str| {
            fields
                .get(key)
                .and_then(|v| CollectionRef::from_value(v, depth))
        };
        let items = ["orderedItems", "items", "ordered_items"]
            .iter()
            .find_map(|key| fields.get(key))
            .map(|value| {
                crate::json::one_or_many(Some(value))
                    .filter_map(|item| ObjectRef::from_value(item, depth))
                    .collect()
            })
            .unwrap_or_default();
        Self {
            ld_context: JsonLdContext::from_value(fields.get("@context")),
            id: fields.str("id"),
            kind,
            total_items: fields
                .count("totalItems")
                .or_else(|| fields.count("total_items")),
            first: page("first"),
            last: page("last"),
            next: page("next"),
            prev: page("prev"),
            part_of: fields.id("partOf").or_else(|| fields.id("part_of")),
            items,
        }
    }

    /// The item ids, inline items included when they carry an id.
    pub fn item_ids(&self) -> impl Iterator<Item = &str> {
        self.items.iter().filter_map(ObjectRef::id)
    }

    /// The URL of the next page to fetch: `next`, or `first` on a collection whose
    /// first page is not inline.
    pub fn next_page_url(&self) -> Option<&str> {
        match (&self.next, &self.first) {
            (Some(next), _) => next.url(),
            (None, Some(CollectionRef::Url(url))) if !self.kind.is_page() => Some(url),
            (None, Some(CollectionRef::Inline(first))) if !self.kind.is_page() => {
                first.next.as_ref().and_then(CollectionRef::url)
            }
            _ => None,
        }
    }
}

/// A collection property (`replies`, `likes`, `first`...): a URL or an inline
/// collection.
#[derive(Debug, Clone, PartialEq)]
pub enum CollectionRef {
    /// Only the URL was given.
    Url(String),
    /// The collection or page was embedded.
    Inline(Box<Collection>),
}

impl CollectionRef {
    pub(crate) fn from_value(value: &Value, depth: usize) -> Option<Self> {
        match value {
            Value::Object(map) if depth < MAX_INLINE_DEPTH => Some(CollectionRef::Inline(
                Box::new(Collection::from_fields(Fields(map), depth + 1)),
            )),
            // A bare array (`"replies": []`, seen from Mastodon forks) lists the items.
            Value::Array(values) if depth < MAX_INLINE_DEPTH => {
                Some(CollectionRef::Inline(Box::new(Collection {
                    ld_context: JsonLdContext::default(),
                    id: None,
                    kind: CollectionKind::Other(String::new()),
                    total_items: None,
                    first: None,
                    last: None,
                    next: None,
                    prev: None,
                    part_of: None,
                    items: values
                        .iter()
                        .filter_map(|item| ObjectRef::from_value(item, depth + 1))
                        .collect(),
                })))
            }
            other => id_of(other).map(CollectionRef::Url),
        }
    }

    /// The collection's URL (an inline collection's `id`).
    pub fn url(&self) -> Option<&str> {
        match self {
            CollectionRef::Url(url) => Some(url),
            CollectionRef::Inline(collection) => collection.id.as_deref(),
        }
    }

    /// `totalItems` of an inline collection.
    pub fn total_items(&self) -> Option<u64> {
        match self {
            CollectionRef::Url(_) => None,
            CollectionRef::Inline(collection) => collection.total_items,
        }
    }

    /// The inline collection, if embedded.
    pub fn inline(&self) -> Option<&Collection> {
        match self {
            CollectionRef::Url(_) => None,
            CollectionRef::Inline(collection) => Some(collection),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn collection(value: Value) -> Collection {
        match Fields::of(&value) {
            Some(fields) => Collection::from_fields(fields, 0),
            None => panic!("test document is not an object"),
        }
    }

    #[test]
    fn mastodon_replies_with_inline_first_page() {
        let c = collection(json!({
            "id": "https://m/s/1/replies", "type": "Collection",
            "first": {"type": "CollectionPage", "next": "https://m/s/1/replies?page=true&only_other_accounts=true",
                      "partOf": "https://m/s/1/replies", "items": ["https://m/s/2", {"id": "https://m/s/3", "type": "Note"}]}
        }));
        let Some(first) = c.first.as_ref().and_then(CollectionRef::inline) else {
            panic!("first page should be inline");
        };
        assert_eq!(
            first.item_ids().collect::<Vec<_>>(),
            ["https://m/s/2", "https://m/s/3"]
        );
        assert_eq!(
            c.next_page_url(),
            Some("https://m/s/1/replies?page=true&only_other_accounts=true")
        );
    }

    #[test]
    fn tolerates_mastodon_46_context_serializer() {
        // mastodon/mastodon#37373: the embedded first page of a context collection.
        let c = collection(json!({
            "id": "https://m/contexts/1", "type": "Collection",
            "first": {"type": "unordered", "part_of": "https://m/contexts/1", "next": null,
                      "items": ["https://m/s/2", "https://r/s/3"]}
        }));
        let Some(first) = c.first.as_ref().and_then(CollectionRef::inline) else {
            panic!("first page should be inline");
        };
        assert_eq!(first.kind, CollectionKind::CollectionPage);
        assert_eq!(first.part_of.as_deref(), Some("https://m/contexts/1"));
        assert_eq!(first.items.len(), 2);
        assert_eq!(c.next_page_url(), None);

        let top = collection(
            json!({"type": "unordered", "total_items": "12", "ordered_items": ["https://m/s/2"]}),
        );
        assert_eq!(top.kind, CollectionKind::Collection);
        assert_eq!(top.total_items, Some(12));
        assert_eq!(top.items.len(), 1);
    }

    #[test]
    fn bare_array_is_an_item_list() {
        let doc = json!({"replies": ["https://a/1", {"id": "https://a/2", "type": "Note"}]});
        let Some(fields) = Fields::of(&doc) else {
            panic!("object");
        };
        let replies = fields
            .get("replies")
            .and_then(|v| CollectionRef::from_value(v, 0));
        let ids: Vec<_> = replies
            .as_ref()
            .and_then(CollectionRef::inline)
            .map(|c| c.item_ids().collect())
            .unwrap_or_default();
        assert_eq!(ids, ["https://a/1", "https://a/2"]);
    }

    #[test]
    fn count_only_collections() {
        let c = collection(
            json!({"type": "OrderedCollection", "totalItems": "41", "first": "https://x/p1"}),
        );
        assert_eq!(c.total_items, Some(41));
        assert_eq!(c.next_page_url(), Some("https://x/p1"));
        let page = collection(json!({"type": "OrderedCollectionPage", "first": "https://x/p1"}));
        assert_eq!(page.next_page_url(), None);
    }
}
