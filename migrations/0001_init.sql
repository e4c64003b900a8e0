-- The fedireach schema: everything BRIEF section 1 defines, so later work adds columns,
-- not redesigns. Times are Unix seconds (UTC) in INTEGER columns; booleans are 0/1.
-- Engagers are people: they are keyed by a keyed hash of their actor id, and their
-- handle, name, avatar and content are kept only where BRIEF section 3 allows it.

-- Secrets generated on first use and kept with the data they protect: the key of the
-- engager hash, the instance actor's RSA key.
CREATE TABLE secrets (
    name        TEXT PRIMARY KEY NOT NULL,
    value       BLOB NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;

-- A brand: a named group of tracked actors. Owned when a read-only token is configured
-- (only the name of the environment variable that holds it is stored, never the token).
CREATE TABLE brands (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    token_env   TEXT,
    created_at  INTEGER NOT NULL
) STRICT;

-- The accounts a brand publishes from, in the order given (the first one's home server
-- is where the token is valid). Brand accounts are public and stored in the clear.
CREATE TABLE tracked_actors (
    id                INTEGER PRIMARY KEY,
    brand_id          INTEGER NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
    position          INTEGER NOT NULL,
    input             TEXT NOT NULL,           -- as given: @user@domain or URL
    host              TEXT NOT NULL,           -- instance named by the input
    actor_uri         TEXT,                    -- resolved actor id
    webfinger_domain  TEXT,
    actor_type        TEXT,
    display_name      TEXT,
    outbox_uri        TEXT,
    followers_count   INTEGER,
    resolved_at       INTEGER,
    UNIQUE (brand_id, input),
    UNIQUE (brand_id, position)
) STRICT;
CREATE INDEX tracked_actors_actor_uri ON tracked_actors(actor_uri);

-- Every host the crawler met: its software (from NodeInfo, else @context namespaces,
-- else a known domain, else unknown), its size, and whether it may be crawled.
CREATE TABLE instances (
    host                 TEXT PRIMARY KEY NOT NULL,
    software             TEXT NOT NULL DEFAULT 'unknown',
    software_version     TEXT,
    family               TEXT NOT NULL DEFAULT 'unknown',
    software_source      TEXT NOT NULL DEFAULT 'unknown'
                         CHECK (software_source IN ('nodeinfo', 'context', 'domain', 'unknown')),
    users_total          INTEGER,
    users_active_month   INTEGER,
    reachability         TEXT NOT NULL DEFAULT 'unknown'
                         CHECK (reachability IN ('unknown', 'ok', 'failing', 'dead', 'gone')),
    last_error           TEXT,
    robots_state         TEXT NOT NULL DEFAULT 'unknown'
                         CHECK (robots_state IN ('unknown', 'allowed', 'partial', 'disallowed', 'gone')),
    crawl_delay_ms       INTEGER,
    requires_signature   INTEGER NOT NULL DEFAULT 0,
    opted_out            INTEGER NOT NULL DEFAULT 0,
    opt_out_reason       TEXT,
    nodeinfo_checked_at  INTEGER,
    checked_at           INTEGER,
    first_seen_at        INTEGER NOT NULL
) STRICT;

-- Actors seen engaging (and the brands' own, for self-engagement). `actor_hash` is the
-- keyed hash of the actor id; `handle_hash` of `user@domain` where known, so that
-- `forget actor @user@domain` finds it without the clear handle.
CREATE TABLE actors (
    id                INTEGER PRIMARY KEY,
    actor_hash        TEXT NOT NULL UNIQUE,
    handle_hash       TEXT,
    host              TEXT NOT NULL,
    webfinger_domain  TEXT,
    followers_count   INTEGER,
    indexable         INTEGER,                 -- NULL: the flag was missing
    discoverable      INTEGER,
    noindex           INTEGER NOT NULL DEFAULT 0,
    nobot             INTEGER NOT NULL DEFAULT 0,
    opted_out         INTEGER NOT NULL DEFAULT 0, -- any opt-out signal above
    opt_out_reason    TEXT,
    handle            TEXT,                    -- only for indexable engagers of owned brands
    display_name      TEXT,
    avatar_url        TEXT,
    first_seen_at     INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
) STRICT;
CREATE INDEX actors_host ON actors(host);
CREATE INDEX actors_handle_hash ON actors(handle_hash);

-- Objects authored by tracked actors, found in their outboxes. Boosts by the brand are
-- kept (is_boost = 1) but are not brand posts.
CREATE TABLE posts (
    id                INTEGER PRIMARY KEY,
    uri               TEXT NOT NULL UNIQUE,
    author_uri        TEXT NOT NULL,
    host              TEXT NOT NULL,
    published_at      INTEGER NOT NULL,
    object_type       TEXT NOT NULL,
    url               TEXT,
    language          TEXT,
    visibility        TEXT NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'unlisted')),
    is_boost          INTEGER NOT NULL DEFAULT 0,
    boosted_uri       TEXT,
    summary           TEXT,
    content_excerpt   TEXT,
    reported_replies  INTEGER,
    reported_likes    INTEGER,
    reported_boosts   INTEGER,
    reported_quotes   INTEGER,
    replies_cursor    TEXT,                    -- where the last walk of its replies stopped
    first_seen_at     INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    deleted_at        INTEGER
) STRICT;
CREATE INDEX posts_author_published ON posts(author_uri, published_at);

CREATE TABLE post_hashtags (
    post_id  INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    tag      TEXT NOT NULL,                    -- lower-cased, without '#'
    PRIMARY KEY (post_id, tag)
) STRICT, WITHOUT ROWID;

-- One row per engagement. `dedup_key` makes re-crawls idempotent: for likes and boosts
-- (once per engager and post) it is the engager's hash, for replies and quotes the keyed
-- hash of the engagement's own uri. The clear uri and content are kept only where the
-- engager's consent allows it.
CREATE TABLE engagements (
    id               INTEGER PRIMARY KEY,
    post_id          INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    kind             TEXT NOT NULL
                     CHECK (kind IN ('reply', 'thread_reply', 'boost', 'like', 'quote')),
    actor_id         INTEGER NOT NULL REFERENCES actors(id) ON DELETE CASCADE,
    host             TEXT NOT NULL,            -- the engager's instance
    dedup_key        TEXT NOT NULL,
    uri_hash         TEXT,
    uri              TEXT,
    depth            INTEGER,                  -- 1 for replies, 2.. for thread replies
    emoji            TEXT,
    content_excerpt  TEXT,
    source           TEXT,                     -- the strategy that found it
    is_self          INTEGER NOT NULL DEFAULT 0,
    happened_at      INTEGER,
    first_seen_at    INTEGER NOT NULL,
    last_seen_at     INTEGER NOT NULL,
    removed_at       INTEGER,                  -- gone from its source since: leaves figures
    UNIQUE (post_id, kind, dedup_key)
) STRICT;
CREATE INDEX engagements_actor ON engagements(actor_id);
CREATE INDEX engagements_host ON engagements(host);
CREATE INDEX engagements_uri_hash ON engagements(uri_hash);

-- A crawl: when, what it did, what failed, and what it left out for consent.
CREATE TABLE crawl_runs (
    id                   INTEGER PRIMARY KEY,
    started_at           INTEGER NOT NULL,
    finished_at          INTEGER,
    status               TEXT NOT NULL DEFAULT 'running'
                         CHECK (status IN ('running', 'done', 'partial', 'failed', 'interrupted')),
    trigger              TEXT NOT NULL DEFAULT 'manual',  -- manual, schedule, job
    brand_filter         TEXT,
    since                TEXT,
    holder               TEXT,                            -- process that ran it
    requests             INTEGER NOT NULL DEFAULT 0,
    posts_seen           INTEGER NOT NULL DEFAULT 0,
    engagements_new      INTEGER NOT NULL DEFAULT 0,
    engagements_removed  INTEGER NOT NULL DEFAULT 0,
    hosts_failed         INTEGER NOT NULL DEFAULT 0,
    rate_limit_wait_ms   INTEGER NOT NULL DEFAULT 0,
    error                TEXT,
    consent_report       TEXT                              -- JSON, see crawl_consent
) STRICT;

CREATE TABLE crawl_errors (
    id        INTEGER PRIMARY KEY,
    crawl_id  INTEGER NOT NULL REFERENCES crawl_runs(id) ON DELETE CASCADE,
    host      TEXT NOT NULL,
    url       TEXT,
    kind      TEXT NOT NULL,                   -- dead, timeout, http_5xx, malformed, ...
    message   TEXT NOT NULL,
    at        INTEGER NOT NULL
) STRICT;
CREATE INDEX crawl_errors_crawl ON crawl_errors(crawl_id);

-- The consent report, one row per crawl, subject and reason: how many engagers, posts
-- and hosts were left out or anonymised, and why.
CREATE TABLE crawl_consent (
    crawl_id  INTEGER NOT NULL REFERENCES crawl_runs(id) ON DELETE CASCADE,
    subject   TEXT NOT NULL CHECK (subject IN ('engager', 'post', 'host')),
    action    TEXT NOT NULL CHECK (action IN ('left_out', 'anonymised')),
    reason    TEXT NOT NULL,                   -- robots_txt, gone_410, authorized_fetch, ...
    count     INTEGER NOT NULL,
    PRIMARY KEY (crawl_id, subject, action, reason)
) STRICT, WITHOUT ROWID;

-- Follower counts of tracked actors, one per crawl (follower growth).
CREATE TABLE follower_snapshots (
    crawl_id          INTEGER NOT NULL REFERENCES crawl_runs(id) ON DELETE CASCADE,
    tracked_actor_id  INTEGER NOT NULL REFERENCES tracked_actors(id) ON DELETE CASCADE,
    taken_at          INTEGER NOT NULL,
    followers         INTEGER,
    following         INTEGER,
    statuses          INTEGER,
    PRIMARY KEY (crawl_id, tracked_actor_id)
) STRICT, WITHOUT ROWID;

-- Counts reported by the origin and itemised by the crawler, per post and crawl.
CREATE TABLE post_count_snapshots (
    crawl_id          INTEGER NOT NULL REFERENCES crawl_runs(id) ON DELETE CASCADE,
    post_id           INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    taken_at          INTEGER NOT NULL,
    reported_replies  INTEGER,
    reported_likes    INTEGER,
    reported_boosts   INTEGER,
    reported_quotes   INTEGER,
    itemised_replies  INTEGER NOT NULL,
    itemised_likes    INTEGER NOT NULL,
    itemised_boosts   INTEGER NOT NULL,
    itemised_quotes   INTEGER NOT NULL,
    PRIMARY KEY (crawl_id, post_id)
) STRICT, WITHOUT ROWID;

-- Crawls asked for (dashboard "crawl now", `crawl --queue`), run by the crawler.
CREATE TABLE crawl_jobs (
    id            INTEGER PRIMARY KEY,
    brand_id      INTEGER REFERENCES brands(id) ON DELETE CASCADE,
    since         TEXT,
    requested_at  INTEGER NOT NULL,
    requested_by  TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'queued'
                  CHECK (state IN ('queued', 'running', 'done', 'failed')),
    started_at    INTEGER,
    finished_at   INTEGER,
    crawl_id      INTEGER REFERENCES crawl_runs(id) ON DELETE SET NULL
) STRICT;
CREATE INDEX crawl_jobs_state ON crawl_jobs(state, requested_at);

-- Named leases (one crawl at a time across processes), taken over once expired.
CREATE TABLE leases (
    name        TEXT PRIMARY KEY NOT NULL,
    holder      TEXT NOT NULL,
    expires_at  INTEGER NOT NULL
) STRICT;

-- Resumable positions (outbox pages, reply pages) by key.
CREATE TABLE crawl_cursors (
    key         TEXT PRIMARY KEY NOT NULL,
    value       TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

-- Validators for conditional GETs.
CREATE TABLE http_cache (
    url            TEXT PRIMARY KEY NOT NULL,
    host           TEXT NOT NULL,
    etag           TEXT,
    last_modified  TEXT,
    status         INTEGER NOT NULL,
    body_sha256    TEXT,
    fetched_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX http_cache_host ON http_cache(host);

-- robots.txt per host, kept about a day.
CREATE TABLE robots_cache (
    host        TEXT PRIMARY KEY NOT NULL,
    status      INTEGER NOT NULL,
    body        TEXT,
    fetched_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
) STRICT;

-- Remembered opt-outs: what `forget`, a 410 or a Delete removed stays out of later
-- crawls. `key` is a host, or an actor or handle hash.
CREATE TABLE opt_outs (
    kind        TEXT NOT NULL CHECK (kind IN ('instance', 'actor', 'handle', 'object')),
    key         TEXT NOT NULL,
    reason      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (kind, key)
) STRICT, WITHOUT ROWID;
