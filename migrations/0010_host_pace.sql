-- What a crawl must remember between processes (issue #12).
--
-- host_pace: when each host that set a robots.txt Crawl-delay was last asked anything,
-- and that delay, so a crawl restarted at once (after kill -9, say) still waits out the
-- delay before its first request, robots.txt included. Written before each request to
-- such a host is sent.
CREATE TABLE host_pace (
    host            TEXT PRIMARY KEY NOT NULL,
    last_request_ms INTEGER NOT NULL,
    crawl_delay_ms  INTEGER NOT NULL
) STRICT;

-- crawl_memory: small named values a crawl compares with the last one's, such as the
-- fingerprint of the denylist in force (when it changes, every post is read again so
-- that what the list now allows or bars is seen).
CREATE TABLE crawl_memory (
    name        TEXT PRIMARY KEY NOT NULL,
    value       TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
