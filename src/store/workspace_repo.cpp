// Replies, notes, delivery reports and the agents' views.
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "helpdesk/domain/ids.hpp"

#include "helpdesk/store/routing_repos.hpp"
#include "helpdesk/store/workspace_repos.hpp"
#include "sql_util.hpp"
#include "ticket_rows.hpp"

namespace helpdesk::store {

// Each search source twice: its matches older than an id, as many as asked
// for in whatever order the index yields them, and its matches in a window
// of UUIDv7 ids (a time range), newest first. $1 to $4: whole scope, brand
// ids, query text, brand filter.
#define SEARCH_SCOPE(alias)                                                                                   \
  "AND ($1 OR " alias ".brand_id = ANY($2::uuid[])) AND ($4::uuid IS NULL OR " alias ".brand_id = $4::uuid) "
#define SEARCH_SOURCE(name, select, alias, text)                                                              \
  {"search_" name "_older", select " WHERE hd_search_text(" text ") @@ hd_search_query($3) " SEARCH_SCOPE(alias)  \
                            "AND " alias ".id < $5::uuid LIMIT $6"},                                          \
  {"search_" name "_window", select " WHERE hd_search_text(" text ") @@ hd_search_query($3) " SEARCH_SCOPE(alias) \
                             "AND " alias ".id >= $5::uuid AND " alias ".id < $6::uuid ORDER BY " alias ".id DESC LIMIT $7"}
// The urgency order of every view: priority, then the nearest deadline (SLA
// or callback), then age.
#define VIEW_RANK "CASE t.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END"
#define VIEW_DUE "coalesce(" HELPDESK_SQL_MICROS("least(t.sla_due_at, t.callback_due_at)") ", 9223372036854775807)"
// Each view is its own statement, so that its partial index serves it (a
// CASE over the view name would leave the planner a scan of every ticket).
#define VIEW_OPEN                                                                                              \
  "($1 OR t.brand_id = ANY($2::uuid[])) AND t.status NOT IN ('solved', 'closed') AND t.merged_into IS NULL "
#define VIEW_MINE VIEW_OPEN "AND t.assignee_id = nullif($3, '')::uuid AND $4::bigint IS NOT NULL "
// Waiting in a queue the agent is eligible for (routing::view_rules, in the
// CTE `rules`), or in none yet and in a language the agent speaks. Without an
// agent (an admin's token) every unassigned ticket in scope.
#define VIEW_UNASSIGNED                                                                                        \
  VIEW_OPEN "AND t.assignee_id IS NULL AND $4::bigint IS NOT NULL AND ($3 = '' OR EXISTS (SELECT 1 FROM rules r " \
  "WHERE r.queue_id = coalesce(t.queue_id::text, '') "                                                         \
  "AND coalesce(t.queued_at, t.created_at) <= now() - r.after_s * interval '1 second' "                        \
  "AND (r.any_language OR coalesce(t.language, '') = '' OR t.language = ANY(r.languages)) "                   \
  "AND " HELPDESK_SQL_WORK_CHANNEL("t") " = ANY(r.channels))) "
#define VIEW_BREACHING VIEW_OPEN "AND $3::text IS NOT NULL AND t.sla_due_at <= now() + $4 * interval '1 second' "
#define VIEW_CALLBACKS VIEW_OPEN "AND $3::text IS NOT NULL AND $4::bigint IS NOT NULL AND t.callback_required "
// Unreferenced by the other views, the rules are never read there; the CTE
// also gives the rules' parameter its type in every statement.
#define VIEW_RULES(param)                                                                                      \
  "WITH rules AS MATERIALIZED (SELECT * FROM jsonb_to_recordset(" param "::jsonb) AS r(queue_id text, after_s bigint, " \
  "any_language boolean, languages text[], channels text[])) "
#define VIEW_LIST(filter)                                                                                      \
  VIEW_RULES("$10") "SELECT " TICKET_COLUMNS " FROM tickets t JOIN brands b ON b.id = t.brand_id WHERE " filter                 \
  "AND ($5 = '' OR (" VIEW_RANK ", " VIEW_DUE ", " HELPDESK_SQL_MICROS("t.created_at") ", t.id) > "           \
  "($6::int, $7::bigint, $8::bigint, nullif($5, '')::uuid)) "                                                  \
  "ORDER BY " VIEW_RANK ", " VIEW_DUE ", t.created_at, t.id LIMIT $9"
#define VIEW_COUNT(filter) VIEW_RULES("$5") "SELECT count(*) FROM tickets t WHERE " filter

std::vector<prepared_statement> workspace_statements() {
  return {
      {"reply_brand",
       "SELECT b.name, coalesce((SELECT a.address FROM brand_inbound_addresses a WHERE a.brand_id = b.id "
       "ORDER BY a.position LIMIT 1), ''), b.reply_status_after FROM brands b WHERE b.id = $1"},
      {"reply_last_inbound_email",
       "SELECT id FROM messages WHERE ticket_id = $1 AND channel = 'email' AND direction = 'inbound' AND NOT automatic "
       "ORDER BY occurred_at DESC, id DESC LIMIT 1"},
      {"reply_customer_emails",
       "SELECT value FROM customer_identities WHERE customer_id = $1 AND kind = 'email' ORDER BY created_at DESC"},
      {"reply_record",
       "WITH d AS (UPDATE messages SET delivery_status = 'queued', delivery_updated_at = now() WHERE id = $5), "
       "t AS (UPDATE tickets SET status = $2, last_outbound_at = now(), customer_waiting_since = NULL, "
       "solved_at = CASE WHEN $2 = 'solved' THEN coalesce(solved_at, now()) END, updated_at = now(), "
       "version = version + 1 WHERE id = $1 RETURNING id, brand_id) "
       "INSERT INTO ticket_events (ticket_id, brand_id, kind, actor, data) SELECT t.id, t.brand_id, e->>0, $3, e->1 "
       "FROM t, jsonb_array_elements($4::jsonb) AS e"},
      {"reply_follow_up",
       "WITH n AS (INSERT INTO tickets (id, brand_id, number, customer_id, subject, status, priority, origin_channel, "
       "language, tags, source, linked_ticket_id, created_at, updated_at) SELECT $1, c.brand_id, "
       "next_ticket_number(c.brand_id), c.customer_id, c.subject, 'open', c.priority, c.origin_channel, c.language, "
       "c.tags, c.source, c.id, now(), now() FROM tickets c WHERE c.id = $2 RETURNING id, brand_id, number, "
       "origin_channel, tags), "
       "e AS (INSERT INTO ticket_events (ticket_id, brand_id, kind, actor, data) SELECT n.id, n.brand_id, 'created', $3, "
       "jsonb_build_object('follow_up_of', $2::text, 'reason', 'reply to a closed ticket', 'channel', n.origin_channel, "
       "'tags', to_jsonb(n.tags)) FROM n) SELECT number FROM n"},
      {"note_mentionable",
       "SELECT a.id FROM agents a JOIN agent_brands ab ON ab.agent_id = a.id AND ab.brand_id = $1 WHERE a.active "
       "AND (a.id = ANY($2::uuid[]) OR lower(a.email) = ANY($3::text[])) ORDER BY a.id"},
      {"note_record",
       "WITH m AS (UPDATE messages SET mentions = $2::uuid[] WHERE id = $1 RETURNING ticket_id, brand_id) "
       "INSERT INTO ticket_events (ticket_id, brand_id, kind, actor, data) SELECT m.ticket_id, m.brand_id, "
       "'message_added', $3, jsonb_build_object('message_id', $1::text, 'channel', 'note', 'mentions', "
       "to_jsonb($2::uuid[])) FROM m"},
      {"delivery_lock",
       "SELECT id, ticket_id, brand_id, delivery_status FROM messages WHERE id = $1 AND direction = 'outbound' "
       "FOR UPDATE"},
      {"delivery_report",
       "WITH m AS (UPDATE messages SET delivery_status = $2, delivery_reason = nullif($3, ''), delivery_updated_at = "
       HELPDESK_SQL_AT("$4") " WHERE id = $1 RETURNING id, ticket_id, brand_id) "
       "INSERT INTO ticket_events (ticket_id, brand_id, kind, actor, data) SELECT m.ticket_id, m.brand_id, 'delivery', "
       "$5, jsonb_build_object('message_id', m.id::text, 'status', $2::text, 'reason', nullif($3, '')) FROM m"},
      {"view_list_mine", VIEW_LIST(VIEW_MINE)},
      {"view_list_unassigned", VIEW_LIST(VIEW_UNASSIGNED)},
      {"view_list_breaching", VIEW_LIST(VIEW_BREACHING)},
      {"view_list_callbacks", VIEW_LIST(VIEW_CALLBACKS)},
      {"view_count_mine", VIEW_COUNT(VIEW_MINE)},
      {"view_count_unassigned", VIEW_COUNT(VIEW_UNASSIGNED)},
      {"view_count_breaching", VIEW_COUNT(VIEW_BREACHING)},
      {"view_count_callbacks", VIEW_COUNT(VIEW_CALLBACKS)},
      {"viewing_heartbeat",
       "WITH old AS (DELETE FROM ticket_viewers WHERE ticket_id = $1 AND seen_at < now() - interval '5 minutes') "
       "INSERT INTO ticket_viewers (ticket_id, agent_id, composing, seen_at) VALUES ($1, $2, $3, now()) "
       "ON CONFLICT (ticket_id, agent_id) DO UPDATE SET composing = excluded.composing, seen_at = now()"},
      {"viewing_current",
       "SELECT v.agent_id, a.name, v.composing, " HELPDESK_SQL_MICROS("v.seen_at") " FROM ticket_viewers v "
       "JOIN agents a ON a.id = v.agent_id WHERE v.ticket_id = $1 AND v.agent_id <> coalesce(nullif($2, '')::uuid, "
       "'00000000-0000-0000-0000-000000000000') AND v.seen_at > now() - $3 * interval '1 second' ORDER BY v.seen_at DESC"},
      {"ticket_merge_messages", "UPDATE messages SET ticket_id = $2 WHERE ticket_id = $1"},
      {"ticket_merge_target",
       "UPDATE tickets t SET tags = ARRAY(SELECT DISTINCT unnest(t.tags || s.tags)), "
       "customer_waiting_since = CASE WHEN t.customer_waiting_since IS NULL THEN s.customer_waiting_since "
       "WHEN s.customer_waiting_since IS NULL THEN t.customer_waiting_since "
       "ELSE least(t.customer_waiting_since, s.customer_waiting_since) END, "
       "last_inbound_at = greatest(t.last_inbound_at, s.last_inbound_at), "
       "last_outbound_at = greatest(t.last_outbound_at, s.last_outbound_at), "
       "callback_required = t.callback_required OR s.callback_required, "
       "callback_due_at = CASE WHEN t.callback_required OR s.callback_required THEN "
       "least(t.callback_due_at, s.callback_due_at) END, "
       "updated_at = now(), version = t.version + 1 FROM tickets s WHERE t.id = $2 AND s.id = $1"},
      {"ticket_merge_source",
       "UPDATE tickets SET status = 'closed', closed_at = now(), solved_at = coalesce(solved_at, now()), "
       "merged_into = $2, assignee_id = NULL, assigned_at = NULL, queue_id = NULL, queued_at = NULL, "
       "callback_required = false, callback_due_at = NULL, customer_waiting_since = NULL, chat_session_id = NULL, "
       "updated_at = now(), version = version + 1 WHERE id = $1"},
      {"ticket_merge_chat_session",
       "UPDATE tickets SET chat_session_id = $2 WHERE id = $1 AND chat_session_id IS NULL"},
      {"ticket_merge_log",
       "INSERT INTO ticket_events (ticket_id, brand_id, kind, actor, data) VALUES "
       "($1::uuid, $3::uuid, 'merged', $4::text, jsonb_build_object('into', $2::uuid, 'messages', $5::bigint)), "
       "($2::uuid, $3::uuid, 'merged', $4::text, jsonb_build_object('from', $1::uuid, 'messages', $5::bigint)), "
       // The merge closes the source: logged as any status change, so the
       // reports' backlog, replayed from the log, sees it leave.
       "($1::uuid, $3::uuid, 'status_changed', $4::text, jsonb_build_object('from', $6::text, 'to', 'closed', "
       "'reason', 'merged'))"},
      SEARCH_SOURCE("messages", "SELECT m.ticket_id FROM messages m", "m", "m.subject || ' ' || m.body_text"),
      SEARCH_SOURCE("tickets", "SELECT t.id FROM tickets t", "t", "t.subject"),
      SEARCH_SOURCE("customers", "SELECT cu.id FROM customers cu", "cu", "cu.name"),
      // One rank over the candidates of each source ($8 the tickets of the
      // matching messages, once per message; $9 tickets by subject; $10
      // customers by name) and of the identities: the subject weighs most,
      // then how many messages match, then a match on the customer.
      {"search_tickets",
       "WITH q AS (SELECT hd_search_query($3) AS query), "
       "m AS (SELECT ticket_id, count(*) AS n FROM unnest($8::uuid[]) AS x(ticket_id) GROUP BY ticket_id), "
       "s AS (SELECT t.id AS ticket_id, ts_rank(hd_search_text(t.subject), q.query) AS r "
       "FROM tickets t, q WHERE t.id = ANY($9::uuid[])), "
       "cu AS (SELECT unnest($10::uuid[]) AS id "
       "UNION SELECT i.customer_id FROM customer_identities i WHERE i.value = ANY($5::text[]) "
       SEARCH_SCOPE("i") "), "
       "c AS (SELECT t.id AS ticket_id FROM cu JOIN tickets t ON t.customer_id = cu.id), "
       "h AS (SELECT ticket_id, sum(subject_r) AS subject_r, sum(n) AS n, bool_or(customer) AS customer FROM ("
       "SELECT ticket_id, 0::real AS subject_r, n, false AS customer FROM m UNION ALL "
       "SELECT ticket_id, r, 0, false FROM s UNION ALL SELECT ticket_id, 0, 0, true FROM c) x GROUP BY ticket_id) "
       "SELECT " TICKET_COLUMNS ", (10 * h.subject_r + ln(1 + h.n) + CASE WHEN h.customer THEN 1 ELSE 0 END)::float8 "
       "AS rank, h.subject_r > 0, h.n > 0, h.customer, "
       "coalesce((SELECT ts_headline('simple', left(mm.body_text, 5000), websearch_to_tsquery('simple', $3), "
       "'StartSel=<b>, StopSel=</b>, MaxWords=25, MinWords=10, MaxFragments=1') FROM messages mm WHERE "
       "mm.ticket_id = t.id AND hd_search_text(mm.subject || ' ' || mm.body_text) @@ q.query "
       "ORDER BY mm.occurred_at DESC LIMIT 1), '') "
       "FROM h JOIN tickets t ON t.id = h.ticket_id JOIN brands b ON b.id = t.brand_id, q "
       "WHERE t.merged_into IS NULL ORDER BY rank DESC, t.updated_at DESC, t.id DESC OFFSET $6 LIMIT $7"},
      {"canned_insert",
       "INSERT INTO canned_responses (id, brand_id, language, name, body) VALUES ($1, $2, $3, $4, $5)"},
      {"canned_find",
       "SELECT id, brand_id, language, name, body, " HELPDESK_SQL_MICROS("created_at") ", "
       HELPDESK_SQL_MICROS("updated_at") " FROM canned_responses WHERE id = $1"},
      {"canned_list",
       "SELECT id, brand_id, language, name, body, " HELPDESK_SQL_MICROS("created_at") ", "
       HELPDESK_SQL_MICROS("updated_at") " FROM canned_responses WHERE ($1 OR brand_id = ANY($2::uuid[])) "
       "AND ($3::uuid IS NULL OR brand_id = $3::uuid) AND ($4::text IS NULL OR language IS NULL OR language = $4) "
       "AND ($5 = '' OR id > nullif($5, '')::uuid) ORDER BY id LIMIT $6"},
      {"canned_update",
       "UPDATE canned_responses SET language = $2, name = $3, body = $4, updated_at = now() WHERE id = $1"},
      {"canned_delete", "DELETE FROM canned_responses WHERE id = $1"},
  };
}

namespace replies {

brand_facts brand(pqxx::transaction_base& tx, const std::string& brand_id) {
  auto r = tx.exec_prepared("reply_brand", brand_id);
  brand_facts f;
  if (r.empty()) return f;
  f.name = r[0][0].as<std::string>();
  f.address = r[0][1].as<std::string>();
  f.reply_status_after = r[0][2].as<std::string>();
  return f;
}

std::optional<message_row> last_inbound_email(pqxx::transaction_base& tx, const std::string& ticket_id) {
  auto r = tx.exec_prepared("reply_last_inbound_email", ticket_id);
  if (r.empty()) return std::nullopt;
  return messages::find(tx, r[0][0].as<std::string>());
}

std::vector<std::string> customer_emails(pqxx::transaction_base& tx, const std::string& customer_id) {
  std::vector<std::string> out;
  for (const auto& r : tx.exec_prepared("reply_customer_emails", customer_id)) out.push_back(r[0].as<std::string>());
  return out;
}

void record(pqxx::transaction_base& tx, const message_row& m, const std::string& new_status, const std::string& actor,
            const std::string& events_json) {
  messages::insert(tx, m);
  tx.exec_prepared("reply_record", m.ticket_id, new_status, actor, events_json, m.id);
}

long long open_follow_up(pqxx::transaction_base& tx, const std::string& id, const ticket_row& closed,
                         const std::string& actor) {
  return tx.exec_prepared("reply_follow_up", id, closed.id, actor)[0][0].as<long long>();
}

}  // namespace replies

namespace notes {

std::vector<std::string> mentionable(pqxx::transaction_base& tx, const std::string& brand_id,
                                     const std::vector<std::string>& ids, const std::vector<std::string>& emails) {
  std::vector<std::string> out;
  if (ids.empty() && emails.empty()) return out;
  for (const auto& r : tx.exec_prepared("note_mentionable", brand_id, sql::uuid_array(ids), sql::text_array(emails)))
    out.push_back(r[0].as<std::string>());
  return out;
}

void record(pqxx::transaction_base& tx, const message_row& m, const std::vector<std::string>& mentions,
            const std::string& actor) {
  messages::insert(tx, m);
  tx.exec_prepared("note_record", m.id, sql::uuid_array(mentions), actor);
}

}  // namespace notes

namespace delivery {

std::optional<outbound_ref> lock_outbound(pqxx::transaction_base& tx, const std::string& message_id) {
  auto r = tx.exec_prepared("delivery_lock", message_id);
  if (r.empty()) return std::nullopt;
  return outbound_ref{r[0][0].as<std::string>(), r[0][1].as<std::string>(), r[0][2].as<std::string>(),
                      sql::optional_text(r[0][3])};
}

void report(pqxx::transaction_base& tx, const outbound_ref& m, const std::string& status, const std::string& reason,
            timestamp at, const std::string& actor) {
  tx.exec_prepared("delivery_report", m.message_id, status, reason, to_unix_micros(at), actor);
}

}  // namespace delivery

namespace viewing {

void heartbeat(pqxx::transaction_base& tx, const std::string& ticket_id, const std::string& agent_id, bool composing) {
  tx.exec_prepared("viewing_heartbeat", ticket_id, agent_id, composing);
}

std::vector<ticket_viewer> current(pqxx::transaction_base& tx, const std::string& ticket_id, const std::string& except,
                                   long long within_s) {
  std::vector<ticket_viewer> out;
  for (const auto& r : tx.exec_prepared("viewing_current", ticket_id, except, within_s))
    out.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<bool>(), sql::micros(r[3])});
  return out;
}

}  // namespace viewing

namespace merging {

moved merge(pqxx::transaction_base& tx, const ticket_row& source, const ticket_row& target, const std::string& actor) {
  moved m;
  m.messages = static_cast<long long>(tx.exec_prepared("ticket_merge_messages", source.id, target.id).affected_rows());
  tx.exec_prepared("ticket_merge_target", source.id, target.id);
  tx.exec_prepared("ticket_merge_source", source.id, target.id);
  // The chat goes on in the surviving ticket (a session belongs to one ticket).
  if (source.chat_session_id) tx.exec_prepared("ticket_merge_chat_session", target.id, *source.chat_session_id);
  tx.exec_prepared("ticket_merge_log", source.id, target.id, source.brand_id, actor, m.messages, source.status);
  return m;
}

}  // namespace merging

namespace canned_responses {
namespace {

row read_row(const pqxx::row& r) {
  return {r[0].as<std::string>(), r[1].as<std::string>(), sql::optional_text(r[2]), r[3].as<std::string>(),
          r[4].as<std::string>(), sql::micros(r[5]), sql::micros(r[6])};
}

}  // namespace

void insert(pqxx::transaction_base& tx, const row& r) {
  tx.exec_prepared("canned_insert", r.id, r.brand_id, sql::nullable(r.language), r.name, r.body);
}

std::optional<row> find(pqxx::transaction_base& tx, const std::string& id) {
  auto r = tx.exec_prepared("canned_find", id);
  if (r.empty()) return std::nullopt;
  return read_row(r[0]);
}

std::vector<row> list(pqxx::transaction_base& tx, const brand_scope& scope, const filter& f, const page_request& page) {
  std::vector<row> out;
  for (const auto& r : tx.exec_prepared("canned_list", scope.all, sql::uuid_array(scope.ids), sql::nullable(f.brand_id),
                                        sql::nullable(f.language), page.after_id, static_cast<long long>(page.limit)))
    out.push_back(read_row(r));
  return out;
}

void update(pqxx::transaction_base& tx, const row& r) {
  tx.exec_prepared("canned_update", r.id, sql::nullable(r.language), r.name, r.body);
}

bool remove(pqxx::transaction_base& tx, const std::string& id) {
  return tx.exec_prepared("canned_delete", id).affected_rows() == 1;
}

}  // namespace canned_responses

namespace search {
namespace {

// A word found everywhere ranks only this many matches of each source: an
// unbounded ranking of a common word is seconds, not milliseconds.
constexpr std::size_t candidates_per_source = 1000;

// The newest matches of one source, up to the cap. A GIN index has no order:
// its first matches are the oldest rows of the heap. So the last week's
// matches are read first, newest first: the word's bitmap intersected with a
// range of the primary key, which for a common word is all there is to read.
// Then one probe asks whether the older matches fit in what is left, so that
// a rare word costs two small reads; if they do not, windows of 90 and 365
// days and then the rest are read the same way as the week.
std::vector<std::string> newest_matches(pqxx::transaction_base& tx, const std::string& source,
                                        const brand_scope& scope, const query& q) {
  std::vector<std::string> out;
  const auto ids = sql::uuid_array(scope.ids);
  const auto brand = sql::nullable(q.brand_id);
  const auto left = [&] { return static_cast<long long>(candidates_per_source - out.size()); };
  const auto take = [&](const pqxx::result& rows) {
    for (const auto& r : rows) out.push_back(r[0].as<std::string>());
  };
  const auto now = std::chrono::system_clock::now();
  std::string upper = "ffffffff-ffff-ffff-ffff-ffffffffffff";
  for (const int days : {7, 90, 365, 0}) {
    const std::string lower =
        days > 0 ? uuid_v7_lower_bound(now - std::chrono::hours(24 * days)) : "00000000-0000-0000-0000-000000000000";
    take(tx.exec_prepared("search_" + source + "_window", scope.all, ids, q.text, brand, lower, upper, left()));
    if (left() == 0) break;
    if (days == 7) {
      const auto older = tx.exec_prepared("search_" + source + "_older", scope.all, ids, q.text, brand, lower, left() + 1);
      if (older.size() <= static_cast<std::size_t>(left())) {
        take(older);
        break;
      }
    }
    upper = lower;
  }
  return out;
}

}  // namespace

std::vector<hit> tickets(pqxx::transaction_base& tx, const brand_scope& scope, const query& q) {
  std::vector<hit> out;
  // A common word matches a large share of all messages. Under the default
  // work_mem (4 MB) that bitmap turns lossy, and every row of a lossy page is
  // rechecked by computing its tsvector again: 260 ms instead of 50 ms for a
  // word in 126,000 of 4.8 million messages.
  tx.exec("SET LOCAL work_mem = '16MB'");
  // A generic plan knows neither the word nor the window, and the best plan
  // depends on both: an index scan of the window for a word found in most
  // rows, the word's bitmap and the window's for the others.
  tx.exec("SET LOCAL plan_cache_mode = force_custom_plan");
  // Costed for the search text they recompute, the scans look large enough
  // for parallel workers, whose start (about 5 ms) is more than a search's
  // whole read.
  tx.exec("SET LOCAL max_parallel_workers_per_gather = 0");
  const auto by_message = newest_matches(tx, "messages", scope, q);
  const auto by_subject = newest_matches(tx, "tickets", scope, q);
  const auto by_name = newest_matches(tx, "customers", scope, q);
  for (const auto& r : tx.exec_prepared("search_tickets", scope.all, sql::uuid_array(scope.ids), q.text,
                                        sql::nullable(q.brand_id), sql::text_array(q.identities),
                                        static_cast<long long>(q.offset), static_cast<long long>(q.limit),
                                        sql::uuid_array(by_message), sql::uuid_array(by_subject),
                                        sql::uuid_array(by_name))) {
    hit h;
    h.ticket = read_ticket(r);
    const int base = 31;  // the columns after TICKET_COLUMNS
    h.rank = r[base].as<double>();
    if (r[base + 1].as<bool>()) h.matched.push_back("subject");
    if (r[base + 2].as<bool>()) h.matched.push_back("messages");
    if (r[base + 3].as<bool>()) h.matched.push_back("customer");
    h.snippet = r[base + 4].as<std::string>();
    out.push_back(std::move(h));
  }
  return out;
}

}  // namespace search

namespace views {
namespace {

const char* name_of(view v) {
  switch (v) {
    case view::mine: return "mine";
    case view::unassigned: return "unassigned";
    case view::breaching: return "breaching";
    case view::callbacks: return "callbacks";
  }
  return "mine";
}

int rank_of(const std::string& priority) {
  if (priority == "urgent") return 0;
  if (priority == "high") return 1;
  if (priority == "normal") return 2;
  return 3;
}

long long due_of(const ticket_row& t) {
  std::optional<timestamp> due = t.sla_due_at;
  if (t.callback_due_at && (!due || *t.callback_due_at < *due)) due = t.callback_due_at;
  return due ? to_unix_micros(*due) : std::numeric_limits<long long>::max();
}

}  // namespace

std::string cursor_of(const ticket_row& t) {
  return std::to_string(rank_of(t.priority)) + "|" + std::to_string(due_of(t)) + "|" +
         std::to_string(to_unix_micros(t.created_at)) + "|" + t.id;
}

namespace {

std::string rules_json(const std::vector<routing::view_rule>& rules) {
  auto out = nlohmann::json::array();
  for (const auto& r : rules) {
    auto channels = nlohmann::json::array();
    for (const auto c : r.channels) channels.push_back(routing::to_string(c));
    out.push_back({{"queue_id", r.queue_id},
                   {"after_s", r.after_seconds},
                   {"any_language", r.any_language},
                   {"languages", r.languages},
                   {"channels", std::move(channels)}});
  }
  return out.dump();
}

}  // namespace

std::vector<routing::view_rule> rules_for(pqxx::transaction_base& tx, const std::string& agent_id) {
  if (agent_id.empty()) return {};
  const auto agent = router::agent(tx, agent_id);
  if (!agent) return {};
  std::vector<std::string> brand_ids;
  for (const auto& b : agent->brands) brand_ids.push_back(b.brand_id);
  return routing::view_rules(*agent, queues::for_brands(tx, brand_ids));
}

std::vector<ticket_row> list(pqxx::transaction_base& tx, const brand_scope& scope, const view_query& q) {
  std::string id, rank = "0", due = "0", created = "0";
  if (!q.after.empty()) {
    const auto a = q.after.find('|'), b = q.after.find('|', a + 1), c = q.after.find('|', b + 1);
    rank = q.after.substr(0, a);
    due = q.after.substr(a + 1, b - a - 1);
    created = q.after.substr(b + 1, c - b - 1);
    id = q.after.substr(c + 1);
  }
  std::vector<ticket_row> out;
  // $4 is the breaching window in that view; the others only type it.
  const std::string statement = std::string("view_list_") + name_of(q.which);
  for (const auto& r : tx.exec_prepared(statement, scope.all, sql::uuid_array(scope.ids), q.agent_id,
                                        q.breaching_within_s, id, rank, due, created, static_cast<long long>(q.limit),
                                        rules_json(q.rules)))
    out.push_back(read_ticket(r));
  return out;
}

counts count(pqxx::transaction_base& tx, const brand_scope& scope, const std::string& agent_id,
             long long breaching_within_s, const std::vector<routing::view_rule>& rules) {
  counts c;
  const std::string rules_param = rules_json(rules);
  auto one = [&](view v) {
    return tx.exec_prepared(std::string("view_count_") + name_of(v), scope.all, sql::uuid_array(scope.ids), agent_id,
                            breaching_within_s, rules_param)[0][0]
        .as<long long>();
  };
  c.mine = agent_id.empty() ? 0 : one(view::mine);
  c.unassigned = one(view::unassigned);
  c.breaching = one(view::breaching);
  c.callbacks = one(view::callbacks);
  return c;
}

}  // namespace views
}  // namespace helpdesk::store
