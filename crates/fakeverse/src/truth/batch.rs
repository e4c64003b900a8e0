//! The truth as the crawl records a correct crawl would hand to the store: a way to
//! fill a real store with a world's data without crawling it (the analytics and
//! dashboard tests, the dashboard's benchmark). Only core types: the caller writes
//! the batch with the store it has.

use std::collections::{BTreeMap, BTreeSet};

use fedireach_core::{
    ActorRecord, Batch, ConsentAction, ConsentSubject, EngagementRecord, Host, InstanceRecord,
    PostRecord, Software, SoftwareSource,
};

use super::Truth;
use crate::FakeverseError;

fn seconds(rfc3339: &str) -> Result<i64, FakeverseError> {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.timestamp())
        .map_err(|e| FakeverseError::BadTruth(format!("time `{rfc3339}`: {e}")))
}

fn host(text: &str) -> Result<Host, FakeverseError> {
    Host::parse(text).map_err(|e| FakeverseError::BadTruth(format!("host `{text}`: {e}")))
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Truth {
    /// Every instance, post, engager and engagement of the truth as one [`Batch`]:
    /// what the store holds after a correct crawl (engagers without names or
    /// handles, as for engagers a brand may not name).
    pub fn to_batch(&self) -> Result<Batch, FakeverseError> {
        let mut batch = Batch::default();
        for instance in &self.instances {
            batch.instances.push(InstanceRecord {
                host: host(&instance.host)?,
                software: Software::from_nodeinfo_name(&instance.software)
                    .unwrap_or_else(Software::unknown),
                software_version: None,
                software_source: match instance.software_source.as_str() {
                    "nodeinfo" => SoftwareSource::Nodeinfo,
                    "context" => SoftwareSource::Context,
                    "domain" => SoftwareSource::Domain,
                    _ => SoftwareSource::Unknown,
                },
                users_total: None,
                users_active_month: instance.active_month.map(count),
            });
        }
        for post in &self.posts {
            let origin = post.uri.split('/').nth(2).unwrap_or_default();
            batch.posts.push(PostRecord {
                uri: post.uri.clone(),
                author_uri: post.actor.clone(),
                host: host(origin)?.to_string(),
                published_at: seconds(&post.published)?,
                object_type: "Note".to_owned(),
                visibility: "public".to_owned(),
                reported_replies: post.reported.replies.map(count),
                reported_likes: post.reported.likes.map(count),
                reported_boosts: post.reported.boosts.map(count),
                reported_quotes: post.reported.quotes.map(count),
                coverage: post.coverage,
                ..PostRecord::default()
            });
        }
        let mut engagers = BTreeSet::new();
        for e in &self.engagements {
            if engagers.insert(e.actor.as_str()) {
                batch.actors.push(ActorRecord {
                    actor_uri: e.actor.clone(),
                    followers_count: e.actor_followers.map(count),
                    ..ActorRecord::default()
                });
            }
            batch.engagements.push(EngagementRecord {
                post_uri: e.post.clone(),
                kind: e.kind,
                actor_uri: e.actor.clone(),
                host: host(&e.instance)?,
                uri: Some(e.object.clone()),
                depth: e.depth.map(i64::from),
                emoji: e.emoji.clone(),
                content_excerpt: None,
                source: "truth".to_owned(),
                happened_at: Some(seconds(&e.published)?),
                language: e
                    .language
                    .as_deref()
                    .and_then(fedireach_core::Language::from_code),
            });
        }
        Ok(batch)
    }

    /// The follower count of a brand actor (by id) on the day seen, from its posts.
    pub fn followers_of(&self, actor_id: &str) -> Option<u64> {
        self.posts
            .iter()
            .find(|p| p.actor == actor_id)
            .map(|p| p.followers)
    }

    /// The consent lines a crawl of the truth reports for its engagers: how many
    /// distinct engagers were anonymised, by reason (`subject`, `action`, `reason`,
    /// count).
    pub fn consent_lines(&self) -> Vec<(ConsentSubject, ConsentAction, String, u64)> {
        let mut by_reason: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for e in &self.engagements {
            if let Some(reason) = &e.opt_out {
                by_reason.entry(reason).or_default().insert(&e.actor);
            }
        }
        by_reason
            .into_iter()
            .map(|(reason, actors)| {
                (
                    ConsentSubject::Engager,
                    ConsentAction::Anonymised,
                    reason.to_owned(),
                    actors.len() as u64,
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::{Scale, Truth, World, WorldOptions};

    #[test]
    fn the_batch_holds_every_part_of_the_truth_once() -> Result<(), crate::FakeverseError> {
        let world = World::generate(&WorldOptions {
            seed: 1,
            scale: Scale::Small,
            day: 0,
            plain_http: false,
            tour: false,
        });
        let truth = Truth::of(&world);
        let batch = truth.to_batch()?;
        assert_eq!(batch.instances.len(), truth.instances.len());
        assert_eq!(batch.posts.len(), truth.posts.len());
        assert_eq!(batch.engagements.len(), truth.engagements.len());
        let engagers: std::collections::BTreeSet<_> =
            truth.engagements.iter().map(|e| &e.actor).collect();
        assert_eq!(batch.actors.len(), engagers.len());
        let anonymised: u64 = truth.consent_lines().iter().map(|l| l.3).sum();
        let opted_out: std::collections::BTreeSet<_> = truth
            .engagements
            .iter()
            .filter(|e| e.opt_out.is_some())
            .map(|e| &e.actor)
            .collect();
        assert!(
            !opted_out.is_empty(),
            "the world has engagers who opted out"
        );
        assert_eq!(anonymised, opted_out.len() as u64);
        Ok(())
    }
}
