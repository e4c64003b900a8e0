//! A post or an engagement as a note (or a video, a comment) written the way its author's
//! software writes it: fields, quotes, replies collections and the language declaration
//! of each software (see `SimSoftware::language_field`).

use fedireach_core::EngagementKind;
use serde_json::{Value, json};

use super::{
    PUBLIC,
    actor::collection_url,
    collections,
    objects::{Target, author, note_context, uri_of},
};
use crate::{
    server::state::State,
    time::{rfc3339, rfc3339_millis},
    world::{LanguageField, Quirk, SimSoftware, World},
};

/// A language's name in itself, as Lemmy names it beside the code.
fn language_name(tag: &str) -> &'static str {
    match tag {
        "de" => "Deutsch",
        "fr" => "Français",
        "ja" => "日本語",
        "es" => "Español",
        "pt" => "Português",
        _ => "English",
    }
}

pub(super) fn text(world: &World, target: Target) -> String {
    const TOPICS: [&str; 8] = [
        "our spring release",
        "a behind-the-scenes look",
        "the community meetup",
        "a small fix that matters",
        "what we learned this month",
        "the new colours",
        "our open roadmap",
        "a thank-you to contributors",
    ];
    match target {
        Target::Post(p) => {
            let post = world.posts().get(p as usize);
            let brand = post.map_or("", |post| world.brand_name(post));
            let topic = TOPICS[(post.map_or(0, |p| p.key) % 8) as usize];
            format!("{brand} news #{p}: {topic}.")
        }
        Target::Engagement(e) => {
            let kind = world.engagements().get(e as usize).map(|e| e.kind);
            let topic = TOPICS[(e % 8) as usize];
            match kind {
                Some(EngagementKind::Quote) => format!("Worth reading, about {topic}."),
                _ => format!("Thanks for sharing {topic}!"),
            }
        }
    }
}

/// What an engagement answers or quotes.
pub(super) fn in_reply_to(world: &World, target: Target) -> Option<String> {
    let Target::Engagement(e) = target else {
        return None;
    };
    let eng = world.engagements().get(e as usize)?;
    matches!(
        eng.kind,
        EngagementKind::Reply | EngagementKind::ThreadReply
    )
    .then(|| world.in_reply_to(eng))
}

pub(super) fn quoted(world: &World, target: Target) -> Option<String> {
    let Target::Engagement(e) = target else {
        return None;
    };
    let eng = world.engagements().get(e as usize)?;
    (eng.kind == EngagementKind::Quote).then(|| world.post_uri(eng.post))
}

pub(super) fn num_of(world: &World, target: Target) -> u64 {
    match target {
        Target::Post(p) => world.post_num(p),
        Target::Engagement(e) => world.engagement_num(e),
    }
}

pub(super) fn published(world: &World, target: Target) -> i64 {
    match target {
        Target::Post(p) => world.posts().get(p as usize).map_or(0, |p| p.published),
        Target::Engagement(e) => world.engagements().get(e as usize).map_or(0, |e| e.created),
    }
}

/// What every software's note is made of.
struct NoteParts<'a> {
    software: SimSoftware,
    host: &'a str,
    origin: String,
    uri: String,
    actor_id: String,
    followers: String,
    when: i64,
    body: String,
    language: Option<&'static str>,
    reply_to: Option<String>,
    quote: Option<String>,
    num: u64,
    user: &'a str,
}

/// The object as its author's software writes it (without `@context` for embedding,
/// except where the software embeds it too).
pub(crate) fn note_json(state: &State, target: Target) -> Value {
    let world = &state.world;
    let Some(author) = author(world, target) else {
        return Value::Null;
    };
    let Some(inst) = world.instance_of(author) else {
        return Value::Null;
    };
    let software = inst.software;
    if let (Target::Post(p), SimSoftware::Peertube) = (target, software) {
        return collections::video(state, p);
    }
    let n = NoteParts {
        software,
        host: &inst.host,
        origin: world.origin(
            world
                .actors()
                .get(author as usize)
                .map_or(0, |a| a.instance),
        ),
        uri: uri_of(world, target),
        actor_id: world.actor_id(author),
        followers: collection_url(world, author, "followers"),
        when: published(world, target),
        body: text(world, target),
        language: world.declared_language(author),
        reply_to: in_reply_to(world, target),
        quote: quoted(world, target),
        num: num_of(world, target),
        user: world
            .actors()
            .get(author as usize)
            .map_or("", |a| &*a.username),
    };
    let mut doc = match software {
        SimSoftware::Mastodon | SimSoftware::Gotosocial | SimSoftware::Pixelfed => {
            mastodon_note(state, target, &n)
        }
        s if s.is_misskey() => misskey_note(&n),
        SimSoftware::Peertube => json!({
            "id": n.uri,
            "type": "Note",
            "content": n.body,
            "mediaType": "text/markdown",
            "inReplyTo": n.reply_to,
            "updated": rfc3339_millis(n.when),
            "published": rfc3339_millis(n.when),
            "url": n.uri,
            "attributedTo": n.actor_id,
            "to": [PUBLIC],
            "cc": [n.followers],
            "tag": [],
        }),
        _ => other_note(state, target, &n),
    };
    let (origin, uri, followers) = (&n.origin, &n.uri, &n.followers);
    if software.is_misskey() || matches!(software, SimSoftware::Pleroma | SimSoftware::Akkoma) {
        doc["@context"] = note_context(software, origin);
    }
    if inst.quirk == Quirk::BovineShapes {
        // bovine-herd: compact `as:Public`, `cc` a plain string, collections as URLs.
        doc["to"] = json!("as:Public");
        doc["cc"] = json!(followers);
        for name in ["replies", "likes", "shares"] {
            doc[name] = json!(format!("{uri}/{name}"));
        }
    }
    doc
}

/// Mastodon's note, as GoToSocial and Pixelfed write it too (Mastodon alone with its
/// replies inline and its likes and shares counted).
fn mastodon_note(state: &State, target: Target, n: &NoteParts<'_>) -> Value {
    let (software, uri, num) = (n.software, &n.uri, n.num);
    let content = format!("<p>{}</p>", n.body);
    let mut doc = json!({
        "id": uri,
        "type": "Note",
        "summary": null,
        "inReplyTo": n.reply_to,
        "published": rfc3339(n.when),
        "url": if software == SimSoftware::Pixelfed { uri.clone() } else { format!("{}/@{}/{num}", n.origin, n.user) },
        "attributedTo": n.actor_id,
        "to": [PUBLIC],
        "cc": [n.followers],
        "sensitive": false,
        "atomUri": uri,
        "inReplyToAtomUri": n.reply_to,
        "conversation": format!("tag:{},{}:objectId={num}:objectType=Conversation", n.host, &rfc3339(n.when)[..10]),
        "content": content,
        "attachment": [],
        "tag": [],
    });
    if let (LanguageField::ContentMap, Some(tag)) = (software.language_field(), n.language) {
        doc["contentMap"] = json!({ tag: content });
    }
    if software == SimSoftware::Mastodon {
        doc["replies"] = collections::mastodon_replies_inline(state, target);
        let (likes, shares) = collections::like_share_counts(&state.world, target);
        doc["likes"] =
            json!({ "id": format!("{uri}/likes"), "type": "Collection", "totalItems": likes });
        doc["shares"] =
            json!({ "id": format!("{uri}/shares"), "type": "Collection", "totalItems": shares });
    }
    if let Some(q) = &n.quote {
        doc["quote"] = json!(q);
        doc["quoteUri"] = json!(q);
        doc["_misskey_quote"] = json!(q);
    }
    doc
}

/// Misskey's note (and its forks').
fn misskey_note(n: &NoteParts<'_>) -> Value {
    let body = &n.body;
    let mut doc = json!({
        "id": n.uri,
        "type": "Note",
        "attributedTo": n.actor_id,
        "summary": null,
        "content": format!("<p><span>{body}</span></p>"),
        "_misskey_content": body,
        "source": { "content": body, "mediaType": "text/x.misskeymarkdown" },
        "published": rfc3339_millis(n.when),
        "to": [PUBLIC],
        "cc": [n.followers],
        "inReplyTo": n.reply_to,
        "attachment": [],
        "sensitive": false,
        "tag": [],
    });
    if let Some(q) = &n.quote {
        doc["_misskey_quote"] = json!(q);
        doc["quoteUrl"] = json!(q);
        doc["quoteUri"] = json!(q);
    }
    doc
}

/// Every other software's note: the common fields, then each one's own.
fn other_note(state: &State, target: Target, n: &NoteParts<'_>) -> Value {
    let (uri, body, origin, num) = (&n.uri, &n.body, &n.origin, n.num);
    let content = format!("<p>{body}</p>");
    let mut doc = json!({
        "id": uri,
        "type": "Note",
        "attributedTo": n.actor_id,
        "content": content,
        "published": rfc3339(n.when),
        "to": [PUBLIC],
        "cc": [n.followers],
        "inReplyTo": n.reply_to,
        "tag": [],
    });
    match n.software {
        SimSoftware::Pleroma | SimSoftware::Akkoma => {
            doc["actor"] = json!(n.actor_id);
            doc["attachment"] = json!([]);
            doc["sensitive"] = json!(false);
            doc["summary"] = json!("");
            doc["source"] = json!({ "content": body, "mediaType": "text/plain" });
            let ctx_id = format!("{origin}/contexts/{num}");
            doc["context"] = json!(ctx_id);
            doc["conversation"] = json!(ctx_id);
            if let Some(q) = &n.quote {
                doc["quoteUrl"] = json!(q);
                doc["quoteUri"] = json!(q);
            }
        }
        // Lemmy's notes and pages carry no replies, likes or shares
        // (fixtures/real/lemmy/page_*.json; ACTIVITYPUB_FACTS section 6), and
        // Mbin federates as Lemmy does.
        SimSoftware::Lemmy | SimSoftware::Mbin => {
            doc["mediaType"] = json!("text/html");
            doc["source"] = json!({ "content": body, "mediaType": "text/markdown" });
            doc["distinguished"] = json!(false);
            if let Some(tag) = n.language {
                doc["language"] = json!({ "identifier": tag, "name": language_name(tag) });
            }
            doc["audience"] = json!(format!("{origin}/c/general"));
        }
        SimSoftware::Friendica => {
            if let Some(tag) = n.language {
                doc["contentMap"] = json!({ tag: content });
            }
            // src/Model/Item.php: the object is `/objects/GUID`, its page
            // `/display/GUID` (fixtures/real/friendica/note_note_1.json).
            let guid = uri.rsplit('/').next().unwrap_or_default();
            doc["url"] = json!(format!("{origin}/display/{guid}"));
            doc["attachment"] = json!([]);
            doc["sensitive"] = json!(false);
            doc["summary"] = json!("");
            doc["source"] = json!({ "content": body, "mediaType": "text/bbcode" });
            doc["context"] = json!(format!("{origin}/objects/{num}#context"));
            doc["diaspora:guid"] = json!(format!("{num:x}"));
            doc["diaspora:comment"] = json!(null);
        }
        SimSoftware::Wordpress => {
            if let Some(tag) = n.language {
                doc["contentMap"] = json!({ tag: content });
            }
            doc["url"] = json!(uri);
            if let Target::Post(_) = target {
                super::wordpress::wordpress_inline(state, target, &mut doc);
            }
        }
        _ => {
            doc["url"] = json!(uri);
        }
    }
    doc
}
