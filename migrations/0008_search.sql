-- Full-text search over tickets, messages and customers. Accents are folded
-- (unaccent) and the 'simple' configuration is used: a multilingual
-- helpdesk cannot stem every language, and order numbers, names and
-- addresses must match as written. The functions are IMMUTABLE wrappers so
-- that expression indexes can use them.
CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE FUNCTION hd_search_text(text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT to_tsvector('simple'::regconfig, public.unaccent('public.unaccent'::regdictionary, left($1, 100000))) $$;
CREATE FUNCTION hd_search_query(text) RETURNS tsquery
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT websearch_to_tsquery('simple'::regconfig, public.unaccent('public.unaccent'::regdictionary, $1)) $$;

CREATE INDEX messages_search ON messages USING gin (hd_search_text(subject || ' ' || body_text));
CREATE INDEX tickets_search ON tickets USING gin (hd_search_text(subject));
CREATE INDEX customers_search ON customers USING gin (hd_search_text(name));
