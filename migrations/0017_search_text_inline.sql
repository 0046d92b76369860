-- hd_search_text runs for every row written to messages, tickets and
-- customers (their search indexes). As an SQL function around unaccent(),
-- which its extension declares STABLE, it could not be inlined: every call
-- started an executor of its own (the calls, to_tsvector included, took
-- about 40 % of ingest's write statement). Bound to unaccent's own C entry point and declared
-- IMMUTABLE (the dictionary's rules file is read once and taken as fixed,
-- the assumption the indexes already make), the wrappers inline into index
-- expressions and queries. Results are unchanged, so the indexes stay valid.
--
-- Only a superuser may create a C function. For any other owner the
-- wrapper stays an SQL function with the same results and the former cost.
DO $do$ BEGIN
  IF current_setting('is_superuser') = 'on' THEN
    CREATE FUNCTION hd_unaccent(regdictionary, text) RETURNS text
      LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE AS '$libdir/unaccent', 'unaccent_dict';
  ELSE
    CREATE FUNCTION hd_unaccent(regdictionary, text) RETURNS text
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT public.unaccent($1, $2) $$;
  END IF;
END $do$;

CREATE OR REPLACE FUNCTION hd_search_text(text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT to_tsvector('simple'::regconfig, public.hd_unaccent('public.unaccent'::regdictionary, left($1, 100000))) $$;
CREATE OR REPLACE FUNCTION hd_search_query(text) RETURNS tsquery
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT websearch_to_tsquery('simple'::regconfig, public.hd_unaccent('public.unaccent'::regdictionary, $1)) $$;

-- Connections open now hold the index expressions as they read them
-- before (the call, not its body), while their new queries would inline the
-- body: no search could use an index until they reconnected. Restating each
-- index column's statistics target (the default it has) makes every session
-- read the index anew, under a lock that lets reads and writes go on.
ALTER INDEX messages_search ALTER COLUMN 1 SET STATISTICS -1;
ALTER INDEX tickets_search ALTER COLUMN 1 SET STATISTICS -1;
ALTER INDEX customers_search ALTER COLUMN 1 SET STATISTICS -1;
