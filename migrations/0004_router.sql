-- The queue router: what agents speak and know, how much they take, whether
-- they are here; queues per brand; who holds each ticket; callback attempts;
-- and the outbox that integrations are told from.

ALTER TABLE agents
  ADD COLUMN languages        jsonb NOT NULL DEFAULT '[]',  -- [{"code": "pl", "level": "native"}]
  ADD COLUMN skills           text[] NOT NULL DEFAULT '{}',
  ADD COLUMN capacity         jsonb NOT NULL DEFAULT '{"email": 25, "chat": 3, "phone": 1}',
  ADD COLUMN presence         text NOT NULL DEFAULT 'offline' CHECK (presence IN ('online', 'away', 'offline')),
  ADD COLUMN presence_since   timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN last_assigned_at timestamptz;

-- Every presence an agent had, as an interval, for staffing reports. The open
-- interval (ended_at NULL) is the current one.
CREATE TABLE agent_presence_intervals (
  id         bigserial PRIMARY KEY,
  agent_id   uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  status     text NOT NULL CHECK (status IN ('online', 'away', 'offline')),
  started_at timestamptz NOT NULL,
  ended_at   timestamptz,
  set_by     text NOT NULL
);
CREATE INDEX agent_presence_intervals_agent ON agent_presence_intervals (agent_id, started_at);
CREATE UNIQUE INDEX agent_presence_intervals_open ON agent_presence_intervals (agent_id) WHERE ended_at IS NULL;

CREATE TABLE queues (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id           uuid NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  position           integer NOT NULL DEFAULT 100,
  is_default         boolean NOT NULL DEFAULT false,
  mode               text NOT NULL DEFAULT 'push' CHECK (mode IN ('push', 'pull')),
  conditions         jsonb NOT NULL DEFAULT '{}',
  required_skills    text[] NOT NULL DEFAULT '{}',
  optional_skills    text[] NOT NULL DEFAULT '{}',
  min_language_level text NOT NULL DEFAULT 'basic' CHECK (min_language_level IN ('basic', 'fluent', 'native')),
  overflow           jsonb NOT NULL DEFAULT '[]',
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX queues_brand ON queues (brand_id, position);
CREATE UNIQUE INDEX queues_default ON queues (brand_id) WHERE is_default;

-- Every brand gets a default queue (the last resort) and a callback queue.
CREATE FUNCTION create_brand_queues(brand uuid) RETURNS void LANGUAGE sql AS $$
  INSERT INTO queues (brand_id, name, position, conditions)
    VALUES (brand, 'Callbacks', 0, '{"callback_required": true}');
  INSERT INTO queues (brand_id, name, position, is_default) VALUES (brand, 'Default', 1000, true);
$$;
CREATE FUNCTION brands_create_queues() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM create_brand_queues(NEW.id);
  RETURN NEW;
END $$;
CREATE TRIGGER brands_default_queues AFTER INSERT ON brands FOR EACH ROW EXECUTE FUNCTION brands_create_queues();
SELECT create_brand_queues(id) FROM brands;

ALTER TABLE tickets
  ADD COLUMN language_confidence real,
  ADD COLUMN source              text,         -- the external system the customer came through ("amazon")
  ADD COLUMN queue_id            uuid REFERENCES queues(id) ON DELETE SET NULL,
  ADD COLUMN queued_at           timestamptz,
  ADD COLUMN overflow_steps      integer NOT NULL DEFAULT 0,  -- widenings already recorded
  ADD COLUMN assignee_id         uuid REFERENCES agents(id),
  ADD COLUMN assigned_at         timestamptz,
  ADD COLUMN callback_due_at     timestamptz;
-- What the router scans: unassigned open work, per brand. Solved, pending and
-- assigned tickets leave the index, so it stays the size of the backlog.
CREATE INDEX tickets_waiting ON tickets (brand_id, queue_id) WHERE assignee_id IS NULL AND status IN ('new', 'open');
-- The router's read: a queue's waiting tickets, most urgent first (the order
-- of routing::more_urgent), so a pass reads its top rows instead of sorting
-- the whole backlog. Tickets not yet placed in a queue stay out of it.
CREATE INDEX tickets_queue_urgency ON tickets (queue_id,
  (CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END), callback_due_at,
  (coalesce(queued_at, created_at)), id)
  WHERE assignee_id IS NULL AND status IN ('new', 'open') AND queue_id IS NOT NULL;
-- An agent's load: open tickets held.
CREATE INDEX tickets_assignee ON tickets (assignee_id) WHERE assignee_id IS NOT NULL AND status IN ('new', 'open');

CREATE TABLE callback_attempts (
  id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  ticket_id uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  brand_id  uuid NOT NULL,
  agent_id  uuid REFERENCES agents(id),
  outcome   text NOT NULL CHECK (outcome IN ('reached', 'no_answer', 'wrong_number', 'voicemail_left')),
  note      text NOT NULL DEFAULT '',
  at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX callback_attempts_ticket ON callback_attempts (ticket_id, at);

-- Events for integrations, written in the transaction of the change that
-- caused them; the webhook issue delivers them.
CREATE TABLE outbox (
  id         bigserial PRIMARY KEY,
  brand_id   uuid NOT NULL,
  event_type text NOT NULL,
  payload    jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_created ON outbox (created_at);
