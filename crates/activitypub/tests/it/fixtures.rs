//! Every real document under `shared/fixtures/real/` parses with the parser for its
//! kind and yields what it holds.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::corpus::{MAX_BYTES, fixtures_dir, json_files, read};

use fedireach_activitypub::{
    ActivityKind, ActorLinkSource, CollectionRef, Document, QuoteForm, parse_activity, parse_actor,
    parse_collection, parse_document, parse_nodeinfo, parse_object, parse_webfinger,
};

/// Fixtures whose name prefix does not match their content, with the kind they hold.
/// Each is a faithful copy of its upstream file; the upstream name is what misleads.
const MISNAMED: [(&str, &str); 1] = [
    // Lemmy keeps it under `assets/mastodon/activities/`, but it is a bare Note.
    ("mastodon/create_private_message.json", "note"),
];

/// Parses one fixture with the parser its name prefix calls for; returns the kind.
fn check(path: &Path) -> Result<&'static str, String> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or("file name is not UTF-8")?;
    let folder = path
        .parent()
        .and_then(Path::file_name)
        .and_then(|n| n.to_str())
        .unwrap_or("");
    let relative = format!("{folder}/{name}");
    let prefix = MISNAMED
        .iter()
        .find(|(file, _)| *file == relative)
        .map_or_else(
            || {
                name.split('_')
                    .next()
                    .unwrap_or(name)
                    .trim_end_matches(".json")
            },
            |(_, kind)| kind,
        );
    let bytes = read(path);
    let raw: Value = serde_json::from_slice(&bytes).map_err(|e| format!("not JSON: {e}"))?;
    let fail = |e: &dyn std::fmt::Display| format!("{e}");
    match prefix {
        "actor" => {
            let actor = parse_actor(&bytes, MAX_BYTES).map_err(|e| fail(&e))?;
            if actor.inbox.is_none() {
                return Err("actor without inbox".into());
            }
            if !actor.id.starts_with("http") {
                return Err(format!("actor id {:?} is not a URL", actor.id));
            }
            agree("id", Some(actor.id.as_str()), raw_str(&raw, "id"))?;
            agree("inbox", actor.inbox.as_deref(), raw_str(&raw, "inbox"))?;
            agree(
                "preferredUsername",
                actor.preferred_username.as_deref(),
                raw_str(&raw, "preferredUsername"),
            )?;
            present(
                "published",
                actor.published.is_some(),
                raw_str(&raw, "published"),
            )?;
            let pem = raw
                .get("publicKey")
                .and_then(|k| k.get("publicKeyPem"))
                .and_then(Value::as_str)
                .map(str::trim);
            let got_pem = actor
                .public_key
                .as_ref()
                .and_then(|k| k.public_key_pem.as_deref());
            agree("publicKeyPem", got_pem, pem)?;
            Ok("actor")
        }
        "note" | "page" | "video" => {
            let object = parse_object(&bytes, MAX_BYTES).map_err(|e| fail(&e))?;
            if object.id.is_none() {
                return Err("object without id".into());
            }
            if object.author().is_none() {
                return Err("object without attributedTo".into());
            }
            agree("id", object.id.as_deref(), raw_str(&raw, "id"))?;
            agree(
                "inReplyTo",
                object.in_reply_to.as_deref(),
                raw_str(&raw, "inReplyTo"),
            )?;
            present(
                "published",
                object.published.is_some(),
                raw_str(&raw, "published"),
            )?;
            present(
                "content",
                object.content.is_some(),
                raw_str(&raw, "content"),
            )?;
            present(
                "replies",
                object.replies.is_some(),
                raw.get("replies").filter(|v| !v.is_null()),
            )?;
            for (name, got) in [("to", &object.to), ("cc", &object.cc)] {
                if let Some(Value::Array(items)) = raw.get(name) {
                    let strings = items.iter().filter(|i| i.is_string()).count();
                    if got.len() != strings {
                        return Err(format!(
                            "{name}: {} parsed, {strings} in the document",
                            got.len()
                        ));
                    }
                }
            }
            if let Some(Value::Object(map)) = raw.get("contentMap") {
                agree(
                    "language",
                    object.language.as_deref(),
                    map.keys().next().map(String::as_str),
                )?;
            }
            Ok("object")
        }
        "create" | "announce" | "like" => {
            let activity = parse_activity(&bytes, MAX_BYTES).map_err(|e| fail(&e))?;
            let expected = match prefix {
                "create" => ActivityKind::Create,
                "announce" => ActivityKind::Announce,
                _ => ActivityKind::Like,
            };
            if activity.kind != expected {
                return Err(format!("expected {expected:?}, got {:?}", activity.kind));
            }
            if activity.actor.is_none() || activity.object_id().is_none() {
                return Err("activity without actor or object id".into());
            }
            agree("id", activity.id.as_deref(), raw_str(&raw, "id"))?;
            let raw_object = raw.get("object").and_then(|o| match o {
                Value::String(id) => Some(id.as_str()),
                other => other.get("id").and_then(Value::as_str),
            });
            agree("object", activity.object_id(), raw_object)?;
            present(
                "published",
                activity.published.is_some(),
                raw_str(&raw, "published"),
            )?;
            Ok("activity")
        }
        "collection" | "outbox" => {
            let collection = parse_collection(&bytes, MAX_BYTES).map_err(|e| fail(&e))?;
            let holds_something = collection.total_items.is_some()
                || !collection.items.is_empty()
                || collection.first.is_some();
            if !holds_something {
                return Err("collection with no count, items or first page".into());
            }
            let raw_total = raw.get("totalItems").and_then(Value::as_u64);
            if raw_total.is_some() && collection.total_items != raw_total {
                return Err(format!(
                    "totalItems {:?} != {raw_total:?}",
                    collection.total_items
                ));
            }
            let raw_items = ["orderedItems", "items"]
                .iter()
                .find_map(|k| raw.get(*k).and_then(Value::as_array))
                .map_or(0, Vec::len);
            if collection.items.len() != raw_items {
                return Err(format!(
                    "{} items parsed, {raw_items} in the document",
                    collection.items.len()
                ));
            }
            Ok("collection")
        }
        "nodeinfo" => {
            let nodeinfo = parse_nodeinfo(&bytes, MAX_BYTES).map_err(|e| fail(&e))?;
            if nodeinfo.software_name != nodeinfo.software_name.trim().to_lowercase() {
                return Err("software name not normalised".into());
            }
            let raw_name = raw
                .get("software")
                .and_then(|s| s.get("name"))
                .and_then(Value::as_str)
                .map(|n| n.trim().to_lowercase());
            agree(
                "software.name",
                Some(nodeinfo.software_name.as_str()),
                raw_name.as_deref(),
            )?;
            let raw_users = raw.pointer("/usage/users/total").and_then(Value::as_u64);
            if nodeinfo.users_total != raw_users {
                return Err(format!(
                    "users.total {:?} != {raw_users:?}",
                    nodeinfo.users_total
                ));
            }
            if nodeinfo.software().is_none() {
                return Err(format!(
                    "unusable software name {:?}",
                    nodeinfo.software_name
                ));
            }
            Ok("nodeinfo")
        }
        "webfinger" => {
            let jrd = parse_webfinger(&bytes, MAX_BYTES).map_err(|e| fail(&e))?;
            if jrd.actor_link().is_none() {
                return Err("no actor link".into());
            }
            Ok("webfinger")
        }
        "other" => {
            // Activities (Delete, Undo, Follow, Flag, Lemmy's Lock...) or objects
            // (Tombstone, Event, BookWyrm's Edition): the shape must be recognised.
            // Mobilizon events have an `actor` (the organiser) but no `object`.
            let document = parse_document(&bytes, MAX_BYTES).map_err(|e| fail(&e))?;
            let activity_shaped = raw.get("actor").is_some() && raw.get("object").is_some();
            match (&document, activity_shaped) {
                (Document::Activity(activity), true) => {
                    if activity.actor.is_none() || activity.objects.is_empty() {
                        return Err("activity without actor or object".into());
                    }
                }
                (Document::Object(_), false) => {}
                (other, activity_shaped) => {
                    let kind = match other {
                        Document::Actor(_) => "actor",
                        Document::Object(_) => "object",
                        Document::Activity(_) => "activity",
                        Document::Collection(_) => "collection",
                        _ => "other",
                    };
                    return Err(format!(
                        "read as {kind}; activity-shaped: {activity_shaped}"
                    ));
                }
            }
            Ok("other")
        }
        other => Err(format!("unknown fixture kind prefix {other:?}")),
    }
}

/// A string field of the raw document, if non-empty.
fn raw_str<'a>(raw: &'a Value, key: &str) -> Option<&'a str> {
    raw.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The parsed value equals the raw one whenever the document states it.
fn agree(field: &str, parsed: Option<&str>, raw: Option<&str>) -> Result<(), String> {
    match raw {
        Some(raw) if parsed.map(str::trim) != Some(raw) => {
            Err(format!("{field}: parsed {parsed:?}, document has {raw:?}"))
        }
        _ => Ok(()),
    }
}

/// The parsed field is present whenever the document states it.
fn present<T: std::fmt::Debug>(field: &str, parsed: bool, raw: Option<T>) -> Result<(), String> {
    match raw {
        Some(raw) if !parsed => Err(format!("{field}: not read from {raw:?}")),
        _ => Ok(()),
    }
}

#[test]
fn every_real_fixture_parses_with_the_parser_of_its_kind() {
    let dir = fixtures_dir();
    let mut files = Vec::new();
    json_files(&dir, &mut files);
    files.sort();
    assert!(!files.is_empty(), "no JSON files under {}", dir.display());

    let mut failures = Vec::new();
    let mut per_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for path in &files {
        match check(path) {
            Ok(kind) => *per_kind.entry(kind).or_default() += 1,
            Err(e) => failures.push(format!("{}: {e}", path.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "fixtures failed:\n{}",
        failures.join("\n")
    );
    let parsed: usize = per_kind.values().sum();
    assert_eq!(parsed, files.len(), "parsed {per_kind:?}");
    // Every document has a provenance row and every row a document, so nothing is
    // parsed that nobody can trace, and nothing listed is silently missing.
    let provenance = String::from_utf8_lossy(&read(&dir.join("PROVENANCE.tsv"))).into_owned();
    let mut listed: Vec<String> = provenance
        .lines()
        .skip(1)
        .filter_map(|line| line.split('\t').next())
        .filter(|path| !path.trim().is_empty())
        .map(str::to_owned)
        .collect();
    listed.sort();
    let mut present: Vec<String> = files
        .iter()
        .filter_map(|path| path.strip_prefix(&dir).ok())
        .map(|path| path.to_string_lossy().replace('\\', "/"))
        .collect();
    present.sort();
    assert_eq!(
        listed, present,
        "PROVENANCE.tsv and the JSON files disagree"
    );
    // The corpus README announces 225 documents: at least those must be here.
    assert!(files.len() >= 225, "only {} fixtures found", files.len());
}

fn fixture(relative: &str) -> Vec<u8> {
    read(&fixtures_dir().join(relative))
}

fn document(relative: &str) -> Document {
    parse_document(&fixture(relative), MAX_BYTES).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

#[test]
fn fixtures_yield_what_they_hold() {
    // Mastodon followers: count only, first page by URL.
    let Document::Collection(followers) = document("mastodon/collection_followers_closed.json")
    else {
        panic!("collection expected");
    };
    assert!(followers.total_items.is_some());

    // Mastodon replies: inline collection with an inline first page.
    let Document::Object(note) = document("mastodon/note_note_2.json") else {
        panic!("object expected");
    };
    let replies = note.replies.as_ref().and_then(CollectionRef::inline);
    assert!(replies.and_then(|r| r.first.as_ref()).is_some(), "{note:?}");

    // PeerTube: inline counts on an older video.
    let Document::Object(video) = document("peertube/video_peertube.moe_df5f464b.json") else {
        panic!("object expected");
    };
    assert!(
        video
            .likes
            .as_ref()
            .and_then(CollectionRef::total_items)
            .is_some()
    );
    assert!(video.attributed_to.len() >= 2, "{:?}", video.attributed_to);

    // Misskey: a reaction carries its emoji.
    let Document::Activity(like) = document("misskey/like_like.json") else {
        panic!("activity expected");
    };
    assert!(like.reaction.is_some(), "{like:?}");

    // Quotes: Fedibird and Misskey forms.
    for path in ["fedibird/note_quote.json", "misskey/note_quote.json"] {
        let Document::Object(quote) = document(path) else {
            panic!("object expected");
        };
        assert!(quote.quote.is_some(), "{path}: {quote:?}");
    }
    let Document::Object(quotation) = document("bookwyrm/note_quotation.json") else {
        panic!("object expected");
    };
    assert_eq!(
        quotation.quote, None,
        "BookWyrm's quote is a passage of a book"
    );
    let Document::Object(misskey) = document("misskey/note_misskey.io_8vs6ylpfez_quote.json")
    else {
        panic!("object expected");
    };
    assert!(matches!(
        misskey.quote.map(|q| q.form),
        Some(QuoteForm::QuoteUrl | QuoteForm::MisskeyQuote)
    ));

    // Misskey actors declare Misskey terms; Pleroma ones LitePub.
    let Document::Actor(mk) = document("misskey/actor_misskey.io_aimu.json") else {
        panic!("actor expected");
    };
    assert!(mk.ld_context.declares_misskey);
    assert_eq!(
        mk.ld_context
            .software()
            .map(|s| s.as_str().to_owned())
            .as_deref(),
        Some("misskey")
    );
    let Document::Actor(pl) = document("pleroma/actor_patch.cx_users_rin.json") else {
        panic!("actor expected");
    };
    assert!(pl.ld_context.declares_litepub, "{:?}", pl.ld_context);

    // Actor flags and addresses in their less common spellings.
    let Document::Actor(takahe) = document("takahe/actor_fedi.vision_vote.json") else {
        panic!("actor expected");
    };
    assert_eq!(takahe.discoverable, Some(true), "toot:discoverable key");
    let Document::Actor(discourse) = document("discourse/actor_person.json") else {
        panic!("actor expected");
    };
    assert!(discourse.shared_inbox.is_some(), "top-level sharedInbox");
    let Document::Actor(wordpress) = document("wordpress/actor_person.json") else {
        panic!("actor expected");
    };
    assert_eq!(
        wordpress.webfinger.as_deref(),
        Some("matthias@pfefferle.org")
    );
    assert_eq!(wordpress.indexable, Some(true));
    let Document::Actor(service) = document("mastodon/actor_mastodont.cat_service.json") else {
        panic!("actor expected");
    };
    assert_eq!(service.indexable, Some(false));
    assert!(!fedireach_activitypub::OptOut::of_actor(&service).may_be_named);

    // WebFinger: Hubzilla's self link uses the ld+json profile form.
    let hubzilla = parse_webfinger(
        &fixture("hubzilla/webfinger_kaniini_gerzilla.de.json"),
        MAX_BYTES,
    )
    .expect("the fixture parses");
    let link = hubzilla.actor_link();
    assert_eq!(
        link.as_ref().map(|l| (l.href.as_str(), l.source)),
        Some((
            "https://gerzilla.de/channel/kaniini",
            ActorLinkSource::SelfActivityJson
        ))
    );
    // GNU social has no ActivityStreams link: a fallback, marked as one.
    let gnu = parse_webfinger(
        &fixture("gnusocial/webfinger_winterdienst_gnusocial.de.json"),
        MAX_BYTES,
    )
    .expect("the fixture parses");
    assert!(gnu.actor_link().is_some_and(|l| l.source.is_fallback()));

    // NodeInfo: names and counts.
    let mastodon = parse_nodeinfo(
        &fixture("mastodon/nodeinfo_mastodon_2.0_v4.1.5_e83809.json"),
        MAX_BYTES,
    )
    .expect("the fixture parses");
    assert_eq!(mastodon.software_name, "mastodon");
    assert_eq!(mastodon.users_active_month, Some(470_481));
    assert_eq!(mastodon.local_posts, Some(62_251_340));
}
