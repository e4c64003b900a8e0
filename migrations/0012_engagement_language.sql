-- The declared language of replies, thread replies and quotes (issue #14 item 13):
-- the primary subtag of what the author's server wrote (`contentMap`, Lemmy's
-- `language`, a Mastodon status's `language`), 'und' where it declares none. NULL is
-- "not recorded": likes and boosts, and replies found before this column existed.
ALTER TABLE engagements ADD COLUMN language TEXT;

-- The analytics copy carries the language, so a change of it is a change of the facts.
DROP TRIGGER facts_log_engagement_update;
CREATE TRIGGER facts_log_engagement_update AFTER UPDATE ON engagements
WHEN OLD.removed_at IS NOT NEW.removed_at OR OLD.happened_at IS NOT NEW.happened_at
  OR OLD.is_self IS NOT NEW.is_self OR OLD.host IS NOT NEW.host OR OLD.kind IS NOT NEW.kind
  OR OLD.actor_id IS NOT NEW.actor_id OR OLD.post_id IS NOT NEW.post_id
  OR OLD.first_seen_at IS NOT NEW.first_seen_at OR OLD.id IS NOT NEW.id
  OR OLD.language IS NOT NEW.language
BEGIN
    INSERT INTO facts_log (engagement_id) VALUES (OLD.id);
    INSERT INTO facts_log (engagement_id) VALUES (NEW.id);
END;
