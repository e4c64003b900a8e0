//! A post's findings as the store's batch: the post's record (its text as plain
//! excerpt, its reported counts and coverage), each engagement, and each engager
//! (read where the source did not describe it, anonymised where it opted out).

use std::collections::HashMap;

use fedireach_core::{
    Batch, ConsentAction, ConsentSubject, EngagementKind, EngagementRecord, Host, PostRecord,
};
use url::Url;

use super::{
    Run, ctx,
    found::{EXCERPT_CHARS, PostFindings},
};
use crate::sink::CrawlSink;

impl<S: CrawlSink> Run<'_, S> {
    /// A post and what was found of it, as one batch for the store: the post's record,
    /// each engagement, and each engager described once (unless records differ).
    pub(super) async fn batch(
        &self,
        host: &Host,
        author: &str,
        object: &fedireach_activitypub::Object,
        uri: &str,
        findings: PostFindings,
    ) -> Batch {
        let ctx = self.ctx;
        let post = post_record(ctx.started_at, host, author, object, uri, &findings);
        let mut batch = Batch {
            posts: vec![post],
            ..Batch::default()
        };
        let enriched = ctx::all_bounded(findings.found.into_iter().map(|mut found| async {
            if found.engager.is_none() {
                let followers = found.kind == EngagementKind::Boost;
                found.engager = self
                    .engagers
                    .facts(ctx, &self.instances, &found.actor_uri, followers)
                    .await;
            }
            found
        }))
        .await;
        // One record per engager unless they differ: a host's 50,000 replies by one
        // actor describe it once.
        let mut described: HashMap<String, usize> = HashMap::new();
        for found in enriched {
            let Some(engager_host) = Url::parse(&found.actor_uri)
                .ok()
                .and_then(|u| Host::from_url(&u))
            else {
                continue;
            };
            self.instances.engaging(&engager_host);
            if let Some(facts) = &found.engager {
                if let Some(reason) = facts.opt_out {
                    let (engager, anonymised) =
                        (ConsentSubject::Engager, ConsentAction::Anonymised);
                    ctx.consent(engager, anonymised, reason, &found.actor_uri);
                }
                let record = facts.record(&found.actor_uri, None);
                let repeated = described
                    .get(&found.actor_uri)
                    .and_then(|&i| batch.actors.get(i))
                    .is_some_and(|known| *known == record);
                if !repeated {
                    described.insert(found.actor_uri.clone(), batch.actors.len());
                    batch.actors.push(record);
                }
            }
            batch.engagements.push(EngagementRecord {
                post_uri: uri.to_owned(),
                kind: found.kind,
                actor_uri: found.actor_uri,
                host: engager_host,
                uri: found.uri,
                depth: found.depth,
                emoji: found.emoji,
                content_excerpt: found.excerpt,
                source: found.source.to_owned(),
                happened_at: found.happened_at,
                language: found.kind.has_language().then(|| {
                    found
                        .language
                        .unwrap_or(fedireach_core::Language::UNDECLARED)
                }),
            });
        }
        batch
    }
}

/// The post's own record: what its document says, and what its origin reported and
/// how each kind is known (`findings`). A post without a date is dated `now`.
fn post_record(
    now: i64,
    host: &Host,
    author: &str,
    object: &fedireach_activitypub::Object,
    uri: &str,
    findings: &PostFindings,
) -> PostRecord {
    PostRecord {
        uri: uri.to_owned(),
        author_uri: author.to_owned(),
        host: host.to_string(),
        published_at: object.published.map_or(now, |t| t.timestamp()),
        object_type: format!("{:?}", object.kind),
        url: object.url.clone(),
        language: object.language.clone(),
        visibility: match object.visibility() {
            fedireach_activitypub::Visibility::Unlisted => "unlisted",
            _ => "public",
        }
        .to_owned(),
        summary: object.summary.clone(),
        content_excerpt: object
            .content
            .as_deref()
            .map(|c| fedireach_activitypub::html_to_text(c, EXCERPT_CHARS)),
        reported_replies: findings.reported_replies,
        reported_likes: findings.reported_likes,
        reported_boosts: findings.reported_boosts,
        reported_quotes: findings.reported_quotes,
        coverage: Some(findings.coverage()),
        hashtags: object.hashtags(),
        ..PostRecord::default()
    }
}
