-- The SLA, response-time and agent reports read every clock of a period
-- from sla_clock_facts. Through the index on started_at each row cost a
-- heap visit, and the heap pages of neighbouring clocks interleave (the four
-- targets of a ticket share a page, their starts do not): a month was 400,000
-- page visits, most of a 30-day report's time. This index carries every
-- column the reports read, so they scan it alone, in order, and read only
-- the targets they ask for: response times read first responses and
-- resolutions, two fifths of the clocks fewer.
--
-- Every fold of the SLA log now changes an indexed column, so the updates
-- are no longer HOT; the SLA worker's passes write a few index entries more.
CREATE INDEX sla_clock_facts_report ON sla_clock_facts (brand_id, target, started_at)
  INCLUDE (started_recorded_at, channel, priority, queue_id, started_agent, met_at, met_recorded_at, met_elapsed,
           met_late, met_agent, breached_at, breached_recorded_at, breached_agent, cancelled_at,
           cancelled_recorded_at, cancelled_agent);
DROP INDEX sla_clock_facts_started;

-- An index-only scan still visits the heap for pages changed since the last
-- vacuum; the recent clocks, which change until they are decided, are the
-- ones a 30-day report reads. The default (a fifth of the table changed)
-- would leave weeks of pages unvacuumed on a large table.
ALTER TABLE sla_clock_facts SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_insert_scale_factor = 0.01);

-- Presence intervals overlapping a period: the index on their start read
-- every interval begun before the period's end (266,000 for a month of the
-- 1M-ticket seed to find 24,000). Intervals are short, so their end picks
-- the period's.
CREATE INDEX agent_presence_intervals_until ON agent_presence_intervals ((coalesce(ended_at, 'infinity'::timestamptz)));
