-- The tickets an agent handled in a period are the tickets with a reply of
-- theirs in it. Counted as distinct (agent, ticket) pairs, a year of
-- replies (2.1M on the 1M-ticket seed) made a hash of 0.9M pairs, 1.5 s of
-- the agents report on one core. So every reply carries the time of the
-- same agent's reply before it on the same ticket: a reply of the period
-- whose previous one is older than the period (or that has none) is the
-- agent's first there, and counting those counts the tickets.
--
-- A reply is what the report counts: outbound, by an agent, not automatic,
-- not a note. The chain of a ticket and agent runs in (occurred_at, id)
-- order. A ticket keeps its brand (merges stay within one), so the chain
-- holds under a brand filter; replies of other channels are in it too, and
-- the report counts pairs itself when it filters by channel.
CREATE FUNCTION message_is_agent_reply(direction text, author uuid, automatic boolean, channel text)
  RETURNS boolean LANGUAGE sql IMMUTABLE
  RETURN direction = 'outbound' AND author IS NOT NULL AND NOT automatic AND channel <> 'note';

ALTER TABLE messages ADD COLUMN agent_previous_reply_at timestamptz;

-- The replies so far, linked before the triggers exist (about 3 minutes for
-- the 5M messages of the 1M-ticket seed; ingest waits meanwhile).
UPDATE messages m SET agent_previous_reply_at = s.prev
FROM (SELECT id, lag(occurred_at) OVER (PARTITION BY ticket_id, author_agent_id ORDER BY occurred_at, id) AS prev
      FROM messages WHERE message_is_agent_reply(direction, author_agent_id, automatic, channel)) s
WHERE m.id = s.id AND s.prev IS NOT NULL;

-- Links the replies of `tickets` again; writes only the rows that change.
CREATE FUNCTION agent_reply_chains_refresh(tickets uuid[]) RETURNS void LANGUAGE sql AS $$
UPDATE messages m SET agent_previous_reply_at = s.prev
FROM (SELECT id, CASE WHEN message_is_agent_reply(direction, author_agent_id, automatic, channel) THEN
        lag(occurred_at) OVER (PARTITION BY ticket_id, author_agent_id,
          message_is_agent_reply(direction, author_agent_id, automatic, channel) ORDER BY occurred_at, id) END AS prev
      FROM messages WHERE ticket_id = ANY(tickets)) s
WHERE m.ticket_id = ANY(tickets) AND m.id = s.id AND m.agent_previous_reply_at IS DISTINCT FROM s.prev
$$;

-- A new reply links to its predecessor as it is written, so the usual
-- reply (the latest of its ticket) costs one index lookup and no second
-- row version.
CREATE FUNCTION messages_agent_reply_link() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.agent_previous_reply_at := (SELECT max(p.occurred_at) FROM messages p WHERE p.ticket_id = NEW.ticket_id
    AND p.author_agent_id = NEW.author_agent_id
    AND message_is_agent_reply(p.direction, p.author_agent_id, p.automatic, p.channel)
    AND (p.occurred_at, p.id) < (NEW.occurred_at, NEW.id));
  RETURN NEW;
END $$;
CREATE TRIGGER messages_agent_reply_link BEFORE INSERT ON messages FOR EACH ROW
  WHEN (message_is_agent_reply(NEW.direction, NEW.author_agent_id, NEW.automatic, NEW.channel))
  EXECUTE FUNCTION messages_agent_reply_link();

-- Whatever else changes a chain: a reply written before later ones of its
-- agent, a message moved to another ticket (a merge), to another time (a
-- call's earliest event) or to another author, a deleted message. Those
-- tickets' chains are linked again.
CREATE FUNCTION messages_agent_reply_chains() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  tickets uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    tickets := ARRAY(SELECT DISTINCT ticket_id FROM new_rows
                     WHERE message_is_agent_reply(direction, author_agent_id, automatic, channel));
  ELSIF TG_OP = 'DELETE' THEN
    tickets := ARRAY(SELECT DISTINCT ticket_id FROM old_rows
                     WHERE message_is_agent_reply(direction, author_agent_id, automatic, channel));
  ELSE
    tickets := ARRAY(
      SELECT unnest(ARRAY[o.ticket_id, w.ticket_id]) FROM old_rows o JOIN new_rows w ON w.id = o.id
      WHERE (o.ticket_id, o.occurred_at, o.author_agent_id,
             message_is_agent_reply(o.direction, o.author_agent_id, o.automatic, o.channel))
        IS DISTINCT FROM (w.ticket_id, w.occurred_at, w.author_agent_id,
             message_is_agent_reply(w.direction, w.author_agent_id, w.automatic, w.channel))
        AND (message_is_agent_reply(o.direction, o.author_agent_id, o.automatic, o.channel)
             OR message_is_agent_reply(w.direction, w.author_agent_id, w.automatic, w.channel)));
  END IF;
  IF cardinality(tickets) > 0 THEN
    PERFORM agent_reply_chains_refresh(tickets);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER messages_agent_reply_chains_insert AFTER INSERT ON messages REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION messages_agent_reply_chains();
CREATE TRIGGER messages_agent_reply_chains_update AFTER UPDATE ON messages
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION messages_agent_reply_chains();
CREATE TRIGGER messages_agent_reply_chains_delete AFTER DELETE ON messages REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION messages_agent_reply_chains();

-- The agents report reads its replies from this index alone.
CREATE INDEX messages_agent_replies_at ON messages (occurred_at)
  INCLUDE (author_agent_id, ticket_id, brand_id, channel, agent_previous_reply_at)
  WHERE direction = 'outbound' AND author_agent_id IS NOT NULL AND NOT automatic AND channel <> 'note';
DROP INDEX messages_replies_at;
