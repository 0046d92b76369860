// The settings reports run under: they hold for the report's transaction
// only, and the report timeout is the one PostgreSQL enforces.
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "helpdesk/store/report_repos.hpp"
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
    tx.commit();
  }
  pqxx::nontransaction after(c);
  EXPECT_EQ(show(after, "statement_timeout"), timeout_before);
  EXPECT_EQ(show(after, "enable_seqscan"), "on");
  EXPECT_NE(show(after, "work_mem"), "64MB");
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
