//! The software of every instance met: NodeInfo first, then the `@context` namespaces of
//! the documents the host served, then known domains, else `unknown` (BRIEF section 1).

use std::{
    collections::{BTreeSet, HashMap},
    sync::{Arc, Mutex},
};

use fedireach_activitypub::{JsonLdContext, NodeInfo, parse_nodeinfo, parse_nodeinfo_discovery};
use fedireach_core::{Host, InstanceRecord, Software, SoftwareSource};
use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio::sync::OnceCell;
use url::Url;

use super::ctx::{ACCEPT_JSON, Ctx};
use crate::locked;

/// What the crawl learned of one host's software.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceInfo {
    pub software: Software,
    pub source: SoftwareSource,
    pub version: Option<String>,
    pub users_total: Option<i64>,
    pub users_active_month: Option<i64>,
}

/// Every host's NodeInfo, fetched once per crawl, and the namespace evidence gathered.
#[derive(Debug, Default)]
pub struct Instances {
    nodeinfo: Mutex<HashMap<Host, Arc<OnceCell<Option<NodeInfo>>>>>,
    namespaces: Mutex<HashMap<Host, BTreeSet<String>>>,
    engaging: Mutex<BTreeSet<Host>>,
    /// Where a newly engaging host is sent to have its NodeInfo read while the crawl goes
    /// on, rather than all at the end.
    prefetch: Mutex<Option<UnboundedSender<Host>>>,
}

impl Instances {
    /// Notes the `@context` of a document a host served, for the fallback.
    pub fn saw_context(&self, host: &Host, context: &JsonLdContext) {
        if context.namespaces.is_empty() {
            return;
        }
        let mut map = locked(&self.namespaces);
        map.entry(host.clone())
            .or_default()
            .extend(context.namespaces.iter().cloned());
    }

    /// Instances whose engaging hosts are also sent to the returned receiver as they are
    /// first met, until [`Self::stop_prefetch`].
    pub fn with_prefetch() -> (Self, UnboundedReceiver<Host>) {
        let (sender, receiver) = futures::channel::mpsc::unbounded();
        let instances = Self {
            prefetch: Mutex::new(Some(sender)),
            ..Self::default()
        };
        (instances, receiver)
    }

    /// No more hosts are sent for prefetching: the receiver ends.
    pub fn stop_prefetch(&self) {
        locked(&self.prefetch).take();
    }

    /// Notes a host as engaging, so its software is reported.
    pub fn engaging(&self, host: &Host) {
        let new = locked(&self.engaging).insert(host.clone());
        if new && let Some(sender) = locked(&self.prefetch).as_ref() {
            // A closed receiver only means nobody prefetches: the end reads it then.
            let _ = sender.unbounded_send(host.clone());
        }
    }

    pub fn engaging_hosts(&self) -> Vec<Host> {
        locked(&self.engaging).iter().cloned().collect()
    }

    /// The host's NodeInfo, fetched on first use.
    pub async fn nodeinfo(&self, ctx: &Ctx, host: &Host, scheme: &str) -> Option<NodeInfo> {
        let cell = {
            let mut map = locked(&self.nodeinfo);
            Arc::clone(map.entry(host.clone()).or_default())
        };
        cell.get_or_init(|| fetch_nodeinfo(ctx, host, scheme))
            .await
            .clone()
    }

    /// The software of a host: NodeInfo, else namespaces, else domain, else unknown.
    pub async fn classify(&self, ctx: &Ctx, host: &Host, scheme: &str) -> InstanceInfo {
        if let Some(info) = self.nodeinfo(ctx, host, scheme).await
            && let Some(software) = info.software()
        {
            return InstanceInfo {
                software,
                source: SoftwareSource::Nodeinfo,
                version: info.software_version.clone(),
                users_total: info.users_total.and_then(|n| i64::try_from(n).ok()),
                users_active_month: info.users_active_month.and_then(|n| i64::try_from(n).ok()),
            };
        }
        let from_context = {
            let map = locked(&self.namespaces);
            map.get(host)
                .and_then(|set| Software::from_namespaces(set.iter().map(String::as_str)))
        };
        let (software, source) = match from_context {
            Some(software) => (software, SoftwareSource::Context),
            None => match Software::from_domain(host) {
                Some(software) => (software, SoftwareSource::Domain),
                None => (Software::unknown(), SoftwareSource::Unknown),
            },
        };
        InstanceInfo {
            software,
            source,
            version: None,
            users_total: None,
            users_active_month: None,
        }
    }

    pub fn record(host: Host, info: InstanceInfo) -> InstanceRecord {
        InstanceRecord {
            host,
            software: info.software,
            software_version: info.version,
            software_source: info.source,
            users_total: info.users_total,
            users_active_month: info.users_active_month,
        }
    }
}

async fn fetch_nodeinfo(ctx: &Ctx, host: &Host, scheme: &str) -> Option<NodeInfo> {
    let discovery = Url::parse(&format!("{scheme}://{host}/.well-known/nodeinfo")).ok()?;
    let (link, fetched) = ctx
        .get_parsed(&discovery, ACCEPT_JSON, None, parse_nodeinfo_discovery)
        .await?;
    let link = link?;
    let url = fetched.url.join(&link.href).ok()?;
    // NodeInfo is served by the instance itself; a link to another host is not its word.
    if Host::from_url(&url).as_ref() != Some(host) {
        return None;
    }
    ctx.get_parsed(&url, ACCEPT_JSON, None, parse_nodeinfo)
        .await
        .map(|(info, _)| info)
}
