// SLA clocks, their event log, and the SLA worker's reads and writes.
#include <pqxx/pqxx>

#include <algorithm>
#include <map>

#include "helpdesk/store/db_pool.hpp"
#include "helpdesk/store/sla_repos.hpp"
#include "sql_util.hpp"

namespace helpdesk::store {
namespace {

using nlohmann::json;

// Any constant will do, as long as nothing else takes this advisory lock.
constexpr long long worker_lock_key = 0x48454c50534c41;  // "HELPSLA"

#define CLOCK_COLUMNS                                                                                          \
  "c.ticket_id, c.brand_id, c.target, c.cycle, c.state, c.business_hours, c.seconds, "                        \
  HELPDESK_SQL_MICROS("c.started_at") ", " HELPDESK_SQL_MICROS("c.stopped_at") ", " HELPDESK_SQL_MICROS(      \
      "c.due_at") ", " HELPDESK_SQL_MICROS("c.warn_at") ", c.remaining_seconds, c.calendar_id, c.policy_id, " \
  "c.policy_version, c.calendar_version, " HELPDESK_SQL_MICROS("c.warned_at") ", " HELPDESK_SQL_MICROS(      \
      "c.breached_at")

clock_row read_clock(const pqxx::row& r) {
  clock_row c;
  c.ticket_id = r[0].as<std::string>();
  c.brand_id = r[1].as<std::string>();
  auto& k = c.clock;
  k.target = sla::parse_target_kind(r[2].as<std::string>()).value_or(sla::target_kind::first_response);
  k.cycle = r[3].as<int>();
  k.state = sla::parse_clock_state(r[4].as<std::string>()).value_or(sla::clock_state::running);
  k.business_hours = r[5].as<bool>();
  c.seconds = r[6].as<long long>();
  k.started_at = sql::micros(r[7]);
  k.stopped_at = sql::optional_micros(r[8]);
  k.due_at = sql::optional_micros(r[9]);
  k.warn_at = sql::optional_micros(r[10]);
  k.remaining_seconds = r[11].as<long long>();
  k.calendar_id = sql::optional_text(r[12]).value_or("");
  k.breached = k.state == sla::clock_state::breached;
  c.policy_id = sql::optional_text(r[13]);
  if (!r[14].is_null()) c.policy_version = r[14].as<long long>();
  if (!r[15].is_null()) c.calendar_version = r[15].as<int>();
  c.warned_at = sql::optional_micros(r[16]);
  c.breached_at = sql::optional_micros(r[17]);
  return c;
}

json micros_or_null(const std::optional<timestamp>& t) { return t ? json(to_unix_micros(*t)) : json(nullptr); }
json text_or_null(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }

json clock_json(const clock_row& c) {
  const auto& k = c.clock;
  return {{"ticket_id", c.ticket_id},
          {"brand_id", c.brand_id},
          {"target", std::string(sla::to_string(k.target))},
          {"cycle", k.cycle},
          {"state", std::string(sla::to_string(k.state))},
          {"business_hours", k.business_hours},
          {"seconds", c.seconds},
          {"started_at", to_unix_micros(k.started_at)},
          {"stopped_at", micros_or_null(k.stopped_at)},
          {"due_at", micros_or_null(k.due_at)},
          {"warn_at", micros_or_null(k.warn_at)},
          {"remaining", k.remaining_seconds},
          {"calendar_id", k.calendar_id.empty() ? json(nullptr) : json(k.calendar_id)},
          {"policy_id", text_or_null(c.policy_id)},
          {"policy_version", c.policy_version ? json(*c.policy_version) : json(nullptr)},
          {"calendar_version", c.calendar_version ? json(*c.calendar_version) : json(nullptr)},
          {"warned_at", micros_or_null(c.warned_at)},
          {"breached_at", micros_or_null(c.breached_at)},
          {"next_check_at", micros_or_null(next_check_of(c))}};
}

json event_json(const sla_event_row& e) {
  return {{"ticket_id", e.ticket_id},
          {"brand_id", e.brand_id},
          {"target", e.target ? json(std::string(sla::to_string(*e.target))) : json(nullptr)},
          {"cycle", e.target ? json(e.cycle) : json(nullptr)},
          {"kind", e.kind},
          {"at", to_unix_micros(e.at)},
          {"policy_id", text_or_null(e.policy_id)},
          {"policy_version", e.policy_version ? json(*e.policy_version) : json(nullptr)},
          {"calendar_id", text_or_null(e.calendar_id)},
          {"calendar_version", e.calendar_version ? json(*e.calendar_version) : json(nullptr)},
          {"data", e.data},
          {"channel", text_or_null(e.dims.channel)},
          {"priority", text_or_null(e.dims.priority)},
          {"queue_id", text_or_null(e.dims.queue_id)},
          {"agent_id", text_or_null(e.dims.agent_id)}};
}

#define AT(col) "(timestamptz 'epoch' + " col " * interval '1 microsecond')"

// Clocks are upserted whole; what the scanner recorded is never cleared.
const char* const save_sql =
    "WITH x AS (SELECT * FROM json_to_recordset($1::json) AS x(ticket_id uuid, brand_id uuid, target text, cycle int, "
    "state text, business_hours boolean, seconds bigint, started_at bigint, stopped_at bigint, due_at bigint, "
    "warn_at bigint, remaining bigint, calendar_id uuid, policy_id uuid, policy_version int, calendar_version int, "
    "warned_at bigint, breached_at bigint, next_check_at bigint)), "
    "c AS (INSERT INTO sla_clocks AS c (ticket_id, brand_id, target, cycle, state, business_hours, seconds, started_at, "
    "stopped_at, due_at, warn_at, remaining_seconds, calendar_id, policy_id, policy_version, calendar_version, "
    "warned_at, breached_at, next_check_at) SELECT ticket_id, brand_id, target, cycle, state, business_hours, seconds, "
    AT("started_at") ", " AT("stopped_at") ", " AT("due_at") ", " AT("warn_at") ", remaining, calendar_id, policy_id, "
    "policy_version, calendar_version, " AT("warned_at") ", " AT("breached_at") ", " AT("next_check_at") " FROM x "
    "ON CONFLICT (ticket_id, target, cycle) DO UPDATE SET state = excluded.state, business_hours = "
    "excluded.business_hours, seconds = excluded.seconds, started_at = excluded.started_at, stopped_at = "
    "excluded.stopped_at, due_at = excluded.due_at, warn_at = excluded.warn_at, remaining_seconds = "
    "excluded.remaining_seconds, calendar_id = excluded.calendar_id, policy_id = excluded.policy_id, policy_version = "
    "excluded.policy_version, calendar_version = excluded.calendar_version, warned_at = coalesce(c.warned_at, "
    "excluded.warned_at), breached_at = coalesce(c.breached_at, excluded.breached_at), next_check_at = "
    "excluded.next_check_at, updated_at = now() RETURNING 1), "
    "e AS (INSERT INTO sla_events (ticket_id, brand_id, target, cycle, kind, at, policy_id, policy_version, "
    "calendar_id, calendar_version, data, channel, priority, queue_id, agent_id) SELECT ticket_id, brand_id, target, "
    "cycle, kind, " AT("at") ", policy_id, policy_version, calendar_id, calendar_version, coalesce(data, '{}'), channel, "
    "priority, queue_id, agent_id FROM json_to_recordset($2::json) AS y(ticket_id uuid, brand_id uuid, target text, "
    "cycle int, kind text, at bigint, policy_id uuid, policy_version int, calendar_id uuid, calendar_version int, "
    "data jsonb, channel text, priority text, queue_id uuid, agent_id uuid) RETURNING 1), "
    "z AS (SELECT * FROM json_to_recordset($3::json) AS z(id uuid, due_at bigint, policy_id uuid)), "
    "p AS (INSERT INTO sla_tickets AS s (ticket_id, policy_id) SELECT id, policy_id FROM z ON CONFLICT (ticket_id) "
    "DO UPDATE SET policy_id = excluded.policy_id WHERE s.policy_id IS DISTINCT FROM excluded.policy_id RETURNING 1), "
    "want AS (SELECT z.id, " AT("z.due_at") " AS due_at FROM z JOIN tickets t ON t.id = z.id "
    "WHERE t.sla_due_at IS DISTINCT FROM " AT("z.due_at") "), "
    // A ticket being written elsewhere is not waited for: it comes back
    // through sla_recheck and gets its due time on the next pass.
    "l AS (SELECT t.id, want.due_at FROM tickets t JOIN want ON want.id = t.id FOR NO KEY UPDATE OF t SKIP LOCKED), "
    "u AS (UPDATE tickets t SET sla_due_at = l.due_at FROM l WHERE t.id = l.id RETURNING t.id) "
    "INSERT INTO sla_recheck (ticket_id) SELECT id FROM want WHERE id NOT IN (SELECT id FROM l) ON CONFLICT DO NOTHING";

}  // namespace

std::optional<timestamp> next_check_of(const clock_row& c) {
  const auto& k = c.clock;
  // Stopped after its due time before any scanner saw it: the breach is
  // still to be fired (with its outbox row and escalations), by a scanner.
  if (k.stopped_at && k.breached && k.due_at && !c.breached_at) return *k.due_at;
  const bool ticking = k.state == sla::clock_state::running || k.state == sla::clock_state::breached;
  if (!ticking || k.stopped_at || !k.due_at) return std::nullopt;
  if (k.warn_at && !c.warned_at && !c.breached_at && *k.warn_at < *k.due_at) return *k.warn_at;
  if (!c.breached_at) return *k.due_at;
  return std::nullopt;
}

std::vector<prepared_statement> sla_clock_statements() {
  return {
      {"sla_clocks_of_ticket",
       "SELECT " CLOCK_COLUMNS " FROM sla_clocks c WHERE c.ticket_id = $1 ORDER BY c.target, c.cycle"},
      {"sla_latest_clocks",
       "SELECT DISTINCT ON (c.ticket_id, c.target) " CLOCK_COLUMNS " FROM sla_clocks c WHERE c.ticket_id = "
       "ANY($1::uuid[]) ORDER BY c.ticket_id, c.target, c.cycle DESC"},
      {"sla_events_of_ticket",
       "SELECT ticket_id, brand_id, target, cycle, kind, " HELPDESK_SQL_MICROS("at") ", policy_id, policy_version, "
       "calendar_id, calendar_version, data::text FROM sla_events WHERE ticket_id = $1 ORDER BY id DESC LIMIT $2"},
      {"sla_try_lock", "SELECT pg_try_advisory_xact_lock($1)"},
      {"sla_progress",
       "SELECT tx_cursor, pg_snapshot_xmin(pg_current_snapshot())::text::bigint FROM sla_progress WHERE id = 1"},
      {"sla_save_cursor", "UPDATE sla_progress SET tx_cursor = $1 WHERE id = 1 AND (tx_cursor < $1 OR $2)"},
      {"sla_changed_tickets", "SELECT DISTINCT ticket_id FROM ticket_events WHERE tx >= $1 AND tx < $2"},
      // Tickets of brands without policies, that never had one, have nothing
      // to recompute: ingest into such a brand costs the worker one read.
      {"sla_relevant_tickets",
       "SELECT t.id FROM tickets t WHERE t.id = ANY($1::uuid[]) AND (EXISTS (SELECT 1 FROM sla_policies p WHERE "
       "p.brand_id = t.brand_id) OR EXISTS (SELECT 1 FROM sla_tickets s WHERE s.ticket_id = t.id) OR EXISTS "
       "(SELECT 1 FROM sla_clocks c WHERE c.ticket_id = t.id)) ORDER BY t.id"},
      {"sla_take_rechecks", "DELETE FROM sla_recheck WHERE ticket_id IN (SELECT ticket_id FROM sla_recheck LIMIT $1) "
                            "RETURNING ticket_id"},
      {"sla_recheck_brand_open",
       "INSERT INTO sla_recheck (ticket_id) SELECT id FROM tickets WHERE brand_id = ANY($1::uuid[]) "
       "AND status NOT IN ('solved', 'closed') ON CONFLICT DO NOTHING"},
      {"sla_brands_using_calendar",
       "SELECT DISTINCT p.brand_id FROM sla_policies p, jsonb_array_elements(p.targets) t WHERE t->>'calendar_id' = $1::text"},
      {"sla_policies_using_queue",
       "SELECT p.name FROM sla_policies p WHERE p.conditions->>'queue_id' = $1::text OR EXISTS (SELECT 1 FROM "
       "jsonb_array_elements(p.escalation) e WHERE e->>'queue_id' = $1::text) ORDER BY p.name"},
      {"sla_load_tickets",
       "SELECT t.id, t.brand_id, t.origin_channel, t.priority, t.queue_id, array_to_json(t.tags)::text, t.source, "
       "s.policy_id, array_to_json(c.flags)::text, t.assignee_id FROM tickets t JOIN customers c ON c.id = t.customer_id "
       "LEFT JOIN sla_tickets s ON s.ticket_id = t.id WHERE t.id = ANY($1::uuid[])"},
      {"sla_load_messages",
       "SELECT m.ticket_id, m.channel, m.direction, m.call_outcome, " HELPDESK_SQL_MICROS("m.occurred_at") ", "
       HELPDESK_SQL_MICROS("coalesce((m.call->>'answered_at')::timestamptz, m.occurred_at)") ", "
       HELPDESK_SQL_MICROS("coalesce((m.call->>'ended_at')::timestamptz, m.occurred_at)") ", "
       HELPDESK_SQL_MICROS("m.no_response_needed_at") " FROM messages m WHERE m.ticket_id = ANY($1::uuid[]) "
       "AND NOT m.automatic AND m.direction <> 'internal' AND m.channel <> 'note'"},
      {"sla_load_ticket_events",
       "SELECT e.ticket_id, e.kind, " HELPDESK_SQL_MICROS("e.at") ", coalesce(e.data->>'to', ''), "
       "coalesce((e.data->>'callback_ended')::boolean, false) FROM ticket_events e WHERE e.ticket_id = ANY($1::uuid[]) "
       "AND e.kind IN ('status_changed', 'callback_attempt') ORDER BY e.id"},
      {"sla_lock_clocks",
       "SELECT " CLOCK_COLUMNS " FROM sla_clocks c WHERE c.ticket_id = ANY($1::uuid[]) "
       "ORDER BY c.ticket_id, c.target, c.cycle FOR UPDATE"},
      {"sla_save", save_sql},
      // A clock whose ticket has changes the worker has not seen is left for
      // after the recompute, so a reply that landed just before the due time
      // is judged first. The tickets are locked here too, skipping busy ones:
      // escalations then never wait on a ticket, so never deadlock.
      {"sla_lock_due",
       "SELECT " CLOCK_COLUMNS ", b.ticket_prefix || '-' || t.number, t.assignee_id, t.priority, "
       HELPDESK_SQL_MICROS("c.next_check_at") ", t.origin_channel, t.queue_id FROM sla_clocks c JOIN tickets t ON t.id = c.ticket_id JOIN brands b "
       "ON b.id = t.brand_id WHERE c.next_check_at <= now() AND NOT EXISTS (SELECT 1 FROM ticket_events e WHERE "
       "e.ticket_id = c.ticket_id AND e.tx >= $1) AND NOT EXISTS (SELECT 1 FROM sla_recheck r WHERE r.ticket_id = "
       "c.ticket_id) ORDER BY c.next_check_at LIMIT $2 FOR UPDATE OF c SKIP LOCKED FOR NO KEY UPDATE OF t SKIP LOCKED"},
      {"sla_record_fired",
       "UPDATE sla_clocks SET warned_at = CASE WHEN $4 THEN coalesce(warned_at, now()) ELSE warned_at END, "
       "breached_at = CASE WHEN $5 THEN coalesce(breached_at, now()) ELSE breached_at END, "
       "state = CASE WHEN $5 AND state = 'running' THEN 'breached' ELSE state END, "
       "next_check_at = " HELPDESK_SQL_AT("$6") ", updated_at = now() WHERE ticket_id = $1 AND target = $2 AND cycle = $3"},
      {"sla_add_events",
       "INSERT INTO sla_events (ticket_id, brand_id, target, cycle, kind, at, policy_id, policy_version, calendar_id, "
       "calendar_version, data, channel, priority, queue_id, agent_id) SELECT ticket_id, brand_id, target, cycle, kind, "
       AT("at") ", policy_id, policy_version, calendar_id, calendar_version, coalesce(data, '{}'), channel, priority, "
       "queue_id, agent_id FROM json_to_recordset($1::json) AS y(ticket_id uuid, brand_id uuid, target text, cycle "
       "int, kind text, at bigint, policy_id uuid, policy_version int, calendar_id uuid, calendar_version int, data "
       "jsonb, channel text, priority text, queue_id uuid, agent_id uuid)"},
      // Marked once: a repeat finds the message and changes nothing.
      {"sla_waive_response",
       "WITH m AS (SELECT id, brand_id, ticket_id, no_response_needed_at FROM messages WHERE id = $2 AND ticket_id = $1 "
       "AND direction = 'inbound' AND NOT automatic AND channel <> 'note' FOR UPDATE), "
       "u AS (UPDATE messages SET no_response_needed_at = now() FROM m WHERE messages.id = m.id "
       "AND m.no_response_needed_at IS NULL RETURNING m.id, m.brand_id, m.ticket_id), "
       "e AS (INSERT INTO ticket_events (ticket_id, brand_id, kind, actor, data) SELECT ticket_id, brand_id, "
       "'response_waived', $3, jsonb_build_object('message_id', id) FROM u) SELECT count(*) FROM m"},
      {"sla_next_check", "SELECT " HELPDESK_SQL_MICROS("min(next_check_at)") " FROM sla_clocks WHERE next_check_at IS NOT NULL"},
      {"sla_raise_priority",
       "WITH u AS (UPDATE tickets SET priority = $3, updated_at = now(), version = version + 1 WHERE id = $1 "
       "AND priority = $2 RETURNING id, brand_id) INSERT INTO ticket_events (ticket_id, brand_id, kind, actor, data) "
       "SELECT id, brand_id, 'priority_changed', 'sla', jsonb_build_object('from', $2::text, 'to', $3::text, "
       "'reason', $4::text) FROM u"},
  };
}

namespace sla_clocks {

std::vector<clock_row> for_ticket(pqxx::transaction_base& tx, const std::string& ticket_id) {
  std::vector<clock_row> out;
  for (const auto& row : tx.exec_prepared("sla_clocks_of_ticket", ticket_id)) out.push_back(read_clock(row));
  return out;
}

std::vector<clock_row> latest_for(pqxx::transaction_base& tx, const std::vector<std::string>& ticket_ids) {
  std::vector<clock_row> out;
  if (ticket_ids.empty()) return out;
  for (const auto& row : tx.exec_prepared("sla_latest_clocks", sql::uuid_array(ticket_ids))) out.push_back(read_clock(row));
  return out;
}

std::vector<sla_event_row> events_of(pqxx::transaction_base& tx, const std::string& ticket_id, int limit) {
  std::vector<sla_event_row> out;
  for (const auto& r : tx.exec_prepared("sla_events_of_ticket", ticket_id, limit)) {
    sla_event_row e;
    e.ticket_id = r[0].as<std::string>();
    e.brand_id = r[1].as<std::string>();
    if (!r[2].is_null()) e.target = sla::parse_target_kind(r[2].as<std::string>());
    if (!r[3].is_null()) e.cycle = r[3].as<int>();
    e.kind = r[4].as<std::string>();
    e.at = sql::micros(r[5]);
    e.policy_id = sql::optional_text(r[6]);
    if (!r[7].is_null()) e.policy_version = r[7].as<long long>();
    e.calendar_id = sql::optional_text(r[8]);
    if (!r[9].is_null()) e.calendar_version = r[9].as<int>();
    e.data = json::parse(r[10].c_str());
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace sla_clocks

namespace sla_worker {

bool try_lock(pqxx::transaction_base& tx) { return tx.exec_prepared1("sla_try_lock", worker_lock_key)[0].as<bool>(); }

progress read_progress(pqxx::transaction_base& tx) {
  auto r = tx.exec_prepared1("sla_progress");
  return {r[0].as<long long>(), r[1].as<long long>()};
}

void save_cursor(pqxx::transaction_base& tx, long long cursor, bool reset) {
  tx.exec_prepared("sla_save_cursor", cursor, reset);
}

std::vector<std::string> changed_tickets(pqxx::transaction_base& tx, long long from, long long to) {
  std::vector<std::string> out;
  for (const auto& row : tx.exec_prepared("sla_changed_tickets", from, to)) out.push_back(row[0].as<std::string>());
  return out;
}

std::vector<std::string> relevant_tickets(pqxx::transaction_base& tx, const std::vector<std::string>& ids) {
  std::vector<std::string> out;
  if (ids.empty()) return out;
  for (const auto& row : tx.exec_prepared("sla_relevant_tickets", sql::uuid_array(ids))) out.push_back(row[0].as<std::string>());
  return out;
}

std::vector<std::string> take_rechecks(pqxx::transaction_base& tx, int limit) {
  std::vector<std::string> out;
  for (const auto& row : tx.exec_prepared("sla_take_rechecks", limit)) out.push_back(row[0].as<std::string>());
  return out;
}

void recheck_open_tickets(pqxx::transaction_base& tx, const std::vector<std::string>& brand_ids) {
  if (!brand_ids.empty()) tx.exec_prepared("sla_recheck_brand_open", sql::uuid_array(brand_ids));
}

std::vector<std::string> brands_using_calendar(pqxx::transaction_base& tx, const std::string& calendar_id) {
  std::vector<std::string> out;
  for (const auto& row : tx.exec_prepared("sla_brands_using_calendar", calendar_id)) out.push_back(row[0].as<std::string>());
  return out;
}

std::vector<std::string> policies_using_queue(pqxx::transaction_base& tx, const std::string& queue_id) {
  std::vector<std::string> out;
  for (const auto& row : tx.exec_prepared("sla_policies_using_queue", queue_id)) out.push_back(row[0].as<std::string>());
  return out;
}

namespace {

// A call reads as what it was to the customer: a missed inbound call is a
// request to be called back, an answered one a contact answered at once, and
// an answered outbound call the callback itself.
void add_message_entries(const pqxx::row& r, std::vector<std::pair<int, sla::timeline_entry>>& out) {
  using sla::entry_kind;
  const std::string ch = r[1].as<std::string>();
  const bool inbound = r[2].as<std::string>() == "inbound";
  const timestamp at = sql::micros(r[4]);
  auto add = [&](timestamp when, entry_kind k) { out.push_back({static_cast<int>(out.size()), {when, k, {}, {}}}); };
  auto waive = [&] {
    if (inbound && !r[7].is_null())
      out.push_back({static_cast<int>(out.size()), {sql::micros(r[7]), entry_kind::response_waived, {}, at}});
  };
  if (ch != "phone") {
    add(at, inbound ? entry_kind::customer_message : entry_kind::agent_reply);
    waive();
    return;
  }
  const std::string outcome = sql::optional_text(r[3]).value_or("");
  const bool answered = outcome == "answered" || outcome == "transferred";
  const timestamp answered_at = sql::micros(r[5]);
  if (inbound) {
    add(at, entry_kind::customer_message);
    if (answered) {
      add(answered_at, entry_kind::agent_reply);
      add(answered_at, entry_kind::callback_done);
    } else if (outcome == "missed" || outcome == "voicemail") {
      add(sql::micros(r[6]), entry_kind::callback_requested);
    }
    waive();
  } else if (answered) {
    add(answered_at, entry_kind::agent_reply);
    add(answered_at, entry_kind::callback_done);
  }
}

}  // namespace

std::vector<ticket_history> load(pqxx::transaction_base& tx, const std::vector<std::string>& ticket_ids) {
  std::vector<ticket_history> out;
  if (ticket_ids.empty()) return out;
  const std::string ids = sql::uuid_array(ticket_ids);
  std::map<std::string, std::size_t> index;
  for (const auto& r : tx.exec_prepared("sla_load_tickets", ids)) {
    ticket_history h;
    h.ticket_id = r[0].as<std::string>();
    h.brand_id = r[1].as<std::string>();
    h.facts.origin = parse_channel(r[2].as<std::string>()).value_or(channel::email);
    h.facts.prio = parse_priority(r[3].as<std::string>()).value_or(priority::normal);
    h.facts.queue_id = sql::optional_text(r[4]);
    h.facts.tags = sql::parse_text_array(r[5]);
    h.facts.source = sql::optional_text(r[6]);
    h.policy_id = sql::optional_text(r[7]);
    h.facts.customer_flags = sql::parse_text_array(r[8]);
    h.assignee_id = sql::optional_text(r[9]);
    index[h.ticket_id] = out.size();
    out.push_back(std::move(h));
  }
  // Per ticket, entries keep the order they were read in for equal times.
  std::map<std::string, std::vector<std::pair<int, sla::timeline_entry>>> entries;
  for (const auto& r : tx.exec_prepared("sla_load_messages", ids)) add_message_entries(r, entries[r[0].as<std::string>()]);
  for (const auto& r : tx.exec_prepared("sla_load_ticket_events", ids)) {
    auto& list = entries[r[0].as<std::string>()];
    const std::string kind = r[1].as<std::string>();
    const timestamp at = sql::micros(r[2]);
    if (kind == "status_changed") {
      if (auto s = parse_ticket_status(r[3].as<std::string>()))
        list.push_back({static_cast<int>(list.size()), {at, sla::entry_kind::status_change, *s, {}}});
    } else if (kind == "callback_attempt" && r[4].as<bool>()) {
      list.push_back({static_cast<int>(list.size()), {at, sla::entry_kind::callback_done, {}, {}}});
    }
  }
  for (auto& [id, list] : entries) {
    auto it = index.find(id);
    if (it == index.end()) continue;
    std::stable_sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.second.at < b.second.at; });
    for (auto& e : list) out[it->second].entries.push_back(e.second);
  }
  for (const auto& r : tx.exec_prepared("sla_lock_clocks", ids)) {
    auto c = read_clock(r);
    if (auto it = index.find(c.ticket_id); it != index.end()) out[it->second].clocks.push_back(std::move(c));
  }
  return out;
}

void save(pqxx::transaction_base& tx, const std::vector<ticket_result>& results,
          const std::vector<sla_event_row>& events) {
  json clocks = json::array(), evs = json::array(), tickets = json::array();
  for (const auto& r : results) {
    for (const auto& c : r.clocks) clocks.push_back(clock_json(c));
    tickets.push_back({{"id", r.ticket_id}, {"due_at", micros_or_null(r.due_at)}, {"policy_id", text_or_null(r.policy_id)}});
  }
  for (const auto& e : events) evs.push_back(event_json(e));
  if (results.empty() && events.empty()) return;
  tx.exec_prepared("sla_save", clocks.dump(), evs.dump(), tickets.dump());
}

std::vector<due_clock> lock_due(pqxx::transaction_base& tx, long long cursor, int limit) {
  std::vector<due_clock> out;
  for (const auto& r : tx.exec_prepared("sla_lock_due", cursor, limit)) {
    due_clock d;
    d.row = read_clock(r);
    d.ticket_number = r[18].as<std::string>();
    d.assignee_id = sql::optional_text(r[19]);
    d.prio = parse_priority(r[20].as<std::string>()).value_or(priority::normal);
    d.next_check_at = sql::optional_micros(r[21]);
    d.channel = r[22].as<std::string>();
    d.queue_id = sql::optional_text(r[23]);
    out.push_back(std::move(d));
  }
  return out;
}

void record_fired(pqxx::transaction_base& tx, const clock_row& c, bool warned, bool breached,
                  std::optional<timestamp> next_check_at) {
  tx.exec_prepared("sla_record_fired", c.ticket_id, std::string(sla::to_string(c.clock.target)), c.clock.cycle, warned,
                   breached, sql::nullable(sql::micros_text(next_check_at)));
}

void raise_priority(pqxx::transaction_base& tx, const std::string& ticket_id, const std::string&, priority from,
                    priority to, const std::string& reason) {
  tx.exec_prepared("sla_raise_priority", ticket_id, std::string(to_string(from)), std::string(to_string(to)), reason);
}

bool waive_response(pqxx::transaction_base& tx, const std::string& ticket_id, const std::string& message_id,
                    const std::string& actor) {
  return tx.exec_prepared1("sla_waive_response", ticket_id, message_id, actor.empty() ? "api" : actor)[0].as<long long>() > 0;
}

void add_events(pqxx::transaction_base& tx, const std::vector<sla_event_row>& events) {
  if (events.empty()) return;
  json evs = json::array();
  for (const auto& e : events) evs.push_back(event_json(e));
  tx.exec_prepared("sla_add_events", evs.dump());
}

std::optional<timestamp> next_check(pqxx::transaction_base& tx) {
  return sql::optional_micros(tx.exec_prepared1("sla_next_check")[0]);
}

}  // namespace sla_worker
}  // namespace helpdesk::store
