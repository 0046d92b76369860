-- The SLA engine: business calendars, ordered policies per brand, a clock per
-- ticket, target and cycle, and the append-only log reports replay. Every
-- edit of a calendar or a policy keeps the version it replaced, so an event
-- that names "policy P version 3" can be read back after P changed.

CREATE TABLE calendars (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id   uuid REFERENCES brands(id) ON DELETE CASCADE,  -- NULL: shared by every brand
  name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  time_zone  text NOT NULL,
  weekly     jsonb NOT NULL,  -- {"mon": [["09:00", "17:00"]], …}
  holidays   jsonb NOT NULL DEFAULT '[]',
  version    integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX calendars_brand ON calendars (brand_id);

CREATE TABLE calendar_versions (
  calendar_id uuid NOT NULL REFERENCES calendars(id) ON DELETE CASCADE,
  version     integer NOT NULL,
  definition  jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (calendar_id, version)
);

CREATE TABLE sla_policies (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id   uuid NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  position   integer NOT NULL DEFAULT 100,
  conditions jsonb NOT NULL DEFAULT '{}',
  targets    jsonb NOT NULL,
  pause_on   text[] NOT NULL DEFAULT '{pending,on_hold}',
  escalation jsonb NOT NULL DEFAULT '[]',
  version    integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sla_policies_brand ON sla_policies (brand_id, position);

CREATE TABLE sla_policy_versions (
  policy_id  uuid NOT NULL REFERENCES sla_policies(id) ON DELETE CASCADE,
  version    integer NOT NULL,
  definition jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (policy_id, version)
);

-- One row per ticket, target and cycle (next_response runs once per customer
-- wait, resolution once per reopening). next_check_at is the next instant the
-- scanner must act on (the warning, then the breach); NULL once nothing is
-- left to fire, so the scanner's index holds only clocks still ticking.
CREATE TABLE sla_clocks (
  ticket_id         uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  target            text NOT NULL CHECK (target IN ('first_response', 'next_response', 'resolution', 'callback')),
  cycle             integer NOT NULL,
  brand_id          uuid NOT NULL,
  policy_id         uuid,
  policy_version    integer,
  calendar_id       uuid,
  calendar_version  integer,
  state             text NOT NULL CHECK (state IN ('running', 'paused', 'met', 'breached', 'cancelled')),
  business_hours    boolean NOT NULL,
  seconds           bigint NOT NULL,
  started_at        timestamptz NOT NULL,
  stopped_at        timestamptz,
  due_at            timestamptz,
  warn_at           timestamptz,
  remaining_seconds bigint NOT NULL,
  warned_at         timestamptz,
  breached_at       timestamptz,
  next_check_at     timestamptz,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (ticket_id, target, cycle)
);
CREATE INDEX sla_clocks_next_check ON sla_clocks (next_check_at) WHERE next_check_at IS NOT NULL;

CREATE TABLE sla_events (
  id               bigserial PRIMARY KEY,
  ticket_id        uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  brand_id         uuid NOT NULL,
  target           text,
  cycle            integer,
  kind             text NOT NULL CHECK (kind IN ('started', 'paused', 'resumed', 'met', 'warned', 'breached',
                                                 'cancelled', 'policy_changed')),
  at               timestamptz NOT NULL,
  policy_id        uuid,
  policy_version   integer,
  calendar_id      uuid,
  calendar_version integer,
  data             jsonb NOT NULL DEFAULT '{}',
  recorded_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sla_events_ticket ON sla_events (ticket_id, id);
CREATE INDEX sla_events_brand_at ON sla_events (brand_id, at);

-- The SLA worker recomputes the clocks of every ticket whose events it has
-- not seen. It reads ticket_events by the writing transaction's id, up to the
-- oldest transaction still running: every transaction below that horizon has
-- ended, so none of its events can appear later. A BRIN index suits an
-- append-only table whose transaction ids grow with its pages, and costs the
-- ingest path almost nothing.
-- Added without a default first, so that the existing rows are not rewritten;
-- they stay NULL: written before the SLA engine existed, no policy applies.
ALTER TABLE ticket_events ADD COLUMN tx bigint;
ALTER TABLE ticket_events ALTER COLUMN tx SET DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX ticket_events_tx ON ticket_events USING brin (tx) WITH (pages_per_range = 16, autosummarize = on);
CREATE TABLE sla_progress (
  id        integer PRIMARY KEY CHECK (id = 1),
  tx_cursor bigint NOT NULL
);
INSERT INTO sla_progress VALUES (1, pg_current_xact_id()::text::bigint + 1);
-- Tickets to recompute that no new ticket event names: those of a brand whose
-- policies or calendars changed, and those whose ticket row the worker could
-- not update because someone else held it.
CREATE TABLE sla_recheck (
  ticket_id uuid PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE
);

-- The policy the worker last applied to a ticket; only the worker writes it,
-- so no request ever waits for it.
CREATE TABLE sla_tickets (
  ticket_id uuid PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
  policy_id uuid
);

ALTER TABLE tickets ADD COLUMN sla_due_at timestamptz;

-- Marks staff put on a customer ("vip", "b2b"); SLA policies can select on them.
ALTER TABLE customers ADD COLUMN flags text[] NOT NULL DEFAULT '{}';  -- the nearest due time of a running clock

-- "No response needed" on a customer message (Amazon's rule): from this
-- instant the response clock that message is part of stops, without a breach.
ALTER TABLE messages ADD COLUMN no_response_needed_at timestamptz;

-- The router's order: priority, then the nearest deadline (an SLA clock or a
-- callback), then age.
DROP INDEX tickets_queue_urgency;
CREATE INDEX tickets_queue_urgency ON tickets (queue_id,
  (CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END),
  (least(sla_due_at, callback_due_at)), (coalesce(queued_at, created_at)), id)
  WHERE assignee_id IS NULL AND status IN ('new', 'open') AND queue_id IS NOT NULL;
-- ?sort=sla_due and ?breaching_within walk this in due order, whatever the brands.
CREATE INDEX tickets_sla_due ON tickets (sla_due_at, id) WHERE sla_due_at IS NOT NULL;
