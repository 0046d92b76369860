// HELPDESK_SQL_AT: the instant of Unix microseconds, exact to the
// microsecond, and a constant for the planner.
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "../src/store/sql_util.hpp"
#include "support/test_database.hpp"

using namespace helpdesk::testing;

TEST(SqlAt, ExactToTheMicrosecondFromEpochTo2106) {
  test_database db;
  pqxx::connection c(db.url());
  pqxx::work tx(c);
  tx.exec("SET LOCAL TimeZone = 'UTC'");
  // Whole seconds, every microsecond around them, and a million random
  // instants, against the exact sum of microseconds.
  const auto wrong = tx.exec1(
      "WITH v AS (SELECT s * 1000000 + d AS us FROM generate_series(0, 4294967295, 4294967) s, "
      "generate_series(-999, 999) d WHERE s * 1000000 + d >= 0 "
      "UNION ALL SELECT (random() * 4294967295000000)::bigint FROM generate_series(1, 1000000)) "
      "SELECT count(*) FROM v WHERE " HELPDESK_SQL_AT("v.us") " <> timestamptz 'epoch' + v.us * interval '1 microsecond'");
  EXPECT_EQ(wrong[0].as<long long>(), 0);
  EXPECT_EQ(tx.exec1("SELECT " HELPDESK_SQL_AT("1796312508123456") "::text")[0].as<std::string>(),
            "2026-12-03 15:41:48.123456+00");
}

TEST(SqlAt, AParameterBecomesAConstantOfThePlan) {
  test_database db;
  pqxx::connection c(db.url());
  pqxx::work tx(c);
  tx.exec("SET LOCAL TimeZone = 'UTC'");
  tx.exec("PREPARE at_probe(bigint) AS SELECT 1 FROM tickets WHERE created_at >= " HELPDESK_SQL_AT("$1"));
  std::string plan;
  for (const auto& r : tx.exec("EXPLAIN (VERBOSE) EXECUTE at_probe(1796312508123456)")) plan += r[0].as<std::string>();
  EXPECT_NE(plan.find("'2026-12-03"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("to_timestamp"), std::string::npos) << plan;
}
