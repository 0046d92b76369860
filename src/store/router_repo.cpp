#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "helpdesk/domain/ids.hpp"
#include "helpdesk/store/routing_repos.hpp"
#include "sql_util.hpp"

namespace helpdesk::store {
namespace {

using nlohmann::json;

#define PROFILE_COLUMNS                                                                                    \
  "a.id, a.name, a.active, a.presence, a.languages::text, array_to_json(a.skills)::text, a.capacity::text, " \
  HELPDESK_SQL_MICROS("a.last_assigned_at") ", ab.brand_id, ab.membership"

#define ROUTED_COLUMNS                                                                                            \
  "t.id, t.brand_id, t.origin_channel, t.callback_required, coalesce(t.language, ''), array_to_json(t.tags)::text, " \
  "t.source, t.priority, " HELPDESK_SQL_MICROS("coalesce(t.queued_at, t.created_at)") ", " HELPDESK_SQL_MICROS(    \
      "least(t.sla_due_at, t.callback_due_at)") ", t.status, t.queue_id, t.assignee_id, t.overflow_steps, t.released_by"

// Most urgent first (routing::more_urgent, in SQL).
#define URGENCY_ORDER                                                                                               \
  "CASE t.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END, "                 \
  "least(t.sla_due_at, t.callback_due_at) NULLS LAST, coalesce(t.queued_at, t.created_at), t.id"

routing::agent_profile read_profile(const pqxx::row& r) {
  routing::agent_profile a;
  a.id = r[0].as<std::string>();
  a.name = r[1].as<std::string>();
  a.active = r[2].as<bool>();
  a.status = routing::parse_presence(r[3].as<std::string>()).value_or(routing::presence::offline);
  for (const auto& l : json::parse(r[4].c_str()))
    a.languages.push_back({l.value("code", ""), routing::parse_language_level(l.value("level", ""))
                                                    .value_or(routing::language_level::fluent)});
  a.skills = sql::parse_text_array(r[5]);
  const auto capacity = json::parse(r[6].c_str());
  for (std::size_t c = 0; c < routing::work_channel_count; ++c)
    a.capacity[c] = capacity.value(std::string(routing::to_string(static_cast<routing::work_channel>(c))), 0);
  a.last_assigned_at = sql::optional_micros(r[7]);
  if (!r[8].is_null())
    a.brands.push_back({r[8].as<std::string>(), parse_brand_membership(r[9].as<std::string>())
                                                    .value_or(brand_membership::primary)});
  return a;
}

// Adds each agent's open tickets per channel.
void fill_loads(pqxx::transaction_base& tx, std::vector<routing::agent_profile>& agents) {
  if (agents.empty()) return;
  std::vector<std::string> ids;
  for (const auto& a : agents) ids.push_back(a.id);
  for (const auto& row : tx.exec_prepared("router_loads", sql::uuid_array(ids))) {
    const auto id = row[0].as<std::string>();
    const auto ch = routing::parse_work_channel(row[1].as<std::string>());
    for (auto& a : agents)
      if (a.id == id && ch) a.load[static_cast<std::size_t>(*ch)] = row[2].as<int>();
  }
}

std::vector<routing::agent_profile> read_profiles(pqxx::transaction_base& tx, const pqxx::result& r) {
  std::vector<routing::agent_profile> out;
  for (const auto& row : r) out.push_back(read_profile(row));
  fill_loads(tx, out);
  return out;
}

router::routed_ticket read_routed(const pqxx::row& r) {
  router::routed_ticket t;
  auto& f = t.facts;
  f.id = r[0].as<std::string>();
  f.brand_id = r[1].as<std::string>();
  f.callback_required = r[3].as<bool>();
  f.channel = routing::channel_of(parse_channel(r[2].as<std::string>()).value_or(channel::email), f.callback_required);
  f.language = r[4].as<std::string>();
  f.tags = sql::parse_text_array(r[5]);
  f.source = sql::optional_text(r[6]);
  f.prio = parse_priority(r[7].as<std::string>()).value_or(priority::normal);
  f.waiting_since = sql::micros(r[8]);
  f.due_at = sql::optional_micros(r[9]);
  t.status = r[10].as<std::string>();
  t.queue_id = sql::optional_text(r[11]);
  t.assignee_id = sql::optional_text(r[12]);
  t.overflow_steps = r[13].as<int>();
  f.released_by = sql::optional_text(r[14]);
  return t;
}

std::vector<router::routed_ticket> read_routed_all(const pqxx::result& r) {
  std::vector<router::routed_ticket> out;
  out.reserve(r.size());
  for (const auto& row : r) out.push_back(read_routed(row));
  return out;
}

}  // namespace

std::vector<prepared_statement> routing_statements() {
  return {
      {"router_loads",
       "SELECT t.assignee_id, " HELPDESK_SQL_WORK_CHANNEL("t") ", count(*) FROM tickets t WHERE t.assignee_id = ANY($1::uuid[]) "
       "AND t.status IN ('new', 'open') GROUP BY 1, 2"},
      // Only agents who could take work are locked: the others change nothing.
      // An agent busy in a claim, a pull or another process's pass is left
      // for the next pass rather than waited for, so a pass never queues
      // behind people and people queue behind a pass for one pass at most.
      {"router_lock_brand_agents",
       "SELECT " PROFILE_COLUMNS " FROM agents a JOIN agent_brands ab ON ab.agent_id = a.id AND ab.brand_id = $1 "
       "WHERE a.active AND a.presence = 'online' ORDER BY a.id FOR UPDATE OF a SKIP LOCKED"},
      {"router_brand_agents",
       "SELECT " PROFILE_COLUMNS " FROM agents a JOIN agent_brands ab ON ab.agent_id = a.id AND ab.brand_id = $1 "
       "ORDER BY a.name, a.id"},
      {"router_lock_agent",
       "SELECT " PROFILE_COLUMNS " FROM agents a LEFT JOIN agent_brands ab ON false WHERE a.id = $1 FOR UPDATE OF a"},
      {"router_agent", "SELECT " PROFILE_COLUMNS " FROM agents a LEFT JOIN agent_brands ab ON false WHERE a.id = $1"},
      {"router_agent_brands", "SELECT brand_id, membership FROM agent_brands WHERE agent_id = $1"},
      // LIMIT keeps the probe a nested loop that stops at each brand's first
      // waiting ticket: as a semi-join, a planner that underestimates the
      // queue (statistics lag behind ingest) hashed every waiting ticket.
      // The ORDER BY keeps the probe on the partial index tickets_waiting.
      // Without it the planner, which spreads waiting tickets evenly over
      // brands, reads the table from the start until it meets one of the
      // brand's: past every other brand's ticket, on every router pass
      // (120 ms with 260,000 tickets over ten brands).
      {"router_brands_waiting",
       "SELECT b.id FROM brands b CROSS JOIN LATERAL (SELECT 1 FROM tickets t WHERE t.brand_id = b.id "
       "AND t.assignee_id IS NULL AND t.status IN ('new', 'open') ORDER BY t.queue_id LIMIT 1) w"},
      {"router_unqueued",
       "SELECT " ROUTED_COLUMNS " FROM tickets t WHERE t.brand_id = $1 AND t.assignee_id IS NULL "
       "AND t.status IN ('new', 'open') AND t.queue_id IS NULL ORDER BY t.created_at LIMIT $2"},
      // The router's multi-row writes lock with SKIP LOCKED first: a ticket
      // that ingest is updating waits for the next pass, and the two never
      // wait on each other in opposite orders (a deadlock, found only after
      // deadlock_timeout, stalled ingest for a second).
      {"router_place",
       "WITH l AS (SELECT t.id, x.queue_id, x.reason FROM json_to_recordset($2::json) AS x(ticket_id uuid, "
       "queue_id uuid, reason text) JOIN tickets t ON t.id = x.ticket_id WHERE t.queue_id IS NULL "
       "AND t.brand_id = $1 AND t.assignee_id IS NULL AND t.status IN ('new', 'open') "
       "FOR NO KEY UPDATE OF t SKIP LOCKED), "
       // A ticket sent back by a queue edit keeps its place in line; one
       // sent back by ingest (reopened, a callback) had queued_at cleared.
       "u AS (UPDATE tickets t SET queue_id = l.queue_id, queued_at = coalesce(t.queued_at, now()), "
       "overflow_steps = CASE WHEN t.queued_at IS NULL THEN 0 ELSE t.overflow_steps END FROM l "
       "WHERE t.id = l.id RETURNING t.id, l.queue_id, l.reason), "
       "ev AS (INSERT INTO ticket_events (ticket_id, brand_id, kind, actor, data) SELECT u.id, $1, 'queued', 'router', "
       "jsonb_build_object('queue_id', u.queue_id, 'reason', u.reason) FROM u) SELECT count(*) FROM u"},
      // Each queue's top rows from tickets_queue_urgency, then merged: one
      // index walk per queue, whatever the size of the backlog.
      {"router_waiting",
       "SELECT " ROUTED_COLUMNS " FROM unnest($1::uuid[]) AS q(id) CROSS JOIN LATERAL (SELECT * FROM tickets t "
       "WHERE t.queue_id = q.id AND t.assignee_id IS NULL AND t.status IN ('new', 'open') ORDER BY " URGENCY_ORDER
       " LIMIT $2) AS t ORDER BY " URGENCY_ORDER " LIMIT $2"},
      {"router_ticket", "SELECT " ROUTED_COLUMNS " FROM tickets t WHERE t.id = $1"},
      {"router_ticket_lock", "SELECT " ROUTED_COLUMNS " FROM tickets t WHERE t.id = $1 FOR NO KEY UPDATE"},
      {"router_widen",
       "WITH l AS (SELECT t.id, x.steps, x.details FROM json_to_recordset($2::json) AS x(ticket_id uuid, steps int, "
       "details jsonb) JOIN tickets t ON t.id = x.ticket_id WHERE t.overflow_steps < x.steps "
       "FOR NO KEY UPDATE OF t SKIP LOCKED), "
       "u AS (UPDATE tickets t SET overflow_steps = l.steps FROM l WHERE t.id = l.id RETURNING t.id, l.details) INSERT INTO ticket_events (ticket_id, brand_id, kind, actor, data) "
       "SELECT u.id, $1, 'queue_widened', 'router', u.details FROM u"},
      {"router_assign",
       "WITH l AS (SELECT t.id, x.agent_id, x.queue_id, x.reason FROM json_to_recordset($2::json) AS x(ticket_id uuid, "
       "agent_id uuid, queue_id uuid, reason text) JOIN tickets t ON t.id = x.ticket_id WHERE t.brand_id = $1 "
       "AND t.assignee_id IS NULL AND (t.status IN ('new', 'open') OR ($5 AND t.status IN ('pending', 'on_hold'))) "
       "FOR NO KEY UPDATE OF t SKIP LOCKED), "
       "a AS (UPDATE tickets t SET assignee_id = l.agent_id, assigned_at = now(), released_by = NULL, updated_at = now(), "
       "version = t.version + 1 FROM l WHERE t.id = l.id AND t.assignee_id IS NULL "
       "RETURNING t.id, l.agent_id, l.queue_id, l.reason), "
       "ev AS (INSERT INTO ticket_events (ticket_id, brand_id, kind, actor, data) SELECT a.id, $1, 'assigned', $4, "
       "jsonb_build_object('agent_id', a.agent_id, 'queue_id', a.queue_id, 'by', $3::text, 'reason', a.reason) "
       "FROM a), "
       "ob AS (INSERT INTO outbox (brand_id, event_type, payload) SELECT $1, 'ticket.assigned', jsonb_build_object("
       "'ticket_id', a.id, 'agent_id', a.agent_id, 'queue_id', a.queue_id, 'by', $3::text) FROM a), "
       "ag AS (UPDATE agents g SET last_assigned_at = now() WHERE g.id IN (SELECT agent_id FROM a)) "
       "SELECT a.id, a.agent_id, coalesce(a.queue_id::text, ''), a.reason FROM a"},
      {"router_unassign",
       "WITH old AS (SELECT id, brand_id, assignee_id FROM tickets WHERE id = $1 AND assignee_id IS NOT NULL "
       "FOR NO KEY UPDATE), u AS (UPDATE tickets t SET assignee_id = NULL, assigned_at = NULL, "
       "queue_id = CASE WHEN $4 THEN NULL ELSE t.queue_id END, released_by = CASE WHEN $5 THEN old.assignee_id END, "
       "overflow_steps = 0, "
       "updated_at = now(), version = t.version + 1 FROM old WHERE t.id = old.id RETURNING t.id, t.brand_id, "
       "old.assignee_id) INSERT INTO ticket_events (ticket_id, brand_id, kind, actor, data) SELECT u.id, u.brand_id, "
       "'unassigned', $3, jsonb_build_object('agent_id', u.assignee_id, 'reason', $2::text) FROM u RETURNING 1"},
      {"router_move",
       "WITH u AS (UPDATE tickets SET queue_id = $2, queued_at = now(), overflow_steps = 0 WHERE id = $1 "
       "RETURNING id, brand_id) INSERT INTO ticket_events (ticket_id, brand_id, kind, actor, data) "
       "SELECT u.id, u.brand_id, 'queued', $3, jsonb_build_object('queue_id', $2::uuid, 'reason', 'moved by ' || $3) "
       "FROM u"},
      {"router_open_of_agent",
       "SELECT id FROM tickets WHERE assignee_id = $1 AND status NOT IN ('solved', 'closed') ORDER BY id"},
      {"router_presence",
       "UPDATE agents SET presence = $2, presence_since = now() WHERE id = $1 AND presence <> $2 RETURNING id"},
      {"router_presence_close",
       "UPDATE agent_presence_intervals SET ended_at = now() WHERE agent_id = $1 AND ended_at IS NULL"},
      {"router_presence_open",
       "INSERT INTO agent_presence_intervals (agent_id, status, started_at, set_by) VALUES ($1, $2, now(), $3)"},
      {"router_callback",
       "INSERT INTO callback_attempts (ticket_id, brand_id, agent_id, outcome, note) VALUES ($1, $2, $3, $4, $5) "
       "RETURNING id"},
      // The ticket leaves the Callbacks queue: the router places it again by
      // its other facts, as a new wait.
      {"router_callback_done",
       "UPDATE tickets SET callback_required = false, callback_due_at = NULL, queue_id = NULL, queued_at = NULL, "
       "updated_at = now(), version = version + 1 WHERE id = $1 AND callback_required"},
      {"router_customer_phones",
       "SELECT value FROM customer_identities WHERE customer_id = $1 AND kind IN ('phone', 'raw_phone') "
       "ORDER BY kind, created_at"},
      {"router_note",
       "INSERT INTO messages (id, ticket_id, brand_id, customer_id, channel, direction, author_agent_id, body_text, "
       "occurred_at) SELECT $1, t.id, t.brand_id, t.customer_id, 'note', 'internal', $3, $4, now() FROM tickets t "
       "WHERE t.id = $2"},
      {"router_event",
       "INSERT INTO ticket_events (ticket_id, brand_id, kind, actor, data) VALUES ($1, $2, $3, $4, $5::jsonb)"},
      {"router_outbox", "INSERT INTO outbox (brand_id, event_type, payload) VALUES ($1, $2, $3::jsonb)"},
      {"router_history",
       "SELECT kind, actor, data::text, " HELPDESK_SQL_MICROS("at") " FROM ticket_events WHERE ticket_id = $1 "
       "AND kind IN ('queued', 'queue_widened', 'assigned', 'unassigned', 'transferred', 'callback_attempt', "
       "'callback_dialled') ORDER BY id DESC LIMIT $2"},
  };
}

namespace router {

std::vector<routing::agent_profile> lock_agents_of_brand(pqxx::transaction_base& tx, const std::string& brand_id) {
  return read_profiles(tx, tx.exec_prepared("router_lock_brand_agents", brand_id));
}

std::vector<routing::agent_profile> agents_of_brand(pqxx::transaction_base& tx, const std::string& brand_id) {
  return read_profiles(tx, tx.exec_prepared("router_brand_agents", brand_id));
}

namespace {
std::optional<routing::agent_profile> one_agent(pqxx::transaction_base& tx, const std::string& agent_id, bool lock) {
  auto r = tx.exec_prepared(lock ? "router_lock_agent" : "router_agent", agent_id);
  if (r.empty()) return std::nullopt;
  std::vector<routing::agent_profile> one{read_profile(r[0])};
  for (const auto& row : tx.exec_prepared("router_agent_brands", agent_id))
    one[0].brands.push_back({row[0].as<std::string>(), parse_brand_membership(row[1].as<std::string>())
                                                           .value_or(brand_membership::primary)});
  if (lock) fill_loads(tx, one);
  return one[0];
}
}  // namespace

std::optional<routing::agent_profile> lock_agent(pqxx::transaction_base& tx, const std::string& agent_id) {
  return one_agent(tx, agent_id, true);
}

std::optional<routing::agent_profile> agent(pqxx::transaction_base& tx, const std::string& agent_id) {
  return one_agent(tx, agent_id, false);
}

std::vector<std::string> brands_with_waiting(pqxx::transaction_base& tx) {
  std::vector<std::string> out;
  for (const auto& row : tx.exec_prepared("router_brands_waiting")) out.push_back(row[0].as<std::string>());
  return out;
}

std::vector<routed_ticket> unqueued(pqxx::transaction_base& tx, const std::string& brand_id, int limit) {
  return read_routed_all(tx.exec_prepared("router_unqueued", brand_id, limit));
}

long long place(pqxx::transaction_base& tx, const std::string& brand_id, const std::vector<queue_placement>& list) {
  if (list.empty()) return 0;
  json rows = json::array();
  for (const auto& p : list) rows.push_back({{"ticket_id", p.ticket_id}, {"queue_id", p.queue_id}, {"reason", p.reason}});
  return tx.exec_prepared1("router_place", brand_id, rows.dump())[0].as<long long>();
}

std::vector<routed_ticket> waiting(pqxx::transaction_base& tx, const std::vector<std::string>& queue_ids, int limit) {
  if (queue_ids.empty()) return {};
  return read_routed_all(tx.exec_prepared("router_waiting", sql::uuid_array(queue_ids), limit));
}

std::optional<routed_ticket> ticket(pqxx::transaction_base& tx, const std::string& id, bool lock) {
  auto r = tx.exec_prepared(lock ? "router_ticket_lock" : "router_ticket", id);
  if (r.empty()) return std::nullopt;
  return read_routed(r[0]);
}

void record_widenings(pqxx::transaction_base& tx, const std::string& brand_id, const std::vector<widened>& list) {
  if (list.empty()) return;
  json rows = json::array();
  for (const auto& w : list)
    rows.push_back({{"ticket_id", w.ticket_id}, {"steps", w.steps}, {"details", json::parse(w.details_json)}});
  tx.exec_prepared("router_widen", brand_id, rows.dump());
}

std::vector<assignment> assign(pqxx::transaction_base& tx, const std::string& brand_id,
                               const std::vector<assignment>& list, const std::string& by, const std::string& actor,
                               bool any_workable) {
  if (list.empty()) return {};
  json rows = json::array();
  for (const auto& a : list)
    rows.push_back({{"ticket_id", a.ticket_id},
                    {"agent_id", a.agent_id},
                    {"queue_id", a.queue_id.empty() ? json(nullptr) : json(a.queue_id)},
                    {"reason", a.reason}});
  std::vector<assignment> made;
  for (const auto& row : tx.exec_prepared("router_assign", brand_id, rows.dump(), by, actor, any_workable))
    made.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                    row[3].as<std::string>()});
  return made;
}

bool unassign(pqxx::transaction_base& tx, const std::string& ticket_id, const std::string& reason,
              const std::string& actor, bool requeue, bool handed_back) {
  return !tx.exec_prepared("router_unassign", ticket_id, reason, actor, requeue, handed_back).empty();
}

void move_to_queue(pqxx::transaction_base& tx, const std::string& ticket_id, const std::string& queue_id,
                   const std::string& actor) {
  tx.exec_prepared("router_move", ticket_id, queue_id, actor);
}

std::vector<std::string> open_tickets_of(pqxx::transaction_base& tx, const std::string& agent_id) {
  std::vector<std::string> out;
  for (const auto& row : tx.exec_prepared("router_open_of_agent", agent_id)) out.push_back(row[0].as<std::string>());
  return out;
}

bool set_presence(pqxx::transaction_base& tx, const std::string& agent_id, routing::presence p,
                  const std::string& actor) {
  const std::string status(routing::to_string(p));
  if (tx.exec_prepared("router_presence", agent_id, status).empty()) return false;
  // Two statements: the open interval's unique index must see the old one closed.
  tx.exec_prepared("router_presence_close", agent_id);
  tx.exec_prepared("router_presence_open", agent_id, status, actor);
  return true;
}

std::string record_callback(pqxx::transaction_base& tx, const callback_attempt& a, const std::string& actor) {
  const char* agent = a.agent_id.empty() ? nullptr : a.agent_id.c_str();
  auto id = tx.exec_prepared1("router_callback", a.ticket_id, a.brand_id, agent, a.outcome, a.note)[0].as<std::string>();
  const bool ends = a.outcome == "reached" || a.outcome == "wrong_number";
  if (ends) tx.exec_prepared("router_callback_done", a.ticket_id);
  event(tx, a.ticket_id, a.brand_id, "callback_attempt", actor,
        json({{"attempt_id", id}, {"outcome", a.outcome}, {"note", a.note}, {"callback_ended", ends}}).dump());
  return id;
}

std::vector<std::string> customer_phones(pqxx::transaction_base& tx, const std::string& customer_id) {
  std::vector<std::string> out;
  for (const auto& row : tx.exec_prepared("router_customer_phones", customer_id)) out.push_back(row[0].as<std::string>());
  return out;
}

void add_note(pqxx::transaction_base& tx, const std::string& ticket_id, const std::string& author_agent_id,
              const std::string& text) {
  const char* author = author_agent_id.empty() ? nullptr : author_agent_id.c_str();
  tx.exec_prepared("router_note", new_uuid_v7(), ticket_id, author, text);
}

void event(pqxx::transaction_base& tx, const std::string& ticket_id, const std::string& brand_id,
           const std::string& kind, const std::string& actor, const std::string& data_json) {
  tx.exec_prepared("router_event", ticket_id, brand_id, kind, actor, data_json);
}

void outbox(pqxx::transaction_base& tx, const std::string& brand_id, const std::string& type,
            const std::string& payload_json) {
  tx.exec_prepared("router_outbox", brand_id, type, payload_json);
}

std::vector<routing_event> history(pqxx::transaction_base& tx, const std::string& ticket_id, int limit) {
  std::vector<routing_event> out;
  for (const auto& row : tx.exec_prepared("router_history", ticket_id, limit))
    out.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(), sql::micros(row[3])});
  return out;
}

}  // namespace router
}  // namespace helpdesk::store
