-- The relay and the SLA worker read ticket_events and outbox by ranges of
-- the writing transaction's id. A BRIN index over tx covered only the ranges
-- autovacuum had summarised, and autovacuum visits a database once a minute:
-- under steady ingest every pass re-read up to a minute of rows (350,000 at
-- 3,000 emails/s, 40 ms a query, three queries a pass). A btree answers each
-- range exactly; tx grows with commits, so its inserts land on the rightmost
-- leaf, about as cheap as the BRIN's.
CREATE INDEX ticket_events_tx_btree ON ticket_events (tx);
CREATE INDEX outbox_tx_btree ON outbox (tx);
DROP INDEX ticket_events_tx;
DROP INDEX outbox_tx;
ALTER INDEX ticket_events_tx_btree RENAME TO ticket_events_tx;
ALTER INDEX outbox_tx_btree RENAME TO outbox_tx;
