-- Ingest and the customer card: customers with their identities, tickets,
-- messages (one per interaction, whatever the channel), attachments, the
-- append-only ticket event log and the keys that make ingest exactly-once.

-- Ticket numbers come from one sequence per brand: a sequence never blocks a
-- concurrent transaction (a counter row would serialise every ingest of a
-- brand). A rolled-back ingest leaves a gap in the numbers, which is harmless.
CREATE FUNCTION ticket_number_sequence(brand uuid) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$ SELECT 'ticket_number_' || replace(brand::text, '-', '') $$;

CREATE FUNCTION create_ticket_number_sequence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('CREATE SEQUENCE IF NOT EXISTS %I START 1000', ticket_number_sequence(NEW.id));
  RETURN NEW;
END $$;

CREATE TRIGGER brands_ticket_number_sequence AFTER INSERT ON brands
  FOR EACH ROW EXECUTE FUNCTION create_ticket_number_sequence();

DO $$
DECLARE b uuid;
BEGIN
  FOR b IN SELECT id FROM brands LOOP
    EXECUTE format('CREATE SEQUENCE IF NOT EXISTS %I START 1000', ticket_number_sequence(b));
  END LOOP;
END $$;

CREATE FUNCTION next_ticket_number(brand uuid) RETURNS bigint
  LANGUAGE sql AS $$ SELECT nextval(ticket_number_sequence(brand)::regclass) $$;

CREATE TABLE customers (
  id              uuid PRIMARY KEY,
  brand_id        uuid NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  name            text NOT NULL DEFAULT '',
  merged_into     uuid REFERENCES customers(id),  -- set on the customer absorbed by a merge
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  last_contact_at timestamptz
);
CREATE INDEX customers_brand ON customers (brand_id, id) WHERE merged_into IS NULL;

-- An identity belongs to one customer of a brand: the unique key is what
-- makes "the same person" decidable.
CREATE TABLE customer_identities (
  brand_id    uuid NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  kind        text NOT NULL CHECK (kind IN ('email', 'phone', 'raw_phone', 'chat', 'external')),
  value       text NOT NULL CHECK (length(value) BETWEEN 1 AND 320),
  customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  -- The value leads: lookups send the values of one event as one array, and
  -- with one big brand a brand-first key made PostgreSQL walk the brand.
  PRIMARY KEY (value, kind, brand_id)
);
CREATE INDEX customer_identities_customer ON customer_identities (customer_id);
-- Prefix search ("jan.nov" finds jan.novak@example.cz). A btree: trigram GIN
-- indexes halved ingest throughput, every new customer updating them.
CREATE INDEX customer_identities_prefix ON customer_identities (value text_pattern_ops);

-- Two existing customers named by one event are never merged silently.
CREATE TABLE customer_merge_suggestions (
  brand_id          uuid NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  customer_id       uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  other_customer_id uuid NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  reason            text NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, other_customer_id)
);
CREATE INDEX customer_merge_suggestions_other ON customer_merge_suggestions (other_customer_id);

CREATE TABLE customer_merges (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id    uuid NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  survivor_id uuid NOT NULL REFERENCES customers(id),
  merged_id   uuid NOT NULL REFERENCES customers(id),
  actor       text NOT NULL,
  details     jsonb NOT NULL,
  merged_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tickets (
  id                     uuid PRIMARY KEY,
  brand_id               uuid NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  number                 bigint NOT NULL,
  customer_id            uuid NOT NULL REFERENCES customers(id),
  subject                text NOT NULL DEFAULT '',
  status                 text NOT NULL DEFAULT 'new'
                           CHECK (status IN ('new', 'open', 'pending', 'on_hold', 'solved', 'closed')),
  priority               text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
  origin_channel         text NOT NULL CHECK (origin_channel IN ('email', 'phone', 'chat', 'note')),
  language               text,
  tags                   text[] NOT NULL DEFAULT '{}',
  callback_required      boolean NOT NULL DEFAULT false,
  chat_session_id        text,
  linked_ticket_id       uuid REFERENCES tickets(id),  -- the earlier ticket this one continues
  customer_waiting_since timestamptz,                  -- oldest unanswered customer message
  version                integer NOT NULL DEFAULT 1,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  last_inbound_at        timestamptz,
  last_outbound_at       timestamptz,
  solved_at              timestamptz,
  closed_at              timestamptz,
  UNIQUE (brand_id, number)
);
CREATE INDEX tickets_brand ON tickets (brand_id, id);
CREATE INDEX tickets_status ON tickets (brand_id, status, id);
CREATE INDEX tickets_customer ON tickets (customer_id, id);
CREATE UNIQUE INDEX tickets_chat_session ON tickets (brand_id, chat_session_id) WHERE chat_session_id IS NOT NULL;
CREATE INDEX tickets_callback ON tickets (customer_id) WHERE callback_required;

CREATE TABLE messages (
  id               uuid PRIMARY KEY,
  ticket_id        uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  brand_id         uuid NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  customer_id      uuid NOT NULL REFERENCES customers(id),
  channel          text NOT NULL CHECK (channel IN ('email', 'phone', 'chat', 'note')),
  direction        text NOT NULL CHECK (direction IN ('inbound', 'outbound', 'internal')),
  automatic        boolean NOT NULL DEFAULT false,
  automatic_reason text NOT NULL DEFAULT '',
  author_agent_id  uuid REFERENCES agents(id),
  sender           text NOT NULL DEFAULT '',  -- who wrote it as the channel said: address, caller, chat sender
  subject          text NOT NULL DEFAULT '',
  body_text        text NOT NULL DEFAULT '',
  body_html        text NOT NULL DEFAULT '',  -- stored as received; sanitised on output
  email            jsonb,  -- to, cc, reply_to, message_id, in_reply_to, references, headers
  email_message_id text,
  call_id          text,
  call             jsonb,  -- the folded call state
  call_outcome     text,
  chat_session_id  text,
  chat_message_id  text,
  occurred_at      timestamptz NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  attachment_count integer NOT NULL DEFAULT 0
);
CREATE INDEX messages_ticket ON messages (ticket_id, occurred_at, id);
CREATE INDEX messages_customer ON messages (customer_id, occurred_at DESC, id DESC);
CREATE INDEX messages_email_id ON messages (email_message_id) WHERE email_message_id IS NOT NULL;
CREATE UNIQUE INDEX messages_call ON messages (brand_id, call_id) WHERE call_id IS NOT NULL;

-- Every event of a call, so the call's state can be folded again from the
-- whole set whatever order they arrived in.
CREATE TABLE call_events (
  message_id uuid NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  event_key  text NOT NULL,  -- the kind, plus the provider's sequence number when it sends one
  kind       text NOT NULL,
  at         timestamptz NOT NULL,
  payload    jsonb NOT NULL,
  PRIMARY KEY (message_id, event_key)
);

CREATE TABLE attachments (
  id           uuid PRIMARY KEY,
  message_id   uuid NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  brand_id     uuid NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  filename     text NOT NULL,
  content_type text NOT NULL,
  content_id   text NOT NULL DEFAULT '',
  is_inline    boolean NOT NULL DEFAULT false,
  size         bigint NOT NULL,
  sha256       text NOT NULL,
  content      bytea NOT NULL
);
CREATE INDEX attachments_message ON attachments (message_id);

CREATE TABLE ticket_events (
  id        bigserial PRIMARY KEY,
  ticket_id uuid NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  brand_id  uuid NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  kind      text NOT NULL,
  actor     text NOT NULL,
  data      jsonb NOT NULL DEFAULT '{}',
  at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);

-- The exactly-once ledger. An event's natural key (Message-ID, call id +
-- event, chat message id) and an optional Idempotency-Key are claimed in the
-- event's own transaction, so a concurrent duplicate waits for the first and
-- then replays its answer. Natural keys stay as long as the data; client
-- Idempotency-Keys expire.
CREATE TABLE inbound_keys (
  scope          text NOT NULL,  -- "email:<brand>", "call:<brand>", "idem:<token>:<route>"
  key            text NOT NULL,
  request_sha256 text NOT NULL,
  response       jsonb,
  created_at     timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz,
  PRIMARY KEY (scope, key)
);
CREATE INDEX inbound_keys_expiry ON inbound_keys (expires_at) WHERE expires_at IS NOT NULL;
