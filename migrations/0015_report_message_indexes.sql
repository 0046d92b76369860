-- Two reports read a small part of every message of their period: agents
-- their replies, calls the inbound calls. The BRIN range of a year is every
-- page of the message table (4.4 GB on the 1M-ticket seed, 3.7 s for the
-- calls of a year), so each gets a partial index by time.
--
-- Replies: ingest never writes one (an agent's reply goes through the
-- workspace API), and the index answers the agents report by itself.
CREATE INDEX messages_replies_at ON messages (occurred_at)
  INCLUDE (author_agent_id, ticket_id, brand_id, channel, automatic)
  WHERE direction = 'outbound' AND author_agent_id IS NOT NULL;
-- Inbound calls: the report reads their folded state from the row.
CREATE INDEX messages_inbound_calls_at ON messages (occurred_at)
  WHERE channel = 'phone' AND direction = 'inbound';
