#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "helpdesk/store/routing_repos.hpp"
#include "helpdesk/store/support_repos.hpp"
#include "sql_util.hpp"
#include "ticket_rows.hpp"

namespace helpdesk::store {
namespace {

#define CANDIDATE_COLUMNS \
  "t.id, t.customer_id, t.status, " HELPDESK_SQL_MICROS("coalesce(t.closed_at, t.solved_at)") ", t.number, t.merged_into"

std::optional<thread_candidate> read_candidate(const pqxx::result& r) {
  if (r.empty()) return std::nullopt;
  thread_candidate c;
  c.ticket_id = r[0][0].as<std::string>();
  c.customer_id = r[0][1].as<std::string>();
  c.status = parse_ticket_status(r[0][2].as<std::string>()).value_or(ticket_status::open);
  c.solved_at = sql::optional_micros(r[0][3]);
  c.number = r[0][4].as<long long>();
  c.merged_into = sql::optional_text(r[0][5]);
  return c;
}

}  // namespace

ticket_row read_ticket(const pqxx::row& r) {
  ticket_row t;
  t.id = r[0].as<std::string>();
  t.brand_id = r[1].as<std::string>();
  t.ticket_prefix = r[2].as<std::string>();
  t.number = r[3].as<long long>();
  t.customer_id = r[4].as<std::string>();
  t.subject = r[5].as<std::string>();
  t.status = r[6].as<std::string>();
  t.priority = r[7].as<std::string>();
  t.origin_channel = r[8].as<std::string>();
  t.language = sql::optional_text(r[9]);
  t.tags = sql::parse_text_array(r[10]);
  t.callback_required = r[11].as<bool>();
  t.chat_session_id = sql::optional_text(r[12]);
  t.linked_ticket_id = sql::optional_text(r[13]);
  t.customer_waiting_since = sql::optional_micros(r[14]);
  t.version = r[15].as<int>();
  t.created_at = sql::micros(r[16]);
  t.updated_at = sql::micros(r[17]);
  t.last_inbound_at = sql::optional_micros(r[18]);
  t.last_outbound_at = sql::optional_micros(r[19]);
  t.solved_at = sql::optional_micros(r[20]);
  t.closed_at = sql::optional_micros(r[21]);
  if (!r[22].is_null()) t.language_confidence = r[22].as<double>();
  t.source = sql::optional_text(r[23]);
  t.queue_id = sql::optional_text(r[24]);
  t.queued_at = sql::optional_micros(r[25]);
  t.assignee_id = sql::optional_text(r[26]);
  t.assigned_at = sql::optional_micros(r[27]);
  t.callback_due_at = sql::optional_micros(r[28]);
  t.sla_due_at = sql::optional_micros(r[29]);
  t.merged_into = sql::optional_text(r[30]);
  return t;
}

std::vector<prepared_statement> ticket_statements() {
  return {
      {"ticket_insert",
       "INSERT INTO tickets (id, brand_id, number, customer_id, subject, status, origin_channel, language, "
       "chat_session_id, linked_ticket_id, callback_required, created_at, updated_at, last_inbound_at, "
       "customer_waiting_since, language_confidence, tags, source, callback_due_at, queue_id, queued_at) VALUES ($1, $2, "
       "next_ticket_number($2), $3, $4, $5, $6, $7, $8, $9, $10, now(), now(), " HELPDESK_SQL_AT("$11") ", CASE WHEN "
       "$12 THEN " HELPDESK_SQL_AT("$11") " END, $13, $14, $15, " HELPDESK_SQL_AT("$16") ", $17::uuid, CASE WHEN $17::uuid IS "
       "NOT NULL THEN now() END) ON CONFLICT DO NOTHING RETURNING number"},
      // LATERAL pins the plan to one index probe per id: a generic plan cached
      // while the table was small once walked every message of the brand.
      {"ticket_by_message_ids",
       "SELECT " CANDIDATE_COLUMNS " FROM unnest($2::text[]) WITH ORDINALITY AS q(mid, ord) "
       "CROSS JOIN LATERAL (SELECT m.ticket_id FROM messages m WHERE m.email_message_id = q.mid "
       "AND m.brand_id = $1 ORDER BY m.created_at LIMIT 1) AS hit JOIN tickets t ON t.id = hit.ticket_id "
       "ORDER BY q.ord LIMIT 1"},
      {"ticket_by_number", "SELECT " CANDIDATE_COLUMNS " FROM tickets t WHERE t.brand_id = $1 AND t.number = $2"},
      {"ticket_candidate_by_id", "SELECT " CANDIDATE_COLUMNS " FROM tickets t WHERE t.brand_id = $1 AND t.id = $2"},
      {"ticket_by_chat_session",
       "SELECT " CANDIDATE_COLUMNS " FROM tickets t WHERE t.brand_id = $1 AND t.chat_session_id = $2"},
      {"ticket_awaiting_callback",
       "SELECT " CANDIDATE_COLUMNS " FROM tickets t WHERE t.customer_id = $1 AND t.callback_required "
       "AND t.status NOT IN ('solved', 'closed') ORDER BY t.id DESC LIMIT 1"},
      {"ticket_record_inbound",
       "UPDATE tickets SET status = $3, last_inbound_at = greatest(last_inbound_at, " HELPDESK_SQL_AT("$4") "), "
       "customer_waiting_since = CASE WHEN $5 THEN coalesce(customer_waiting_since, " HELPDESK_SQL_AT("$4") ") "
       "ELSE customer_waiting_since END, callback_required = coalesce($6, callback_required), "
       "callback_due_at = CASE WHEN coalesce($6, callback_required) THEN coalesce(callback_due_at, "
       HELPDESK_SQL_AT("$7") ") END, solved_at = CASE WHEN $3 = status THEN solved_at ELSE NULL END, "
"queue_id = CASE WHEN " HELPDESK_SQL_REQUEUE("status", "$3", "$6") " THEN NULL ELSE queue_id END, "
       "queued_at = CASE WHEN " HELPDESK_SQL_REQUEUE("status", "$3", "$6") " THEN NULL ELSE queued_at END, "
       "updated_at = now(), version = version + 1 WHERE id = $1 AND status = $2"},
      {"ticket_find_many", "SELECT " TICKET_COLUMNS " FROM tickets t JOIN brands b ON b.id = t.brand_id "
                           "WHERE t.id = ANY($1::uuid[])"},
      {"ticket_find", "SELECT " TICKET_COLUMNS " FROM tickets t JOIN brands b ON b.id = t.brand_id WHERE t.id = $1"},
      {"ticket_lock", "SELECT " TICKET_COLUMNS " FROM tickets t JOIN brands b ON b.id = t.brand_id WHERE t.id = $1 "
                      "FOR NO KEY UPDATE OF t"},
      // A reopened solved ticket goes back to queue choice, as after ingest.
      {"ticket_edit",
       "UPDATE tickets SET status = $2, priority = $3, tags = $4::text[], subject = coalesce($5, subject), "
       "solved_at = CASE WHEN $2 = 'solved' THEN coalesce(solved_at, now()) WHEN $2 = 'closed' THEN solved_at END, "
       "closed_at = CASE WHEN $2 = 'closed' THEN now() END, "
       "customer_waiting_since = CASE WHEN $2 IN ('solved', 'closed') THEN NULL ELSE customer_waiting_since END, "
       "queue_id = CASE WHEN $6::uuid IS NOT NULL THEN $6::uuid WHEN status = 'solved' AND $2 <> 'solved' THEN NULL "
       "ELSE queue_id END, "
       "queued_at = CASE WHEN $6::uuid IS NOT NULL THEN now() WHEN status = 'solved' AND $2 <> 'solved' THEN NULL "
       "ELSE queued_at END, overflow_steps = CASE WHEN $6::uuid IS NOT NULL THEN 0 ELSE overflow_steps END, "
       "updated_at = now(), version = version + 1 WHERE id = $1"},
      {"ticket_list",
       "SELECT " TICKET_COLUMNS " FROM tickets t JOIN brands b ON b.id = t.brand_id "
       "WHERE ($1::boolean OR t.brand_id = ANY($2::uuid[])) AND ($3::uuid IS NULL OR t.brand_id = $3) "
       "AND ($4::text IS NULL OR t.status = $4) AND ($5::uuid IS NULL OR t.customer_id = $5) "
       "AND ($6::text IS NULL OR t.origin_channel = $6) AND ($7::text = '' OR t.id < nullif($7, '')::uuid) "
       "AND (NOT $9::boolean OR t.status NOT IN ('solved', 'closed')) "
       "AND ($10::bigint IS NULL OR t.sla_due_at <= now() + $10 * interval '1 second') ORDER BY t.id DESC LIMIT $8"},
      // Soonest SLA deadline first, keyset-paged on (sla_due_at, id); only
      // tickets with a running clock have one.
      {"ticket_list_by_sla_due",
       "SELECT " TICKET_COLUMNS " FROM tickets t JOIN brands b ON b.id = t.brand_id "
       "WHERE ($1::boolean OR t.brand_id = ANY($2::uuid[])) AND ($3::uuid IS NULL OR t.brand_id = $3) "
       "AND ($4::text IS NULL OR t.status = $4) AND ($5::uuid IS NULL OR t.customer_id = $5) "
       "AND ($6::text IS NULL OR t.origin_channel = $6) AND t.sla_due_at IS NOT NULL "
       "AND ($7::bigint IS NULL OR (t.sla_due_at, t.id) > (" HELPDESK_SQL_AT("$7") ", $11::uuid)) "
       "AND (NOT $9::boolean OR t.status NOT IN ('solved', 'closed')) "
       "AND ($10::bigint IS NULL OR t.sla_due_at <= now() + $10 * interval '1 second') "
       "ORDER BY t.sla_due_at, t.id LIMIT $8"},
  };
}

namespace tickets {

std::optional<long long> insert(pqxx::transaction_base& tx, const new_ticket& t) {
  std::optional<std::string> confidence;
  if (t.language_confidence) confidence = std::to_string(*t.language_confidence);
  auto r = tx.exec_prepared("ticket_insert", t.id, t.brand_id, t.customer_id, t.subject, t.status, t.origin_channel,
                            sql::nullable(t.language), sql::nullable(t.chat_session_id),
                            sql::nullable(t.linked_ticket_id), t.callback_required, to_unix_micros(t.at),
                            t.customer_waiting, sql::nullable(confidence), sql::text_array(t.tags),
                            sql::nullable(t.source), sql::nullable(sql::micros_text(t.callback_due_at)),
                            sql::nullable(t.queue_id));
  if (r.empty()) return std::nullopt;
  return r[0][0].as<long long>();
}

std::optional<thread_candidate> by_message_ids(pqxx::transaction_base& tx, const std::string& brand_id,
                                               const std::vector<std::string>& message_ids) {
  if (message_ids.empty()) return std::nullopt;
  return read_candidate(tx.exec_prepared("ticket_by_message_ids", brand_id, sql::text_array(message_ids)));
}

std::optional<thread_candidate> by_number(pqxx::transaction_base& tx, const std::string& brand_id, long long number) {
  return read_candidate(tx.exec_prepared("ticket_by_number", brand_id, number));
}

std::optional<thread_candidate> by_id(pqxx::transaction_base& tx, const std::string& brand_id, const std::string& id) {
  return read_candidate(tx.exec_prepared("ticket_candidate_by_id", brand_id, id));
}

std::optional<thread_candidate> by_chat_session(pqxx::transaction_base& tx, const std::string& brand_id,
                                                const std::string& session_id) {
  return read_candidate(tx.exec_prepared("ticket_by_chat_session", brand_id, session_id));
}

std::optional<thread_candidate> awaiting_callback(pqxx::transaction_base& tx, const std::string& customer_id) {
  return read_candidate(tx.exec_prepared("ticket_awaiting_callback", customer_id));
}

bool record_inbound(pqxx::transaction_base& tx, const inbound_update& u) {
  const char* callback = u.callback_required ? (*u.callback_required ? "true" : "false") : nullptr;
  return tx.exec_prepared("ticket_record_inbound", u.id, u.expected_status, u.new_status, to_unix_micros(u.at),
                          u.customer_waiting, callback, sql::nullable(sql::micros_text(u.callback_due_at)))
             .affected_rows() == 1;
}

void apply_edit(pqxx::transaction_base& tx, const ticket_row& t, const ticket_edit& e, const std::string& actor) {
  const std::string status = e.status.value_or(t.status);
  const std::string prio = e.priority.value_or(t.priority);
  const auto tags = e.tags.value_or(t.tags);
  const bool moved = e.queue_id && (!t.queue_id || *t.queue_id != *e.queue_id);
  const std::optional<std::string> queue = moved ? e.queue_id : std::nullopt;
  tx.exec_prepared("ticket_edit", t.id, status, prio, sql::text_array(tags), sql::nullable(e.subject), sql::nullable(queue));
  auto log = [&](const char* kind, const nlohmann::json& data) { router::event(tx, t.id, t.brand_id, kind, actor, data.dump()); };
  if (status != t.status) log("status_changed", {{"from", t.status}, {"to", status}, {"reason", "agent"}});
  if (prio != t.priority) log("priority_changed", {{"from", t.priority}, {"to", prio}});
  if (tags != t.tags) log("tags_changed", {{"from", t.tags}, {"to", tags}});
  if (e.subject && *e.subject != t.subject) log("subject_changed", {{"from", t.subject}, {"to", *e.subject}});
  if (moved)
    log("queue_changed", {{"from", t.queue_id ? nlohmann::json(*t.queue_id) : nlohmann::json(nullptr)}, {"to", *e.queue_id}});
}

std::optional<ticket_row> find(pqxx::transaction_base& tx, const std::string& id, bool lock) {
  auto r = tx.exec_prepared(lock ? "ticket_lock" : "ticket_find", id);
  if (r.empty()) return std::nullopt;
  return read_ticket(r[0]);
}

std::vector<ticket_row> find_many(pqxx::transaction_base& tx, const std::vector<std::string>& ids) {
  std::vector<ticket_row> out;
  if (ids.empty()) return out;
  for (const auto& r : tx.exec_prepared("ticket_find_many", sql::uuid_array(ids))) out.push_back(read_ticket(r));
  return out;
}

std::string display_number(pqxx::transaction_base& tx, const std::string& id) {
  auto t = find(tx, id);
  return t ? t->display_number() : std::string();
}

std::vector<ticket_row> list(pqxx::transaction_base& tx, const brand_scope& scope, const list_filter& f,
                             const page_request& page) {
  std::vector<ticket_row> out;
  // One statement serves every filter combination; a cached generic plan
  // would pick one access path for all of them (e.g. no customer index).
  tx.exec("SET LOCAL plan_cache_mode = force_custom_plan");
  const std::optional<std::string> within =
      f.breaching_within ? std::optional<std::string>(std::to_string(*f.breaching_within)) : std::nullopt;
  pqxx::result rows;
  if (f.by_sla_due) {
    const auto after_due = f.after_due ? sql::micros_text(*f.after_due) : std::nullopt;
    const std::optional<std::string> after_id =
        f.after_due ? std::optional<std::string>(page.after_id) : std::nullopt;
    rows = tx.exec_prepared("ticket_list_by_sla_due", scope.all, sql::uuid_array(scope.ids), sql::nullable(f.brand_id),
                            sql::nullable(f.status), sql::nullable(f.customer_id), sql::nullable(f.channel),
                            sql::nullable(after_due), static_cast<long long>(page.limit), f.open_only,
                            sql::nullable(within), sql::nullable(after_id));
  } else {
    rows = tx.exec_prepared("ticket_list", scope.all, sql::uuid_array(scope.ids), sql::nullable(f.brand_id),
                            sql::nullable(f.status), sql::nullable(f.customer_id), sql::nullable(f.channel),
                            page.after_id, static_cast<long long>(page.limit), f.open_only, sql::nullable(within));
  }
  for (const auto& r : rows) out.push_back(read_ticket(r));
  return out;
}

}  // namespace tickets
}  // namespace helpdesk::store
