-- Set-at-a-time ingest. The brand_id of identities, merge suggestions,
-- messages, attachments and ticket events copies the brand of the customer,
-- ticket or message the row already references (and cascades from), so its
-- own foreign key only repeated that check on every insert: a third of the
-- row-level checks an inbound event paid. The column stays, for filtering.
ALTER TABLE customer_identities DROP CONSTRAINT customer_identities_brand_id_fkey;
ALTER TABLE customer_merge_suggestions DROP CONSTRAINT customer_merge_suggestions_brand_id_fkey;
ALTER TABLE messages DROP CONSTRAINT messages_brand_id_fkey;
ALTER TABLE attachments DROP CONSTRAINT attachments_brand_id_fkey;
ALTER TABLE ticket_events DROP CONSTRAINT ticket_events_brand_id_fkey;
