-- The facts tell the analytics which engagers may be named (issue #14 item 12: top
-- engagers of owned brands): an engager gaining or losing its kept handle or name, or
-- opting out, changes the facts.
DROP TRIGGER facts_version_actors_update;
CREATE TRIGGER facts_version_actors_update AFTER UPDATE ON actors
WHEN OLD.host IS NOT NEW.host OR OLD.followers_count IS NOT NEW.followers_count
  OR (OLD.handle IS NULL AND OLD.display_name IS NULL)
     IS NOT (NEW.handle IS NULL AND NEW.display_name IS NULL)
  OR OLD.opted_out IS NOT NEW.opted_out
BEGIN UPDATE facts_state SET version = version + 1; END;
