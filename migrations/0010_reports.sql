-- Reports read the append-only logs, never the mutable ticket row alone. An
-- SLA event carries the ticket's channel, priority, queue and assignee as they
-- were when it was written, so grouping last month by agent or queue gives
-- the same answer after tickets move on.
ALTER TABLE sla_events
  ADD COLUMN channel  text,
  ADD COLUMN priority text,
  ADD COLUMN queue_id uuid,
  ADD COLUMN agent_id uuid;

-- Reports scan a period of every brand. BRIN indexes cost the ingest path
-- almost nothing and suit tables whose time columns grow with their pages.
CREATE INDEX messages_occurred_brin ON messages USING brin (occurred_at) WITH (pages_per_range = 32, autosummarize = on);
CREATE INDEX ticket_events_at_brin ON ticket_events USING brin (at) WITH (pages_per_range = 32, autosummarize = on);
CREATE INDEX sla_events_at_brin ON sla_events USING brin (at) WITH (pages_per_range = 32, autosummarize = on);
CREATE INDEX callback_attempts_at ON callback_attempts (at);
CREATE INDEX agent_presence_intervals_period ON agent_presence_intervals (started_at);
