//! What a crawl tallies as it goes: failures by host, the consent report (refusals
//! by host and route, left-out hosts, anonymised engagers), 410s to purge, actors that
//! could not be resolved, and what each failed fetch means for them.

use std::collections::BTreeMap;

use fedireach_core::{ConsentAction, ConsentReason, ConsentSubject, FailureKind, Host, Route};
use tracing::{debug, warn};
use url::Url;

use super::{
    ctx::{Ctx, Gone},
    scope,
    summary::{ConsentKey, HostFailure},
};
use crate::{FetchError, locked};

impl Ctx {
    /// Counts `who` (an engager hash input, a host, a post) once under a consent reason.
    pub fn consent(
        &self,
        subject: ConsentSubject,
        action: ConsentAction,
        reason: ConsentReason,
        who: &str,
    ) {
        self.consent_line(
            ConsentKey {
                subject,
                action,
                reason,
                route: None,
            },
            who,
        );
    }

    fn consent_line(&self, key: ConsentKey, who: &str) {
        locked(&self.consent)
            .entry(key)
            .or_default()
            .insert(who.to_owned());
    }

    /// Leaves a whole host out of the crawl, for `reason`.
    fn host_left_out(&self, reason: ConsentReason, host: &str) {
        self.consent(ConsentSubject::Host, ConsentAction::LeftOut, reason, host);
    }

    pub fn failure(&self, host: &str, url: &str, kind: FailureKind, message: String) {
        // Whatever post is being read saw a failure: it is not remembered as read in full.
        scope::note_failure();
        self.report(host, url, kind, message);
    }

    /// A host that served more than a cap allows: reported `over_limit` with the cap,
    /// once per host and cap, and what was read of it is kept (the post stands as read).
    pub fn over_limit(&self, url: &Url, what: &str) {
        let host = Host::from_url(url)
            .map(|h| h.to_string())
            .unwrap_or_default();
        let first = locked(&self.over_limit_seen).insert((host.clone(), what.to_owned()));
        if !first {
            return;
        }
        self.report(
            &host,
            url.as_str(),
            FailureKind::OverLimit,
            format!("{url}: {what}; what was read is kept"),
        );
    }

    /// A host that misbehaved without keeping anything from being read (its endless
    /// empty pages were cut short): reported, but the post stands as read.
    pub fn misbehaved(&self, url: &Url, what: &str) {
        let host = Host::from_url(url)
            .map(|h| h.to_string())
            .unwrap_or_default();
        self.report(
            &host,
            url.as_str(),
            FailureKind::Malformed,
            format!("{url}: {what}"),
        );
    }

    fn report(&self, host: &str, url: &str, kind: FailureKind, message: String) {
        warn!(host, url, %kind, %message, "host failed");
        locked(&self.failures).push(HostFailure {
            host: host.to_owned(),
            url: url.to_owned(),
            kind,
            message,
        });
    }

    fn push_gone(&self, gone: Gone) {
        let mut list = locked(&self.gone);
        if !list.contains(&gone) {
            list.push(gone);
        }
    }

    /// What answered 410 during the crawl, to purge.
    pub fn take_gone(&self) -> Vec<Gone> {
        std::mem::take(&mut *locked(&self.gone))
    }

    /// A brand actor that could not be resolved, and why.
    pub fn unresolved(&self, actor: &str, reason: String) {
        locked(&self.unresolved).push(super::summary::UnresolvedActor {
            actor: actor.to_owned(),
            reason,
        });
    }

    pub fn take_unresolved(&self) -> Vec<super::summary::UnresolvedActor> {
        std::mem::take(&mut *locked(&self.unresolved))
    }

    /// A brand actor whose posts could not be listed, and why.
    pub fn unlisted(&self, actor: &str, reason: String) {
        locked(&self.unlisted).push(super::summary::UnresolvedActor {
            actor: actor.to_owned(),
            reason,
        });
    }

    pub fn take_unlisted(&self) -> Vec<super::summary::UnresolvedActor> {
        std::mem::take(&mut *locked(&self.unlisted))
    }

    pub fn take_failures(&self) -> Vec<HostFailure> {
        std::mem::take(&mut *locked(&self.failures))
    }

    /// The consent report: a refused host is `left_out` only when nothing of it could
    /// be read; a host read by one route and refused by another has the refused route
    /// recorded (`route`, `refused`, `REASON:ROUTE`). Hosts where an owned brand's
    /// client went past robots.txt are `client_access`.
    pub fn consent_counts(&self) -> BTreeMap<ConsentKey, u64> {
        let read = locked(&self.read_hosts).clone();
        let refusals = locked(&self.refusals).clone();
        for (host, route, reason) in refusals {
            if read.contains(&host) {
                let key = ConsentKey {
                    subject: ConsentSubject::Route,
                    action: ConsentAction::Refused,
                    reason,
                    route: Some(route),
                };
                self.consent_line(key, &host);
            } else {
                self.host_left_out(reason, &host);
            }
        }
        for host in self.fetcher.client_access_hosts() {
            self.consent(
                ConsentSubject::Host,
                ConsentAction::ClientAccess,
                ConsentReason::OwnerToken,
                &host,
            );
        }
        locked(&self.consent)
            .iter()
            .map(|(k, v)| (k.clone(), u64::try_from(v.len()).unwrap_or(u64::MAX)))
            .collect()
    }

    /// Notes that a document of `host` was read.
    pub(super) fn read_from(&self, host: &Host) {
        locked(&self.read_hosts).insert(host.to_string());
    }

    fn refused(&self, host: String, url: &Url, reason: ConsentReason) {
        let route = if url.path().starts_with("/api/") {
            Route::Api
        } else {
            Route::Activitypub
        };
        locked(&self.refusals).insert((host, route, reason));
    }

    /// Records what a failed fetch means: a host failure, or a refusal for consent.
    pub fn record(&self, url: &Url, error: &FetchError) {
        let host = Host::from_url(url)
            .map(|h| h.to_string())
            .unwrap_or_default();
        match error {
            FetchError::RobotsDisallowed { .. } => {
                self.refused(host, url, ConsentReason::RobotsTxt);
            }
            FetchError::Forgotten { .. } => self.host_left_out(ConsentReason::Forgotten, &host),
            FetchError::Denied { .. } => self.host_left_out(ConsentReason::Denylist, &host),
            FetchError::RobotsUnavailable { .. } => {
                let kind = FailureKind::RobotsUnavailable;
                self.failure(&host, url.as_str(), kind, error.to_string());
            }
            FetchError::Gone { .. } => {
                let (post, left_out) = (ConsentSubject::Post, ConsentAction::LeftOut);
                self.consent(post, left_out, ConsentReason::Gone410, url.as_str());
                self.push_gone(Gone::Object(url.to_string()));
            }
            FetchError::HostGone { .. } => {
                self.host_left_out(ConsentReason::Gone410, &host);
                if let Some(host) = Host::from_url(url) {
                    self.push_gone(Gone::Host(host));
                }
            }
            FetchError::Refused { .. } => {
                let reason = if self.key.is_some() {
                    ConsentReason::RefusedSignedFetch
                } else {
                    ConsentReason::AuthorizedFetch
                };
                self.refused(host, url, reason);
            }
            FetchError::Status { status: 404, .. } => debug!(%url, "not found"),
            _ if error.is_host_failure() => {
                let kind = match error {
                    FetchError::Unreachable(_) => FailureKind::Unreachable,
                    FetchError::RateLimited { .. } => FailureKind::RateLimited,
                    FetchError::Unsafe(_) => FailureKind::Unsafe,
                    FetchError::OverLimit { .. } => FailureKind::OverLimit,
                    FetchError::Status { .. } => FailureKind::HttpStatus,
                    _ => FailureKind::Transport,
                };
                self.failure(&host, url.as_str(), kind, error.to_string());
            }
            _ => debug!(%url, %error, "not fetched"),
        }
    }

    /// A malformed document: logged and skipped, the host counted as failing.
    pub fn malformed(&self, url: &Url, error: &dyn std::fmt::Display) {
        let host = Host::from_url(url)
            .map(|h| h.to_string())
            .unwrap_or_default();
        let message = format!("{url}: {error}");
        self.failure(&host, url.as_str(), FailureKind::Malformed, message);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::{
        AddressGuard, CrawlOptions, Fetcher, HostQuota, HttpClient, NetConfig, PolitenessConfig,
    };

    fn ctx() -> Ctx {
        let client = HttpClient::new(&NetConfig {
            user_agent: "fedireach-test".into(),
            timeout: std::time::Duration::from_secs(1),
            max_redirects: 0,
            max_document_bytes: 1024,
            allow_http: true,
            extra_ca_pem: None,
            guard: AddressGuard::default(),
            resolve_all: None,
            resolve: std::collections::HashMap::new(),
        })
        .unwrap_or_else(|e| panic!("client: {e}"));
        let fetcher = Fetcher::new(
            client,
            PolitenessConfig {
                default_quota: HostQuota {
                    rate: 1.0,
                    burst: 1,
                },
                host_quotas: std::collections::HashMap::new(),
                concurrency: 1,
                max_retries: 0,
                max_requests_per_host: 100,
                host_time_budget: std::time::Duration::from_secs(60),
            },
        );
        Ctx::new(
            Arc::new(fetcher),
            None,
            CrawlOptions {
                max_document_bytes: 1024,
                reply_depth: 3,
                post_concurrency: 1,
                handle_scheme: "https",
                max_items_per_collection: 100,
                max_pages_per_collection: 10,
                max_items_per_post: 100,
            },
        )
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    /// A host read over ActivityPub whose token-only API refused is not "left out":
    /// its refused route is recorded; a host of which nothing was read is left out.
    #[test]
    fn refusals_are_per_route_and_left_out_only_when_nothing_was_read() {
        let ctx = ctx();
        let read = url("https://read.example/api/v1/statuses/1/quotes");
        let shut = url("https://shut.example/users/a");
        if let Some(host) = Host::from_url(&read) {
            ctx.read_from(&host);
        }
        for (u, status) in [(&read, 401), (&shut, 401)] {
            ctx.record(
                u,
                &FetchError::Refused {
                    url: u.to_string(),
                    status,
                },
            );
        }
        ctx.record(
            &url("https://shut.example/.well-known/webfinger"),
            &FetchError::RobotsDisallowed {
                url: "https://shut.example/.well-known/webfinger".into(),
            },
        );
        let counts = ctx.consent_counts();
        let get = |subject, action, reason, route| {
            counts
                .get(&ConsentKey {
                    subject,
                    action,
                    reason,
                    route,
                })
                .copied()
        };
        let (fetch, robots) = (ConsentReason::AuthorizedFetch, ConsentReason::RobotsTxt);
        let (route, refused) = (ConsentSubject::Route, ConsentAction::Refused);
        let (host, left_out) = (ConsentSubject::Host, ConsentAction::LeftOut);
        assert_eq!(get(route, refused, fetch, Some(Route::Api)), Some(1));
        assert_eq!(get(host, left_out, fetch, None), Some(1));
        assert_eq!(get(host, left_out, robots, None), Some(1));
        let labels: Vec<String> = counts.keys().map(ConsentKey::reason_label).collect();
        assert!(
            labels.contains(&"authorized_fetch:api".to_owned()),
            "{labels:?}"
        );
        assert_eq!(counts.len(), 3, "{counts:?}");
    }
}
