-- Scheduled report mails and alerts (issue #16).
--
-- One row per delivery and period: the unique key is what makes a mail go out at most
-- once for a period, whatever the number of `serve` processes or retries. A failed
-- send keeps its row with the error and when to try again (backoff); `sent_at` is set
-- once the SMTP server accepted the mail.
CREATE TABLE delivery_runs (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    period_key TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    sent_at INTEGER,
    UNIQUE (name, period_key)
);

-- One row per alert event: an alert rule fires once per event key (a brand's day, a
-- post, a crawl run, a host), whatever the number of crawls that see it again.
CREATE TABLE alerts_fired (
    id INTEGER PRIMARY KEY,
    rule TEXT NOT NULL,
    event_key TEXT NOT NULL,
    fired_at INTEGER NOT NULL,
    summary TEXT NOT NULL,
    delivered INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    UNIQUE (rule, event_key)
);
