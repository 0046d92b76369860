// The settings reports run under: they hold for the report's transaction
// only, and the report timeout is the one PostgreSQL enforces.
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "helpdesk/store/report_repos.hpp"
#include "helpdesk/store/repositories.hpp"
#include "support/test_database.hpp"

using namespace helpdesk;
using namespace helpdesk::testing;

namespace {

std::string show(pqxx::transaction_base& tx, const std::string& name) {
  return tx.exec1("SHOW " + name)[0].as<std::string>();
}

}  // namespace

TEST(ReportSettings, HoldForTheReportTransactionOnly) {
  test_database db;
  pqxx::connection c(db.url());
  std::string timeout_before;
  {
    pqxx::nontransaction tx(c);
    timeout_before = show(tx, "statement_timeout");
  }
  {
    pqxx::work tx(c);
    store::reports::analytic_settings(tx, std::chrono::milliseconds(123456));
    EXPECT_EQ(show(tx, "statement_timeout"), "123456ms");
    EXPECT_EQ(show(tx, "jit"), "off");
    EXPECT_EQ(show(tx, "enable_seqscan"), "off");
    EXPECT_EQ(show(tx, "work_mem"), "64MB");
    EXPECT_EQ(show(tx, "plan_cache_mode"), "force_custom_plan");
    tx.commit();
  }
  pqxx::nontransaction after(c);
  EXPECT_EQ(show(after, "statement_timeout"), timeout_before);
  EXPECT_EQ(show(after, "enable_seqscan"), "on");
  EXPECT_NE(show(after, "work_mem"), "64MB");
  EXPECT_EQ(show(after, "plan_cache_mode"), "auto");
}

TEST(ReportSettings, TheReportTimeoutCancelsALongStatement) {
  test_database db;
  pqxx::connection c(db.url());
  pqxx::work tx(c);
  store::reports::analytic_settings(tx, std::chrono::milliseconds(20));
  try {
    tx.exec("SELECT pg_sleep(2)");
    FAIL() << "the statement outlived the report timeout";
  } catch (const pqxx::sql_error& e) {
    EXPECT_NE(std::string(e.what()).find("statement timeout"), std::string::npos) << e.what();
  }
}

// The contact-reasons report prices the rows parallel workers ship lower
// (see price_few_groups), for its own transaction only; the agents report,
// whose parts run side by side as branches, keeps the default.
TEST(ReportSettings, OnlyTheTagsReportAllowsParallelAggregatesAndForItsTransactionOnly) {
  test_database db;
  const auto b = db.add_brand("settings");
  pqxx::connection c(db.url());
  for (const auto& s : store::all_statements()) c.prepare(s.name, s.sql);
  std::string before;
  {
    pqxx::nontransaction tx(c);
    before = show(tx, "parallel_tuple_cost");
  }
  ASSERT_NE(before, "0.01");
  store::reports::query q;
  q.brand_ids = {b.id};
  q.from = from_unix_micros(1761955200000000);
  q.to = from_unix_micros(1764547200000000);
  q.group_by = "brand";
  for (const std::string report : {"agents", "tags"}) {
    {
      pqxx::work tx(c);
      store::reports::analytic_settings(tx, std::chrono::seconds(30));
      const auto rows = report == "agents" ? store::reports::agents(tx, q)
                                           : store::reports::tag_counts(tx, q, from_unix_micros(1759276800000000));
      EXPECT_TRUE(rows.empty()) << report;
      EXPECT_EQ(show(tx, "parallel_tuple_cost"), report == "tags" ? "0.01" : before) << report;
      tx.commit();
    }
    pqxx::nontransaction after(c);
    EXPECT_EQ(show(after, "parallel_tuple_cost"), before) << report;
  }
}
