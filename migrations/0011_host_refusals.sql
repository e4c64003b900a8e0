-- What each host refused the crawler, by `REASON:ROUTE` (the consent report's words:
-- `robots_txt:activitypub`, `authorized_fetch:api`...), with when it was first and
-- last seen (issue #16: an alert on "a host newly refusing us").
--
-- `newly` is 1 when an earlier crawl that recorded refusals (one after this migration,
-- hence `crawl_memory.host_refusals_since`) had asked the host and not met this one:
-- for robots.txt, its file then allowed everything, or was partial and now bars
-- everything; for an ActivityPub refusal, the host had not wanted signatures. A host
-- that refused from the first meeting is 0.
CREATE TABLE host_refusals (
    host        TEXT    NOT NULL,
    refusal     TEXT    NOT NULL,
    first_seen  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    newly       INTEGER NOT NULL,
    PRIMARY KEY (host, refusal)
) STRICT;

INSERT INTO crawl_memory (name, value, updated_at)
VALUES ('host_refusals_since', CAST(unixepoch() AS TEXT), unixepoch());
