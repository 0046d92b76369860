#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "helpdesk/domain/error.hpp"
#include "helpdesk/store/routing_repos.hpp"
#include "sql_util.hpp"

namespace helpdesk::store {
namespace {

using nlohmann::json;

#define QUEUE_COLUMNS                                                                                    \
  "q.id, q.brand_id, q.name, q.position, q.is_default, q.mode, q.conditions::text, "                   \
  "array_to_json(q.required_skills)::text, array_to_json(q.optional_skills)::text, q.min_language_level, " \
  "q.overflow::text"

std::vector<std::string> strings(const json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_array()) return {};
  return j[key].get<std::vector<std::string>>();
}

routing::queue_def read_queue(const pqxx::row& r) {
  routing::queue_def q;
  q.id = r[0].as<std::string>();
  q.brand_id = r[1].as<std::string>();
  q.name = r[2].as<std::string>();
  q.position = r[3].as<int>();
  q.is_default = r[4].as<bool>();
  q.mode = routing::parse_queue_mode(r[5].as<std::string>()).value_or(routing::queue_mode::push);
  const auto c = json::parse(r[6].c_str());
  if (c.contains("channel")) q.conditions.channel = routing::parse_work_channel(c["channel"].get<std::string>());
  q.conditions.languages = strings(c, "language");
  q.conditions.tags = strings(c, "tags");
  if (c.contains("source")) q.conditions.source = c["source"].get<std::string>();
  if (c.contains("callback_required")) q.conditions.callback_required = c["callback_required"].get<bool>();
  q.required_skills = sql::parse_text_array(r[7]);
  q.optional_skills = sql::parse_text_array(r[8]);
  q.min_language_level =
      routing::parse_language_level(r[9].as<std::string>()).value_or(routing::language_level::basic);
  for (const auto& s : json::parse(r[10].c_str())) {
    routing::overflow_step step;
    step.after_seconds = s.value("after_seconds", 0LL);
    step.fallback_languages = strings(s, "fallback_languages");
    step.allow_backup_agents = s.value("allow_backup_agents", false);
    step.drop_optional_skills = s.value("drop_optional_skills", false);
    q.overflow.push_back(std::move(step));
  }
  return q;
}

std::string conditions_json(const routing::queue_conditions& c) {
  json out = json::object();
  if (c.channel) out["channel"] = std::string(routing::to_string(*c.channel));
  if (!c.languages.empty()) out["language"] = c.languages;
  if (!c.tags.empty()) out["tags"] = c.tags;
  if (c.source) out["source"] = *c.source;
  if (c.callback_required) out["callback_required"] = *c.callback_required;
  return out.dump();
}

std::string overflow_json(const std::vector<routing::overflow_step>& steps) {
  json out = json::array();
  for (const auto& s : steps)
    out.push_back({{"after_seconds", s.after_seconds},
                   {"fallback_languages", s.fallback_languages},
                   {"allow_backup_agents", s.allow_backup_agents},
                   {"drop_optional_skills", s.drop_optional_skills}});
  return out.dump();
}

std::vector<routing::queue_def> read_queues(const pqxx::result& r) {
  std::vector<routing::queue_def> out;
  for (const auto& row : r) out.push_back(read_queue(row));
  return out;
}

}  // namespace

std::vector<prepared_statement> queue_statements() {
  return {
      {"queue_for_brand", "SELECT " QUEUE_COLUMNS " FROM queues q WHERE q.brand_id = $1 ORDER BY q.position, q.id"},
      {"queue_for_brands",
       "SELECT " QUEUE_COLUMNS " FROM queues q WHERE q.brand_id = ANY($1::uuid[]) ORDER BY q.brand_id, q.position, q.id"},
      {"queue_find", "SELECT " QUEUE_COLUMNS " FROM queues q WHERE q.id = $1"},
      {"queue_list",
       "SELECT " QUEUE_COLUMNS " FROM queues q WHERE ($1::boolean OR q.brand_id = ANY($2::uuid[])) "
       "AND ($3::uuid IS NULL OR q.brand_id = $3) AND ($4::text = '' OR q.id > nullif($4, '')::uuid) "
       "ORDER BY q.id LIMIT $5"},
      {"queue_insert",
       "INSERT INTO queues (brand_id, name, position, mode, conditions, required_skills, optional_skills, "
       "min_language_level, overflow) VALUES ($1, $2, $3, $4, $5::jsonb, $6::text[], $7::text[], $8, $9::jsonb) "
       "RETURNING id"},
      {"queue_update",
       "UPDATE queues SET name = $2, position = $3, mode = $4, conditions = $5::jsonb, required_skills = $6::text[], "
       "optional_skills = $7::text[], min_language_level = $8, overflow = $9::jsonb, updated_at = now() "
       "WHERE id = $1 RETURNING id"},
      {"queue_requeue_tickets",
       "UPDATE tickets SET queue_id = NULL WHERE queue_id = $1 AND assignee_id IS NULL AND status IN ('new', 'open')"},
      {"queue_delete", "DELETE FROM queues WHERE id = $1 AND NOT is_default"},
  };
}

namespace queues {

std::vector<routing::queue_def> for_brand(pqxx::transaction_base& tx, const std::string& brand_id) {
  return read_queues(tx.exec_prepared("queue_for_brand", brand_id));
}

std::vector<routing::queue_def> for_brands(pqxx::transaction_base& tx, const std::vector<std::string>& brand_ids) {
  return read_queues(tx.exec_prepared("queue_for_brands", sql::uuid_array(brand_ids)));
}

std::vector<routing::queue_def> list(pqxx::transaction_base& tx, const brand_scope& scope,
                                     const std::optional<std::string>& brand_id, const page_request& page) {
  return read_queues(tx.exec_prepared("queue_list", scope.all, sql::uuid_array(scope.ids), sql::nullable(brand_id),
                                      page.after_id, static_cast<long long>(page.limit)));
}

std::optional<routing::queue_def> find(pqxx::transaction_base& tx, const std::string& id) {
  auto r = tx.exec_prepared("queue_find", id);
  if (r.empty()) return std::nullopt;
  return read_queue(r[0]);
}

routing::queue_def insert(pqxx::transaction_base& tx, const routing::queue_def& q) {
  auto id = tx.exec_prepared1("queue_insert", q.brand_id, q.name, q.position, std::string(routing::to_string(q.mode)),
                              conditions_json(q.conditions), sql::text_array(q.required_skills),
                              sql::text_array(q.optional_skills),
                              std::string(routing::to_string(q.min_language_level)), overflow_json(q.overflow))[0]
                .as<std::string>();
  return *find(tx, id);
}

routing::queue_def update(pqxx::transaction_base& tx, const routing::queue_def& q) {
  auto r = tx.exec_prepared("queue_update", q.id, q.name, q.position, std::string(routing::to_string(q.mode)),
                            conditions_json(q.conditions), sql::text_array(q.required_skills),
                            sql::text_array(q.optional_skills),
                            std::string(routing::to_string(q.min_language_level)), overflow_json(q.overflow));
  if (r.empty()) throw error::not_found("queue");
  // New conditions may send waiting tickets elsewhere.
  tx.exec_prepared("queue_requeue_tickets", q.id);
  return *find(tx, q.id);
}

void remove(pqxx::transaction_base& tx, const std::string& id) {
  tx.exec_prepared("queue_requeue_tickets", id);
  if (tx.exec_prepared("queue_delete", id).affected_rows() == 0)
    throw error(errc::conflict, "The brand's default queue cannot be deleted.");
}

}  // namespace queues
}  // namespace helpdesk::store
