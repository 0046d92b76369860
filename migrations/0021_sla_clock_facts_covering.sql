-- Presence intervals overlapping a period: the index on their start read
-- every interval begun before the period's end (266,000 for a month of the
-- 1M-ticket seed to find 24,000). Intervals are short, so for a recent
-- period (the common case) those that end after its start are about its
-- own; an old period also reads the intervals since.
CREATE INDEX agent_presence_intervals_until ON agent_presence_intervals ((coalesce(ended_at, 'infinity'::timestamptz)));

-- The SLA, response-time and agent reports read every clock of a period
-- from sla_clock_facts. Through the index on started_at each row cost a
-- heap visit, and the heap pages of neighbouring clocks interleave (the four
-- targets of a ticket share a page, their starts do not): a month was 400,000
-- page visits, most of a 30-day report's time. This index carries every
-- column the reports read, so they scan it alone, in order, and read only
-- the targets they ask for: response times read first responses and
-- resolutions, two fifths of the clocks fewer. Its rows are fixed-size
-- columns and short names, far below the btree row limit.
--
-- Every fold of the SLA log now changes an indexed column, so the updates
-- are no longer HOT; the SLA worker's passes write a few index entries more.
CREATE INDEX sla_clock_facts_report ON sla_clock_facts (brand_id, target, started_at)
  INCLUDE (started_recorded_at, channel, priority, queue_id, started_agent, met_at, met_recorded_at, met_elapsed,
           met_late, met_agent, breached_at, breached_recorded_at, breached_agent, cancelled_at,
           cancelled_recorded_at, cancelled_agent);

-- An index-only scan still visits the heap for pages changed since the last
-- vacuum, and the recent clocks, which change until they are decided, are
-- the ones a 30-day report reads. The default (after a fifth of the table
-- changed) leaves weeks unvacuumed on a large table; 1 % is 34,000 changes on
-- the seed, a day or two of clocks.
ALTER TABLE sla_clock_facts SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_insert_scale_factor = 0.01);

-- Last, as both take the table's exclusive lock until the migration
-- commits (the check reads the table once, about a second per 3M clocks):
-- the reports name the targets to read key ranges of the index, so a clock
-- of another target would drop out of them unnoticed.
ALTER TABLE sla_clock_facts ADD CONSTRAINT sla_clock_facts_target
  CHECK (target IN ('first_response', 'next_response', 'resolution', 'callback'));
DROP INDEX sla_clock_facts_started;
