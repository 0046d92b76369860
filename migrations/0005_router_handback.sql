-- The agent who last gave a ticket back (released it, or transferred it to a
-- queue). The router's pushes skip that agent for that ticket, so a release
-- is not undone by the next pass; an assignment clears it.
ALTER TABLE tickets ADD COLUMN released_by uuid;
