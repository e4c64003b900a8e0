//! The post being read: what reading it met (failures, refusals, the API answers it
//! fetched) and how much of its item budget (`crawl.max_items_per_post`) it spent, kept
//! in a task-local for the time of its reading ([`Ctx::scoped`]).

use std::cell::{Cell, RefCell};

use fedireach_core::{Host, Unavailable};
use url::Url;

use super::ctx::{ACCEPT_JSON, Ctx};
use crate::Request;

/// What reading one post met: host failures (then it is not remembered as read in full),
/// and the API answers it fetched (which no other post asks for, so the fetch cache need
/// not keep them once the post is saved).
#[derive(Debug, Default)]
pub struct PostScope {
    failures: Cell<u32>,
    fetched: RefCell<Vec<String>>,
    /// The refusals met, by host (robots.txt, 401/403), for the post's coverage.
    refusals: RefCell<Vec<(Host, Unavailable)>>,
    /// Items read from the post's collections so far (`crawl.max_items_per_post`).
    items: Cell<usize>,
    /// The collection page that spent the last of that budget.
    spent_by: RefCell<Option<Url>>,
}

impl PostScope {
    pub fn failures(&self) -> u32 {
        self.failures.get()
    }

    pub fn take_fetched(&self) -> Vec<String> {
        self.fetched.take()
    }
}

/// The first refusal the post being read met on `host`, if any: why what that host
/// would have told of the post is unavailable.
pub fn refusal_on(host: &Host) -> Option<Unavailable> {
    POST.try_with(|p| {
        p.refusals
            .borrow()
            .iter()
            .find(|(h, _)| h == host)
            .map(|(_, why)| *why)
    })
    .ok()
    .flatten()
}

tokio::task_local! {
    /// The post being read (see [`Ctx::scoped`]).
    static POST: PostScope;
}

/// Counts a failure against the post being read: it is not remembered as read in full.
pub(super) fn note_failure() {
    let _ = POST.try_with(|p| p.failures.set(p.failures.get() + 1));
}

/// Notes a refusal met on `host` while reading the post, for its coverage.
pub(super) fn note_refusal(host: Host, why: Unavailable) {
    let _ = POST.try_with(|p| p.refusals.borrow_mut().push((host, why)));
}

impl Ctx {
    /// Runs `work` (the reading of one post) and returns its output with what it met.
    pub async fn scoped<T>(work: impl Future<Output = T>) -> (T, PostScope) {
        POST.scope(PostScope::default(), async {
            let out = work.await;
            let scope = POST
                .try_with(|p| PostScope {
                    failures: Cell::new(p.failures.get()),
                    fetched: RefCell::new(p.take_fetched()),
                    refusals: RefCell::new(p.refusals.take()),
                    items: Cell::new(p.items.get()),
                    spent_by: RefCell::new(p.spent_by.take()),
                })
                .unwrap_or_default();
            (out, scope)
        })
        .await
    }

    /// How many more items the post being read may take (`crawl.max_items_per_post`);
    /// unbounded outside a post.
    pub fn post_items_left(&self) -> usize {
        POST.try_with(|p| {
            self.options
                .max_items_per_post
                .saturating_sub(p.items.get())
        })
        .unwrap_or(usize::MAX)
    }

    /// Counts items read for the post being read from the page at `url`.
    pub fn take_post_items(&self, n: usize, url: &Url) {
        let max = self.options.max_items_per_post;
        let _ = POST.try_with(|p| {
            p.items.set(p.items.get().saturating_add(n));
            if p.items.get() >= max && p.spent_by.borrow().is_none() {
                *p.spent_by.borrow_mut() = Some(url.clone());
            }
        });
    }

    /// The page that spent the post's item budget, if it is spent.
    pub fn post_budget_spent_by(&self) -> Option<Url> {
        POST.try_with(|p| p.spent_by.borrow().clone())
            .ok()
            .flatten()
    }

    /// Drops a page of one of the post's collections from the per-crawl cache once the
    /// post is saved: nobody asks for it again, and a host may serve hundreds.
    pub fn release_after_post(&self, url: &Url, accept: &'static str) {
        let key = Request::get(url.clone(), accept).key();
        let _ = POST.try_with(|p| p.fetched.borrow_mut().push(key));
    }

    /// Remembers a post's own API answers, dropped from the per-crawl cache once the
    /// post is saved.
    pub(super) fn note_fetched(&self, request: &Request) {
        if request.accept == ACCEPT_JSON || request.json_body.is_some() {
            let key = request.key();
            let _ = POST.try_with(|p| p.fetched.borrow_mut().push(key));
        }
    }
}
