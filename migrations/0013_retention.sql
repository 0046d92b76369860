-- Retention of the event history: housekeeping deletes old live-feed rows,
-- outbox rows the relay has passed and finished webhook deliveries, a few
-- thousand at a time. These indexes let each batch start at the oldest rows
-- instead of reading past every young one.
CREATE INDEX agent_feed_at ON agent_feed (at);
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (completed_at) WHERE state <> 'pending';
