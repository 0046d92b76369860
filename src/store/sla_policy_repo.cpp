// Calendars and SLA policies, each edit kept as a numbered version.
#include <pqxx/pqxx>

#include "helpdesk/domain/error.hpp"
#include "helpdesk/store/db_pool.hpp"
#include "helpdesk/store/sla_codec.hpp"
#include "helpdesk/store/sla_repos.hpp"
#include "sql_util.hpp"

namespace helpdesk::store {
namespace {

using nlohmann::json;

#define CALENDAR_COLUMNS                                                                                      \
  "c.id, c.brand_id, c.name, c.time_zone, c.weekly::text, c.holidays::text, c.version, " HELPDESK_SQL_MICROS( \
      "c.created_at") ", " HELPDESK_SQL_MICROS("c.updated_at")

#define POLICY_COLUMNS                                                                                              \
  "p.id, p.brand_id, p.name, p.position, p.version, p.conditions::text, p.targets::text, array_to_json(p.pause_on)" \
  "::text, p.escalation::text"

calendar_row read_calendar(const pqxx::row& r) {
  calendar_row c;
  c.id = r[0].as<std::string>();
  c.brand_id = sql::optional_text(r[1]);
  c.name = r[2].as<std::string>();
  c.time_zone = r[3].as<std::string>();
  c.weekly = json::parse(r[4].c_str());
  c.holidays = json::parse(r[5].c_str());
  c.version = r[6].as<int>();
  c.created_at = sql::micros(r[7]);
  c.updated_at = sql::micros(r[8]);
  return c;
}

std::vector<calendar_row> read_calendars(const pqxx::result& r) {
  std::vector<calendar_row> out;
  for (const auto& row : r) out.push_back(read_calendar(row));
  return out;
}

// Stored policies were validated on the way in: decoding cannot fail.
sla::policy_def read_policy(const pqxx::row& r) {
  sla::policy_def p;
  p.id = r[0].as<std::string>();
  p.brand_id = r[1].as<std::string>();
  p.name = r[2].as<std::string>();
  p.position = r[3].as<int>();
  p.version = r[4].as<long long>();
  std::vector<field_error> ignored;
  sla_codec::decode_conditions(json::parse(r[5].c_str()), p, ignored);
  sla_codec::decode_targets(json::parse(r[6].c_str()), p, ignored);
  sla_codec::decode_pause_on(json::parse(r[7].c_str()), p, ignored);
  sla_codec::decode_escalation(json::parse(r[8].c_str()), p, ignored);
  return p;
}

std::vector<sla::policy_def> read_policies(const pqxx::result& r) {
  std::vector<sla::policy_def> out;
  for (const auto& row : r) out.push_back(read_policy(row));
  return out;
}

json calendar_definition_json(const calendar_row& c) {
  return {{"name", c.name}, {"time_zone", c.time_zone}, {"weekly", c.weekly}, {"holidays", c.holidays}};
}

json policy_definition_json(const sla::policy_def& p) {
  return {{"name", p.name},
          {"position", p.position},
          {"conditions", sla_codec::encode_conditions(p.conditions)},
          {"targets", sla_codec::encode_targets(p.targets)},
          {"pause_on", sla_codec::encode_pause_on(p.pause_on)},
          {"escalation", sla_codec::encode_escalation(p.escalation)}};
}

}  // namespace

std::vector<prepared_statement> sla_policy_statements() {
  return {
      {"calendar_list",
       "SELECT " CALENDAR_COLUMNS " FROM calendars c WHERE ($1::boolean OR c.brand_id IS NULL OR "
       "c.brand_id = ANY($2::uuid[])) AND ($3::text = '' OR c.id > nullif($3, '')::uuid) ORDER BY c.id LIMIT $4"},
      {"calendar_find", "SELECT " CALENDAR_COLUMNS " FROM calendars c WHERE c.id = $1"},
      {"calendar_find_many", "SELECT " CALENDAR_COLUMNS " FROM calendars c WHERE c.id = ANY($1::uuid[])"},
      {"calendar_insert",
       "WITH c AS (INSERT INTO calendars (brand_id, name, time_zone, weekly, holidays) VALUES ($1, $2, $3, $4::jsonb, "
       "$5::jsonb) RETURNING id) INSERT INTO calendar_versions (calendar_id, version, definition) "
       "SELECT id, 1, $6::jsonb FROM c RETURNING calendar_id"},
      {"calendar_update",
       "WITH c AS (UPDATE calendars SET name = $2, time_zone = $3, weekly = $4::jsonb, holidays = $5::jsonb, "
       "version = version + 1, updated_at = now() WHERE id = $1 RETURNING id, version) "
       "INSERT INTO calendar_versions (calendar_id, version, definition) SELECT id, version, $6::jsonb FROM c "
       "RETURNING calendar_id"},
      {"calendar_used_by",
       "SELECT p.name FROM sla_policies p WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(p.targets) t "
       "WHERE t->>'calendar_id' = $1::text) ORDER BY p.name"},
      {"calendar_delete", "DELETE FROM calendars WHERE id = $1"},
      {"calendar_version_definition",
       "SELECT definition->>'time_zone', (definition->'weekly')::text, (definition->'holidays')::text "
       "FROM calendar_versions WHERE calendar_id = $1 AND version = $2"},
      {"policy_list",
       "SELECT " POLICY_COLUMNS " FROM sla_policies p WHERE ($1::boolean OR p.brand_id = ANY($2::uuid[])) "
       "AND ($3::uuid IS NULL OR p.brand_id = $3) AND ($4::text = '' OR p.id > nullif($4, '')::uuid) "
       "ORDER BY p.id LIMIT $5"},
      {"policy_find", "SELECT " POLICY_COLUMNS " FROM sla_policies p WHERE p.id = $1"},
      {"policy_for_brands",
       "SELECT " POLICY_COLUMNS " FROM sla_policies p WHERE p.brand_id = ANY($1::uuid[]) ORDER BY p.position, p.id"},
      {"policy_insert",
       "WITH p AS (INSERT INTO sla_policies (brand_id, name, position, conditions, targets, pause_on, escalation) "
       "VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, ARRAY(SELECT jsonb_array_elements_text($6::jsonb)), $7::jsonb) "
       "RETURNING id) INSERT INTO sla_policy_versions (policy_id, version, definition) SELECT id, 1, $8::jsonb FROM p "
       "RETURNING policy_id"},
      {"policy_update",
       "WITH p AS (UPDATE sla_policies SET name = $2, position = $3, conditions = $4::jsonb, targets = $5::jsonb, "
       "pause_on = ARRAY(SELECT jsonb_array_elements_text($6::jsonb)), escalation = $7::jsonb, "
       "version = version + 1, updated_at = now() WHERE id = $1 RETURNING id, version) "
       "INSERT INTO sla_policy_versions (policy_id, version, definition) SELECT id, version, $8::jsonb FROM p "
       "RETURNING policy_id"},
      {"policy_delete", "DELETE FROM sla_policies WHERE id = $1"},
  };
}

namespace calendars {

std::vector<calendar_row> list(pqxx::transaction_base& tx, const brand_scope& scope, const page_request& page) {
  return read_calendars(tx.exec_prepared("calendar_list", scope.all, sql::uuid_array(scope.ids), page.after_id,
                                         static_cast<long long>(page.limit)));
}

std::optional<calendar_row> find(pqxx::transaction_base& tx, const std::string& id) {
  auto r = tx.exec_prepared("calendar_find", id);
  if (r.empty()) return std::nullopt;
  return read_calendar(r[0]);
}

std::vector<calendar_row> find_many(pqxx::transaction_base& tx, const std::vector<std::string>& ids) {
  if (ids.empty()) return {};
  return read_calendars(tx.exec_prepared("calendar_find_many", sql::uuid_array(ids)));
}

calendar_row insert(pqxx::transaction_base& tx, const calendar_row& c) {
  auto id = tx.exec_prepared1("calendar_insert", sql::nullable(c.brand_id), c.name, c.time_zone, c.weekly.dump(),
                              c.holidays.dump(), calendar_definition_json(c).dump())[0]
                .as<std::string>();
  return *find(tx, id);
}

calendar_row update(pqxx::transaction_base& tx, const calendar_row& c) {
  auto r = tx.exec_prepared("calendar_update", c.id, c.name, c.time_zone, c.weekly.dump(), c.holidays.dump(),
                            calendar_definition_json(c).dump());
  if (r.empty()) throw error::not_found("calendar");
  return *find(tx, c.id);
}

std::vector<std::string> used_by(pqxx::transaction_base& tx, const std::string& id) {
  std::vector<std::string> out;
  for (const auto& row : tx.exec_prepared("calendar_used_by", id)) out.push_back(row[0].as<std::string>());
  return out;
}

void remove(pqxx::transaction_base& tx, const std::string& id) { tx.exec_prepared("calendar_delete", id); }

std::optional<calendar_row> at_version(pqxx::transaction_base& tx, const std::string& id, int version) {
  auto r = tx.exec_prepared("calendar_version_definition", id, version);
  if (r.empty()) return std::nullopt;
  calendar_row c;
  c.id = id;
  c.version = version;
  c.time_zone = r[0][0].as<std::string>();
  c.weekly = json::parse(r[0][1].c_str());
  c.holidays = json::parse(r[0][2].c_str());
  return c;
}

}  // namespace calendars

namespace sla_policies {

std::vector<sla::policy_def> list(pqxx::transaction_base& tx, const brand_scope& scope,
                                  const std::optional<std::string>& brand_id, const page_request& page) {
  return read_policies(tx.exec_prepared("policy_list", scope.all, sql::uuid_array(scope.ids), sql::nullable(brand_id),
                                        page.after_id, static_cast<long long>(page.limit)));
}

std::optional<sla::policy_def> find(pqxx::transaction_base& tx, const std::string& id) {
  auto r = tx.exec_prepared("policy_find", id);
  if (r.empty()) return std::nullopt;
  return read_policy(r[0]);
}

std::vector<sla::policy_def> for_brands(pqxx::transaction_base& tx, const std::vector<std::string>& brand_ids) {
  if (brand_ids.empty()) return {};
  return read_policies(tx.exec_prepared("policy_for_brands", sql::uuid_array(brand_ids)));
}

sla::policy_def insert(pqxx::transaction_base& tx, const sla::policy_def& p) {
  const json def = policy_definition_json(p);
  auto id = tx.exec_prepared1("policy_insert", p.brand_id, p.name, p.position, def["conditions"].dump(),
                              def["targets"].dump(), def["pause_on"].dump(), def["escalation"].dump(), def.dump())[0]
                .as<std::string>();
  return *find(tx, id);
}

sla::policy_def update(pqxx::transaction_base& tx, const sla::policy_def& p) {
  const json def = policy_definition_json(p);
  auto r = tx.exec_prepared("policy_update", p.id, p.name, p.position, def["conditions"].dump(), def["targets"].dump(),
                            def["pause_on"].dump(), def["escalation"].dump(), def.dump());
  if (r.empty()) throw error::not_found("SLA policy");
  return *find(tx, p.id);
}

void remove(pqxx::transaction_base& tx, const std::string& id) { tx.exec_prepared("policy_delete", id); }

}  // namespace sla_policies
}  // namespace helpdesk::store
