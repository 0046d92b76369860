#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "helpdesk/store/repositories.hpp"
#include "sql_util.hpp"

namespace helpdesk::store {
namespace {

#define BRAND_COLUMNS                                                                     \
  "b.id, b.name, b.slug, b.ticket_prefix, b.default_language, b.default_phone_region, "   \
  "b.time_zone, coalesce((SELECT json_agg(a.address ORDER BY a.position) FROM "           \
  "brand_inbound_addresses a WHERE a.brand_id = b.id), '[]')::text, " HELPDESK_SQL_MICROS( \
      "b.created_at") ", " HELPDESK_SQL_MICROS("b.updated_at")

brand read_brand(const pqxx::row& r) {
  brand b;
  b.id = r[0].as<std::string>();
  b.name = r[1].as<std::string>();
  b.slug = r[2].as<std::string>();
  b.ticket_prefix = r[3].as<std::string>();
  b.default_language = r[4].as<std::string>();
  b.default_phone_region = r[5].as<std::string>();
  b.time_zone = r[6].as<std::string>();
  b.inbound_addresses = sql::parse_text_array(r[7]);
  b.created_at = sql::micros(r[8]);
  b.updated_at = sql::micros(r[9]);
  return b;
}

void replace_addresses(pqxx::transaction_base& tx, const std::string& id,
                       const std::vector<std::string>& list) {
  tx.exec_prepared("brand_addresses_clear", id);
  try {
    tx.exec_prepared("brand_addresses_insert", id, nlohmann::json(list).dump());
  } catch (const pqxx::unique_violation&) {
    throw error::validation({{"/inbound_addresses", "an address already belongs to another brand"}});
  }
}

[[noreturn]] void rethrow_brand_conflict(const pqxx::unique_violation& ex) {
  if (std::string(ex.what()).find("brands_slug_key") != std::string::npos)
    throw error::validation({{"/slug", "is already used by another brand"}});
  throw;
}

}  // namespace

std::vector<prepared_statement> brand_statements() {
  return {
      {"brand_insert",
       "INSERT INTO brands (name, slug, ticket_prefix, default_language, default_phone_region, time_zone) "
       "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"},
      {"brand_find", "SELECT " BRAND_COLUMNS " FROM brands b WHERE b.id = $1"},
      {"brand_list",
       "SELECT " BRAND_COLUMNS " FROM brands b WHERE ($1::boolean OR b.id = ANY($2::uuid[])) "
       "AND ($3::text = '' OR b.id > nullif($3, '')::uuid) ORDER BY b.id LIMIT $4"},
      {"brand_update",
       "UPDATE brands SET name = coalesce($2, name), slug = coalesce($3, slug), "
       "ticket_prefix = coalesce($4, ticket_prefix), default_language = coalesce($5, default_language), "
       "default_phone_region = coalesce($6, default_phone_region), time_zone = coalesce($7, time_zone), "
       "updated_at = now() WHERE id = $1 RETURNING id"},
      {"brand_addresses_clear", "DELETE FROM brand_inbound_addresses WHERE brand_id = $1"},
      {"brand_addresses_insert",
       "INSERT INTO brand_inbound_addresses (address, brand_id, position) "
       "SELECT lower(x), $1, ord FROM jsonb_array_elements_text($2::jsonb) WITH ORDINALITY AS t(x, ord)"},
      {"brand_existing_ids", "SELECT id FROM brands WHERE id = ANY($1::uuid[])"},
  };
}

namespace brands {

brand insert(pqxx::transaction_base& tx, const brand_fields& f) {
  std::string id;
  try {
    id = tx.exec_prepared1("brand_insert", *f.name, *f.slug, *f.ticket_prefix, *f.default_language,
                           *f.default_phone_region, *f.time_zone)[0]
             .as<std::string>();
  } catch (const pqxx::unique_violation& ex) {
    rethrow_brand_conflict(ex);
  }
  if (f.inbound_addresses) replace_addresses(tx, id, *f.inbound_addresses);
  return *find(tx, id);
}

std::optional<brand> find(pqxx::transaction_base& tx, const std::string& id) {
  auto r = tx.exec_prepared("brand_find", id);
  if (r.empty()) return std::nullopt;
  return read_brand(r[0]);
}

std::vector<brand> list(pqxx::transaction_base& tx, const brand_scope& scope, const page_request& page) {
  auto r = tx.exec_prepared("brand_list", scope.all, sql::uuid_array(scope.ids), page.after_id,
                            static_cast<long long>(page.limit));
  std::vector<brand> out;
  for (const auto& row : r) out.push_back(read_brand(row));
  return out;
}

brand update(pqxx::transaction_base& tx, const std::string& id, const brand_fields& f) {
  pqxx::result r;
  try {
    r = tx.exec_prepared("brand_update", id, sql::nullable(f.name), sql::nullable(f.slug),
                         sql::nullable(f.ticket_prefix), sql::nullable(f.default_language),
                         sql::nullable(f.default_phone_region), sql::nullable(f.time_zone));
  } catch (const pqxx::unique_violation& ex) {
    rethrow_brand_conflict(ex);
  }
  if (r.empty()) throw error::not_found("brand");
  if (f.inbound_addresses) replace_addresses(tx, id, *f.inbound_addresses);
  return *find(tx, id);
}

std::vector<std::string> existing_ids(pqxx::transaction_base& tx, const std::vector<std::string>& ids) {
  std::vector<std::string> out;
  for (const auto& row : tx.exec_prepared("brand_existing_ids", sql::uuid_array(ids)))
    out.push_back(row[0].as<std::string>());
  return out;
}

}  // namespace brands
}  // namespace helpdesk::store
