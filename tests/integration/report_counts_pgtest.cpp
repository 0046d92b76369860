// The hourly report counts against a real PostgreSQL: whatever writes do to
// messages and the ticket log (multi-row inserts, a call moving to an
// earlier hour, deletes), the counts, folded or not, equal the logs grouped
// by the hour; and folds from several connections at once lose nothing.
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <atomic>
#include <thread>
#include <vector>

#include "helpdesk/store/report_repos.hpp"
#include "helpdesk/store/repositories.hpp"
#include "support/test_database.hpp"

using namespace helpdesk;
using namespace helpdesk::testing;

namespace {

const char* const customer = "018f0000-0000-7000-8000-0000000000c1";
const char* const ticket = "018f0000-0000-7000-8000-0000000000d1";

// The differences between the counts and the logs grouped the same way;
// empty when they agree.
const char* const mismatches =
    "WITH counted AS (SELECT brand_id, hour, metric, channel, direction, agent_id, sum(n) AS n FROM "
    "(SELECT * FROM report_counts UNION ALL SELECT * FROM report_counts_delta) c GROUP BY 1, 2, 3, 4, 5, 6 "
    "HAVING sum(n) <> 0), "
    "truth AS (SELECT brand_id, date_trunc('hour', occurred_at, 'UTC') AS hour, "
    "CASE WHEN automatic THEN 'automatic_message' ELSE 'message' END AS metric, channel, direction, "
    "NULL::uuid AS agent_id, count(*) AS n FROM messages GROUP BY 1, 2, 3, 4, 5, 6 "
    "UNION ALL SELECT brand_id, date_trunc('hour', occurred_at, 'UTC'), 'message_by_author', channel, direction, "
    "author_agent_id, count(*) FROM messages WHERE NOT automatic GROUP BY 1, 2, 3, 4, 5, 6 "
    "UNION ALL SELECT e.brand_id, date_trunc('hour', e.at, 'UTC'), report_ticket_metric(e.kind, e.data), "
    "t.origin_channel, '', NULL::uuid, count(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id "
    "WHERE report_ticket_metric(e.kind, e.data) IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6) "
    "SELECT count(*) FROM ((TABLE counted EXCEPT TABLE truth) UNION ALL (TABLE truth EXCEPT TABLE counted)) x";

class report_counts : public ::testing::Test {
 protected:
  void SetUp() override {
    b = db.add_brand("counts");
    db.exec("INSERT INTO customers (id, brand_id, name) VALUES ('" + std::string(customer) + "', '" + b.id + "', '')");
    db.exec("INSERT INTO tickets (id, brand_id, number, customer_id, origin_channel) VALUES ('" + std::string(ticket) +
            "', '" + b.id + "', 1, '" + customer + "', 'phone')");
  }
  // Messages at the given times, in one statement.
  void add_messages(const std::vector<std::string>& times, const std::string& channel = "chat",
                    const std::string& direction = "inbound", bool automatic = false) {
    std::string values;
    for (const auto& t : times)
      values += std::string(values.empty() ? "" : ", ") + "(gen_random_uuid(), '" + ticket + "', '" + b.id + "', '" +
                customer + "', '" + channel + "', '" + direction + "', " + (automatic ? "true" : "false") + ", '" + t +
                "')";
    db.exec("INSERT INTO messages (id, ticket_id, brand_id, customer_id, channel, direction, automatic, occurred_at) "
            "VALUES " + values);
  }
  long long counted(const std::string& metric) {
    return std::stoll(db.scalar("SELECT coalesce(sum(n), 0) FROM (SELECT * FROM report_counts UNION ALL "
                                "SELECT * FROM report_counts_delta) c WHERE metric = '" + metric + "'"));
  }
  long long fold(long long most = 1000000) {
    pqxx::connection c(db.url());
    for (const auto& s : store::all_statements()) c.prepare(s.name, s.sql);
    pqxx::work tx(c);
    const auto n = store::reports::fold_counts(tx, most);
    tx.commit();
    return n;
  }
  test_database db;
  brand b;
};

TEST_F(report_counts, FollowInsertsUpdatesAndDeletesOfMessages) {
  add_messages({"2026-11-20T10:05:00Z", "2026-11-20T10:55:00Z", "2026-11-20T11:00:00Z"});
  add_messages({"2026-11-20T10:10:00Z"}, "email", "outbound");
  add_messages({"2026-11-20T10:20:00Z"}, "email", "inbound", true);
  EXPECT_EQ(db.scalar(mismatches), "0");
  EXPECT_EQ(counted("message"), 4);
  EXPECT_EQ(counted("automatic_message"), 1);
  EXPECT_EQ(db.scalar("SELECT n FROM report_counts_delta WHERE metric = 'message' AND channel = 'chat' AND "
                      "hour = '2026-11-20T10:00:00Z'"),
            "2")
      << "a statement appends one row per hour and key";

  // A call's first event arrives late: its message moves to the hour before.
  db.exec("UPDATE messages SET occurred_at = '2026-11-20T09:59:00Z' WHERE occurred_at = '2026-11-20T10:05:00Z'");
  // An update that changes no key appends nothing.
  const auto rows = db.scalar("SELECT count(*) FROM report_counts_delta");
  db.exec("UPDATE messages SET subject = 'x', occurred_at = occurred_at + interval '1 minute' "
          "WHERE occurred_at = '2026-11-20T10:10:00Z'");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM report_counts_delta"), rows);
  EXPECT_EQ(db.scalar(mismatches), "0");

  EXPECT_GT(fold(), 0);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM report_counts_delta"), "0");
  EXPECT_EQ(db.scalar(mismatches), "0");
  EXPECT_EQ(db.scalar("SELECT n FROM report_counts WHERE metric = 'message' AND channel = 'chat' AND "
                      "hour = '2026-11-20T09:00:00Z'"),
            "1");

  // A backlog goes in parts of the size asked for.
  add_messages({"2026-11-20T14:00:00Z", "2026-11-20T15:00:00Z", "2026-11-20T16:00:00Z"});
  const auto backlog = std::stoll(db.scalar("SELECT count(*) FROM report_counts_delta"));
  ASSERT_GE(backlog, 3);
  EXPECT_EQ(fold(2), 2);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM report_counts_delta"), std::to_string(backlog - 2));
  EXPECT_EQ(db.scalar(mismatches), "0") << "half folded";
  EXPECT_EQ(fold(), backlog - 2);

  db.exec("DELETE FROM messages WHERE channel = 'chat' AND occurred_at >= '2026-11-20T10:30:00Z'");
  EXPECT_EQ(db.scalar(mismatches), "0");
  EXPECT_EQ(counted("message"), 2);
  fold();
  EXPECT_EQ(db.scalar(mismatches), "0");
}

TEST_F(report_counts, CountTheTicketLogAsTheVolumeReportReadsIt) {
  const std::string ev = "INSERT INTO ticket_events (ticket_id, brand_id, kind, actor, data, at) VALUES ('" +
                         std::string(ticket) + "', '" + b.id + "', ";
  db.exec(ev + "'created', 'system', '{}', '2026-11-20T10:00:00Z'), ('" + ticket + "', '" + b.id +
          "', 'status_changed', 'agent', '{\"from\": \"open\", \"to\": \"solved\"}', '2026-11-20T12:00:00Z'), ('" +
          ticket + "', '" + b.id +
          "', 'status_changed', 'agent', '{\"from\": \"solved\", \"to\": \"closed\"}', '2026-11-20T12:30:00Z'), ('" +
          ticket + "', '" + b.id + "', 'message_added', 'customer', '{}', '2026-11-20T13:00:00Z')");
  db.exec(ev + "'status_changed', 'customer', '{\"from\": \"solved\", \"to\": \"open\"}', '2026-11-21T08:00:00Z')");
  EXPECT_EQ(counted("ticket_created"), 1);
  EXPECT_EQ(counted("ticket_solved"), 1) << "solved to closed leaves the backlog only once";
  EXPECT_EQ(counted("ticket_reopened"), 1);
  EXPECT_EQ(db.scalar("SELECT DISTINCT channel FROM report_counts_delta"), "phone") << "the ticket's origin channel";
  EXPECT_EQ(db.scalar(mismatches), "0");
}

TEST_F(report_counts, ConcurrentFoldsAndWritesLoseNothing) {
  std::vector<std::thread> threads;
  std::atomic<bool> failed{false};
  for (int w = 0; w < 3; ++w)
    threads.emplace_back([&, w] {
      try {
        for (int i = 0; i < 20; ++i) {
          add_messages({"2026-11-20T0" + std::to_string(w) + ":0" + std::to_string(i % 10) + ":00Z",
                        "2026-11-20T12:00:00Z"});
          if (i % 3 == 0) fold();
        }
      } catch (const std::exception& ex) {
        ADD_FAILURE() << ex.what();
        failed = true;
      }
    });
  for (auto& t : threads) t.join();
  ASSERT_FALSE(failed);
  EXPECT_EQ(db.scalar(mismatches), "0");
  EXPECT_EQ(counted("message"), 120);
  while (fold() > 0) {
  }
  EXPECT_EQ(db.scalar("SELECT count(*) FROM report_counts_delta"), "0");
  EXPECT_EQ(db.scalar("SELECT n FROM report_counts WHERE hour = '2026-11-20T12:00:00Z'"), "60");
}

}  // namespace
