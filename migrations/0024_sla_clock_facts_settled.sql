-- Who decided a clock, as of a period's end, is worked out per clock from
-- its met, breached and waived events recorded by then: several timestamp
-- comparisons, repeated wherever the statement refers to it. Over the 3.3M
-- clocks of a year that was about 40 % of the agents report. Most clocks
-- were decided long before any period that reads them ends, and then the
-- answer is the one their events give whatever the period: so each clock
-- carries that answer, `settled_agent`, and from when it holds,
-- `settled_before`: every event time and recording time it has is earlier.
-- A report whose period ends after `settled_before` takes the stored agent;
-- the others work it out as before.
--
-- The stored answer holds only when the period's own test would pass for
-- every event the clock has: each recorded (a time without a recording
-- time fails it) and none before the clock's start (the start is in the
-- period, so no event then falls before the period). A clock that breaks
-- either is never settled ('infinity').
ALTER TABLE sla_clock_facts
  ADD COLUMN settled_before timestamptz GENERATED ALWAYS AS (
    CASE WHEN (met_at IS NULL) = (met_recorded_at IS NULL) AND (breached_at IS NULL) = (breached_recorded_at IS NULL)
          AND (cancelled_at IS NULL) = (cancelled_recorded_at IS NULL) AND coalesce(met_at >= started_at, true)
          AND coalesce(breached_at >= started_at, true) AND coalesce(cancelled_at >= started_at, true)
         THEN greatest(started_at, started_recorded_at, met_at, met_recorded_at, breached_at, breached_recorded_at,
                       cancelled_at, cancelled_recorded_at)
         ELSE 'infinity'::timestamptz END) STORED,
  ADD COLUMN settled_agent uuid GENERATED ALWAYS AS (
    coalesce(greatest(CASE WHEN met_at IS NOT NULL THEN met_agent END,
                      CASE WHEN breached_at IS NOT NULL THEN breached_agent END,
                      CASE WHEN cancelled_at IS NOT NULL THEN cancelled_agent END), started_agent)) STORED;

-- The reports read the clocks from this index alone (migration 0021).
DROP INDEX sla_clock_facts_report;
CREATE INDEX sla_clock_facts_report ON sla_clock_facts (brand_id, target, started_at)
  INCLUDE (started_recorded_at, channel, priority, queue_id, started_agent, met_at, met_recorded_at, met_elapsed,
           met_late, met_agent, breached_at, breached_recorded_at, breached_agent, cancelled_at,
           cancelled_recorded_at, cancelled_agent, settled_before, settled_agent);
