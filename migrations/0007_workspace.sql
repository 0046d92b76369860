-- The agent workspace: replies and notes, outbound delivery status, the
-- event feed that webhooks and live streams read, webhook subscriptions and
-- their deliveries, canned responses, ticket merges and who is viewing what.

-- The status a ticket takes after an agent's reply unless the reply says.
ALTER TABLE brands ADD COLUMN reply_status_after text NOT NULL DEFAULT 'pending'
  CHECK (reply_status_after IN ('open', 'pending', 'on_hold', 'solved'));

-- A merged ticket points at the ticket that absorbed it (and redirects there).
ALTER TABLE tickets ADD COLUMN merged_into uuid REFERENCES tickets(id);

-- Outbound messages: what the delivering integration last reported.
ALTER TABLE messages ADD COLUMN delivery_status text
  CHECK (delivery_status IN ('queued', 'sent', 'delivered', 'failed', 'bounced'));
ALTER TABLE messages ADD COLUMN delivery_reason text;
ALTER TABLE messages ADD COLUMN delivery_updated_at timestamptz;
-- Agents @mentioned in an internal note.
ALTER TABLE messages ADD COLUMN mentions uuid[];

-- The outbox gets the writing transaction's id, like ticket_events, so the
-- relay can read both in commit-safe order (see sla_progress in 0006).
ALTER TABLE outbox ADD COLUMN tx bigint;
ALTER TABLE outbox ALTER COLUMN tx SET DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX outbox_tx ON outbox USING brin (tx) WITH (pages_per_range = 16, autosummarize = on);

-- One relay at a time turns new ticket events and outbox rows into domain
-- events: rows of the agent feed below and webhook deliveries. Its cursor is
-- a transaction id, its `seq` the last feed number handed out.
CREATE TABLE event_relay (
  id        integer PRIMARY KEY CHECK (id = 1),
  tx_cursor bigint NOT NULL,
  seq       bigint NOT NULL DEFAULT 0
);
INSERT INTO event_relay (id, tx_cursor) VALUES (1, pg_current_xact_id()::text::bigint + 1);

-- The live-update feed of each agent: numbered in commit order by the relay
-- (the only writer), so `Last-Event-ID` resumes a stream without gaps.
CREATE TABLE agent_feed (
  seq        bigint NOT NULL,
  agent_id   uuid NOT NULL,
  brand_id   uuid NOT NULL,
  event_type text NOT NULL,
  ticket_id  uuid,
  data       jsonb NOT NULL,
  at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (seq, agent_id)
);
CREATE INDEX agent_feed_agent ON agent_feed (agent_id, seq);

CREATE TABLE webhook_subscriptions (
  id                    uuid PRIMARY KEY,
  url                   text NOT NULL,
  description           text NOT NULL DEFAULT '',
  events                text[] NOT NULL,
  brands                uuid[] NOT NULL DEFAULT '{}',  -- empty: every brand
  secret                text NOT NULL,
  previous_secret       text,         -- still signed with until previous_secret_until (rotation)
  previous_secret_until timestamptz,
  state                 text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'paused', 'disabled')),
  disabled_reason       text,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now()
);

-- One event for one subscription. The body is fixed when the delivery is
-- created, so every attempt sends the same bytes under the same webhook-id.
CREATE TABLE webhook_deliveries (
  id              uuid PRIMARY KEY,
  subscription_id uuid NOT NULL REFERENCES webhook_subscriptions(id) ON DELETE CASCADE,
  webhook_id      text NOT NULL,
  event_type      text NOT NULL,
  brand_id        uuid NOT NULL,
  body            text NOT NULL,
  state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'succeeded', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  lease_until     timestamptz,  -- a worker holds it until then; a dead worker's lease runs out
  leased_by       text,
  last_status     integer,
  last_error      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  completed_at    timestamptz,
  UNIQUE (subscription_id, webhook_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, created_at DESC, id DESC);

CREATE TABLE webhook_attempts (
  delivery_id uuid NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
  attempt     integer NOT NULL,
  at          timestamptz NOT NULL DEFAULT now(),
  status_code integer,
  latency_ms  integer NOT NULL,
  error       text,
  worker      text NOT NULL,
  PRIMARY KEY (delivery_id, attempt)
);

CREATE TABLE canned_responses (
  id         uuid PRIMARY KEY,
  brand_id   uuid NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  language   text,  -- NULL: any language
  name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  body       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (brand_id, name, language)
);

-- Who has a ticket open right now (heartbeats); short-lived, so unlogged.
CREATE UNLOGGED TABLE ticket_viewers (
  ticket_id uuid NOT NULL,
  agent_id  uuid NOT NULL,
  composing boolean NOT NULL DEFAULT false,
  seen_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (ticket_id, agent_id)
);

-- "My tickets": an agent's open work, whatever its status short of solved.
CREATE INDEX tickets_mine ON tickets (assignee_id) WHERE assignee_id IS NOT NULL AND status NOT IN ('solved', 'closed');
