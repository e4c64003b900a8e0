-- Each host's request budget, shared by every crawl process on this database (issue
-- #15): N processes together never ask a host more than one may. A generic cell rate
-- algorithm (GCRA) keeps one number per host, its "theoretical arrival time": a
-- request may go when that time, less the burst's allowance, has come; each request
-- pushes it one interval on. `not_before_ms` holds every process back after a host
-- answered 429 or 503 with a wait (Retry-After) or an exhausted X-RateLimit budget.
-- Milliseconds since the Unix epoch.
CREATE TABLE host_budget (
    host           TEXT PRIMARY KEY NOT NULL,
    tat_ms         INTEGER NOT NULL,
    not_before_ms  INTEGER NOT NULL DEFAULT 0
) STRICT;
