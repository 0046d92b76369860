#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "helpdesk/store/repositories.hpp"
#include "sql_util.hpp"

namespace helpdesk::store {
namespace {

#define AGENT_COLUMNS                                                                        \
  "a.id, a.name, a.email, a.role, a.active, coalesce((SELECT json_agg(json_build_array("    \
  "ab.brand_id, ab.membership) ORDER BY ab.brand_id) FROM agent_brands ab WHERE ab.agent_id " \
  "= a.id), '[]')::text, " HELPDESK_SQL_MICROS("a.created_at") ", " HELPDESK_SQL_MICROS(    \
      "a.updated_at") ", a.password_hash, a.languages::text, array_to_json(a.skills)::text, a.capacity::text, " \
  "a.presence, " HELPDESK_SQL_MICROS("a.presence_since")

agent read_agent(const pqxx::row& r) {
  agent a;
  a.id = r[0].as<std::string>();
  a.name = r[1].as<std::string>();
  a.email = r[2].as<std::string>();
  a.role_ = parse_role(r[3].as<std::string>()).value_or(role::agent);
  a.active = r[4].as<bool>();
  for (const auto& pair : nlohmann::json::parse(r[5].c_str()))
    a.brands.push_back({pair.at(0).get<std::string>(),
                        parse_brand_membership(pair.at(1).get<std::string>()).value_or(brand_membership::primary)});
  a.created_at = sql::micros(r[6]);
  a.updated_at = sql::micros(r[7]);
  for (const auto& l : nlohmann::json::parse(r[9].c_str()))
    a.languages.push_back({l.value("code", ""), routing::parse_language_level(l.value("level", ""))
                                                    .value_or(routing::language_level::fluent)});
  a.skills = sql::parse_text_array(r[10]);
  const auto capacity = nlohmann::json::parse(r[11].c_str());
  for (std::size_t c = 0; c < routing::work_channel_count; ++c)
    a.capacity[c] = capacity.value(std::string(routing::to_string(static_cast<routing::work_channel>(c))), 0);
  a.presence = routing::parse_presence(r[12].as<std::string>()).value_or(routing::presence::offline);
  a.presence_since = sql::micros(r[13]);
  return a;
}

std::string languages_json(const std::vector<routing::agent_language>& list) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& l : list) out.push_back({{"code", l.code}, {"level", std::string(routing::to_string(l.level))}});
  return out.dump();
}

std::string capacity_json(const routing::per_channel& capacity) {
  nlohmann::json out = nlohmann::json::object();
  for (std::size_t c = 0; c < routing::work_channel_count; ++c)
    if (capacity[c] >= 0) out[std::string(routing::to_string(static_cast<routing::work_channel>(c)))] = capacity[c];
  return out.dump();
}

void replace_brands(pqxx::transaction_base& tx, const std::string& id, const std::vector<agent_brand>& list) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& b : list)
    rows.push_back({{"brand_id", b.brand_id}, {"membership", std::string(to_string(b.membership))}});
  tx.exec_prepared("agent_brands_clear", id);
  tx.exec_prepared("agent_brands_insert", id, rows.dump());
}

[[noreturn]] void rethrow_agent_conflict(const pqxx::unique_violation&) {
  throw error::validation({{"/email", "is already used by another agent"}});
}

}  // namespace

std::vector<prepared_statement> agent_statements() {
  return {
      {"agent_insert",
       "INSERT INTO agents (name, email, role, password_hash, active) VALUES ($1, $2, $3, $4, $5) RETURNING id"},
      {"agent_find", "SELECT " AGENT_COLUMNS " FROM agents a WHERE a.id = $1"},
      {"agent_find_by_email", "SELECT " AGENT_COLUMNS " FROM agents a WHERE lower(a.email) = lower($1)"},
      {"agent_list",
       "SELECT " AGENT_COLUMNS " FROM agents a WHERE ($1::boolean OR EXISTS (SELECT 1 FROM agent_brands ab "
       "WHERE ab.agent_id = a.id AND ab.brand_id = ANY($2::uuid[]))) "
       "AND ($3::text = '' OR a.id > nullif($3, '')::uuid) ORDER BY a.id LIMIT $4"},
      {"agent_update",
       "UPDATE agents SET name = coalesce($2, name), email = coalesce($3, email), role = coalesce($4, role), "
       "active = coalesce($5::boolean, active), password_hash = coalesce($6, password_hash), "
       "languages = coalesce($7::jsonb, languages), skills = coalesce($8::text[], skills), "
       "capacity = capacity || coalesce($9::jsonb, '{}'), updated_at = now() WHERE id = $1 RETURNING id"},
      {"agent_brands_clear", "DELETE FROM agent_brands WHERE agent_id = $1"},
      {"agent_sessions_revoke", "UPDATE sessions SET revoked_at = now() WHERE agent_id = $1 AND revoked_at IS NULL"},
      {"agent_brands_insert",
       "INSERT INTO agent_brands (agent_id, brand_id, membership) "
       "SELECT $1, (e->>'brand_id')::uuid, e->>'membership' FROM jsonb_array_elements($2::jsonb) e"},
  };
}

namespace agents {

agent insert(pqxx::transaction_base& tx, const agent_fields& f, const std::string& password_hash) {
  std::string id;
  try {
    id = tx.exec_prepared1("agent_insert", *f.name, *f.email, std::string(to_string(*f.role_)),
                           password_hash, f.active.value_or(true))[0]
             .as<std::string>();
  } catch (const pqxx::unique_violation& ex) {
    rethrow_agent_conflict(ex);
  }
  if (f.brands) replace_brands(tx, id, *f.brands);
  if (f.languages || f.skills || f.capacity) {
    agent_fields routing_fields;
    routing_fields.languages = f.languages;
    routing_fields.skills = f.skills;
    routing_fields.capacity = f.capacity;
    return update(tx, id, routing_fields, std::nullopt);
  }
  return *find(tx, id);
}

std::optional<agent> find(pqxx::transaction_base& tx, const std::string& id) {
  auto r = tx.exec_prepared("agent_find", id);
  if (r.empty()) return std::nullopt;
  return read_agent(r[0]);
}

std::optional<credentials> find_by_email(pqxx::transaction_base& tx, const std::string& email) {
  auto r = tx.exec_prepared("agent_find_by_email", email);
  if (r.empty()) return std::nullopt;
  return credentials{read_agent(r[0]), r[0][8].as<std::string>()};
}

std::vector<agent> list(pqxx::transaction_base& tx, const brand_scope& scope, const page_request& page) {
  auto r = tx.exec_prepared("agent_list", scope.all, sql::uuid_array(scope.ids), page.after_id,
                            static_cast<long long>(page.limit));
  std::vector<agent> out;
  for (const auto& row : r) out.push_back(read_agent(row));
  return out;
}

agent update(pqxx::transaction_base& tx, const std::string& id, const agent_fields& f,
             const std::optional<std::string>& password_hash) {
  std::optional<std::string> role_text;
  if (f.role_) role_text = std::string(to_string(*f.role_));
  std::optional<std::string> active_text;
  if (f.active) active_text = *f.active ? "true" : "false";
  std::optional<std::string> languages, skills, capacity;
  if (f.languages) languages = languages_json(*f.languages);
  if (f.skills) skills = sql::text_array(*f.skills);
  if (f.capacity) capacity = capacity_json(*f.capacity);
  pqxx::result r;
  try {
    r = tx.exec_prepared("agent_update", id, sql::nullable(f.name), sql::nullable(f.email),
                         sql::nullable(role_text), sql::nullable(active_text), sql::nullable(password_hash),
                         sql::nullable(languages), sql::nullable(skills), sql::nullable(capacity));
  } catch (const pqxx::unique_violation& ex) {
    rethrow_agent_conflict(ex);
  }
  if (r.empty()) throw error::not_found("agent");
  if (f.brands) replace_brands(tx, id, *f.brands);
  // A new password or a deactivation ends every open session, on every node.
  if (password_hash || f.active == false) tx.exec_prepared("agent_sessions_revoke", id);
  return *find(tx, id);
}

}  // namespace agents
}  // namespace helpdesk::store
