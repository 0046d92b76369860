#pragma once
// The ticket columns every ticket query reads, and their reader (private to
// the store module).
#include <pqxx/pqxx>

#include "helpdesk/store/support_repos.hpp"
#include "sql_util.hpp"

namespace helpdesk::store {

// Reads from "tickets t JOIN brands b ON b.id = t.brand_id".
#define TICKET_COLUMNS                                                                                           \
  "t.id, t.brand_id, b.ticket_prefix, t.number, t.customer_id, t.subject, t.status, t.priority, "               \
  "t.origin_channel, t.language, array_to_json(t.tags)::text, t.callback_required, t.chat_session_id, "          \
  "t.linked_ticket_id, " HELPDESK_SQL_MICROS("t.customer_waiting_since") ", t.version, " HELPDESK_SQL_MICROS(    \
      "t.created_at") ", " HELPDESK_SQL_MICROS("t.updated_at") ", " HELPDESK_SQL_MICROS("t.last_inbound_at") ", " \
      HELPDESK_SQL_MICROS("t.last_outbound_at") ", " HELPDESK_SQL_MICROS("t.solved_at") ", "                    \
      HELPDESK_SQL_MICROS("t.closed_at") ", t.language_confidence, t.source, t.queue_id, " HELPDESK_SQL_MICROS(   \
          "t.queued_at") ", t.assignee_id, " HELPDESK_SQL_MICROS("t.assigned_at") ", " HELPDESK_SQL_MICROS(       \
          "t.callback_due_at") ", " HELPDESK_SQL_MICROS("t.sla_due_at") ", t.merged_into"

ticket_row read_ticket(const pqxx::row& r);

}  // namespace helpdesk::store
