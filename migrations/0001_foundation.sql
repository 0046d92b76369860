-- Foundation: brands, agents, credentials. Ids are UUIDs so that an id reveals
-- nothing about how many objects exist (cross-brand probes learn nothing).

CREATE TABLE brands (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name                 text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  slug                 text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  ticket_prefix        text NOT NULL CHECK (ticket_prefix ~ '^[A-Z0-9]{1,12}$'),
  default_language     text NOT NULL,
  default_phone_region text NOT NULL,
  time_zone            text NOT NULL,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now()
);

-- One row per mailbox so that an address can belong to one brand only: the
-- recipient decides the brand of inbound mail.
CREATE TABLE brand_inbound_addresses (
  address  text PRIMARY KEY CHECK (address = lower(address)),
  brand_id uuid NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  position int  NOT NULL
);
CREATE INDEX brand_inbound_addresses_brand ON brand_inbound_addresses (brand_id);

CREATE TABLE agents (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name          text NOT NULL,
  email         text NOT NULL,
  role          text NOT NULL CHECK (role IN ('admin', 'manager', 'agent')),
  password_hash text NOT NULL,
  active        boolean NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX agents_email ON agents (lower(email));

CREATE TABLE agent_brands (
  agent_id   uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  brand_id   uuid NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
  membership text NOT NULL DEFAULT 'primary' CHECK (membership IN ('primary', 'backup')),
  PRIMARY KEY (agent_id, brand_id)
);
CREATE INDEX agent_brands_brand ON agent_brands (brand_id);

CREATE TABLE api_tokens (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name         text NOT NULL,
  role         text NOT NULL CHECK (role IN ('admin', 'manager', 'agent', 'integration')),
  token_sha256 text NOT NULL UNIQUE,
  prefix       text NOT NULL,            -- first characters, to recognise a token in lists
  brand_ids    uuid[] NOT NULL DEFAULT '{}',  -- empty: every brand
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);

CREATE TABLE sessions (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_id     uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  token_sha256 text NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz,
  remote_addr  text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_agent ON sessions (agent_id) WHERE revoked_at IS NULL;

-- Failed logins, kept in the database so that throttling holds across nodes.
CREATE TABLE login_failures (
  email_lower text NOT NULL,
  remote_addr text NOT NULL,
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_email ON login_failures (email_lower, at);
CREATE INDEX login_failures_addr ON login_failures (remote_addr, at);
