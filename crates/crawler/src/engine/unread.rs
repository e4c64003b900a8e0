//! Brand actors a crawl could not read: not resolved, or resolved with posts that could
//! not be listed. Each is said in the crawl's summary and kept on its tracked actor's
//! row (the sink), so that its posts show as unknown, not absent.

use tracing::warn;

use super::{ActorPlan, Run, sink_error};
use crate::{CrawlError, sink::CrawlSink};
use fedireach_core::Host;

impl<S: CrawlSink> Run<'_, S> {
    /// A brand actor that could not be resolved: said in the summary and kept on its
    /// row, so that its posts show as unknown, not absent.
    pub(super) async fn unresolved(
        &self,
        plan: &ActorPlan,
        why: String,
    ) -> Result<Option<(Host, String)>, CrawlError> {
        warn!(actor = %plan.input, %why, "could not resolve the actor");
        self.sink
            .actor_unread(plan.tracked_actor_id, Some(("unresolved", &why)))
            .await
            .map_err(sink_error)?;
        self.ctx.unresolved(&plan.input.to_string(), why);
        Ok(None)
    }

    /// A brand actor resolved whose posts could not be listed, the same way.
    pub(super) async fn unlisted(&self, plan: &ActorPlan, why: String) -> Result<(), CrawlError> {
        warn!(actor = %plan.input, %why, "could not list the actor's posts");
        self.sink
            .actor_unread(plan.tracked_actor_id, Some(("unlisted", &why)))
            .await
            .map_err(sink_error)?;
        self.ctx.unlisted(&plan.input.to_string(), why);
        Ok(())
    }
}
