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
       "SELECT c.oid, am.amname = 'gin' FROM pg_class c JOIN pg_am am ON am.oid = c.relam "
       "WHERE c.relkind = 'i' AND am.amname IN ('gin', 'brin') "
       "AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) "
       "AND pg_has_role(c.relowner, 'USAGE') ORDER BY c.oid"},
      {"index_upkeep_gin", "SELECT gin_clean_pending_list($1::oid::regclass)"},
      {"index_upkeep_brin", "SELECT brin_summarize_new_values($1::oid::regclass)"},
  };
}

namespace index_upkeep {
namespace {

struct index_ref {
  long long oid;
  bool gin;
};

enum class step { done, taken, busy };

step upkeep_one(pqxx::connection_base& c, const index_ref& index, result& out) {
  try {
    pqxx::work tx(c);
    // A VACUUM of the table holds what these functions wait for, for minutes
    // on a large table: such an index waits for the next pass instead of
    // holding a database thread. The first summary of a long unsummarised
    // table may take longer than an OLTP statement.
    tx.exec(index.gin ? "SET LOCAL lock_timeout = '50ms'"
                      : "SET LOCAL lock_timeout = '50ms'; SET LOCAL statement_timeout = '60s'");
    if (!tx.exec_prepared1("index_upkeep_lock")[0].as<bool>()) return step::taken;
    const auto n = tx.exec_prepared1(index.gin ? "index_upkeep_gin" : "index_upkeep_brin", index.oid)[0].as<long long>();
    tx.commit();
    (index.gin ? out.gin_pages : out.brin_ranges) += n;
    return step::done;
  } catch (const pqxx::sql_error& ex) {
    // lock_not_available, query_canceled (the timeout), undefined_object (dropped meanwhile)
    if (ex.sqlstate() == "55P03" || ex.sqlstate() == "57014" || ex.sqlstate() == "42704") return step::busy;
    throw;
  }
}

}  // namespace

result run(pqxx::connection_base& c, bool summarize_brin) {
  std::vector<index_ref> indexes;
  {
    pqxx::read_transaction tx(c);
    for (const auto& row : tx.exec_prepared("index_upkeep_indexes"))
      if (row[1].as<bool>() || summarize_brin) indexes.push_back({row[0].as<long long>(), row[1].as<bool>()});
  }
  result out;
  for (const auto& index : indexes) {
    switch (upkeep_one(c, index, out)) {
      case step::done: out.ran = true; break;
      case step::busy: out.ran = true; ++out.busy; break;
      case step::taken: break;
    }
  }
  return out;
}

}  // namespace index_upkeep
}  // namespace helpdesk::store
