-- The agents' views, each served by its own partial index: unassigned open
-- work per brand and open tickets waiting for a callback. ("Mine" has
-- tickets_mine, "breaching" tickets_sla_due.)
CREATE INDEX tickets_unassigned ON tickets (brand_id)
  WHERE assignee_id IS NULL AND status NOT IN ('solved', 'closed') AND merged_into IS NULL;
CREATE INDEX tickets_callbacks_open ON tickets (brand_id) WHERE callback_required AND status NOT IN ('solved', 'closed');
