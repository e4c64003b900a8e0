-- The consent report records more than left out and anonymised (issue 13):
-- * a route of a host refused while the host was read by another route (subject
--   'route', action 'refused', reason 'REASON:ROUTE', the route 'activitypub' or
--   'api'): such a host is not "left out";
-- * an owned brand's own client reading its home server's client API where that
--   host's robots.txt bars crawlers (action 'client_access', BRIEF section 3).
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt, its rows
-- and its change-log triggers (0003) kept.

CREATE TABLE crawl_consent_0006 (
    crawl_id  INTEGER NOT NULL REFERENCES crawl_runs(id) ON DELETE CASCADE,
    subject   TEXT NOT NULL CHECK (subject IN ('engager', 'post', 'host', 'route')),
    action    TEXT NOT NULL CHECK (action IN ('left_out', 'anonymised', 'refused', 'client_access')),
    reason    TEXT NOT NULL,                   -- robots_txt, gone_410, authorized_fetch, ...
    count     INTEGER NOT NULL,
    PRIMARY KEY (crawl_id, subject, action, reason)
) STRICT, WITHOUT ROWID;

INSERT INTO crawl_consent_0006 (crawl_id, subject, action, reason, count)
    SELECT crawl_id, subject, action, reason, count FROM crawl_consent;

DROP TABLE crawl_consent;

ALTER TABLE crawl_consent_0006 RENAME TO crawl_consent;

CREATE TRIGGER facts_version_crawl_consent_insert AFTER INSERT ON crawl_consent
BEGIN UPDATE facts_state SET version = version + 1; END;

CREATE TRIGGER facts_version_crawl_consent_update AFTER UPDATE ON crawl_consent
BEGIN UPDATE facts_state SET version = version + 1; END;

CREATE TRIGGER facts_version_crawl_consent_delete AFTER DELETE ON crawl_consent
BEGIN UPDATE facts_state SET version = version + 1; END;
