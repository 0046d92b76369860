-- The contact-reasons report counts the tags of the tickets created in a
-- period. Through the index of every `created` and `tags_changed` event
-- (migration 0018) it read the creation of every ticket of the period and
-- its period before (207,000 events for 30 days of the 1M-ticket seed), to
-- find the 10,000 tickets that carried a tag. These indexes hand it the
-- two kinds that can give a ticket tags: creations with tags, and tag
-- changes; the creation of a ticket tagged later is then looked up by its
-- ticket. Ingest adds an entry per ticket to the third, a small one
-- (ticket id only), and one to the first only when a ticket is created
-- with tags.
CREATE INDEX ticket_events_tagged_at ON ticket_events (at)
  WHERE kind = 'created' AND data -> 'tags' <> '[]'::jsonb;
CREATE INDEX ticket_events_retagged_at ON ticket_events (at) WHERE kind = 'tags_changed';
CREATE INDEX ticket_events_created ON ticket_events (ticket_id) WHERE kind = 'created';
DROP INDEX ticket_events_tagging_at;
