-- Hourly counts of the logs the volume, interaction and agent reports read:
-- a year of messages is 5M rows on the 1M-ticket seed, a year of counts
-- about a tenth of that. Every UTC hour is a whole local hour in a zone
-- whose offset is whole hours, so local days, weekdays and hours come out
-- exactly; reports over other zones, and the parts of a period that do not
-- start or end on the hour, read the logs themselves.
--
-- metric: 'message' and 'automatic_message' (by direction; no agent),
-- 'message_by_author' (the messages that are not automatic, by direction
-- and author: NULL for the customer's), 'ticket_created', 'ticket_solved',
-- 'ticket_reopened' (channel: the ticket's origin channel; no direction or
-- agent). Outbound messages hardly share an hour with the same author, so
-- the rows without an author are about a third as many; reports that
-- neither group nor filter by agent read those.
CREATE TABLE report_counts (
  brand_id  uuid NOT NULL,
  hour      timestamptz NOT NULL,
  metric    text NOT NULL,
  channel   text NOT NULL,
  direction text NOT NULL DEFAULT '',
  agent_id  uuid,
  n         bigint NOT NULL,
  -- Metric first: a report reads one or a few metrics of the period. With
  -- n, old hours answer from the index alone.
  CONSTRAINT report_counts_key UNIQUE NULLS NOT DISTINCT (metric, brand_id, hour, channel, direction, agent_id)
    INCLUDE (n)
);

-- Triggers append here and never update a row: concurrent ingest
-- transactions would otherwise queue on the row of the current hour, one
-- commit after another. A background pass folds the rows into
-- report_counts; a report reads both.
CREATE TABLE report_counts_delta (LIKE report_counts INCLUDING DEFAULTS);

-- The message metrics of `source` (messages, a transition table or a
-- parenthesised query).
CREATE FUNCTION report_message_counts_sql(source text) RETURNS text LANGUAGE sql IMMUTABLE AS $fn$
SELECT format($q$
SELECT brand_id, date_trunc('hour', occurred_at, 'UTC') AS hour,
       CASE WHEN automatic THEN 'automatic_message' ELSE 'message' END AS metric, channel, direction,
       NULL::uuid AS agent_id, count(*) AS n
FROM %1$s m GROUP BY 1, 2, 3, 4, 5, 6
UNION ALL
SELECT brand_id, date_trunc('hour', occurred_at, 'UTC'), 'message_by_author', channel, direction, author_agent_id,
       count(*)
FROM %1$s m WHERE NOT automatic GROUP BY 1, 2, 3, 4, 5, 6
$q$, source)
$fn$;

-- The trigger functions are written out from the statements above, so their
-- SQL is static and planned once per connection: ingest fires them with
-- every batch.
DO $do$
DECLARE
  moved constant text := '(o.brand_id, date_trunc(''hour'', o.occurred_at, ''UTC''), o.automatic, o.channel, o.direction, '
    || 'o.author_agent_id) IS DISTINCT FROM (w.brand_id, date_trunc(''hour'', w.occurred_at, ''UTC''), w.automatic, '
    || 'w.channel, w.direction, w.author_agent_id)';
BEGIN
  EXECUTE format($f$
CREATE FUNCTION report_counts_messages() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO report_counts_delta %s;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO report_counts_delta SELECT brand_id, hour, metric, channel, direction, agent_id, -n FROM (%s) gone;
  ELSE
    -- A call's time moves to its earliest event; most updates change no key.
    INSERT INTO report_counts_delta SELECT * FROM (%s) arrived
      UNION ALL SELECT brand_id, hour, metric, channel, direction, agent_id, -n FROM (%s) departed;
  END IF;
  RETURN NULL;
END $body$
$f$, report_message_counts_sql('new_rows'), report_message_counts_sql('old_rows'),
     report_message_counts_sql('(SELECT w.* FROM new_rows w JOIN old_rows o ON o.id = w.id WHERE ' || moved || ')'),
     report_message_counts_sql('(SELECT o.* FROM old_rows o JOIN new_rows w ON w.id = o.id WHERE ' || moved || ')'));
END $do$;

CREATE TRIGGER messages_count_insert AFTER INSERT ON messages REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION report_counts_messages();
CREATE TRIGGER messages_count_update AFTER UPDATE ON messages REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION report_counts_messages();
CREATE TRIGGER messages_count_delete AFTER DELETE ON messages REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION report_counts_messages();

-- What an event of the ticket log counts as in the volume report, or NULL:
-- a ticket leaves the backlog when it is solved or closed from any other
-- status, and comes back when it reopens. The report reads the log with it
-- where the counts do not answer.
CREATE FUNCTION report_ticket_metric(kind text, data jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$
SELECT CASE
  WHEN kind = 'created' THEN 'ticket_created'
  WHEN kind <> 'status_changed' THEN NULL
  WHEN data->>'to' IN ('solved', 'closed') AND coalesce(data->>'from', '') NOT IN ('solved', 'closed') THEN 'ticket_solved'
  WHEN data->>'from' IN ('solved', 'closed') AND data->>'to' NOT IN ('solved', 'closed') THEN 'ticket_reopened'
END
$$;

-- The ticket metrics of `source` (ticket_events, a transition table or a
-- parenthesised query).
CREATE FUNCTION report_ticket_counts_sql(source text) RETURNS text LANGUAGE sql IMMUTABLE AS $fn$
SELECT format($q$
SELECT e.brand_id, date_trunc('hour', e.at, 'UTC') AS hour, report_ticket_metric(e.kind, e.data) AS metric,
       t.origin_channel AS channel, ''::text AS direction, NULL::uuid AS agent_id, count(*) AS n
FROM %s e JOIN tickets t ON t.id = e.ticket_id
WHERE e.kind IN ('created', 'status_changed') AND report_ticket_metric(e.kind, e.data) IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6
$q$, source)
$fn$;

DO $do$ BEGIN
  EXECUTE format($f$
CREATE FUNCTION report_counts_ticket_events() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
  INSERT INTO report_counts_delta %s;
  RETURN NULL;
END $body$
$f$, report_ticket_counts_sql('new_events'));
END $do$;

CREATE TRIGGER ticket_events_count AFTER INSERT ON ticket_events REFERENCING NEW TABLE AS new_events
  FOR EACH STATEMENT EXECUTE FUNCTION report_counts_ticket_events();

-- Folds the appended rows into the counts; returns how many it folded.
-- Rows appended while it runs are not in its snapshot and wait for the
-- next fold. Several server processes may fold at once: the DELETE takes
-- each row once.
CREATE FUNCTION report_counts_fold() RETURNS bigint LANGUAGE sql AS $$
WITH d AS (DELETE FROM report_counts_delta RETURNING *),
s AS (SELECT brand_id, hour, metric, channel, direction, agent_id, sum(n) AS n, count(*) AS rows
      FROM d GROUP BY 1, 2, 3, 4, 5, 6),
u AS (INSERT INTO report_counts AS c (brand_id, hour, metric, channel, direction, agent_id, n)
      SELECT brand_id, hour, metric, channel, direction, agent_id, n FROM s
      ON CONFLICT ON CONSTRAINT report_counts_key DO UPDATE SET n = c.n + EXCLUDED.n)
SELECT coalesce(sum(rows), 0)::bigint FROM s
$$;

-- Adds the counts of a SELECT in report_counts' column order: the
-- migration and a seed loaded with triggers off count the logs with it.
CREATE FUNCTION report_counts_add_sql(counts text) RETURNS text LANGUAGE sql IMMUTABLE AS $fn$
SELECT format($q$
INSERT INTO report_counts AS c (brand_id, hour, metric, channel, direction, agent_id, n) %s
ON CONFLICT ON CONSTRAINT report_counts_key DO UPDATE SET n = c.n + EXCLUDED.n
$q$, counts)
$fn$;

-- What the logs hold already.
DO $$ BEGIN
  EXECUTE report_counts_add_sql(report_message_counts_sql('messages'));
  EXECUTE report_counts_add_sql(report_ticket_counts_sql('ticket_events'));
END $$;
