//! ActivityStreams 2 documents as servers really serve them: actors, objects,
//! activities and collections, with every field the crawler reads.
//!
//! A document is first classified by its `type` (an array of types is read by its first
//! known entry), then by its shape when the type is unknown: `inbox` makes an actor,
//! `actor` with `object` an activity, items or `totalItems` a collection, anything else
//! an object. Nested documents (an activity's object, a collection's items, an object's
//! `replies`) are read the same way down to [`crate::json::MAX_INLINE_DEPTH`].

mod activity;
mod actor;
mod collection;
mod object;
mod tag;

use serde_json::Value;

pub use activity::{Activity, ActivityKind};
pub use actor::{Actor, ActorKind, PublicKey};
pub use collection::{Collection, CollectionKind, CollectionRef};
pub use object::{Object, ObjectKind};
pub use tag::{Tag, TagKind, hashtags};

use crate::context::JsonLdContext;
use crate::error::ParseError;
use crate::json::{self, Fields, MAX_INLINE_DEPTH, id_of};

/// Any ActivityStreams document.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Document {
    /// A Person, Service, Application, Group or Organization.
    Actor(Actor),
    /// A Note, Article, Video... or any other object.
    Object(Object),
    /// A Create, Announce, Like... or any other activity.
    Activity(Activity),
    /// A collection or collection page.
    Collection(Collection),
}

impl Document {
    /// The document's `id`, when it has one.
    pub fn id(&self) -> Option<&str> {
        match self {
            Document::Actor(actor) => Some(&actor.id),
            Document::Object(object) => object.id.as_deref(),
            Document::Activity(activity) => activity.id.as_deref(),
            Document::Collection(collection) => collection.id.as_deref(),
        }
    }

    /// The `@context` the document was served with.
    pub fn ld_context(&self) -> &JsonLdContext {
        match self {
            Document::Actor(actor) => &actor.ld_context,
            Document::Object(object) => &object.ld_context,
            Document::Activity(activity) => &activity.ld_context,
            Document::Collection(collection) => &collection.ld_context,
        }
    }

    /// Reads any document from parsed JSON.
    pub(crate) fn from_fields(fields: Fields<'_>, depth: usize) -> Result<Self, ParseError> {
        Ok(match classify(&fields) {
            Class::Actor => Document::Actor(Actor::from_fields(fields)?),
            Class::Activity => Document::Activity(Activity::from_fields(fields, depth)),
            Class::Collection => Document::Collection(Collection::from_fields(fields, depth)),
            Class::Object => Document::Object(Object::from_fields(fields, depth)),
        })
    }

    fn kind_name(&self) -> String {
        match self {
            Document::Actor(a) => format!("{:?}", a.kind),
            Document::Object(o) => format!("{:?}", o.kind),
            Document::Activity(a) => format!("{:?}", a.kind),
            Document::Collection(c) => format!("{:?}", c.kind),
        }
    }
}

/// A reference to another document: its id, or the document written inline.
#[derive(Debug, Clone, PartialEq)]
pub enum ObjectRef {
    /// Only the id was given.
    Id(String),
    /// The document was embedded.
    Inline(Box<Document>),
}

impl ObjectRef {
    /// The id referred to (an inline document without an id has none).
    pub fn id(&self) -> Option<&str> {
        match self {
            ObjectRef::Id(id) => Some(id),
            ObjectRef::Inline(document) => document.id(),
        }
    }

    /// The inline document, if one was embedded.
    pub fn inline(&self) -> Option<&Document> {
        match self {
            ObjectRef::Id(_) => None,
            ObjectRef::Inline(document) => Some(document),
        }
    }

    /// The inline object (a Create's Note, an Announce's boosted post).
    pub fn as_object(&self) -> Option<&Object> {
        match self.inline()? {
            Document::Object(object) => Some(object),
            _ => None,
        }
    }

    /// The inline activity (the Like inside an Undo, the Create inside an Announce).
    pub fn as_activity(&self) -> Option<&Activity> {
        match self.inline()? {
            Document::Activity(activity) => Some(activity),
            _ => None,
        }
    }

    /// The inline actor (a Follow's followed actor, Kroeg's inline actors).
    pub fn as_actor(&self) -> Option<&Actor> {
        match self.inline()? {
            Document::Actor(actor) => Some(actor),
            _ => None,
        }
    }

    /// Reads a reference; unusable values give `None`.
    pub(crate) fn from_value(value: &Value, depth: usize) -> Option<Self> {
        match value {
            Value::String(_) => id_of(value).map(ObjectRef::Id),
            Value::Object(map) => {
                let inline = (depth < MAX_INLINE_DEPTH)
                    .then(|| Document::from_fields(Fields(map), depth + 1).ok())
                    .flatten();
                match inline {
                    Some(document) => Some(ObjectRef::Inline(Box::new(document))),
                    None => id_of(value).map(ObjectRef::Id),
                }
            }
            _ => None,
        }
    }
}

/// Parses any ActivityStreams document.
pub fn parse_document(bytes: &[u8], max_bytes: usize) -> Result<Document, ParseError> {
    let map = json::read_object(bytes, max_bytes)?;
    Document::from_fields(Fields(&map), 0)
}

/// Parses an actor (Person, Service, Application, Group, Organization).
pub fn parse_actor(bytes: &[u8], max_bytes: usize) -> Result<Actor, ParseError> {
    match parse_document(bytes, max_bytes)? {
        Document::Actor(actor) => Ok(actor),
        other => Err(unexpected("an actor", &other)),
    }
}

/// Parses an object (Note, Article, Page, Video, Tombstone...).
pub fn parse_object(bytes: &[u8], max_bytes: usize) -> Result<Object, ParseError> {
    match parse_document(bytes, max_bytes)? {
        Document::Object(object) => Ok(object),
        other => Err(unexpected("an object", &other)),
    }
}

/// Parses an activity (Create, Announce, Like...).
pub fn parse_activity(bytes: &[u8], max_bytes: usize) -> Result<Activity, ParseError> {
    match parse_document(bytes, max_bytes)? {
        Document::Activity(activity) => Ok(activity),
        other => Err(unexpected("an activity", &other)),
    }
}

/// Parses a collection or collection page (an outbox, `replies`, followers...).
pub fn parse_collection(bytes: &[u8], max_bytes: usize) -> Result<Collection, ParseError> {
    match parse_document(bytes, max_bytes)? {
        Document::Collection(collection) => Ok(collection),
        other => Err(unexpected("a collection", &other)),
    }
}

fn unexpected(expected: &'static str, found: &Document) -> ParseError {
    ParseError::UnexpectedType {
        expected,
        found: found.kind_name(),
    }
}

enum Class {
    Actor,
    Activity,
    Collection,
    Object,
}

fn classify(fields: &Fields<'_>) -> Class {
    for kind in fields.types() {
        let kind = kind.strip_prefix("as:").unwrap_or(kind);
        if ActorKind::parse(kind).is_some() {
            return Class::Actor;
        }
        if CollectionKind::parse(kind).is_some() {
            return Class::Collection;
        }
        if ActivityKind::is_known(kind) {
            return Class::Activity;
        }
        if ObjectKind::is_known(kind) {
            return Class::Object;
        }
    }
    if fields.has("inbox") && fields.has("id") {
        Class::Actor
    } else if fields.has("actor") && (fields.has("object") || fields.has("target")) {
        Class::Activity
    } else if [
        "items",
        "orderedItems",
        "ordered_items",
        "totalItems",
        "total_items",
        "first",
    ]
    .iter()
    .any(|key| fields.has(key))
        && !fields.has("content")
    {
        Class::Collection
    } else {
        Class::Object
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: usize = 1 << 20;

    fn check(doc: &str, expected: &str) {
        let got = match parse_document(doc.as_bytes(), MAX) {
            Ok(Document::Actor(_)) => "actor",
            Ok(Document::Object(_)) => "object",
            Ok(Document::Activity(_)) => "activity",
            Ok(Document::Collection(_)) => "collection",
            Err(_) => "error",
        };
        assert_eq!(got, expected, "{doc}");
    }

    #[test]
    fn classifies_by_type_then_shape() {
        check(r#"{"type":"Person","id":"https://a/u"}"#, "actor");
        check(
            r#"{"type":["Person","foaf:Agent"],"id":"https://a/u"}"#,
            "actor",
        );
        check(r#"{"type":"Person"}"#, "error");
        check(r#"{"type":"Note","id":"https://a/n"}"#, "object");
        check(r#"{"type":"Edition","id":"https://a/b"}"#, "object");
        check(
            r#"{"type":"Lock","actor":"https://a/u","object":"https://a/n"}"#,
            "activity",
        );
        check(r#"{"type":"unordered","totalItems":3}"#, "collection");
        check(
            r#"{"type":"Whatever","id":"https://a/u","inbox":"https://a/i"}"#,
            "actor",
        );
        check(r#"{}"#, "object");
        check(r#"[]"#, "error");
    }

    #[test]
    fn nested_references() {
        let doc =
            br#"{"type":"Undo","actor":"https://a/u","object":{"type":"Like","actor":"https://a/u",
            "object":{"type":"Note","id":"https://b/n","attributedTo":"https://b/u"}}}"#;
        let undo = parse_activity(doc, MAX).expect("the sample parses");
        let like = undo.object().and_then(ObjectRef::as_activity);
        assert_eq!(like.map(|l| l.kind.clone()), Some(ActivityKind::Like));
        let note = like
            .and_then(Activity::object)
            .and_then(ObjectRef::as_object);
        assert_eq!(note.and_then(Object::author), Some("https://b/u"));
        assert!(undo.object().and_then(ObjectRef::as_actor).is_none());
    }

    #[test]
    fn typed_entry_points_refuse_other_kinds() {
        let note = br#"{"type":"Note","id":"https://a/n"}"#;
        assert!(matches!(
            parse_actor(note, MAX),
            Err(ParseError::UnexpectedType { .. })
        ));
        assert!(parse_object(note, MAX).is_ok());
        assert!(matches!(
            parse_object(note, 3),
            Err(ParseError::TooLarge { .. })
        ));
    }
}
