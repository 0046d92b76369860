// The relay's reads, the agent feed and webhook deliveries. Deliveries are
// shared by any number of processes through leases: a row is taken with
// SKIP LOCKED and held by a lease time, so a worker that dies mid-delivery
// only delays the row until its lease runs out.
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "helpdesk/store/event_repos.hpp"
#include "sql_util.hpp"

namespace helpdesk::store {

#define WEBHOOK_SELECT                                                                                        \
  "SELECT id, url, description, array_to_json(events)::text, array_to_json(brands)::text, secret, "          \
  "previous_secret, " HELPDESK_SQL_MICROS("previous_secret_until") ", state, disabled_reason, "              \
  HELPDESK_SQL_MICROS("created_at") ", " HELPDESK_SQL_MICROS("updated_at")

std::vector<prepared_statement> event_statements() {
  return {
      {"relay_lock",
       "SELECT tx_cursor, seq, pg_snapshot_xmin(pg_current_snapshot())::text::bigint FROM event_relay WHERE id = 1 "
       "FOR UPDATE SKIP LOCKED"},
      {"relay_bound_events", "SELECT tx FROM ticket_events WHERE tx >= $1 AND tx < $2 ORDER BY tx OFFSET $3 LIMIT 1"},
      {"retention_feed",
       "DELETE FROM agent_feed WHERE (seq, agent_id) IN (SELECT seq, agent_id FROM agent_feed "
       "WHERE at < now() - make_interval(days => $1) ORDER BY at LIMIT $2)"},
      // Only rows behind the relay's cursor: a stalled relay still finds them.
      {"retention_outbox",
       "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE created_at < now() - make_interval(days => $1) "
       "AND tx < (SELECT tx_cursor FROM event_relay WHERE id = 1) ORDER BY created_at LIMIT $2)"},
      {"retention_deliveries",
       "DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries WHERE state <> 'pending' "
       "AND completed_at < now() - make_interval(days => $1) ORDER BY completed_at LIMIT $2)"},
      {"relay_bound_outbox", "SELECT tx FROM outbox WHERE tx >= $1 AND tx < $2 ORDER BY tx OFFSET $3 LIMIT 1"},
      {"relay_read",
       "SELECT * FROM (SELECT false AS ob, e.kind, e.brand_id::text, e.ticket_id::text, e.data::text, e.actor, "
       HELPDESK_SQL_MICROS("e.at") ", e.tx, e.id FROM ticket_events e WHERE e.tx >= $1 AND e.tx < $2 "
       "UNION ALL SELECT true, o.event_type, o.brand_id::text, o.payload->>'ticket_id', o.payload::text, '', "
       HELPDESK_SQL_MICROS("o.created_at") ", o.tx, o.id FROM outbox o WHERE o.tx >= $1 AND o.tx < $2) s "
       "ORDER BY tx, ob, id"},
      {"relay_finish", "UPDATE event_relay SET tx_cursor = $1, seq = $2 WHERE id = 1"},
      {"feed_append",
       "INSERT INTO agent_feed (seq, agent_id, brand_id, event_type, ticket_id, data, at) SELECT x.seq, x.agent_id, "
       "x.brand_id, x.event_type, x.ticket_id, x.data, " HELPDESK_SQL_AT("x.at") " FROM json_to_recordset($1::json) "
       "AS x(seq bigint, agent_id uuid, brand_id uuid, event_type text, ticket_id uuid, data jsonb, at bigint)"},
      {"feed_after",
       "SELECT seq, agent_id, brand_id, event_type, ticket_id, data::text, " HELPDESK_SQL_MICROS("at")
       " FROM agent_feed WHERE seq > $1 AND ($2 = '' OR agent_id = nullif($2, '')::uuid) ORDER BY seq, agent_id "
       "LIMIT $3"},
      {"feed_head", "SELECT seq FROM event_relay WHERE id = 1"},
      {"feed_notify", "SELECT pg_notify('helpdesk_feed', $1)"},
      {"webhook_insert",
       "INSERT INTO webhook_subscriptions (id, url, description, events, brands, secret) VALUES ($1, $2, $3, "
       "$4::text[], $5::uuid[], $6)"},
      {"webhook_find",
       WEBHOOK_SELECT
       " FROM webhook_subscriptions WHERE id = $1"},
      {"webhook_list",
       WEBHOOK_SELECT
       " FROM webhook_subscriptions WHERE ($1 = '' OR id > nullif($1, '')::uuid) ORDER BY id LIMIT $2"},
      {"webhook_receiving",
       WEBHOOK_SELECT
       " FROM webhook_subscriptions WHERE state <> 'disabled' ORDER BY id"},
      {"webhook_update",
       "UPDATE webhook_subscriptions SET url = coalesce($2, url), description = coalesce($3, description), "
       "events = coalesce($4::text[], events), brands = coalesce($5::uuid[], brands), state = coalesce($6, state), "
       "disabled_reason = CASE WHEN $6 IS NULL THEN disabled_reason END, updated_at = now() WHERE id = $1"},
      {"webhook_rotate",
       "UPDATE webhook_subscriptions SET previous_secret = secret, previous_secret_until = now() + $3 * "
       "interval '1 second', secret = $2, updated_at = now() WHERE id = $1"},
      {"webhook_delete", "DELETE FROM webhook_subscriptions WHERE id = $1"},
      {"delivery_insert",
       "INSERT INTO webhook_deliveries (id, subscription_id, webhook_id, event_type, brand_id, body) SELECT x.id, "
       "x.subscription_id, x.webhook_id, x.event_type, x.brand_id, x.body FROM json_to_recordset($1::json) AS "
       "x(id uuid, subscription_id uuid, webhook_id text, event_type text, brand_id uuid, body text) "
       "ON CONFLICT (subscription_id, webhook_id) DO NOTHING"},
      {"delivery_notify", "SELECT pg_notify('helpdesk_webhooks', '')"},
      {"delivery_lease",
       "WITH due AS (SELECT d.id FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id "
       "WHERE d.state = 'pending' AND d.next_attempt_at <= now() AND (d.lease_until IS NULL OR d.lease_until < now()) "
       "AND s.state = 'active' ORDER BY d.next_attempt_at LIMIT $2 FOR UPDATE OF d SKIP LOCKED) "
       "UPDATE webhook_deliveries d SET lease_until = now() + $3 * interval '1 second', leased_by = $1 "
       "FROM due, webhook_subscriptions s WHERE d.id = due.id AND s.id = d.subscription_id "
       "RETURNING d.id, d.subscription_id, d.webhook_id, d.body, d.attempts, s.url, s.secret, "
       "CASE WHEN s.previous_secret_until > now() THEN s.previous_secret END"},
      {"delivery_record",
       "WITH d AS (UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = $3, last_error = nullif($5, ''), "
       "state = CASE WHEN $6 THEN 'succeeded' WHEN $8::bigint IS NULL THEN 'failed' ELSE 'pending' END, "
       "next_attempt_at = CASE WHEN $8::bigint IS NOT NULL THEN " HELPDESK_SQL_AT("$8") " ELSE next_attempt_at END, "
       "completed_at = CASE WHEN $6 OR $8::bigint IS NULL THEN now() END, lease_until = NULL, leased_by = NULL "
       "WHERE id = $1 AND leased_by = $2 AND state = 'pending' RETURNING id, attempts, subscription_id), "
       "a AS (INSERT INTO webhook_attempts (delivery_id, attempt, status_code, latency_ms, error, worker) "
       "SELECT id, attempts, $3, $4, nullif($5, ''), $2 FROM d), "
       "g AS (UPDATE webhook_subscriptions s SET state = 'disabled', disabled_reason = 'The endpoint answered 410 Gone.', "
       "updated_at = now() FROM d WHERE $7 AND s.id = d.subscription_id) SELECT count(*) FROM d"},
      {"delivery_next_due",
       "SELECT extract(epoch from (min(d.next_attempt_at) - now()))::float8 FROM webhook_deliveries d "
       "JOIN webhook_subscriptions s ON s.id = d.subscription_id AND s.state = 'active' WHERE d.state = 'pending'"},
      {"delivery_list",
       "SELECT d.id, d.subscription_id, d.webhook_id, d.event_type, d.brand_id, d.state, d.attempts, "
       "CASE WHEN d.state = 'pending' THEN " HELPDESK_SQL_MICROS("d.next_attempt_at") " END, d.last_status, "
       "d.last_error, " HELPDESK_SQL_MICROS("d.created_at") ", " HELPDESK_SQL_MICROS("d.completed_at") ", d.body, "
       "coalesce((SELECT json_agg(json_build_array(a.attempt, " HELPDESK_SQL_MICROS("a.at") ", a.status_code, "
       "a.latency_ms, a.error, a.worker) ORDER BY a.attempt) FROM webhook_attempts a WHERE a.delivery_id = d.id), "
       "'[]')::text FROM webhook_deliveries d WHERE d.subscription_id = $1 AND ($2 = '' OR (d.created_at, d.id) < "
       "(SELECT c.created_at, c.id FROM webhook_deliveries c WHERE c.id = nullif($2, '')::uuid)) "
       "ORDER BY d.created_at DESC, d.id DESC LIMIT $3"},
      {"delivery_replay",
       "UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = now(), completed_at = NULL "
       "WHERE id = $2 AND subscription_id = $1 RETURNING id"},
  };
}

namespace relay {

std::optional<window> begin(pqxx::transaction_base& tx, long long limit) {
  auto lock = tx.exec_prepared("relay_lock");
  if (lock.empty()) return std::nullopt;
  const long long cursor = lock[0][0].as<long long>();
  window w;
  w.seq = lock[0][1].as<long long>();
  w.upper = std::max(cursor, lock[0][2].as<long long>());
  // Past `limit` rows the window ends before the transaction that row
  // belongs to, unless that is the first one: then it is read whole.
  for (const char* bound : {"relay_bound_events", "relay_bound_outbox"}) {
    auto r = tx.exec_prepared(bound, cursor, w.upper, limit);
    if (r.empty()) continue;
    const long long at = r[0][0].as<long long>();
    w.upper = std::min(w.upper, at == cursor ? at + 1 : at);
  }
  if (w.upper == cursor) return w;
  for (const auto& r : tx.exec_prepared("relay_read", cursor, w.upper)) {
    source_row s;
    s.from_outbox = r[0].as<bool>();
    s.kind = r[1].as<std::string>();
    s.brand_id = r[2].as<std::string>();
    s.ticket_id = sql::optional_text(r[3]);
    s.data_json = r[4].as<std::string>();
    s.actor = r[5].as<std::string>();
    s.at = sql::micros(r[6]);
    w.rows.push_back(std::move(s));
  }
  return w;
}

void finish(pqxx::transaction_base& tx, long long upper, long long seq) {
  tx.exec_prepared("relay_finish", upper, seq);
}

void append_feed(pqxx::transaction_base& tx, const std::vector<feed_row>& rows) {
  if (rows.empty()) return;
  nlohmann::json doc = nlohmann::json::array();
  for (const auto& f : rows)
    doc.push_back({{"seq", f.seq},
                   {"agent_id", f.agent_id},
                   {"brand_id", f.brand_id},
                   {"event_type", f.event_type},
                   {"ticket_id", f.ticket_id ? nlohmann::json(*f.ticket_id) : nlohmann::json(nullptr)},
                   {"data", nlohmann::json::parse(f.data_json)},
                   {"at", to_unix_micros(f.at)}});
  tx.exec_prepared("feed_append", doc.dump());
}

std::vector<feed_row> feed_after(pqxx::transaction_base& tx, long long after_seq, const std::string& agent_id,
                                 long long limit) {
  std::vector<feed_row> out;
  for (const auto& r : tx.exec_prepared("feed_after", after_seq, agent_id, limit)) {
    feed_row f;
    f.seq = r[0].as<long long>();
    f.agent_id = r[1].as<std::string>();
    f.brand_id = r[2].as<std::string>();
    f.event_type = r[3].as<std::string>();
    f.ticket_id = sql::optional_text(r[4]);
    f.data_json = r[5].as<std::string>();
    f.at = sql::micros(r[6]);
    out.push_back(std::move(f));
  }
  return out;
}

long long feed_head(pqxx::transaction_base& tx) { return tx.exec_prepared("feed_head")[0][0].as<long long>(); }

void notify_feed(pqxx::transaction_base& tx, long long seq) { tx.exec_prepared("feed_notify", std::to_string(seq)); }

}  // namespace relay

namespace retention {

pruned prune(pqxx::transaction_base& tx, int days, long long limit) {
  pruned out;
  out.feed = static_cast<long long>(tx.exec_prepared("retention_feed", days, limit).affected_rows());
  out.outbox = static_cast<long long>(tx.exec_prepared("retention_outbox", days, limit).affected_rows());
  out.deliveries = static_cast<long long>(tx.exec_prepared("retention_deliveries", days, limit).affected_rows());
  return out;
}

}  // namespace retention

namespace webhooks {
namespace {

subscription read_subscription(const pqxx::row& r) {
  subscription s;
  s.id = r[0].as<std::string>();
  s.url = r[1].as<std::string>();
  s.description = r[2].as<std::string>();
  s.events = sql::parse_text_array(r[3]);
  s.brands = sql::parse_text_array(r[4]);
  s.secret = r[5].as<std::string>();
  s.previous_secret = sql::optional_text(r[6]);
  s.previous_secret_until = sql::optional_micros(r[7]);
  s.state = r[8].as<std::string>();
  s.disabled_reason = sql::optional_text(r[9]);
  s.created_at = sql::micros(r[10]);
  s.updated_at = sql::micros(r[11]);
  return s;
}

std::optional<std::string> array_or_null(const std::optional<std::vector<std::string>>& v, bool uuids) {
  if (!v) return std::nullopt;
  return uuids ? sql::uuid_array(*v) : sql::text_array(*v);
}

}  // namespace

void insert(pqxx::transaction_base& tx, const subscription& s) {
  tx.exec_prepared("webhook_insert", s.id, s.url, s.description, sql::text_array(s.events), sql::uuid_array(s.brands),
                   s.secret);
}

std::optional<subscription> find(pqxx::transaction_base& tx, const std::string& id) {
  auto r = tx.exec_prepared("webhook_find", id);
  if (r.empty()) return std::nullopt;
  return read_subscription(r[0]);
}

std::vector<subscription> list(pqxx::transaction_base& tx, const page_request& page) {
  std::vector<subscription> out;
  for (const auto& r : tx.exec_prepared("webhook_list", page.after_id, static_cast<long long>(page.limit)))
    out.push_back(read_subscription(r));
  return out;
}

std::vector<subscription> receiving(pqxx::transaction_base& tx) {
  std::vector<subscription> out;
  for (const auto& r : tx.exec_prepared("webhook_receiving")) out.push_back(read_subscription(r));
  return out;
}

bool update(pqxx::transaction_base& tx, const std::string& id, const subscription_edit& e) {
  const auto events = array_or_null(e.events, false);
  const auto brands = array_or_null(e.brands, true);
  return tx.exec_prepared("webhook_update", id, sql::nullable(e.url), sql::nullable(e.description),
                          sql::nullable(events), sql::nullable(brands), sql::nullable(e.state))
             .affected_rows() == 1;
}

bool rotate_secret(pqxx::transaction_base& tx, const std::string& id, const std::string& secret, long long overlap_s) {
  return tx.exec_prepared("webhook_rotate", id, secret, overlap_s).affected_rows() == 1;
}

bool remove(pqxx::transaction_base& tx, const std::string& id) {
  return tx.exec_prepared("webhook_delete", id).affected_rows() == 1;
}

void insert_deliveries(pqxx::transaction_base& tx, const std::vector<new_delivery>& rows) {
  if (rows.empty()) return;
  nlohmann::json doc = nlohmann::json::array();
  for (const auto& d : rows)
    doc.push_back({{"id", d.id},
                   {"subscription_id", d.subscription_id},
                   {"webhook_id", d.webhook_id},
                   {"event_type", d.event_type},
                   {"brand_id", d.brand_id},
                   {"body", d.body}});
  tx.exec_prepared("delivery_insert", doc.dump());
}

void notify_deliveries(pqxx::transaction_base& tx) { tx.exec_prepared("delivery_notify"); }

std::vector<leased> lease_due(pqxx::transaction_base& tx, const std::string& worker, long long limit, long long lease_s) {
  std::vector<leased> out;
  for (const auto& r : tx.exec_prepared("delivery_lease", worker, limit, lease_s)) {
    leased d;
    d.id = r[0].as<std::string>();
    d.subscription_id = r[1].as<std::string>();
    d.webhook_id = r[2].as<std::string>();
    d.body = r[3].as<std::string>();
    d.attempts = r[4].as<int>();
    d.url = r[5].as<std::string>();
    d.secrets.push_back(r[6].as<std::string>());
    if (!r[7].is_null()) d.secrets.push_back(r[7].as<std::string>());
    out.push_back(std::move(d));
  }
  return out;
}

bool record_attempt(pqxx::transaction_base& tx, const leased& d, const std::string& worker, const attempt_result& r) {
  const auto retry = sql::micros_text(r.retry_at);
  const auto status = r.status_code ? std::optional<std::string>(std::to_string(*r.status_code)) : std::nullopt;
  return tx.exec_prepared("delivery_record", d.id, worker, sql::nullable(status), r.latency_ms, r.error, r.succeeded,
                          r.gone, sql::nullable(retry))[0][0]
             .as<long long>() == 1;
}

std::optional<double> next_due_in(pqxx::transaction_base& tx) {
  auto r = tx.exec_prepared("delivery_next_due");
  if (r.empty() || r[0][0].is_null()) return std::nullopt;
  return r[0][0].as<double>();
}

std::vector<delivery_row> deliveries(pqxx::transaction_base& tx, const std::string& subscription_id,
                                     const page_request& page) {
  std::vector<delivery_row> out;
  for (const auto& r : tx.exec_prepared("delivery_list", subscription_id, page.after_id,
                                        static_cast<long long>(page.limit))) {
    delivery_row d;
    d.id = r[0].as<std::string>();
    d.subscription_id = r[1].as<std::string>();
    d.webhook_id = r[2].as<std::string>();
    d.event_type = r[3].as<std::string>();
    d.brand_id = r[4].as<std::string>();
    d.state = r[5].as<std::string>();
    d.attempts = r[6].as<int>();
    d.next_attempt_at = sql::optional_micros(r[7]);
    if (!r[8].is_null()) d.last_status = r[8].as<int>();
    d.last_error = sql::optional_text(r[9]);
    d.created_at = sql::micros(r[10]);
    d.completed_at = sql::optional_micros(r[11]);
    d.body = r[12].as<std::string>();
    for (const auto& a : nlohmann::json::parse(r[13].c_str())) {
      attempt_row h;
      h.attempt = a[0].get<int>();
      h.at = from_unix_micros(a[1].get<long long>());
      if (!a[2].is_null()) h.status_code = a[2].get<int>();
      h.latency_ms = a[3].get<long long>();
      if (!a[4].is_null()) h.error = a[4].get<std::string>();
      h.worker = a[5].get<std::string>();
      d.history.push_back(std::move(h));
    }
    out.push_back(std::move(d));
  }
  return out;
}

bool replay(pqxx::transaction_base& tx, const std::string& subscription_id, const std::string& delivery_id) {
  return !tx.exec_prepared("delivery_replay", subscription_id, delivery_id).empty();
}

}  // namespace webhooks
}  // namespace helpdesk::store
