//! Hostile input never panics: arbitrary bytes, arbitrary JSON, and real fixtures with
//! fields removed, types swapped and strings blown up all give `Ok` or a typed
//! `ParseError`; input over the cap gives the size error.
//!
//! A panic inside a parser fails the property (proptest catches it and shrinks the
//! input), so these tests fail loudly on any `unwrap`-style bug.

use fedireach_activitypub::{
    Document, OptOut, ParseError, Visibility, html_to_text, parse_account, parse_accounts,
    parse_activity, parse_actor, parse_collection, parse_document, parse_link_header,
    parse_misskey_note, parse_misskey_notes, parse_misskey_reactions, parse_nodeinfo,
    parse_nodeinfo_discovery, parse_object, parse_peertube_comment_threads, parse_peertube_thread,
    parse_peertube_video, parse_peertube_videos, parse_status, parse_status_context,
    parse_statuses, parse_webfinger,
};
use proptest::prelude::*;
use serde_json::{Map, Value};

use crate::corpus::{MAX_BYTES, all_values};

/// Runs every parser on `bytes` and checks the only error that depends on size.
fn run_all(bytes: &[u8], max: usize) {
    let mut errors: Vec<ParseError> = Vec::new();
    let mut keep = |r: Result<(), ParseError>| {
        if let Err(e) = r {
            errors.push(e);
        }
    };
    keep(parse_document(bytes, max).map(|doc| exercise(&doc)));
    keep(parse_actor(bytes, max).map(|a| {
        let _ = OptOut::of_actor(&a);
    }));
    keep(parse_object(bytes, max).map(|o| {
        let _ = (o.visibility(), o.hashtags());
        if let Some(content) = &o.content {
            let _ = html_to_text(content, 500);
        }
    }));
    keep(parse_activity(bytes, max).map(|a| {
        let _ = (a.object_id(), a.reaction_icon());
    }));
    keep(parse_collection(bytes, max).map(|c| {
        let _ = c.next_page_url();
    }));
    keep(parse_webfinger(bytes, max).map(|j| {
        let _ = j.actor_link();
    }));
    keep(parse_nodeinfo_discovery(bytes, max).map(drop));
    keep(parse_nodeinfo(bytes, max).map(|n| {
        let _ = n.software();
    }));
    keep(parse_account(bytes, max).map(|a| {
        let _ = a.opt_out();
    }));
    keep(parse_accounts(bytes, max).map(drop));
    keep(parse_status(bytes, max).map(drop));
    keep(parse_statuses(bytes, max).map(drop));
    keep(parse_status_context(bytes, max).map(drop));
    keep(parse_misskey_note(bytes, max).map(drop));
    keep(parse_misskey_notes(bytes, max).map(drop));
    keep(parse_misskey_reactions(bytes, max).map(drop));
    keep(parse_peertube_video(bytes, max).map(drop));
    keep(parse_peertube_videos(bytes, max).map(drop));
    keep(parse_peertube_comment_threads(bytes, max).map(drop));
    keep(parse_peertube_thread(bytes, max).map(|t| {
        let _ = t.flatten();
    }));
    let too_large = bytes.len() > max;
    for error in &errors {
        // Every error renders an actionable message.
        assert!(!error.to_string().is_empty());
        assert_eq!(
            matches!(error, ParseError::TooLarge { .. }),
            too_large,
            "{error} for {} bytes, cap {max}",
            bytes.len()
        );
    }
    if too_large {
        assert_eq!(errors.len(), 20, "every parser must refuse over-size input");
    }
}

/// Touches the derived helpers of a document, as the crawler would.
fn exercise(document: &Document) {
    match document {
        Document::Actor(actor) => {
            let _ = OptOut::of_actor(actor);
            let _ = actor.ld_context.software();
        }
        Document::Object(object) => {
            let _ = Visibility::from_addressing(&object.to, &object.cc, None);
            let _ = object.hashtags();
        }
        Document::Activity(activity) => {
            let _ = activity.reaction_icon();
        }
        Document::Collection(collection) => {
            let _ = collection.item_ids().count();
        }
        _ => {}
    }
}

const KEYS: &[&str] = &[
    "@context",
    "id",
    "type",
    "actor",
    "object",
    "target",
    "inbox",
    "outbox",
    "followers",
    "endpoints",
    "sharedInbox",
    "publicKey",
    "summary",
    "name",
    "preferredUsername",
    "url",
    "icon",
    "tag",
    "to",
    "cc",
    "attributedTo",
    "inReplyTo",
    "content",
    "contentMap",
    "replies",
    "likes",
    "shares",
    "first",
    "next",
    "prev",
    "partOf",
    "part_of",
    "items",
    "orderedItems",
    "totalItems",
    "quote",
    "quoteUrl",
    "quoteUri",
    "_misskey_quote",
    "_misskey_reaction",
    "href",
    "rel",
    "mediaType",
    "links",
    "subject",
    "aliases",
    "software",
    "usage",
    "users",
    "activeMonth",
    "ancestors",
    "descendants",
    "account",
    "reblog",
    "quoted_status",
    "state",
    "username",
    "acct",
    "user",
    "reactions",
    "renote",
    "renoteId",
    "text",
    "data",
    "total",
    "comment",
    "children",
    "channel",
    "indexable",
    "discoverable",
    "noindex",
    "published",
    "createdAt",
    "created_at",
    "language",
];

const STRINGS: &[&str] = &[
    "Person",
    "Note",
    "Create",
    "Announce",
    "Like",
    "EmojiReact",
    "OrderedCollection",
    "CollectionPage",
    "unordered",
    "Hashtag",
    "Link",
    "Emoji",
    "Mention",
    "Tombstone",
    "https://www.w3.org/ns/activitystreams#Public",
    "as:Public",
    "self",
    "application/activity+json",
    "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"",
    "http://nodeinfo.diaspora.software/ns/schema/2.1",
    "https://a.example/u/1",
    "#nobot",
    "<p>#NoBot &amp; <br>",
    "2024-01-01T00:00:00Z",
    "12",
    "-1",
    "",
    "\u{0}",
    "é🎉",
];

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop::sample::select(STRINGS).prop_map(|s| Value::String(s.to_owned())),
        ".{0,24}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        3 => prop::sample::select(KEYS).prop_map(str::to_owned),
                        1 => ".{0,8}",
                    ],
                    inner
                ),
                0..8
            )
            .prop_map(|entries| Value::Object(entries.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A change to one node of a document.
#[derive(Debug, Clone)]
enum Mutation {
    /// Remove the node from its parent.
    Remove,
    /// Replace the node with a value of another type.
    Swap(Value),
    /// Replace the node with a very long string.
    Huge(usize),
}

fn arb_mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        2 => Just(Mutation::Remove),
        3 => prop_oneof![
            Just(Value::Null),
            Just(Value::Bool(true)),
            Just(Value::from(-7)),
            Just(Value::from(1e300)),
            Just(Value::String("https://x.example/y".to_owned())),
            Just(Value::Array(vec![Value::Null, Value::from(1)])),
            Just(Value::Object(Map::new())),
        ]
        .prop_map(Mutation::Swap),
        1 => (10_000..200_000usize).prop_map(Mutation::Huge),
    ]
}

/// Applies `mutation` to the node reached by following `path` (each step picks a child
/// by index modulo the number of children). Returns false if nothing could be changed.
fn mutate(value: &mut Value, path: &[usize], mutation: &Mutation) -> bool {
    let Some((step, rest)) = path.split_first() else {
        return false;
    };
    match value {
        Value::Object(map) if !map.is_empty() => {
            let Some(key) = map.keys().nth(step % map.len()).cloned() else {
                return false;
            };
            let descend = !rest.is_empty()
                && map
                    .get(&key)
                    .is_some_and(|child| child.is_object() || child.is_array());
            if descend && let Some(child) = map.get_mut(&key) {
                return mutate(child, rest, mutation);
            }
            match mutation {
                Mutation::Remove => {
                    map.remove(&key);
                }
                Mutation::Swap(new) => {
                    map.insert(key, new.clone());
                }
                Mutation::Huge(len) => {
                    map.insert(key, Value::String("#nobot é ".repeat(len / 10)));
                }
            }
            true
        }
        Value::Array(items) if !items.is_empty() => {
            let index = step % items.len();
            let descend = !rest.is_empty() && (items[index].is_object() || items[index].is_array());
            if descend {
                return mutate(&mut items[index], rest, mutation);
            }
            match mutation {
                Mutation::Remove => {
                    items.remove(index);
                }
                Mutation::Swap(new) => items[index] = new.clone(),
                Mutation::Huge(len) => items[index] = Value::String("x".repeat(*len)),
            }
            true
        }
        _ => false,
    }
}

fn to_bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_else(|e| panic!("serialising a Value cannot fail: {e}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        run_all(&bytes, MAX_BYTES);
    }

    #[test]
    fn arbitrary_json_never_panics(value in arb_json()) {
        run_all(&to_bytes(&value), MAX_BYTES);
    }

    #[test]
    fn over_size_input_is_refused_with_the_size_error(
        value in arb_json(),
        shortfall in 1usize..64,
    ) {
        let bytes = to_bytes(&value);
        let max = bytes.len().saturating_sub(shortfall);
        prop_assume!(max < bytes.len());
        run_all(&bytes, max);
    }

    #[test]
    fn text_helpers_never_panic(text in ".{0,400}", max in 0usize..64) {
        let plain = html_to_text(&text, max);
        prop_assert!(plain.chars().count() <= max);
        let _ = parse_link_header(&text);
    }
}

proptest! {
    // Mutated real documents are the likeliest to reach deep code paths: more cases.
    #![proptest_config(ProptestConfig { cases: 768, ..ProptestConfig::default() })]

    #[test]
    fn mutated_fixtures_never_panic(
        index in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(
            (prop::collection::vec(any::<usize>(), 1..6), arb_mutation()),
            1..4,
        ),
    ) {
        let corpus = all_values();
        let mut value = index.get(corpus).clone();
        for (path, mutation) in &mutations {
            mutate(&mut value, path, mutation);
        }
        run_all(&to_bytes(&value), MAX_BYTES);
    }
}

#[test]
fn every_fixture_survives_deep_nesting_and_truncation() {
    for value in all_values() {
        let bytes = to_bytes(value);
        // Truncated bodies (a dropped connection) are NotJson, never a panic.
        for cut in [1, bytes.len() / 2, bytes.len().saturating_sub(1)] {
            run_all(&bytes[..cut.min(bytes.len())], MAX_BYTES);
        }
    }
    let mut deep = Value::from("https://a.example/1");
    for _ in 0..120 {
        let mut map = Map::new();
        map.insert("type".to_owned(), Value::from("Announce"));
        map.insert("actor".to_owned(), Value::from("https://a.example/u"));
        map.insert("object".to_owned(), deep);
        deep = Value::Object(map);
    }
    run_all(&to_bytes(&deep), MAX_BYTES);
    let nested_arrays = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    run_all(nested_arrays.as_bytes(), MAX_BYTES);
}
