-- Unknown is not zero (issue 13): how each counted kind of a post is known, as the
-- crawl's source met it: `itemised`, `reported` (a count from the origin only) or
-- `unavailable:REASON` (not_exposed, needs_token, refused, robots_txt). NULL: a post
-- stored before this was recorded.
ALTER TABLE posts ADD COLUMN replies_coverage TEXT;
ALTER TABLE posts ADD COLUMN boosts_coverage TEXT;
ALTER TABLE posts ADD COLUMN likes_coverage TEXT;
ALTER TABLE posts ADD COLUMN quotes_coverage TEXT;
