-- A tracked actor the last crawl could not read: not resolved (robots.txt, 401, 404...)
-- or resolved but with posts no one can list (Lemmy's empty outboxes, Threads' 404,
-- Pixelfed's count-only outbox). Its posts are unknown, not absent: the dashboard and
-- `brand list` say which and why. NULL once a crawl reads it.
ALTER TABLE tracked_actors ADD COLUMN unread TEXT
    CHECK (unread IS NULL OR unread IN ('unresolved', 'unlisted'));
ALTER TABLE tracked_actors ADD COLUMN unread_reason TEXT;
