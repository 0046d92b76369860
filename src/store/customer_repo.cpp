#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <algorithm>

#include "helpdesk/store/support_repos.hpp"
#include "sql_util.hpp"

namespace helpdesk::store {
namespace {

#define CUSTOMER_COLUMNS                                                                                  \
  "c.id, c.brand_id, c.name, c.merged_into, " HELPDESK_SQL_MICROS("c.created_at") ", " HELPDESK_SQL_MICROS( \
      "c.updated_at") ", " HELPDESK_SQL_MICROS("c.last_contact_at") ", "                                  \
                      "coalesce((SELECT json_agg(json_build_array(i.kind, i.value) ORDER BY i.created_at, "  \
                      "i.kind, i.value) FROM customer_identities i WHERE i.customer_id = c.id), '[]')::text, " \
                      "array_to_json(c.flags)::text"

customer_row read_customer(const pqxx::row& r) {
  customer_row c;
  c.id = r[0].as<std::string>();
  c.brand_id = r[1].as<std::string>();
  c.name = r[2].as<std::string>();
  if (!r[3].is_null()) c.merged_into = r[3].as<std::string>();
  c.created_at = sql::micros(r[4]);
  c.updated_at = sql::micros(r[5]);
  c.last_contact_at = sql::optional_micros(r[6]);
  for (const auto& pair : nlohmann::json::parse(r[7].c_str())) {
    auto kind = parse_identity_kind(pair[0].get<std::string>());
    if (kind) c.identities.push_back({*kind, pair[1].get<std::string>()});
  }
  c.flags = sql::parse_text_array(r[8]);
  return c;
}

}  // namespace

std::vector<prepared_statement> customer_statements() {
  return {
      {"identity_owners",
       "SELECT i.kind, i.value, i.customer_id FROM customer_identities i "
       "WHERE i.brand_id = $1 AND i.value = ANY($2::text[])"},
      {"customer_create",
       "WITH c AS (INSERT INTO customers (id, brand_id, name, last_contact_at) VALUES ($1, $2, $3, " HELPDESK_SQL_AT("$4")
       ") RETURNING id) INSERT INTO customer_identities (brand_id, kind, value, customer_id) "
       "SELECT $2, q.kind, q.value, c.id FROM c, unnest($5::text[], $6::text[]) AS q(kind, value) "
       "ON CONFLICT DO NOTHING"},
      {"identity_attach",
       "INSERT INTO customer_identities (brand_id, kind, value, customer_id) VALUES ($1, $2, $3, $4) "
       "ON CONFLICT DO NOTHING"},
      {"merge_suggest",
       "INSERT INTO customer_merge_suggestions (brand_id, customer_id, other_customer_id, reason) "
       "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING"},
      {"customer_touch",
       "UPDATE customers SET last_contact_at = greatest(last_contact_at, " HELPDESK_SQL_AT("$2") "), "
       "name = CASE WHEN name = '' THEN $3 ELSE name END, updated_at = now() WHERE id = $1 AND merged_into IS NULL"},
      {"customer_find", "SELECT " CUSTOMER_COLUMNS " FROM customers c WHERE c.id = $1"},
      // The customer's open tickets go back to the SLA worker: a flag can
      // change which policy applies.
      {"customer_set_flags",
       "WITH u AS (UPDATE customers SET flags = $2::text[], updated_at = now() WHERE id = $1 AND merged_into IS NULL "
       "AND flags IS DISTINCT FROM $2::text[] RETURNING id) INSERT INTO sla_recheck (ticket_id) SELECT t.id FROM "
       "tickets t JOIN u ON t.customer_id = u.id WHERE t.status NOT IN ('solved', 'closed') ON CONFLICT DO NOTHING"},
      {"customer_search",
       "SELECT " CUSTOMER_COLUMNS " FROM customers c WHERE c.merged_into IS NULL "
       "AND ($1::boolean OR c.brand_id = ANY($2::uuid[])) AND ($5::text = '' OR c.id > nullif($5, '')::uuid) "
       "AND ($3::text = '' OR lower(c.name) LIKE '%' || $3 || '%' ESCAPE '\\' OR c.id IN (SELECT i.customer_id "
       "FROM customer_identities i WHERE ($1::boolean OR i.brand_id = ANY($2::uuid[])) "
       "AND (i.value LIKE $3 || '%' ESCAPE '\\' OR i.value = ANY($4::text[])))) "
       "ORDER BY c.id LIMIT $6"},
      {"customer_channels",
       "SELECT channel, count(*), " HELPDESK_SQL_MICROS("max(occurred_at)") " FROM messages "
       "WHERE customer_id = $1 AND direction <> 'internal' GROUP BY channel ORDER BY channel"},
      {"customer_suggestions",
       "SELECT o.id, o.name, s.reason, " HELPDESK_SQL_MICROS("s.created_at") " FROM customer_merge_suggestions s "
       "JOIN customers o ON o.id = CASE WHEN s.customer_id = $1 THEN s.other_customer_id ELSE s.customer_id END "
       "WHERE (s.customer_id = $1 OR s.other_customer_id = $1) AND o.merged_into IS NULL ORDER BY s.created_at"},
      {"merge_lock", "SELECT id FROM customers WHERE id IN ($1, $2) ORDER BY id FOR UPDATE"},
      {"merge_identities", "UPDATE customer_identities SET customer_id = $1 WHERE customer_id = $2"},
      {"merge_tickets", "UPDATE tickets SET customer_id = $1, updated_at = now(), version = version + 1 "
                        "WHERE customer_id = $2"},
      {"merge_messages", "UPDATE messages SET customer_id = $1 WHERE customer_id = $2"},
      {"merge_drop_suggestions",
       "DELETE FROM customer_merge_suggestions WHERE customer_id IN ($1, $2) AND other_customer_id IN ($1, $2)"},
      {"merge_move_suggestions",
       "UPDATE customer_merge_suggestions s SET customer_id = $1 WHERE customer_id = $2 AND NOT EXISTS "
       "(SELECT 1 FROM customer_merge_suggestions x WHERE x.customer_id = $1 AND x.other_customer_id = s.other_customer_id)"},
      {"merge_move_other_suggestions",
       "UPDATE customer_merge_suggestions s SET other_customer_id = $1 WHERE other_customer_id = $2 "
       "AND customer_id <> $1 AND NOT EXISTS (SELECT 1 FROM customer_merge_suggestions x "
       "WHERE x.customer_id = s.customer_id AND x.other_customer_id = $1)"},
      {"merge_mark",
       "UPDATE customers SET merged_into = $1, updated_at = now() WHERE id = $2 RETURNING brand_id"},
      {"merge_survivor",
       "UPDATE customers s SET last_contact_at = greatest(s.last_contact_at, m.last_contact_at), "
       "name = CASE WHEN s.name = '' THEN m.name ELSE s.name END, updated_at = now() "
       "FROM customers m WHERE s.id = $1 AND m.id = $2"},
      {"merge_audit",
       "INSERT INTO customer_merges (brand_id, survivor_id, merged_id, actor, details) VALUES ($1, $2, $3, $4, $5)"},
  };
}

namespace customers {

std::vector<identity_owner> owners(pqxx::transaction_base& tx, const std::string& brand_id,
                                   const std::vector<identity>& ids) {
  std::vector<identity_owner> out;
  if (ids.empty()) return out;
  std::vector<std::string> values;
  for (const auto& i : ids) values.push_back(i.value);
  for (const auto& r : tx.exec_prepared("identity_owners", brand_id, sql::text_array(values))) {
    auto kind = parse_identity_kind(r[0].as<std::string>());
    if (!kind) continue;
    identity found{*kind, r[1].as<std::string>()};
    // The same text may be another kind of identity (a handle that looks like a number).
    if (std::find(ids.begin(), ids.end(), found) != ids.end()) out.push_back({found, r[2].as<std::string>()});
  }
  return out;
}

bool create(pqxx::transaction_base& tx, const std::string& id, const std::string& brand_id, const std::string& name,
            const std::vector<identity>& ids, timestamp contact_at) {
  std::vector<std::string> kinds, values;
  for (const auto& i : ids) {
    kinds.emplace_back(to_string(i.kind));
    values.push_back(i.value);
  }
  auto r = tx.exec_prepared("customer_create", id, brand_id, name, to_unix_micros(contact_at), sql::text_array(kinds),
                            sql::text_array(values));
  return r.affected_rows() == ids.size();
}

bool attach_identity(pqxx::transaction_base& tx, const std::string& brand_id, const std::string& customer_id,
                     const identity& id) {
  return tx.exec_prepared("identity_attach", brand_id, std::string(to_string(id.kind)), id.value, customer_id)
             .affected_rows() == 1;
}

void suggest_merge(pqxx::transaction_base& tx, const std::string& brand_id, const std::string& customer_id,
                   const std::string& other_id, const std::string& reason) {
  tx.exec_prepared("merge_suggest", brand_id, customer_id, other_id, reason);
}

void touch(pqxx::transaction_base& tx, const std::string& id, timestamp at, const std::string& name) {
  // Zero rows: a merge committed after we resolved the customer; run again
  // and land on the survivor, which now owns the identities.
  if (tx.exec_prepared("customer_touch", id, to_unix_micros(at), name).affected_rows() == 0)
    retry_transaction("the customer was merged meanwhile");
}

void lock_pair(pqxx::transaction_base& tx, const std::string& a, const std::string& b) {
  tx.exec_prepared("merge_lock", a, b);
}

void set_flags(pqxx::transaction_base& tx, const std::string& id, const std::vector<std::string>& flags) {
  tx.exec_prepared("customer_set_flags", id, sql::text_array(flags));
}

std::optional<customer_row> find(pqxx::transaction_base& tx, const std::string& id) {
  auto r = tx.exec_prepared("customer_find", id);
  if (r.empty()) return std::nullopt;
  return read_customer(r[0]);
}

std::vector<customer_row> search(pqxx::transaction_base& tx, const brand_scope& scope, const search_query& q,
                                 const page_request& page) {
  std::vector<customer_row> out;
  tx.exec("SET LOCAL plan_cache_mode = force_custom_plan");  // see tickets::list
  auto rows = tx.exec_prepared("customer_search", scope.all, sql::uuid_array(scope.ids), q.text,
                               sql::text_array(q.e164), page.after_id, static_cast<long long>(page.limit));
  for (const auto& r : rows) out.push_back(read_customer(r));
  return out;
}

std::vector<channel_summary> channel_summaries(pqxx::transaction_base& tx, const std::string& id) {
  std::vector<channel_summary> out;
  for (const auto& r : tx.exec_prepared("customer_channels", id))
    out.push_back({r[0].as<std::string>(), r[1].as<long long>(), sql::optional_micros(r[2])});
  return out;
}

std::vector<suggestion> merge_suggestions(pqxx::transaction_base& tx, const std::string& id) {
  std::vector<suggestion> out;
  for (const auto& r : tx.exec_prepared("customer_suggestions", id))
    out.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(), sql::micros(r[3])});
  return out;
}

merge_counts merge(pqxx::transaction_base& tx, const std::string& survivor, const std::string& merged,
                   const std::string& actor) {
  merge_counts n;
  n.identities = static_cast<long long>(tx.exec_prepared("merge_identities", survivor, merged).affected_rows());
  n.tickets = static_cast<long long>(tx.exec_prepared("merge_tickets", survivor, merged).affected_rows());
  n.messages = static_cast<long long>(tx.exec_prepared("merge_messages", survivor, merged).affected_rows());
  tx.exec_prepared("merge_drop_suggestions", survivor, merged);
  tx.exec_prepared("merge_move_suggestions", survivor, merged);
  tx.exec_prepared("merge_move_other_suggestions", survivor, merged);
  tx.exec_prepared("merge_survivor", survivor, merged);
  auto brand_id = tx.exec_prepared1("merge_mark", survivor, merged)[0].as<std::string>();
  nlohmann::json details = {{"identities", n.identities}, {"tickets", n.tickets}, {"messages", n.messages}};
  tx.exec_prepared("merge_audit", brand_id, survivor, merged, actor, details.dump());
  return n;
}

}  // namespace customers
}  // namespace helpdesk::store
