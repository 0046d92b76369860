-- The fold takes the appended counts in parts: a backlog (a seed loaded
-- through the triggers, a server stopped for a long while) in one DELETE
-- could outlast the statement timeout and so never drain.
DROP FUNCTION report_counts_fold();

-- Folds up to `most` appended rows into the counts; returns how many it
-- folded. Rows appended while it runs are not in its snapshot and wait for
-- the next fold. Concurrent folds are safe (the DELETE takes each row
-- once); the server serialises its own with an advisory lock so they never
-- wait on each other's rows.
CREATE FUNCTION report_counts_fold(most integer) RETURNS bigint LANGUAGE sql AS $$
WITH d AS (DELETE FROM report_counts_delta WHERE ctid = ANY (ARRAY(SELECT ctid FROM report_counts_delta LIMIT most))
           RETURNING *),
s AS (SELECT brand_id, hour, metric, channel, direction, agent_id, sum(n) AS n, count(*) AS rows
      FROM d GROUP BY 1, 2, 3, 4, 5, 6),
u AS (INSERT INTO report_counts AS c (brand_id, hour, metric, channel, direction, agent_id, n)
      SELECT brand_id, hour, metric, channel, direction, agent_id, n FROM s
      ON CONFLICT ON CONSTRAINT report_counts_key DO UPDATE SET n = c.n + EXCLUDED.n)
SELECT coalesce(sum(rows), 0)::bigint FROM s
$$;
