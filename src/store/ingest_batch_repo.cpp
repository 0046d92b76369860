// Each request list travels as one JSON parameter (rows of json_to_recordset)
// and each answer list comes back as one JSON column: a batch of any size is
// one statement to plan and one round trip.
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "helpdesk/store/ingest_batch.hpp"
#include "helpdesk/store/json_rows.hpp"
#include "sql_util.hpp"

namespace helpdesk::store {
namespace ingest_batch {
namespace {

using json = nlohmann::json;

#define CANDIDATE_JSON(i) \
  "json_build_array(" i ", t.id, t.customer_id, t.status, " HELPDESK_SQL_MICROS("coalesce(t.closed_at, t.solved_at)") ", t.number, t.merged_into)"
#define AGG(expr) "coalesce(json_agg(" expr "), '[]')::text"

// $1 keys, $2 identities, $3 message refs, $4 numbers, $5 ticket ids,
// $6 chat sessions, $7 awaiting callback, $8 calls.
const char* const fetch_sql =
    "SELECT (SELECT " AGG("json_build_array(k.scope, k.key)") " FROM json_to_recordset($1::json) AS "
    "q(scope text, key text) JOIN inbound_keys k ON k.scope = q.scope AND k.key = q.key), "
    "(SELECT " AGG("json_build_array(q.i, i.kind, i.value, i.customer_id)") " FROM json_to_recordset($2::json) AS "
    "q(i int, brand_id uuid, value text) JOIN customer_identities i ON i.value = q.value AND i.brand_id = q.brand_id), "
    "(SELECT " AGG(CANDIDATE_JSON("hit.i")) " FROM (SELECT DISTINCT ON (q.i) q.i, m.ticket_id "
    "FROM json_to_recordset($3::json) AS q(i int, ord int, brand_id uuid, mid text) CROSS JOIN LATERAL "
    "(SELECT m.ticket_id FROM messages m WHERE m.email_message_id = q.mid AND m.brand_id = q.brand_id "
    "ORDER BY m.created_at LIMIT 1) AS m ORDER BY q.i, q.ord) AS hit JOIN tickets t ON t.id = hit.ticket_id), "
    "(SELECT " AGG(CANDIDATE_JSON("q.i")) " FROM json_to_recordset($4::json) AS q(i int, brand_id uuid, number bigint) "
    "JOIN tickets t ON t.brand_id = q.brand_id AND t.number = q.number), "
    "(SELECT " AGG(CANDIDATE_JSON("q.i")) " FROM json_to_recordset($5::json) AS q(i int, brand_id uuid, value uuid) "
    "JOIN tickets t ON t.id = q.value AND t.brand_id = q.brand_id), "
    "(SELECT " AGG(CANDIDATE_JSON("q.i")) " FROM json_to_recordset($6::json) AS q(i int, brand_id uuid, value text) "
    "JOIN tickets t ON t.brand_id = q.brand_id AND t.chat_session_id = q.value), "
    "(SELECT " AGG(CANDIDATE_JSON("q.i")) " FROM json_to_recordset($7::json) AS q(i int, customer_id uuid) "
    "CROSS JOIN LATERAL (SELECT * FROM tickets t WHERE t.customer_id = q.customer_id AND t.callback_required "
    "AND t.status NOT IN ('solved', 'closed') ORDER BY t.id DESC LIMIT 1) AS t), "
    "(SELECT " AGG("json_build_array(q.i, m.id, m.ticket_id, m.customer_id, coalesce(m.call, '{}'), "
                   "(SELECT " AGG("json_build_array(e.event_key, e.payload) ORDER BY e.event_key") " FROM call_events e "
                   "WHERE e.message_id = m.id)::json)") " FROM json_to_recordset($8::json) AS q(i int, brand_id uuid, value text) "
    "JOIN messages m ON m.brand_id = q.brand_id AND m.call_id = q.value)";

#define AT(col) "(timestamptz 'epoch' + " col " * interval '1 microsecond')"
#define ROWS(n, cols) " FROM json_to_recordset($" #n "::json) AS x(" cols ")"

const char* const flush_sql =
    "WITH c AS (INSERT INTO customers (id, brand_id, name, last_contact_at) SELECT x.id, x.brand_id, x.name, " AT("x.at")
    ROWS(1, "id uuid, brand_id uuid, name text, at bigint") " RETURNING 1), "
    "i AS (INSERT INTO customer_identities (brand_id, kind, value, customer_id) "
    "SELECT x.brand_id, x.kind, x.value, x.customer_id" ROWS(2, "brand_id uuid, kind text, value text, customer_id uuid")
    " ON CONFLICT DO NOTHING RETURNING 1), "
    "s AS (INSERT INTO customer_merge_suggestions (brand_id, customer_id, other_customer_id, reason) "
    "SELECT x.brand_id, x.customer_id, x.other_id, x.reason" ROWS(3, "brand_id uuid, customer_id uuid, other_id uuid, reason text")
    " ON CONFLICT DO NOTHING RETURNING 1), "
    "u AS (UPDATE customers c SET last_contact_at = greatest(c.last_contact_at, " AT("x.at") "), "
    "name = CASE WHEN c.name = '' THEN x.name ELSE c.name END, updated_at = now()"
    // Merged customers are counted after the update, not filtered in WHERE:
    // "merged_into IS NULL" there matched the customers_brand partial index,
    // and a plan made while the table was small read that whole index for
    // every row, a cost that grew with the customer count until autoanalyze.
    ROWS(4, "id uuid, at bigint, name text") " WHERE c.id = x.id RETURNING c.merged_into IS NULL AS live), "
    "t AS (INSERT INTO tickets (id, brand_id, number, customer_id, subject, status, origin_channel, language, "
    "chat_session_id, linked_ticket_id, callback_required, created_at, updated_at, last_inbound_at, "
    "customer_waiting_since, language_confidence, tags, source, callback_due_at, queue_id, queued_at) SELECT x.id, "
    "x.brand_id, next_ticket_number(x.brand_id), x.customer_id, x.subject, x.status, x.channel, "
    "x.language, x.chat_session_id, x.linked_ticket_id, x.callback, now(), now(), " AT("x.at") ", "
    "CASE WHEN x.waiting THEN " AT("x.at") " END, x.confidence, x.tags, x.source, " AT("x.callback_due") ", "
    "x.queue_id, CASE WHEN x.queue_id IS NOT NULL THEN now() END"
    ROWS(5, "id uuid, brand_id uuid, customer_id uuid, subject text, status text, channel text, "
            "language text, chat_session_id text, linked_ticket_id uuid, callback boolean, at bigint, waiting boolean, "
            "confidence real, tags text[], source text, callback_due bigint, queue_id uuid")
    " ON CONFLICT DO NOTHING RETURNING id, number), "
    "tu AS (UPDATE tickets t SET status = x.next, last_inbound_at = greatest(t.last_inbound_at, " AT("x.at") "), "
    "customer_waiting_since = CASE WHEN x.waiting THEN coalesce(t.customer_waiting_since, " AT("x.at") ") "
    "ELSE t.customer_waiting_since END, callback_required = coalesce(x.callback, t.callback_required), "
    "callback_due_at = CASE WHEN coalesce(x.callback, t.callback_required) THEN coalesce(t.callback_due_at, "
    AT("x.callback_due") ") END, "
    "solved_at = CASE WHEN x.next = t.status THEN t.solved_at ELSE NULL END, "
"queue_id = CASE WHEN " HELPDESK_SQL_REQUEUE("t.status", "x.next", "x.callback") " THEN NULL ELSE t.queue_id END, "
    "queued_at = CASE WHEN " HELPDESK_SQL_REQUEUE("t.status", "x.next", "x.callback") " THEN NULL ELSE t.queued_at END, "
    "updated_at = now(), version = t.version + 1"
    ROWS(6, "id uuid, expected text, next text, at bigint, waiting boolean, callback boolean, callback_due bigint")
    " WHERE t.id = x.id AND t.status = x.expected RETURNING 1), "
    "m AS (INSERT INTO messages (id, ticket_id, brand_id, customer_id, channel, direction, automatic, "
    "automatic_reason, sender, subject, body_text, body_html, email, email_message_id, call_id, call, call_outcome, "
    "chat_session_id, chat_message_id, occurred_at, attachment_count) SELECT x.id, x.ticket_id, x.brand_id, "
    "x.customer_id, x.channel, x.direction, x.automatic, x.automatic_reason, x.sender, x.subject, x.body_text, "
    "x.body_html, x.email, x.email_message_id, x.call_id, x.call, x.call_outcome, x.chat_session_id, "
    "x.chat_message_id, " AT("x.at") ", x.attachments"
    ROWS(7, "id uuid, ticket_id uuid, brand_id uuid, customer_id uuid, channel text, direction text, automatic "
            "boolean, automatic_reason text, sender text, subject text, body_text text, body_html text, email jsonb, "
            "email_message_id text, call_id text, call jsonb, call_outcome text, chat_session_id text, "
            "chat_message_id text, at bigint, attachments int")
    " ON CONFLICT DO NOTHING RETURNING 1), "
    "ce AS (INSERT INTO call_events (message_id, event_key, kind, at, payload) SELECT x.message_id, x.key, x.kind, "
    AT("x.at") ", x.payload" ROWS(8, "message_id uuid, key text, kind text, at bigint, payload jsonb")
    " ON CONFLICT DO NOTHING RETURNING 1), "
    "cu AS (UPDATE messages m SET call = x.call, call_outcome = x.outcome, occurred_at = " AT("x.at")
    ROWS(9, "id uuid, call jsonb, outcome text, at bigint") " WHERE m.id = x.id RETURNING 1), "
    "ev AS (INSERT INTO ticket_events (ticket_id, brand_id, kind, actor, data) "
    "SELECT x.ticket_id, x.brand_id, e.value->>0, coalesce(e.value->>2, 'integration'), e.value->1"
    ROWS(10, "ticket_id uuid, brand_id uuid, events jsonb, ord int")
    " CROSS JOIN LATERAL jsonb_array_elements(x.events) WITH ORDINALITY AS e(value, n) ORDER BY x.ord, e.n "
    "RETURNING 1), "
    // An answer about a new ticket gets the number the ticket just drew.
    "k AS (INSERT INTO inbound_keys (scope, key, request_sha256, expires_at, response) SELECT x.scope, x.key, "
    "x.sha, now() + x.ttl * interval '1 second', CASE WHEN x.new_ticket THEN jsonb_set(x.response, '{ticket_number}', "
    "to_jsonb(regexp_replace(x.response->>'ticket_number', '[0-9]+$', '') || nt.number)) ELSE x.response END"
    ROWS(11, "scope text, key text, sha text, ttl bigint, response jsonb, new_ticket boolean")
    " LEFT JOIN t AS nt ON x.new_ticket AND nt.id = (x.response->>'ticket_id')::uuid "
    "ON CONFLICT DO NOTHING RETURNING 1) "
    "SELECT (SELECT count(*) FROM c), (SELECT count(*) FROM i), (SELECT count(*) FROM u WHERE live), (SELECT count(*) FROM t), "
    "(SELECT count(*) FROM tu), (SELECT count(*) FROM m), (SELECT count(*) FROM cu), "
    "(SELECT count(*) FROM ev), (SELECT count(*) FROM k), (SELECT count(*) FROM s), (SELECT count(*) FROM ce), "
    "(SELECT " AGG("json_build_array(t.id, t.number)") " FROM t)";

thread_candidate candidate_of(const json& row) {
  thread_candidate c;
  c.ticket_id = row[1].get<std::string>();
  c.customer_id = row[2].get<std::string>();
  c.status = parse_ticket_status(row[3].get<std::string>()).value_or(ticket_status::open);
  if (!row[4].is_null()) c.solved_at = from_unix_micros(row[4].get<long long>());
  c.number = row[5].get<long long>();
  if (!row[6].is_null()) c.merged_into = row[6].get<std::string>();
  return c;
}

void read_candidates(const pqxx::field& f, std::vector<std::optional<thread_candidate>>& out, std::size_t n) {
  out.assign(n, std::nullopt);
  for (const auto& row : json::parse(f.c_str())) out.at(row[0].get<std::size_t>()) = candidate_of(row);
}

// One row per item, its fields written by `fill(rows, item, position)`.
template <class T, class F>
std::string rows_of(const std::vector<T>& items, F&& fill) {
  json_rows rows;
  for (std::size_t i = 0; i < items.size(); ++i) fill(rows.row(), items[i], static_cast<long long>(i));
  return rows.take();
}

void brand_value_row(json_rows& r, const brand_value& v, long long i) {
  r.integer("i", i).text("brand_id", v.brand_id).text("value", v.value);
}

std::string key_rows(const reads& r) {
  return rows_of(r.keys, [](json_rows& row, const key_ref& k, long long) { row.text("scope", k.scope).text("key", k.key); });
}

std::string message_ref_rows(const reads& r) {
  json_rows rows;
  for (std::size_t i = 0; i < r.message_refs.size(); ++i)
    for (std::size_t ord = 0; ord < r.message_refs[i].second.size(); ++ord)
      rows.row()
          .integer("i", static_cast<long long>(i))
          .integer("ord", static_cast<long long>(ord))
          .text("brand_id", r.message_refs[i].first)
          .text("mid", r.message_refs[i].second[ord]);
  return rows.take();
}

}  // namespace

void plan_by_index(pqxx::transaction_base& tx) {
  tx.exec(
      "SET LOCAL enable_seqscan = off; SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off; "
      "SET LOCAL plan_cache_mode = force_generic_plan");
}

answers fetch(pqxx::transaction_base& tx, const reads& r) {
  const auto numbers = rows_of(r.numbers, [](json_rows& row, const auto& n, long long i) {
    row.integer("i", i).text("brand_id", n.first).integer("number", n.second);
  });
  const auto callbacks = rows_of(r.awaiting_callback, [](json_rows& row, const std::string& c, long long i) {
    row.integer("i", i).text("customer_id", c);
  });
  auto res = tx.exec_prepared("ingest_batch_fetch", key_rows(r), rows_of(r.identities, brand_value_row), message_ref_rows(r),
                            numbers, rows_of(r.ticket_ids, brand_value_row), rows_of(r.chat_sessions, brand_value_row),
                            callbacks, rows_of(r.calls, brand_value_row));
  const auto& row = res.at(0);
  answers a;
  a.held.assign(r.keys.size(), false);
  for (const auto& k : json::parse(row[0].c_str()))
    for (std::size_t i = 0; i < r.keys.size(); ++i)
      if (r.keys[i].scope == k[0].get<std::string>() && r.keys[i].key == k[1].get<std::string>()) a.held[i] = true;
  a.owners.assign(r.identities.size(), {});
  for (const auto& o : json::parse(row[1].c_str()))
    if (auto kind = parse_identity_kind(o[1].get<std::string>()))
      a.owners.at(o[0].get<std::size_t>()).push_back({{*kind, o[2].get<std::string>()}, o[3].get<std::string>()});
  read_candidates(row[2], a.message_refs, r.message_refs.size());
  read_candidates(row[3], a.numbers, r.numbers.size());
  read_candidates(row[4], a.ticket_ids, r.ticket_ids.size());
  read_candidates(row[5], a.chat_sessions, r.chat_sessions.size());
  read_candidates(row[6], a.awaiting_callback, r.awaiting_callback.size());
  a.calls.assign(r.calls.size(), std::nullopt);
  for (const auto& c : json::parse(row[7].c_str())) {
    stored_call s;
    s.ref = {c[1].get<std::string>(), c[2].get<std::string>(), c[3].get<std::string>(), c[4].dump()};
    for (const auto& e : c[5]) s.events.emplace_back(e[0].get<std::string>(), e[1].dump());
    a.calls.at(c[0].get<std::size_t>()) = std::move(s);
  }
  return a;
}

namespace {

void message_fields(json_rows& r, const message_row& m, long long) {
  r.text("id", m.id)
      .text("ticket_id", m.ticket_id)
      .text("brand_id", m.brand_id)
      .text("customer_id", m.customer_id)
      .text("channel", m.channel)
      .text("direction", m.direction)
      .boolean("automatic", m.automatic)
      .text("automatic_reason", m.automatic_reason)
      .text("sender", m.sender)
      .text("subject", m.subject)
      .text("body_text", m.body_text)
      .text("body_html", m.body_html)
      .raw("email", m.email_json)
      .text("email_message_id", m.email_message_id)
      .text("call_id", m.call_id)
      .raw("call", m.call_json)
      .text("call_outcome", m.call_outcome)
      .text("chat_session_id", m.chat_session_id)
      .text("chat_message_id", m.chat_message_id)
      .integer("at", to_unix_micros(m.occurred_at))
      .integer("attachments", static_cast<long long>(m.attachments.size()));
}

std::optional<long long> micros_or_null(const std::optional<timestamp>& t) {
  if (!t) return std::nullopt;
  return to_unix_micros(*t);
}

void ticket_fields(json_rows& r, const tickets::new_ticket& t, long long) {
  r.text("id", t.id)
      .text("brand_id", t.brand_id)
      .text("customer_id", t.customer_id)
      .text("subject", t.subject)
      .text("status", t.status)
      .text("channel", t.origin_channel)
      .text("language", t.language)
      .text("chat_session_id", t.chat_session_id)
      .text("linked_ticket_id", t.linked_ticket_id)
      .boolean("callback", t.callback_required)
      .integer("at", to_unix_micros(t.at))
      .boolean("waiting", t.customer_waiting)
      .real("confidence", t.language_confidence)
      .texts("tags", t.tags)
      .text("source", t.source)
      .integer("callback_due", micros_or_null(t.callback_due_at))
      .text("queue_id", t.queue_id);
}

}  // namespace

std::map<std::string, long long> flush(pqxx::transaction_base& tx, const writes& w) {
  auto res = tx.exec_prepared(
      "ingest_batch_flush",
      rows_of(w.customers, [](json_rows& row, const new_customer& c, long long) {
        row.text("id", c.id).text("brand_id", c.brand_id).text("name", c.name).integer("at", to_unix_micros(c.at));
      }),
      rows_of(w.identities, [](json_rows& row, const new_identity& i, long long) {
        row.text("brand_id", i.brand_id).text("kind", to_string(i.id.kind)).text("value", i.id.value)
            .text("customer_id", i.customer_id);
      }),
      rows_of(w.suggestions, [](json_rows& row, const new_suggestion& s, long long) {
        row.text("brand_id", s.brand_id).text("customer_id", s.customer_id).text("other_id", s.other_id)
            .text("reason", s.reason);
      }),
      rows_of(w.touches, [](json_rows& row, const customer_touch& t, long long) {
        row.text("id", t.id).integer("at", to_unix_micros(t.at)).text("name", t.name);
      }),
      rows_of(w.tickets, ticket_fields),
      rows_of(w.ticket_updates, [](json_rows& row, const tickets::inbound_update& u, long long) {
        row.text("id", u.id).text("expected", u.expected_status).text("next", u.new_status)
            .integer("at", to_unix_micros(u.at)).boolean("waiting", u.customer_waiting)
            .boolean("callback", u.callback_required).integer("callback_due", micros_or_null(u.callback_due_at));
      }),
      rows_of(w.messages, message_fields),
      rows_of(w.call_events, [](json_rows& row, const call_event_row& e, long long) {
        row.text("message_id", e.message_id).text("key", e.event_key).text("kind", e.kind)
            .integer("at", to_unix_micros(e.at)).raw("payload", e.payload_json);
      }),
      rows_of(w.call_updates, [](json_rows& row, const call_update& u, long long) {
        row.text("id", u.message_id).raw("call", u.call_json).text("outcome", u.outcome)
            .integer("at", to_unix_micros(u.occurred_at));
      }),
      rows_of(w.events, [](json_rows& row, const ticket_events& e, long long i) {
        row.text("ticket_id", e.ticket_id).text("brand_id", e.brand_id).raw("events", e.events_json).integer("ord", i);
      }),
      rows_of(w.answers, [](json_rows& row, const key_answer& k, long long) {
        row.text("scope", k.scope).text("key", k.key).text("sha", k.request_sha256).integer("ttl", k.ttl_seconds)
            .raw("response", k.response_json).boolean("new_ticket", k.new_ticket);
      }));
  const auto& r = res.at(0);
  auto count = [&](int col) { return r[col].as<std::size_t>(); };
  // Suggestions and call events may exist already; everything else must land
  // whole. A customer merged since the snapshot sends the batch back, to land
  // on the survivor as a single event would.
  if (count(0) != w.customers.size() || count(1) != w.identities.size() || count(2) != w.touches.size() ||
      count(3) != w.tickets.size() ||
      count(4) != w.ticket_updates.size() || count(5) != w.messages.size() || count(6) != w.call_updates.size() ||
      count(8) != w.answers.size())
    throw pqxx::serialization_failure("a row of the batch was taken or changed by a concurrent transaction");
  // Attachment content stays binary: as JSON text it would cost twice its
  // size to escape here and to lex in PostgreSQL. Few events carry one.
  for (const auto& m : w.messages)
    for (const auto& a : m.attachments) messages::insert_attachment(tx, a);
  std::map<std::string, long long> numbers;
  for (const auto& t : json::parse(r[11].c_str())) numbers[t[0].get<std::string>()] = t[1].get<long long>();
  return numbers;
}

}  // namespace ingest_batch

// Prepared once per connection; planned generically (see plan_by_index).
std::vector<prepared_statement> ingest_batch_statements() {
  return {{"ingest_batch_fetch", ingest_batch::fetch_sql}, {"ingest_batch_flush", ingest_batch::flush_sql}};
}

}  // namespace helpdesk::store
