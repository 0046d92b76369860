#include "helpdesk/store/index_upkeep.hpp"

#include <string>
#include <vector>

#include "helpdesk/store/db_pool.hpp"

namespace helpdesk::store {

std::vector<prepared_statement> index_upkeep_statements() {
  return {
      {"index_upkeep_lock", "SELECT pg_try_advisory_xact_lock(hashtext('helpdesk_index_upkeep'))"},
      // The ownership test mirrors the functions' own (membership counts).
      {"index_upkeep_indexes",
       "SELECT c.oid::regclass::text, am.amname FROM pg_class c JOIN pg_am am ON am.oid = c.relam "
       "WHERE c.relkind = 'i' AND am.amname IN ('gin', 'brin') AND c.relnamespace = current_schema()::regnamespace "
       "AND pg_has_role(c.relowner, 'USAGE') ORDER BY c.oid"},
      {"index_upkeep_gin", "SELECT gin_clean_pending_list($1::regclass)"},
      {"index_upkeep_brin", "SELECT brin_summarize_new_values($1::regclass)"},
  };
}

namespace index_upkeep {

result run(pqxx::dbtransaction& tx, bool summarize_brin) {
  result out;
  // A VACUUM of the table holds what these functions wait for, for minutes
  // on a large table: such an index waits for the next pass instead of
  // holding a database thread.
  tx.exec("SET LOCAL lock_timeout = '50ms'");
  if (!tx.exec_prepared1("index_upkeep_lock")[0].as<bool>()) return out;
  out.ran = true;
  for (const auto& row : tx.exec_prepared("index_upkeep_indexes")) {
    const auto name = row[0].as<std::string>();
    const bool gin = row[1].as<std::string>() == "gin";
    if (!gin && !summarize_brin) continue;
    try {
      pqxx::subtransaction sub(tx, "index_upkeep");
      const auto n = sub.exec_prepared1(gin ? "index_upkeep_gin" : "index_upkeep_brin", name)[0].as<long long>();
      sub.commit();
      (gin ? out.gin_pages : out.brin_ranges) += n;
    } catch (const pqxx::sql_error& ex) {
      if (ex.sqlstate() != "55P03") throw;  // lock_not_available
      ++out.busy;
    }
  }
  return out;
}

}  // namespace index_upkeep
}  // namespace helpdesk::store
