//! One crawl, from brands to stored engagements: resolve each tracked actor, walk its
//! outbox, read each post's engagements from the source its origin's software offers,
//! learn what is needed of each engager and the software of each engaging instance, and
//! write each post's findings in one batch (so a crawl stopped at any moment resumes
//! cleanly: every write is idempotent).

mod account;
mod client;
mod collections;
mod ctx;
mod engagers;
mod found;
mod health;
mod instances;
mod outbox;
mod plan;
mod recheck;
mod record;
mod resolve;
mod scope;
mod sources;
mod summary;
mod tally;
mod unread;

use std::{
    collections::BTreeSet,
    sync::{Arc, atomic::Ordering},
};

use fedireach_core::{Batch, Host};
use futures::{StreamExt, stream};
use tracing::{Instrument, info, info_span};
use url::Url;

pub use plan::{ActorPlan, BrandPlan, CrawlOptions, CrawlPlan};
pub use summary::{ConsentKey, CrawlSummary, HostFailure, UnresolvedActor};

use self::{
    ctx::Ctx,
    engagers::Engagers,
    instances::Instances,
    outbox::{ListedPost, OutboxItem},
    sources::Route,
};
use crate::{CrawlError, Fetcher, InstanceKey, Request, sink::CrawlSink};

/// What a crawl tells whoever watches it (a progress bar).
pub trait CrawlProgress: Send + Sync {
    fn actor_resolved(&self, _actor: &str) {}
    fn posts_found(&self, _count: u64) {}
    fn post_done(&self, _engagements: u64) {}
    fn message(&self, _text: &str) {}
}

/// Watches nothing.
#[derive(Debug, Default)]
pub struct NoProgress;
impl CrawlProgress for NoProgress {}

/// Runs one crawl.
pub async fn crawl<S: CrawlSink>(
    fetcher: Arc<Fetcher>,
    key: Option<InstanceKey>,
    options: CrawlOptions,
    plan: CrawlPlan,
    sink: &S,
    progress: &dyn CrawlProgress,
) -> Result<CrawlSummary, CrawlError> {
    let ctx = Ctx::new(Arc::clone(&fetcher), key, options);
    let (instances, engaging) = Instances::with_prefetch();
    let run = Run {
        ctx: &ctx,
        sink,
        progress,
        instances,
        engagers: Engagers::default(),
        plan: &plan,
    };
    let mut summary = CrawlSummary {
        brands: plan.brands.len(),
        ..CrawlSummary::default()
    };
    let mut origins = BTreeSet::new();
    let actors = async {
        let results = futures::future::join_all(plan.brands.iter().flat_map(|brand| {
            brand.actors.iter().enumerate().map(|(index, actor)| {
                // The token is valid on the first actor's home server only.
                let token = if index == 0 {
                    brand.token.as_deref()
                } else {
                    None
                };
                let span = info_span!("actor", brand = %brand.name, actor = %actor.input);
                run.actor(actor, token).instrument(span)
            })
        }))
        .await;
        run.instances.stop_prefetch();
        results
    };
    // The NodeInfo of each engaging instance is read as soon as it is met, beside the
    // posts, so that the end of the crawl does not wait for it.
    let prefetch = engaging.for_each_concurrent(None, |host| run.prefetch_instance(host));
    let (results, ()) = futures::join!(actors, prefetch);
    for result in results {
        match result? {
            Some(origin) => {
                summary.actors_resolved += 1;
                origins.insert(origin);
            }
            None => summary.actors_failed += 1,
        }
    }
    summary.instances = run.write_instances(&origins).await?;
    sink.host_health(&ctx.host_health())
        .await
        .map_err(sink_error)?;
    for gone in ctx.take_gone() {
        match gone {
            ctx::Gone::Object(uri) => sink.purge_object(&uri).await.map_err(sink_error)?,
            ctx::Gone::Host(host) => sink.purge_host(&host).await.map_err(sink_error)?,
        }
    }
    let stats = fetcher.stats();
    summary.posts = ctx.posts.load(Ordering::Relaxed);
    summary.posts_unchanged = ctx.unchanged.load(Ordering::Relaxed);
    summary.engagements_found = ctx.engagements.load(Ordering::Relaxed);
    summary.engagements_removed = ctx.removed.load(Ordering::Relaxed);
    summary.requests = stats.requests.load(Ordering::Relaxed);
    summary.rate_limit_waits = stats.rate_limit_waits.load(Ordering::Relaxed);
    summary.rate_limit_wait_ms = stats.rate_limit_wait_ms.load(Ordering::Relaxed);
    summary.failures = ctx.take_failures();
    summary.consent = ctx.consent_counts();
    summary.unresolved = ctx.take_unresolved();
    summary.unlisted = ctx.take_unlisted();
    Ok(summary)
}

struct Run<'a, S> {
    ctx: &'a Ctx,
    sink: &'a S,
    progress: &'a dyn CrawlProgress,
    instances: Instances,
    engagers: Engagers,
    plan: &'a CrawlPlan,
}

fn sink_error(source: crate::sink::SinkError) -> CrawlError {
    CrawlError::Sink { source }
}

impl<S: CrawlSink> Run<'_, S> {
    /// Crawls one tracked actor; returns its origin host once resolved.
    async fn actor(
        &self,
        plan: &ActorPlan,
        token: Option<&str>,
    ) -> Result<Option<(Host, String)>, CrawlError> {
        let ctx = self.ctx;
        let resolved = match self.resolve_account(plan, token).await {
            Ok(resolved) => resolved,
            Err(why) => return self.unresolved(plan, why).await,
        };
        let home = (resolved.host.clone(), resolved.url.scheme().to_owned());
        self.progress.actor_resolved(&resolved.id);
        self.sink
            .actor_resolved(plan.tracked_actor_id, &resolved.id)
            .await
            .map_err(sink_error)?;
        self.sink
            .follower_snapshot(plan.tracked_actor_id, resolved.followers)
            .await
            .map_err(sink_error)?;
        // The brand's own actor document names its software in its `@context` (Misskey,
        // Sharkey, GoToSocial...): the fallback when its host serves no NodeInfo.
        self.instances
            .saw_context(&resolved.host, &resolved.ld_context);
        let origin = self
            .instances
            .classify(ctx, &resolved.host, resolved.url.scheme())
            .await;
        info!(software = %origin.software, "origin");
        let source = self.post_source(&resolved, &origin.software, token).await;
        let Some(items) = self.list_items(plan, &source, token).await? else {
            return Ok(Some(home));
        };
        let posts = items
            .iter()
            .filter(|i| matches!(i, OutboxItem::Post(_)))
            .count();
        // Lemmy serves every person's outbox empty (crates/apub's person outbox; its real
        // documents in fixtures/real/lemmy): nothing listed there says nothing.
        if items.is_empty() && origin.software.as_str() == "lemmy" {
            let why = format!(
                "its server ({}) lists no person's posts (their outboxes are always empty): \
                 the posts are unknown",
                origin.software
            );
            self.unlisted(plan, why).await?;
        } else {
            self.sink
                .actor_unread(plan.tracked_actor_id, None)
                .await
                .map_err(sink_error)?;
        }
        self.progress
            .posts_found(u64::try_from(posts).unwrap_or(u64::MAX));
        let author = resolved.id.clone();
        let (tasks, boosts) =
            account::split_boosts(items, &author, resolved.host.as_str(), ctx.started_at);
        if !boosts.is_empty() {
            self.sink
                .write_batch(Batch {
                    posts: boosts,
                    ..Batch::default()
                })
                .await
                .map_err(sink_error)?;
        }
        let route = Route {
            software: origin.software.clone(),
            client: source.is_client(),
        };
        let results: Vec<Result<(), CrawlError>> = stream::iter(tasks)
            .map(|post| self.post(&resolved.host, &author, &route, post, &resolved.url, token))
            .buffer_unordered(ctx.options.post_concurrency.max(1))
            .collect()
            .await;
        results.into_iter().collect::<Result<(), _>>()?;
        Ok(Some(home))
    }

    /// One post: its engagements, its engagers, one batch.
    async fn post(
        &self,
        host: &Host,
        author: &str,
        route: &Route,
        post: ListedPost,
        actor_url: &Url,
        token: Option<&str>,
    ) -> Result<(), CrawlError> {
        let ctx = self.ctx;
        let ListedPost { object, api_id } = post;
        let api_id = api_id.as_deref();
        let Some(uri) = object.id.clone() else {
            return Ok(());
        };
        let base = Url::parse(&uri).unwrap_or_else(|_| actor_url.clone());
        // Always read a post from its origin: remote copies carry no collections.
        if Host::from_url(&base).as_ref() != Some(host) {
            return Ok(());
        }
        let indicators = recheck::indicators(route, &object, api_id, &base, token);
        if self.unchanged(&indicators, &uri).await? {
            // Its engagers' instances are reported as if it had been read: an earlier,
            // interrupted crawl may have saved the post without them.
            for engaging in self.sink.engaging_hosts(&uri).await.map_err(sink_error)? {
                self.instances.engaging(&engaging);
            }
            Ctx::count(&ctx.posts, 1);
            Ctx::count(&ctx.unchanged, 1);
            self.progress.post_done(0);
            return Ok(());
        }
        let (batch, scope) = Ctx::scoped(async {
            let findings =
                sources::collect(ctx, &self.instances, route, &object, api_id, &base, token).await;
            // What was listed in full; the findings themselves move into the batch.
            let complete = findings.complete.clone();
            (
                self.batch(host, author, &object, &uri, findings).await,
                complete,
            )
        })
        .await;
        let (batch, complete) = batch;
        let found = u64::try_from(batch.engagements.len()).unwrap_or(u64::MAX);
        self.sink.write_batch(batch).await.map_err(sink_error)?;
        // Read in full without a failure: remember what stands for the post, so that the
        // next crawl reads no more of it while that stays the same.
        if scope.failures() == 0 {
            for request in indicators {
                if let Ok(answer) = ctx.fetcher.fetch(request.clone()).await
                    && answer.status == 200
                {
                    let key = request.key();
                    let validators = answer.validators();
                    self.sink
                        .save_cached_response(&key, host, answer.status, &validators)
                        .await
                        .map_err(sink_error)?;
                }
            }
        }
        // The post's API answers are read: the crawl's memory need not hold them.
        ctx.fetcher.release(&scope.take_fetched());
        if !complete.is_empty() {
            let removed = self
                .sink
                .mark_removed(&uri, &complete, ctx.started_at)
                .await
                .map_err(sink_error)?;
            Ctx::count(&ctx.removed, removed);
        }
        Ctx::count(&ctx.posts, 1);
        Ctx::count(&ctx.engagements, found);
        self.progress.post_done(found);
        Ok(())
    }

    /// Whether the requests that stand for a post all answer as they did when it was
    /// last read in full (see [`recheck`]).
    async fn unchanged(&self, indicators: &[Request], uri: &str) -> Result<bool, CrawlError> {
        if indicators.is_empty() {
            return Ok(false);
        }
        let mut known = Vec::with_capacity(indicators.len());
        for request in indicators {
            match self
                .sink
                .cached_response(&request.key(), uri)
                .await
                .map_err(sink_error)?
            {
                Some(validators) => known.push(validators),
                None => return Ok(false),
            }
        }
        let answers =
            futures::future::join_all(indicators.iter().zip(&known).map(|(request, known)| {
                let mut conditional = request.clone();
                conditional.etag.clone_from(&known.etag);
                conditional.last_modified.clone_from(&known.last_modified);
                self.ctx.fetch(conditional)
            }))
            .await;
        Ok(answers
            .iter()
            .zip(&known)
            .all(|(answer, known)| answer.as_ref().is_ok_and(|a| a.unchanged_from(known))))
    }

    /// Reads an engaging host's NodeInfo ahead of [`Self::write_instances`], unless the
    /// store knows its software recently enough.
    async fn prefetch_instance(&self, host: Host) {
        // A store error here is met again, and reported, when the instances are written.
        if !self.sink.instance_is_fresh(&host).await.unwrap_or(true) {
            let scheme = self.ctx.options.handle_scheme;
            self.instances.nodeinfo(self.ctx, &host, scheme).await;
        }
    }

    /// The software of every engaging instance and of the origins, in one batch.
    async fn write_instances(
        &self,
        origins: &BTreeSet<(Host, String)>,
    ) -> Result<usize, CrawlError> {
        let mut hosts: Vec<(Host, String)> = origins.iter().cloned().collect();
        let default_scheme = self.ctx.options.handle_scheme.to_owned();
        // The summary's figure: the instances that engaged in this crawl, whether they
        // were known already (and not classified again) or not.
        let mut engaged = 0;
        for host in self.instances.engaging_hosts() {
            engaged += 1;
            if !hosts.iter().any(|(h, _)| *h == host) {
                hosts.push((host, default_scheme.clone()));
            }
        }
        let mut records = Vec::new();
        let classified =
            futures::future::join_all(hosts.into_iter().map(|(host, scheme)| async move {
                let fresh = self
                    .sink
                    .instance_is_fresh(&host)
                    .await
                    .map_err(sink_error)?;
                if fresh {
                    return Ok::<_, CrawlError>(None);
                }
                let info = self.instances.classify(self.ctx, &host, &scheme).await;
                Ok(Some(Instances::record(host, info)))
            }))
            .await;
        for result in classified {
            if let Some(record) = result? {
                records.push(record);
            }
        }
        self.sink
            .write_batch(Batch {
                instances: records,
                ..Batch::default()
            })
            .await
            .map_err(sink_error)?;
        Ok(engaged)
    }
}
