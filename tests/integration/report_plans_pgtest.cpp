// The plans of the reports that read SLA clocks: they answer from the
// covering index of migration 0021 alone, so a month of clocks costs no
// visit to the table's pages (400,000 on the 1M-ticket seed).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <functional>
#include <string>

#include "helpdesk/store/db_pool.hpp"
#include "helpdesk/store/report_repos.hpp"
#include "helpdesk/store/repositories.hpp"
#include "support/test_database.hpp"

using namespace helpdesk;
using namespace helpdesk::testing;
using nlohmann::json;

namespace {

std::string statement_sql(const std::string& name) {
  for (const auto& s : store::all_statements())
    if (s.name == name) return s.sql;
  ADD_FAILURE() << "no statement " << name;
  return "";
}

// Every plan node, depth first.
void each_node(const json& node, const std::function<void(const json&)>& visit) {
  visit(node);
  if (node.contains("Plans"))
    for (const auto& child : node["Plans"]) each_node(child, visit);
}

class clock_report_plans : public ::testing::Test {
 protected:
  void SetUp() override {
    b = db.add_brand("plans");
    // 6,000 tickets over 2026, a ticket every 90 minutes, each with a
    // decided first response and a running resolution clock: a month is a
    // twelfth of the clocks, as in a year of history.
    // Committed durably: the test cluster commits asynchronously, and VACUUM
    // marks no page all-visible (which index-only scans need) while the
    // commit of its rows is not flushed yet.
    pqxx::connection c(db.url());
    {
      pqxx::work tx(c);
      tx.exec("SET LOCAL synchronous_commit = on");
      tx.exec("INSERT INTO customers (id, brand_id, name) VALUES ('018f0000-0000-7000-8000-0000000000c1', '" + b.id +
              "', '')");
      tx.exec("INSERT INTO tickets (id, brand_id, number, customer_id, origin_channel, created_at) "
              "SELECT gen_random_uuid(), '" + b.id + "', n, '018f0000-0000-7000-8000-0000000000c1', 'email', "
              "timestamptz '2026-01-01 00:00Z' + n * interval '90 minutes' FROM generate_series(1, 6000) n");
      tx.exec("INSERT INTO sla_clock_facts (ticket_id, target, cycle, brand_id, channel, started_at, "
              "started_recorded_at, met_at, met_recorded_at, met_elapsed) "
              "SELECT id, 'first_response', 0, brand_id, 'email', created_at, created_at, "
              "created_at + interval '1 hour', created_at + interval '1 hour', 3600 FROM tickets UNION ALL "
              "SELECT id, 'resolution', 0, brand_id, 'email', created_at, created_at, NULL, NULL, NULL FROM tickets");
      tx.commit();
    }
    pqxx::nontransaction tx(c);
    tx.exec("VACUUM (ANALYZE) sla_clock_facts");
  }

  // The scans of sla_clock_facts in the plan of a report statement over
  // November 2026, grouped by `group`. The report settings force a plan
  // for the parameters (a generic one, which PostgreSQL may switch to after
  // five runs, reads the table through a bitmap here).
  std::vector<std::string> clock_scans(const std::string& statement, const std::string& group) {
    return scans(statement, group, "sla_clock_facts");
  }
  // The scans of `relation`, filtered by `channel` (an SQL literal).
  std::vector<std::string> scans(const std::string& statement, const std::string& group, const std::string& relation,
                                 const std::string& channel = "NULL") {
    pqxx::connection c(db.url());
    pqxx::work tx(c);
    store::reports::analytic_settings(tx, std::chrono::seconds(30));
    tx.exec("PREPARE report AS " + statement_sql(statement));
    const auto plan = json::parse(
        tx.exec1("EXPLAIN (FORMAT JSON) EXECUTE report('{" + b.id + "}', 1793491200000000, 1796083200000000, "
                 "'Europe/Prague', '{}', '{}', " + channel + ", '" + group + "', 1793491200000000, 1796083200000000)")[0]
            .as<std::string>());
    std::vector<std::string> found;
    each_node(plan[0]["Plan"], [&](const json& n) {
      if (n.value("Relation Name", "") == relation)
        found.push_back(n["Node Type"].get<std::string>() + " " + n.value("Index Name", ""));
    });
    return found;
  }

  test_database db;
  brand b;
};

void expect_index_only(const std::vector<std::string>& scans) {
  ASSERT_FALSE(scans.empty());
  for (const auto& s : scans) EXPECT_EQ(s, "Index Only Scan sla_clock_facts_report");
}

}  // namespace

TEST_F(clock_report_plans, TheSlaReportReadsTheCoveringIndexAlone) {
  expect_index_only(clock_scans("report_sla", "brand"));
  expect_index_only(clock_scans("report_sla", "agent"));
}

// One branch per target it reports (first response, resolution).
TEST_F(clock_report_plans, TheResponseTimesReportReadsTheCoveringIndexAloneOncePerTarget) {
  const auto scans = clock_scans("report_response_times", "queue");
  EXPECT_EQ(scans.size(), 2u);
  expect_index_only(scans);
}

// One branch per target, each reading that target's clocks once: the
// first-response branch gives its counts and the median in one pass.
TEST_F(clock_report_plans, TheAgentsReportReadsTheCoveringIndexAloneOncePerTarget) {
  const auto scans = clock_scans("report_agents", "agent");
  EXPECT_EQ(scans.size(), 4u);
  expect_index_only(scans);
}

// Tickets handled come from the links between an agent's replies
// (migration 0023), read once; filtered by channel, from counting pairs.
// Either way the replies are read from their partial index, and the other
// way's branch is planned away.
TEST_F(clock_report_plans, TheAgentsReportReadsTheRepliesOnceFromTheirIndex) {
  for (const std::string channel : {"NULL", "'email'"}) {
    const auto replies = scans("report_agents", "agent", "messages", channel);
    ASSERT_EQ(replies.size(), 1u) << channel;
    EXPECT_NE(replies[0].find("messages_agent_replies_at"), std::string::npos) << replies[0];
  }
}
