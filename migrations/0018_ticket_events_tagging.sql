-- The contact-reasons report reads the tickets created in a period and the
-- tag changes in it: one event in seven. Through the BRIN index on time it
-- read every event of the period and dropped the rest (0.35 s of its 0.65 s
-- for 30 days on the 1M-ticket seed); this index hands it only those two
-- kinds. Ingest adds an entry for each new ticket.
CREATE INDEX ticket_events_tagging_at ON ticket_events (at) WHERE kind IN ('created', 'tags_changed');
