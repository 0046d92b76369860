// The router's per-pass probe ("which brands have waiting tickets?") stays on
// its partial index, however the tickets lie in the table: a pass costs the
// same on a young and an old database.
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <set>

#include "helpdesk/store/repositories.hpp"
#include "support/test_database.hpp"

using namespace helpdesk;
using namespace helpdesk::testing;

TEST(RouterPlans, TheWaitingBrandsProbeStaysOnItsIndex) {
  test_database db;
  const auto old_shop = db.add_brand("old-shop");
  const auto new_shop = db.add_brand("new-shop");
  db.exec("INSERT INTO customers (id, brand_id, name) VALUES ('018f0000-0000-7000-8000-0000000000c1', '" + old_shop.id +
          "', 'A'), ('018f0000-0000-7000-8000-0000000000c2', '" + new_shop.id + "', 'B')");
  // A backlog of one brand fills the start of the table; the other brand's
  // only waiting ticket comes last. The planner spreads waiting tickets
  // evenly over brands, so a scan of the table looks cheap for both.
  db.exec("INSERT INTO tickets (id, brand_id, number, customer_id, subject, status, origin_channel) "
          "SELECT gen_random_uuid(), '" + old_shop.id + "', i, '018f0000-0000-7000-8000-0000000000c1', 'Old', "
          "'new', 'email' FROM generate_series(1, 30000) i");
  db.exec("INSERT INTO tickets (id, brand_id, number, customer_id, subject, status, origin_channel) VALUES "
          "(gen_random_uuid(), '" + new_shop.id + "', 1, '018f0000-0000-7000-8000-0000000000c2', 'New', 'new', 'email')");
  db.exec("ANALYZE tickets");

  pqxx::connection c(db.url());
  for (const auto& s : store::all_statements()) c.prepare(s.name, s.sql);
  pqxx::work tx(c);
  // libpqxx prepares on first use: run it before explaining it.
  const auto waiting = tx.exec_prepared("router_brands_waiting");
  std::set<std::string> brands;
  for (const auto& row : waiting) brands.insert(row[0].as<std::string>());
  EXPECT_EQ(brands, (std::set<std::string>{old_shop.id, new_shop.id}));
  std::string plan;
  for (const auto& row : tx.exec("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) EXECUTE router_brands_waiting"))
    plan += row[0].as<std::string>() + "\n";
  EXPECT_EQ(plan.find("Seq Scan on tickets"), std::string::npos) << plan;
  EXPECT_NE(plan.find("tickets_waiting"), std::string::npos) << plan;
}
