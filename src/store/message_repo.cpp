#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "helpdesk/store/support_repos.hpp"
#include "sql_util.hpp"

namespace helpdesk::store {
namespace {

#define MESSAGE_COLUMNS                                                                                           \
  "m.id, m.ticket_id, m.brand_id, m.customer_id, m.channel, m.direction, m.automatic, m.automatic_reason, "      \
  "m.author_agent_id, m.sender, m.subject, m.body_text, m.body_html, m.email::text, m.email_message_id, "       \
  "m.call_id, m.call::text, m.call_outcome, m.chat_session_id, m.chat_message_id, " HELPDESK_SQL_MICROS(         \
      "m.occurred_at") ", " HELPDESK_SQL_MICROS("m.created_at") ", "                                           \
                           "coalesce((SELECT json_agg(json_build_array(a.id, a.filename, a.content_type, a.size, " \
                           "a.sha256, a.is_inline, a.content_id) ORDER BY a.id) FROM attachments a "            \
                           "WHERE a.message_id = m.id), '[]')::text, b.ticket_prefix || '-' || t.number, "        \
                           "m.delivery_status, m.delivery_reason, " HELPDESK_SQL_MICROS("m.delivery_updated_at") \
                           ", coalesce(array_to_json(m.mentions), '[]')::text"

#define MESSAGE_FROM " FROM messages m JOIN tickets t ON t.id = m.ticket_id JOIN brands b ON b.id = m.brand_id "

message_row read_message(const pqxx::row& r) {
  message_row m;
  m.id = r[0].as<std::string>();
  m.ticket_id = r[1].as<std::string>();
  m.brand_id = r[2].as<std::string>();
  m.customer_id = r[3].as<std::string>();
  m.channel = r[4].as<std::string>();
  m.direction = r[5].as<std::string>();
  m.automatic = r[6].as<bool>();
  m.automatic_reason = r[7].as<std::string>();
  m.author_agent_id = sql::optional_text(r[8]);
  m.sender = r[9].as<std::string>();
  m.subject = r[10].as<std::string>();
  m.body_text = r[11].as<std::string>();
  m.body_html = r[12].as<std::string>();
  m.email_json = sql::optional_text(r[13]);
  m.email_message_id = sql::optional_text(r[14]);
  m.call_id = sql::optional_text(r[15]);
  m.call_json = sql::optional_text(r[16]);
  m.call_outcome = sql::optional_text(r[17]);
  m.chat_session_id = sql::optional_text(r[18]);
  m.chat_message_id = sql::optional_text(r[19]);
  m.occurred_at = sql::micros(r[20]);
  m.created_at = sql::micros(r[21]);
  for (const auto& a : nlohmann::json::parse(r[22].c_str())) {
    attachment_row row;
    row.id = a[0].get<std::string>();
    row.message_id = m.id;
    row.brand_id = m.brand_id;
    row.filename = a[1].get<std::string>();
    row.content_type = a[2].get<std::string>();
    row.size = a[3].get<long long>();
    row.sha256 = a[4].get<std::string>();
    row.is_inline = a[5].get<bool>();
    row.content_id = a[6].get<std::string>();
    m.attachments.push_back(std::move(row));
  }
  m.ticket_number = r[23].as<std::string>();
  m.delivery_status = sql::optional_text(r[24]);
  m.delivery_reason = sql::optional_text(r[25]);
  m.delivery_updated_at = sql::optional_micros(r[26]);
  m.mentions = sql::parse_text_array(r[27]);
  return m;
}

std::vector<message_row> read_messages(const pqxx::result& rows) {
  std::vector<message_row> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(read_message(r));
  return out;
}

}  // namespace

std::vector<prepared_statement> message_statements() {
  return {
      {"message_insert",
       "INSERT INTO messages (id, ticket_id, brand_id, customer_id, channel, direction, automatic, automatic_reason, "
       "author_agent_id, sender, subject, body_text, body_html, email, email_message_id, call_id, call, call_outcome, "
       "chat_session_id, chat_message_id, occurred_at, attachment_count) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
       "$10, $11, $12, $13, $14::jsonb, $15, $16, $17::jsonb, $18, $19, $20, " HELPDESK_SQL_AT("$21") ", $22) "
       "ON CONFLICT DO NOTHING"},
      {"attachment_insert",
       "INSERT INTO attachments (id, message_id, brand_id, filename, content_type, content_id, is_inline, size, "
       "sha256, content) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"},
      {"call_lock",
       "SELECT id, ticket_id, customer_id, call::text FROM messages WHERE brand_id = $1 AND call_id = $2 FOR UPDATE"},
      {"call_update",
       "UPDATE messages SET call = $2::jsonb, call_outcome = $3, occurred_at = " HELPDESK_SQL_AT("$4")
       " WHERE id = $1"},
      {"call_event_add",
       "INSERT INTO call_events (message_id, event_key, kind, at, payload) VALUES ($1, $2, $3, " HELPDESK_SQL_AT("$4")
       ", $5::jsonb) ON CONFLICT DO NOTHING"},
      {"call_events", "SELECT event_key, payload::text FROM call_events WHERE message_id = $1 ORDER BY event_key"},
      {"messages_for_ticket",
       "SELECT " MESSAGE_COLUMNS MESSAGE_FROM "WHERE m.ticket_id = $1 AND ($2::text = '' OR (m.occurred_at, m.id) > "
       "(SELECT c.occurred_at, c.id FROM messages c WHERE c.id = nullif($2, '')::uuid)) "
       "ORDER BY m.occurred_at, m.id LIMIT $3"},
      {"messages_timeline",
       "SELECT " MESSAGE_COLUMNS MESSAGE_FROM "WHERE m.customer_id = $1 AND ($2::text = '' OR (m.occurred_at, m.id) < "
       "(SELECT c.occurred_at, c.id FROM messages c WHERE c.id = nullif($2, '')::uuid)) "
       "ORDER BY m.occurred_at DESC, m.id DESC LIMIT $3"},
      {"messages_find_many", "SELECT " MESSAGE_COLUMNS MESSAGE_FROM "WHERE m.id = ANY($1::uuid[])"},
      {"attachment_find",
       "SELECT id, message_id, brand_id, filename, content_type, content_id, is_inline, size, sha256, content "
       "FROM attachments WHERE id = $1"},
      {"inbound_key_claim",
       "INSERT INTO inbound_keys (scope, key, request_sha256, expires_at) VALUES ($1, $2, $3, "
       "now() + $4::bigint * interval '1 second') ON CONFLICT DO NOTHING"},
      {"inbound_key_read", "SELECT request_sha256, response::text FROM inbound_keys WHERE scope = $1 AND key = $2"},
      {"inbound_key_complete", "UPDATE inbound_keys SET response = $3::jsonb WHERE scope = $1 AND key = $2"},
      {"ingest_finish",
       "WITH events AS (INSERT INTO ticket_events (ticket_id, brand_id, kind, actor, data) "
       "SELECT $1, $2, e->>0, coalesce(e->>2, 'integration'), e->1 FROM jsonb_array_elements($3::jsonb) AS e) "
       "UPDATE inbound_keys SET response = $4::jsonb WHERE (scope = $5 AND key = $6) OR (scope = $7 AND key = $8)"},
      {"inbound_key_prune", "DELETE FROM inbound_keys WHERE expires_at < now()"},
      {"brand_phone_regions",
       "SELECT DISTINCT default_phone_region FROM brands WHERE $1::boolean OR id = ANY($2::uuid[])"},
      {"brand_id_by_slug", "SELECT id FROM brands WHERE slug = $1"},
      {"brand_id_by_address",
       "SELECT a.brand_id FROM unnest($1::text[]) WITH ORDINALITY AS q(addr, ord) "
       "JOIN brand_inbound_addresses a ON a.address = q.addr ORDER BY q.ord LIMIT 1"},
  };
}

void retry_transaction(const char* why) { throw pqxx::serialization_failure(why); }

namespace messages {

void insert(pqxx::transaction_base& tx, const message_row& m) {
  auto r = tx.exec_prepared(
      "message_insert", m.id, m.ticket_id, m.brand_id, m.customer_id, m.channel, m.direction, m.automatic,
      m.automatic_reason, sql::nullable(m.author_agent_id), m.sender, m.subject, m.body_text, m.body_html,
      sql::nullable(m.email_json), sql::nullable(m.email_message_id), sql::nullable(m.call_id),
      sql::nullable(m.call_json), sql::nullable(m.call_outcome), sql::nullable(m.chat_session_id),
      sql::nullable(m.chat_message_id), to_unix_micros(m.occurred_at), static_cast<int>(m.attachments.size()));
  // Only a call's message can collide (one per call id): a concurrent first
  // event of the same call won, so this transaction retries and joins it.
  if (r.affected_rows() == 0) throw pqxx::serialization_failure("the call's message was created concurrently");
  for (const auto& a : m.attachments) insert_attachment(tx, a);
}

void insert_attachment(pqxx::transaction_base& tx, const attachment_row& a) {
  pqxx::binarystring content(a.content);
  tx.exec_prepared("attachment_insert", a.id, a.message_id, a.brand_id, a.filename, a.content_type, a.content_id,
                   a.is_inline, a.size, a.sha256, content);
}

std::optional<call_ref> lock_call(pqxx::transaction_base& tx, const std::string& brand_id, const std::string& call_id) {
  auto r = tx.exec_prepared("call_lock", brand_id, call_id);
  if (r.empty()) return std::nullopt;
  return call_ref{r[0][0].as<std::string>(), r[0][1].as<std::string>(), r[0][2].as<std::string>(),
                  r[0][3].is_null() ? std::string("{}") : r[0][3].as<std::string>()};
}

void update_call(pqxx::transaction_base& tx, const std::string& message_id, const std::string& call_json,
                 const std::string& outcome, timestamp occurred_at) {
  tx.exec_prepared("call_update", message_id, call_json, outcome, to_unix_micros(occurred_at));
}

bool add_call_event(pqxx::transaction_base& tx, const std::string& message_id, const std::string& event_key,
                    const std::string& kind, timestamp at, const std::string& payload_json) {
  return tx.exec_prepared("call_event_add", message_id, event_key, kind, to_unix_micros(at), payload_json)
             .affected_rows() == 1;
}

std::vector<std::pair<std::string, std::string>> call_events(pqxx::transaction_base& tx, const std::string& message_id) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : tx.exec_prepared("call_events", message_id))
    out.emplace_back(r[0].as<std::string>(), r[1].as<std::string>());
  return out;
}

std::vector<message_row> for_ticket(pqxx::transaction_base& tx, const std::string& ticket_id, const page_request& page) {
  return read_messages(
      tx.exec_prepared("messages_for_ticket", ticket_id, page.after_id, static_cast<long long>(page.limit)));
}

std::vector<message_row> timeline(pqxx::transaction_base& tx, const std::string& customer_id, const page_request& page) {
  return read_messages(
      tx.exec_prepared("messages_timeline", customer_id, page.after_id, static_cast<long long>(page.limit)));
}

std::vector<message_row> find_many(pqxx::transaction_base& tx, const std::vector<std::string>& ids) {
  if (ids.empty()) return {};
  return read_messages(tx.exec_prepared("messages_find_many", sql::uuid_array(ids)));
}

std::optional<message_row> find(pqxx::transaction_base& tx, const std::string& id) {
  auto rows = find_many(tx, {id});
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

std::optional<attachment_row> attachment(pqxx::transaction_base& tx, const std::string& id) {
  auto r = tx.exec_prepared("attachment_find", id);
  if (r.empty()) return std::nullopt;
  attachment_row a;
  a.id = r[0][0].as<std::string>();
  a.message_id = r[0][1].as<std::string>();
  a.brand_id = r[0][2].as<std::string>();
  a.filename = r[0][3].as<std::string>();
  a.content_type = r[0][4].as<std::string>();
  a.content_id = r[0][5].as<std::string>();
  a.is_inline = r[0][6].as<bool>();
  a.size = r[0][7].as<long long>();
  a.sha256 = r[0][8].as<std::string>();
  a.content = pqxx::binarystring(r[0][9]).str();
  return a;
}

}  // namespace messages

namespace inbound_keys {

std::optional<stored> claim(pqxx::transaction_base& tx, const std::string& scope, const std::string& key,
                            const std::string& request_sha256, std::optional<long long> ttl_seconds) {
  const char* ttl = nullptr;
  std::string ttl_text;
  if (ttl_seconds) {
    ttl_text = std::to_string(*ttl_seconds);
    ttl = ttl_text.c_str();
  }
  if (tx.exec_prepared("inbound_key_claim", scope, key, request_sha256, ttl).affected_rows() == 1) return std::nullopt;
  auto r = tx.exec_prepared("inbound_key_read", scope, key);
  if (r.empty()) throw pqxx::serialization_failure("an inbound key expired while it was claimed");
  stored s;
  s.request_sha256 = r[0][0].as<std::string>();
  if (!r[0][1].is_null()) s.response = r[0][1].as<std::string>();
  return s;
}

void complete(pqxx::transaction_base& tx, const std::string& scope, const std::string& key,
              const std::string& response_json) {
  tx.exec_prepared("inbound_key_complete", scope, key, response_json);
}

void finish(pqxx::transaction_base& tx, const std::string& ticket_id, const std::string& brand_id,
            const std::string& events_json, const std::string& response_json, const key_ref& event_key,
            const std::optional<key_ref>& idempotency_key) {
  tx.exec_prepared("ingest_finish", ticket_id, brand_id, events_json, response_json, event_key.scope, event_key.key,
                   idempotency_key ? idempotency_key->scope.c_str() : nullptr,
                   idempotency_key ? idempotency_key->key.c_str() : nullptr);
}

long long prune_expired(pqxx::transaction_base& tx) {
  return static_cast<long long>(tx.exec_prepared("inbound_key_prune").affected_rows());
}

}  // namespace inbound_keys

namespace brands {

std::vector<std::string> phone_regions(pqxx::transaction_base& tx, const brand_scope& scope) {
  std::vector<std::string> out;
  for (const auto& r : tx.exec_prepared("brand_phone_regions", scope.all, sql::uuid_array(scope.ids)))
    out.push_back(r[0].as<std::string>());
  return out;
}

std::optional<brand> find_by_slug(pqxx::transaction_base& tx, const std::string& slug) {
  auto r = tx.exec_prepared("brand_id_by_slug", slug);
  if (r.empty()) return std::nullopt;
  return find(tx, r[0][0].as<std::string>());
}

std::optional<brand> find_by_inbound_address(pqxx::transaction_base& tx, const std::vector<std::string>& addresses) {
  if (addresses.empty()) return std::nullopt;
  auto r = tx.exec_prepared("brand_id_by_address", sql::text_array(addresses));
  if (r.empty()) return std::nullopt;
  return find(tx, r[0][0].as<std::string>());
}

}  // namespace brands
}  // namespace helpdesk::store
