-- Reach of one brand over a window, by server software, in one plain SQL query over the
-- store: the second, independent implementation of reach that the tests hold the polars
-- pipeline to (tests/it/analytics.rs), and the baseline `make bench-analytics` times it
-- against. BRIEF section 1's definitions: the brand's posts are those of its tracked
-- actors, not boosts, not deleted, published in the window; engagements by others, not
-- removed; engagements are replies + boosts + likes + quotes (thread replies apart);
-- potential reach sums the followers of the distinct boosters; shares are rounded half
-- away from zero to 2 decimals (integer arithmetic, so no float drift). Every row also
-- says how many of those posts had each kind unavailable (coverage `unavailable:…`).
-- Parameters: ?1 the brand's name, ?2 the window's start, ?3 its end (Unix seconds,
-- the end excluded).
WITH brand_posts AS (
    SELECT p.id, p.replies_coverage, p.boosts_coverage, p.likes_coverage, p.quotes_coverage
    FROM posts p
    WHERE p.is_boost = 0 AND p.deleted_at IS NULL
      AND p.published_at >= ?2 AND p.published_at < ?3
      AND p.author_uri IN (
          SELECT t.actor_uri FROM tracked_actors t JOIN brands b ON b.id = t.brand_id
          WHERE b.name = ?1 AND t.actor_uri IS NOT NULL)
),
live AS (
    SELECT e.kind, e.actor_id, e.host,
           coalesce(i.software, 'unknown') AS software,
           coalesce(i.family, 'unknown') AS family
    FROM engagements e
    JOIN brand_posts bp ON bp.id = e.post_id
    LEFT JOIN instances i ON i.host = e.host
    WHERE e.removed_at IS NULL AND e.is_self = 0
),
per_software AS (
    SELECT software, max(family) AS family,
           sum(kind = 'reply') AS replies,
           sum(kind = 'thread_reply') AS thread_replies,
           sum(kind = 'boost') AS boosts,
           sum(kind = 'like') AS likes,
           sum(kind = 'quote') AS quotes,
           sum(kind <> 'thread_reply') AS engagements,
           count(DISTINCT actor_id) AS unique_engagers,
           count(DISTINCT host) AS unique_instances
    FROM live GROUP BY software
),
reach AS (
    SELECT b.software, sum(coalesce(a.followers_count, 0)) AS potential_reach
    FROM (SELECT DISTINCT software, actor_id FROM live WHERE kind = 'boost') b
    JOIN actors a ON a.id = b.actor_id
    GROUP BY b.software
),
total AS (SELECT sum(engagements) AS n FROM per_software),
unavailable AS (
    SELECT coalesce(sum(replies_coverage LIKE 'unavailable:%'), 0) AS replies,
           coalesce(sum(boosts_coverage LIKE 'unavailable:%'), 0) AS boosts,
           coalesce(sum(likes_coverage LIKE 'unavailable:%'), 0) AS likes,
           coalesce(sum(quotes_coverage LIKE 'unavailable:%'), 0) AS quotes
    FROM brand_posts
)
SELECT s.software, s.family, s.replies, s.thread_replies, s.boosts, s.likes, s.quotes,
       s.engagements, s.unique_engagers, s.unique_instances,
       coalesce(r.potential_reach, 0) AS potential_reach,
       CASE WHEN t.n > 0 THEN ((s.engagements * 20000 + t.n) / (2 * t.n)) / 100.0 ELSE 0.0 END
           AS share_pct,
       u.replies AS unavailable_posts_replies, u.boosts AS unavailable_posts_boosts,
       u.likes AS unavailable_posts_likes, u.quotes AS unavailable_posts_quotes
FROM per_software s CROSS JOIN total t CROSS JOIN unavailable u
LEFT JOIN reach r ON r.software = s.software
ORDER BY s.engagements DESC, s.software;
