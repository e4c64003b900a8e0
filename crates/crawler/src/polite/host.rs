//! Politeness for one host, in one type (STYLE rule 8): our own token bucket, the pace a
//! server asks for through its headers, backoff after 429/503, and robots.txt's
//! Crawl-delay. Dispatches to a host are serialised so that every wait is computed from
//! the latest state; responses update that state without waiting for a dispatcher.

use std::{
    num::NonZeroU32,
    sync::{Mutex, MutexGuard},
    time::Duration,
};

use fedireach_core::Host;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::time::Instant;

use super::headers::RateLimitState;
use crate::locked;

/// Time added after a server's announced reset before sending again: its clock and ours
/// are not the same clock, and a request that arrives a hair early counts against the
/// old window.
pub const RESET_MARGIN: Duration = Duration::from_millis(250);

/// Requests in flight at once to one host (one with a Crawl-delay: one at a time),
/// whatever the crawl's own cap across hosts: a crawl never opens a flood of
/// connections to one server, however many of its posts it reads at once.
pub const MAX_IN_FLIGHT: i64 = 4;

/// Added to a Crawl-delay remembered from an earlier process: its time was taken before
/// the request reached the server (a connection to open, the record to write).
pub const RESUME_MARGIN: Duration = Duration::from_secs(1);

/// First wait after a 429 or 503 that named no wait; doubled each time, capped.
pub const BACKOFF_BASE: Duration = Duration::from_secs(1);
pub const BACKOFF_MAX: Duration = Duration::from_secs(60);

/// Our own limit for one host.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HostQuota {
    /// Requests per second.
    pub rate: f64,
    pub burst: u32,
}

/// The state a dispatcher reads and responses update.
#[derive(Debug, Default)]
struct Gate {
    /// No request before this (a server's Retry-After, a backoff).
    not_before: Option<Instant>,
    /// Robots.txt Crawl-delay: at least this between two requests.
    min_interval: Duration,
    last_sent: Option<Instant>,
    /// Requests the server still allows in its window, less those sent since it said so.
    server_budget: Option<i64>,
    server_reset: Option<Instant>,
    in_flight: i64,
    consecutive_backoffs: u32,
}

/// One host's politeness.
#[derive(Debug)]
pub struct HostPoliteness {
    host: Host,
    quota: HostQuota,
    limiter: DefaultDirectRateLimiter,
    dispatch: tokio::sync::Mutex<()>,
    gate: Mutex<Gate>,
    /// Woken when an answer (or a failure) arrives.
    answered: tokio::sync::Notify,
}

impl HostPoliteness {
    pub fn new(host: Host, quota: HostQuota) -> Self {
        let ours = quota;
        let period = Self::period(quota.rate);
        let burst = NonZeroU32::new(quota.burst.max(1)).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(period)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst);
        Self {
            host,
            quota: ours,
            limiter: RateLimiter::direct(quota),
            dispatch: tokio::sync::Mutex::new(()),
            gate: Mutex::new(Gate::default()),
            answered: tokio::sync::Notify::new(),
        }
    }

    pub fn host(&self) -> &Host {
        &self.host
    }

    /// The time between two requests at `rate` per second.
    fn period(rate: f64) -> Duration {
        Duration::try_from_secs_f64(1.0 / rate.max(0.001)).unwrap_or(Duration::from_secs(1))
    }

    /// The pace every process together keeps with this host (a shared budget): one
    /// request per interval, in bursts of at most `burst`; with a Crawl-delay, one per
    /// delay and no burst.
    pub fn shared_pace(&self) -> (Duration, u32) {
        let delay = self.crawl_delay();
        if delay.is_zero() {
            (Self::period(self.quota.rate), self.quota.burst.max(1))
        } else {
            (delay.max(Self::period(self.quota.rate)), 1)
        }
    }

    fn gate(&self) -> MutexGuard<'_, Gate> {
        // A poisoned gate only means a panic elsewhere mid-update; its numbers are still
        // usable as a conservative guess.
        locked(&self.gate)
    }

    /// Waits until a request may go to this host, then counts it as sent. Returns how
    /// long it waited for the server's or robots.txt's pace (not our own bucket).
    pub async fn acquire(&self) -> Duration {
        self.acquire_as(true).await
    }

    /// [`HostPoliteness::acquire`] for a request that robots.txt does not address (an
    /// owned brand's client on its own server, BRIEF section 3): its Crawl-delay is not
    /// waited for; our own rate, the server's budget and its backoffs still are.
    pub async fn acquire_as_client(&self) -> Duration {
        self.acquire_as(false).await
    }

    async fn acquire_as(&self, crawl_delay: bool) -> Duration {
        let _turn = self.dispatch.lock().await;
        let mut waited = Duration::ZERO;
        loop {
            // With a Crawl-delay, one request at a time, the next the delay after the
            // last one's answer: when a request reaches the server is not ours to know
            // (a connection to open, a slot to wait for), when its answer came back is.
            let answered = self.answered.notified();
            let now = Instant::now();
            let (until, busy) = {
                let mut gate = self.gate();
                let spaced = crawl_delay && !gate.min_interval.is_zero();
                let cap = if spaced { 1 } else { MAX_IN_FLIGHT };
                (gate.ready_at(now, crawl_delay), gate.in_flight >= cap)
            };
            if busy {
                answered.await;
                continue;
            }
            match until {
                Some(at) if at > now => {
                    waited += at - now;
                    tokio::time::sleep_until(at).await;
                }
                _ => break,
            }
        }
        self.limiter.until_ready().await;
        let mut gate = self.gate();
        gate.last_sent = Some(Instant::now());
        gate.in_flight += 1;
        if let Some(budget) = gate.server_budget.as_mut() {
            *budget -= 1;
        }
        waited
    }

    /// Records a response's rate-limit headers (or none) once it arrived.
    pub fn on_response(&self, state: Option<RateLimitState>) {
        let mut gate = self.gate();
        gate.in_flight = (gate.in_flight - 1).max(0);
        // A Crawl-delay counts from the answer: the request may have reached the server
        // well after it was let go (a connection to open, a queue), and the next must
        // not arrive sooner than the delay after it.
        if !gate.min_interval.is_zero() {
            gate.last_sent = Some(Instant::now());
        }
        if let Some(state) = state {
            let remaining = i64::try_from(state.remaining).unwrap_or(i64::MAX);
            // Requests still in flight were sent after the server counted this one.
            gate.server_budget = Some(remaining - gate.in_flight);
            gate.server_reset = Some(Instant::now() + state.reset_in + RESET_MARGIN);
        }
        drop(gate);
        self.answered.notify_waiters();
    }

    /// Records a refusal for rate (429, 503): no request before `wait` (the server's
    /// Retry-After or reset), or an exponential backoff when it named none.
    pub fn back_off(&self, wait: Option<Duration>) -> Duration {
        let mut gate = self.gate();
        let wait = wait.map_or_else(
            || {
                let exp = BACKOFF_BASE.saturating_mul(1 << gate.consecutive_backoffs.min(6));
                exp.min(BACKOFF_MAX)
            },
            |w| w + RESET_MARGIN,
        );
        gate.consecutive_backoffs += 1;
        let at = Instant::now() + wait;
        gate.not_before = Some(gate.not_before.map_or(at, |old| old.max(at)));
        wait
    }

    /// A success ends a run of backoffs.
    pub fn on_success(&self) {
        self.gate().consecutive_backoffs = 0;
    }

    /// robots.txt's Crawl-delay.
    pub fn set_crawl_delay(&self, delay: Duration) {
        let mut gate = self.gate();
        gate.min_interval = delay;
        // Learnt from an answer that just arrived: the delay counts from it.
        if !delay.is_zero() {
            gate.last_sent = Some(Instant::now());
        }
    }

    /// The Crawl-delay in force (zero: none).
    pub fn crawl_delay(&self) -> Duration {
        self.gate().min_interval
    }

    /// A host that an earlier process last asked something `since_last` ago, with a
    /// Crawl-delay of `delay`: the first request of this one waits out the rest of the
    /// delay (and the margin, for the time the earlier one took to send it).
    pub fn resume(&self, delay: Duration, since_last: Duration) {
        let mut gate = self.gate();
        gate.min_interval = delay;
        if let Some(left) = (delay + RESUME_MARGIN).checked_sub(since_last) {
            let at = Instant::now() + left;
            gate.not_before = Some(gate.not_before.map_or(at, |old| old.max(at)));
        }
    }
}

impl Gate {
    /// When the next request may be sent, if not now.
    fn ready_at(&mut self, now: Instant, crawl_delay: bool) -> Option<Instant> {
        let mut at = self.not_before.filter(|t| *t > now);
        if let Some(last) = self.last_sent
            && crawl_delay
            && !self.min_interval.is_zero()
        {
            at = at.max(Some(last + self.min_interval));
        }
        match (self.server_budget, self.server_reset) {
            (Some(budget), Some(reset)) if budget <= 0 => {
                if reset > now {
                    at = at.max(Some(reset));
                } else {
                    // The window turned over: the next answer tells the new budget.
                    self.server_budget = None;
                }
            }
            _ => {}
        }
        at.filter(|t| *t > now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host() -> HostPoliteness {
        let host = Host::parse("a.example").unwrap_or_else(|_| unreachable!());
        HostPoliteness::new(
            host,
            HostQuota {
                rate: 1000.0,
                burst: 1000,
            },
        )
    }

    #[tokio::test(start_paused = true)]
    async fn waits_for_the_server_reset_when_its_budget_is_spent() {
        let polite = host();
        polite.acquire().await;
        polite.on_response(Some(RateLimitState {
            limit: Some(2),
            remaining: 1,
            reset_in: Duration::from_secs(10),
        }));
        // One request left in the window: it goes at once.
        assert_eq!(polite.acquire().await, Duration::ZERO);
        // The budget is spent: the next waits for the reset (and the margin).
        let waited = polite.acquire().await;
        assert_eq!(waited, Duration::from_secs(10) + RESET_MARGIN);
    }

    #[tokio::test(start_paused = true)]
    async fn in_flight_requests_count_against_the_budget() {
        let polite = host();
        polite.acquire().await; // A
        polite.acquire().await; // B, in flight
        polite.on_response(Some(RateLimitState {
            limit: Some(2),
            remaining: 1,
            reset_in: Duration::from_secs(5),
        })); // A's answer: 1 left, but B is still out
        assert_eq!(
            polite.acquire().await,
            Duration::from_secs(5) + RESET_MARGIN
        );
    }

    #[tokio::test(start_paused = true)]
    async fn backoff_honours_the_server_then_doubles() {
        let polite = host();
        assert_eq!(
            polite.back_off(Some(Duration::from_secs(3))),
            Duration::from_secs(3) + RESET_MARGIN
        );
        assert_eq!(
            polite.acquire().await,
            Duration::from_secs(3) + RESET_MARGIN
        );
        assert_eq!(polite.back_off(None), BACKOFF_BASE * 2);
        assert_eq!(polite.back_off(None), BACKOFF_BASE * 4);
        polite.on_success();
        assert_eq!(polite.back_off(None), BACKOFF_BASE);
    }

    #[tokio::test(start_paused = true)]
    async fn crawl_delay_spaces_requests() {
        let polite = host();
        // robots.txt, whose answer sets the delay: the next request waits it out.
        assert_eq!(polite.acquire().await, Duration::ZERO);
        polite.on_response(None);
        polite.set_crawl_delay(Duration::from_secs(2));
        assert_eq!(polite.acquire().await, Duration::from_secs(2));
        polite.on_response(None);
        // The brand owner's client is not held to robots.txt's Crawl-delay.
        assert_eq!(polite.acquire_as_client().await, Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn a_resumed_host_waits_out_the_delay_of_the_earlier_process() {
        let polite = host();
        // Asked 300 ms ago by a process that was killed, with a 2 s Crawl-delay.
        polite.resume(Duration::from_secs(2), Duration::from_millis(300));
        assert_eq!(
            polite.acquire().await,
            Duration::from_millis(1700) + RESUME_MARGIN
        );
        // Long enough ago: no wait.
        let polite = host();
        polite.resume(Duration::from_secs(2), Duration::from_secs(5));
        assert_eq!(polite.acquire().await, Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn no_more_than_the_cap_in_flight_to_one_host() {
        let polite = host();
        for _ in 0..MAX_IN_FLIGHT {
            assert_eq!(polite.acquire().await, Duration::ZERO);
        }
        // One more waits for an answer, however long (the clock is paused: a timer
        // fires only once everything else waits).
        let waited = tokio::time::timeout(Duration::from_secs(3600), polite.acquire()).await;
        assert!(waited.is_err(), "a request past the cap went out");
        polite.on_response(None);
        assert_eq!(polite.acquire().await, Duration::ZERO);
    }
}
