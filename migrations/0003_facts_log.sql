-- The change log that the analytics' columnar copy of the facts (Parquet files beside
-- the database) is refreshed from, kept by triggers so that every write, purge and
-- cascade reaches it whatever code path made it.
--
-- `facts_state.version` counts changes of the small fact tables (brands, tracked actors,
-- posts, hashtags, engagers, instances, follower counts, consent): a copy re-exports
-- them whole when it changed. `facts_log` lists the engagements inserted, changed or
-- deleted, by a sequence that never goes back: a copy at sequence N appends the rows
-- logged after N and drops those that no longer exist. A copy records the `store_id`
-- it was made from, so a copy of another database is never mistaken for this one's.
-- Rows up to `pruned_seq` have been pruned: a copy older than that is rebuilt.

CREATE TABLE facts_state (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    store_id    TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 0,
    pruned_seq  INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO facts_state (id, store_id) VALUES (1, lower(hex(randomblob(16))));

CREATE TABLE facts_log (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    engagement_id  INTEGER NOT NULL
) STRICT;

CREATE TRIGGER facts_log_engagement_insert AFTER INSERT ON engagements BEGIN
    INSERT INTO facts_log (engagement_id) VALUES (NEW.id);
END;
-- Only the columns the facts carry: a re-crawl that just sees an engagement again
-- (last_seen_at) logs nothing.
CREATE TRIGGER facts_log_engagement_update AFTER UPDATE ON engagements
WHEN OLD.removed_at IS NOT NEW.removed_at OR OLD.happened_at IS NOT NEW.happened_at
  OR OLD.is_self IS NOT NEW.is_self OR OLD.host IS NOT NEW.host OR OLD.kind IS NOT NEW.kind
  OR OLD.actor_id IS NOT NEW.actor_id OR OLD.post_id IS NOT NEW.post_id
  OR OLD.first_seen_at IS NOT NEW.first_seen_at OR OLD.id IS NOT NEW.id
BEGIN
    INSERT INTO facts_log (engagement_id) VALUES (OLD.id);
    INSERT INTO facts_log (engagement_id) VALUES (NEW.id);
END;
CREATE TRIGGER facts_log_engagement_delete AFTER DELETE ON engagements BEGIN
    INSERT INTO facts_log (engagement_id) VALUES (OLD.id);
END;

CREATE TRIGGER facts_version_brands_insert AFTER INSERT ON brands
BEGIN UPDATE facts_state SET version = version + 1; END;

CREATE TRIGGER facts_version_brands_update AFTER UPDATE ON brands
BEGIN UPDATE facts_state SET version = version + 1; END;

CREATE TRIGGER facts_version_brands_delete AFTER DELETE ON brands
BEGIN UPDATE facts_state SET version = version + 1; END;

CREATE TRIGGER facts_version_tracked_actors_insert AFTER INSERT ON tracked_actors
BEGIN UPDATE facts_state SET version = version + 1; END;

CREATE TRIGGER facts_version_tracked_actors_update AFTER UPDATE ON tracked_actors
WHEN OLD.actor_uri IS NOT NEW.actor_uri OR OLD.host IS NOT NEW.host OR OLD.brand_id IS NOT NEW.brand_id OR OLD.position IS NOT NEW.position
BEGIN UPDATE facts_state SET version = version + 1; END;

CREATE TRIGGER facts_version_tracked_actors_delete AFTER DELETE ON tracked_actors
BEGIN UPDATE facts_state SET version = version + 1; END;

CREATE TRIGGER facts_version_posts_insert AFTER INSERT ON posts
BEGIN UPDATE facts_state SET version = version + 1; END;

CREATE TRIGGER facts_version_posts_update AFTER UPDATE ON posts
BEGIN UPDATE facts_state SET version = version + 1; END;

CREATE TRIGGER facts_version_posts_delete AFTER DELETE ON posts
BEGIN UPDATE facts_state SET version = version + 1; END;

CREATE TRIGGER facts_version_post_hashtags_insert AFTER INSERT ON post_hashtags
BEGIN UPDATE facts_state SET version = version + 1; END;

CREATE TRIGGER facts_version_post_hashtags_update AFTER UPDATE ON post_hashtags
BEGIN UPDATE facts_state SET version = version + 1; END;

CREATE TRIGGER facts_version_post_hashtags_delete AFTER DELETE ON post_hashtags
BEGIN UPDATE facts_state SET version = version + 1; END;

CREATE TRIGGER facts_version_actors_insert AFTER INSERT ON actors
BEGIN UPDATE facts_state SET version = version + 1; END;

CREATE TRIGGER facts_version_actors_update AFTER UPDATE ON actors
WHEN OLD.host IS NOT NEW.host OR OLD.followers_count IS NOT NEW.followers_count
BEGIN UPDATE facts_state SET version = version + 1; END;

CREATE TRIGGER facts_version_actors_delete AFTER DELETE ON actors
BEGIN UPDATE facts_state SET version = version + 1; END;

CREATE TRIGGER facts_version_instances_insert AFTER INSERT ON instances
BEGIN UPDATE facts_state SET version = version + 1; END;

CREATE TRIGGER facts_version_instances_update AFTER UPDATE ON instances
WHEN OLD.software IS NOT NEW.software OR OLD.family IS NOT NEW.family OR OLD.users_active_month IS NOT NEW.users_active_month
BEGIN UPDATE facts_state SET version = version + 1; END;

CREATE TRIGGER facts_version_instances_delete AFTER DELETE ON instances
BEGIN UPDATE facts_state SET version = version + 1; END;

CREATE TRIGGER facts_version_follower_snapshots_insert AFTER INSERT ON follower_snapshots
BEGIN UPDATE facts_state SET version = version + 1; END;

CREATE TRIGGER facts_version_follower_snapshots_update AFTER UPDATE ON follower_snapshots
BEGIN UPDATE facts_state SET version = version + 1; END;

CREATE TRIGGER facts_version_follower_snapshots_delete AFTER DELETE ON follower_snapshots
BEGIN UPDATE facts_state SET version = version + 1; END;

CREATE TRIGGER facts_version_crawl_consent_insert AFTER INSERT ON crawl_consent
BEGIN UPDATE facts_state SET version = version + 1; END;

CREATE TRIGGER facts_version_crawl_consent_update AFTER UPDATE ON crawl_consent
BEGIN UPDATE facts_state SET version = version + 1; END;

CREATE TRIGGER facts_version_crawl_consent_delete AFTER DELETE ON crawl_consent
BEGIN UPDATE facts_state SET version = version + 1; END;

CREATE TRIGGER facts_version_crawl_runs_insert AFTER INSERT ON crawl_runs
BEGIN UPDATE facts_state SET version = version + 1; END;

CREATE TRIGGER facts_version_crawl_runs_update AFTER UPDATE ON crawl_runs
WHEN OLD.started_at IS NOT NEW.started_at
BEGIN UPDATE facts_state SET version = version + 1; END;

CREATE TRIGGER facts_version_crawl_runs_delete AFTER DELETE ON crawl_runs
BEGIN UPDATE facts_state SET version = version + 1; END;
