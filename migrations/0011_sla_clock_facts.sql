-- One row per SLA clock, folded from its log as the log is written: when it
-- started, and the first met, breached and cancelled event, each with the
-- time it happened and the time it was recorded. The SLA, response-time and
-- agent reports read a clock's row instead of grouping its events (a month
-- is a million events on the 1M-ticket seed), and can still decide a clock
-- as of a period's end from the recorded times. Only the SLA worker writes
-- sla_events, so ingest pays nothing for it.
CREATE TABLE sla_clock_facts (
  ticket_id             uuid NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
  target                text NOT NULL,
  cycle                 integer NOT NULL,
  brand_id              uuid NOT NULL,
  channel               text,
  priority              text,
  queue_id              uuid,
  started_agent         uuid,
  started_at            timestamptz,
  started_recorded_at   timestamptz,
  met_at                timestamptz,
  met_recorded_at       timestamptz,
  met_elapsed           bigint,
  met_late              boolean,
  met_agent             uuid,
  breached_at           timestamptz,
  breached_recorded_at  timestamptz,
  breached_agent        uuid,
  cancelled_at          timestamptz,
  cancelled_recorded_at timestamptz,
  cancelled_agent       uuid,
  PRIMARY KEY (ticket_id, target, cycle)
) WITH (fillfactor = 80);
CREATE INDEX sla_clock_facts_started ON sla_clock_facts (started_at);

-- The statement that folds the events of `source` (a table or the trigger's
-- transition table) into the facts. It keeps the earliest event of each
-- kind, so folding the same events twice changes nothing.
CREATE FUNCTION sla_clock_facts_merge_sql(source text) RETURNS text LANGUAGE sql IMMUTABLE AS $fn$
SELECT format($q$
WITH firsts AS (
  SELECT DISTINCT ON (ticket_id, target, cycle, kind) ticket_id, target, cycle, kind, brand_id, at, recorded_at,
         channel, priority, queue_id, agent_id, data
  FROM %s WHERE target IS NOT NULL AND kind IN ('started', 'met', 'breached', 'cancelled')
  ORDER BY ticket_id, target, cycle, kind, at, id)
INSERT INTO sla_clock_facts AS f (ticket_id, target, cycle, brand_id, channel, priority, queue_id, started_agent,
  started_at, started_recorded_at, met_at, met_recorded_at, met_elapsed, met_late, met_agent, breached_at,
  breached_recorded_at, breached_agent, cancelled_at, cancelled_recorded_at, cancelled_agent)
SELECT ticket_id, target, cycle, min(brand_id::text)::uuid,
  min(channel) FILTER (WHERE kind = 'started'), min(priority) FILTER (WHERE kind = 'started'),
  min(queue_id::text) FILTER (WHERE kind = 'started')::uuid, min(agent_id::text) FILTER (WHERE kind = 'started')::uuid,
  min(at) FILTER (WHERE kind = 'started'), min(recorded_at) FILTER (WHERE kind = 'started'),
  min(at) FILTER (WHERE kind = 'met'), min(recorded_at) FILTER (WHERE kind = 'met'),
  min((data->>'elapsed_seconds')::bigint) FILTER (WHERE kind = 'met'),
  bool_or(coalesce((data->>'late')::boolean, false)) FILTER (WHERE kind = 'met'),
  min(agent_id::text) FILTER (WHERE kind = 'met')::uuid,
  min(at) FILTER (WHERE kind = 'breached'), min(recorded_at) FILTER (WHERE kind = 'breached'),
  min(agent_id::text) FILTER (WHERE kind = 'breached')::uuid,
  min(at) FILTER (WHERE kind = 'cancelled'), min(recorded_at) FILTER (WHERE kind = 'cancelled'),
  min(agent_id::text) FILTER (WHERE kind = 'cancelled')::uuid
FROM firsts GROUP BY ticket_id, target, cycle
ON CONFLICT (ticket_id, target, cycle) DO UPDATE SET
  channel = CASE WHEN coalesce(EXCLUDED.started_at < f.started_at, f.started_at IS NULL) THEN EXCLUDED.channel ELSE f.channel END,
  priority = CASE WHEN coalesce(EXCLUDED.started_at < f.started_at, f.started_at IS NULL) THEN EXCLUDED.priority ELSE f.priority END,
  queue_id = CASE WHEN coalesce(EXCLUDED.started_at < f.started_at, f.started_at IS NULL) THEN EXCLUDED.queue_id ELSE f.queue_id END,
  started_agent = CASE WHEN coalesce(EXCLUDED.started_at < f.started_at, f.started_at IS NULL) THEN EXCLUDED.started_agent ELSE f.started_agent END,
  started_recorded_at = CASE WHEN coalesce(EXCLUDED.started_at < f.started_at, f.started_at IS NULL) THEN EXCLUDED.started_recorded_at ELSE f.started_recorded_at END,
  started_at = CASE WHEN coalesce(EXCLUDED.started_at < f.started_at, f.started_at IS NULL) THEN EXCLUDED.started_at ELSE f.started_at END,
  met_recorded_at = CASE WHEN coalesce(EXCLUDED.met_at < f.met_at, f.met_at IS NULL) THEN EXCLUDED.met_recorded_at ELSE f.met_recorded_at END,
  met_elapsed = CASE WHEN coalesce(EXCLUDED.met_at < f.met_at, f.met_at IS NULL) THEN EXCLUDED.met_elapsed ELSE f.met_elapsed END,
  met_late = CASE WHEN coalesce(EXCLUDED.met_at < f.met_at, f.met_at IS NULL) THEN EXCLUDED.met_late ELSE f.met_late END,
  met_agent = CASE WHEN coalesce(EXCLUDED.met_at < f.met_at, f.met_at IS NULL) THEN EXCLUDED.met_agent ELSE f.met_agent END,
  met_at = CASE WHEN coalesce(EXCLUDED.met_at < f.met_at, f.met_at IS NULL) THEN EXCLUDED.met_at ELSE f.met_at END,
  breached_recorded_at = CASE WHEN coalesce(EXCLUDED.breached_at < f.breached_at, f.breached_at IS NULL) THEN EXCLUDED.breached_recorded_at ELSE f.breached_recorded_at END,
  breached_agent = CASE WHEN coalesce(EXCLUDED.breached_at < f.breached_at, f.breached_at IS NULL) THEN EXCLUDED.breached_agent ELSE f.breached_agent END,
  breached_at = CASE WHEN coalesce(EXCLUDED.breached_at < f.breached_at, f.breached_at IS NULL) THEN EXCLUDED.breached_at ELSE f.breached_at END,
  cancelled_recorded_at = CASE WHEN coalesce(EXCLUDED.cancelled_at < f.cancelled_at, f.cancelled_at IS NULL) THEN EXCLUDED.cancelled_recorded_at ELSE f.cancelled_recorded_at END,
  cancelled_agent = CASE WHEN coalesce(EXCLUDED.cancelled_at < f.cancelled_at, f.cancelled_at IS NULL) THEN EXCLUDED.cancelled_agent ELSE f.cancelled_agent END,
  cancelled_at = CASE WHEN coalesce(EXCLUDED.cancelled_at < f.cancelled_at, f.cancelled_at IS NULL) THEN EXCLUDED.cancelled_at ELSE f.cancelled_at END
$q$, source)
$fn$;

CREATE FUNCTION sla_clock_facts_collect() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE sla_clock_facts_merge_sql('new_events');
  RETURN NULL;
END $$;

-- Per statement, over the rows it inserted: the worker writes a pass's
-- events in one statement, so a pass folds them in one more.
CREATE TRIGGER sla_events_fold AFTER INSERT ON sla_events REFERENCING NEW TABLE AS new_events
  FOR EACH STATEMENT EXECUTE FUNCTION sla_clock_facts_collect();

DO $$ BEGIN EXECUTE sla_clock_facts_merge_sql('sla_events'); END $$;
