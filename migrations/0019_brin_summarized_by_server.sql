-- The server summarises new BRIN ranges itself (its index upkeep, every
-- 30 s). autosummarize asked autovacuum to do it once per filled range, and
-- under steady ingest its small request queue overflowed: PostgreSQL then
-- logged "request for BRIN range summarization ... was not recorded" for
-- nearly every range, and those ranges waited for the next VACUUM anyway.
ALTER INDEX messages_occurred_brin SET (autosummarize = off);
ALTER INDEX ticket_events_at_brin SET (autosummarize = off);
ALTER INDEX sla_events_at_brin SET (autosummarize = off);
