// Retention of the event history against a real PostgreSQL: old feed rows,
// relayed outbox rows and finished deliveries go; young rows, outbox rows the
// relay has not passed and pending deliveries stay.
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <chrono>
#include <thread>

#include "helpdesk/store/event_repos.hpp"
#include "helpdesk/store/repositories.hpp"
#include "support/server_process.hpp"
#include "support/test_database.hpp"

using namespace helpdesk;
using namespace helpdesk::testing;

namespace {

const char* const brand = "0190a0a0-0000-7000-8000-0000000000b1";
const char* const agent = "0190a0a0-0000-7000-8000-0000000000a1";
const char* const hook = "0190a0a0-0000-7000-8000-0000000000c1";

// Feed seq 1-2 old, 3 young; outbox 'old-relayed' (behind the cursor),
// 'old-unrelayed' (ahead of it), 'young'; deliveries old succeeded (with an
// attempt), old failed, old pending, young succeeded.
void seed_history(test_database& db) {
  pqxx::connection c(db.url());
  pqxx::work tx(c);
  tx.exec("INSERT INTO agent_feed (seq, agent_id, brand_id, event_type, data, at) VALUES "
          "(1, '" + std::string(agent) + "', '" + brand + "', 'ticket.updated', '{}', now() - interval '40 days'), "
          "(2, '" + agent + "', '" + brand + "', 'ticket.updated', '{}', now() - interval '31 days'), "
          "(3, '" + agent + "', '" + brand + "', 'ticket.updated', '{}', now() - interval '29 days')");
  tx.exec("UPDATE event_relay SET tx_cursor = 1000");
  tx.exec("INSERT INTO outbox (brand_id, event_type, payload, created_at, tx) VALUES "
          "('" + std::string(brand) + "', 'old-relayed', '{}', now() - interval '40 days', 999), "
          "('" + brand + "', 'old-unrelayed', '{}', now() - interval '40 days', 1000), "
          "('" + brand + "', 'young', '{}', now() - interval '1 day', 998)");
  tx.exec("INSERT INTO webhook_subscriptions (id, url, events, secret) VALUES "
          "('" + std::string(hook) + "', 'http://127.0.0.1:1/h', '{ticket.created}', 'whsec_x')");
  const std::string d = "INSERT INTO webhook_deliveries (id, subscription_id, webhook_id, event_type, brand_id, body, "
                        "state, created_at, completed_at) VALUES ";
  tx.exec(d + "(gen_random_uuid(), '" + hook + "', 'old-ok', 'ticket.created', '" + brand +
          "', '{}', 'succeeded', now() - interval '41 days', now() - interval '40 days'), "
          "(gen_random_uuid(), '" + hook + "', 'old-failed', 'ticket.created', '" + brand +
          "', '{}', 'failed', now() - interval '44 days', now() - interval '41 days'), "
          "(gen_random_uuid(), '" + hook + "', 'old-pending', 'ticket.created', '" + brand +
          "', '{}', 'pending', now() - interval '44 days', NULL), "
          "(gen_random_uuid(), '" + hook + "', 'young-ok', 'ticket.created', '" + brand +
          "', '{}', 'succeeded', now() - interval '2 days', now() - interval '2 days')");
  tx.exec("INSERT INTO webhook_attempts (delivery_id, attempt, latency_ms, worker, status_code) "
          "SELECT id, 1, 5, 'test', 200 FROM webhook_deliveries WHERE webhook_id = 'old-ok'");
  tx.commit();
}

std::string left(test_database& db) {
  pqxx::connection c(db.url());
  pqxx::read_transaction tx(c);
  return tx.exec1("SELECT (SELECT string_agg(seq::text, ',' ORDER BY seq) FROM agent_feed) || '|' || "
                  "(SELECT string_agg(event_type, ',' ORDER BY event_type) FROM outbox) || '|' || "
                  "(SELECT string_agg(webhook_id, ',' ORDER BY webhook_id) FROM webhook_deliveries) || '|' || "
                  "(SELECT count(*) FROM webhook_attempts)")[0]
      .as<std::string>();
}

const char* const kept = "3|old-unrelayed,young|old-pending,young-ok|0";

}  // namespace

TEST(Retention, PrunesOnlyOldFinishedHistoryAndHonoursTheLimit) {
  test_database db;
  seed_history(db);
  pqxx::connection c(db.url());
  for (const auto& s : store::all_statements()) c.prepare(s.name, s.sql);
  {
    // A limit of one row per kind per call.
    pqxx::work tx(c);
    const auto first = store::retention::prune(tx, 30, 1);
    EXPECT_EQ(first.feed, 1);
    EXPECT_EQ(first.outbox, 1);
    EXPECT_EQ(first.deliveries, 1);
    tx.commit();
  }
  EXPECT_EQ(left(db), "2,3|old-unrelayed,young|old-ok,old-pending,young-ok|1") << "the oldest of each kind goes first";
  {
    pqxx::work tx(c);
    const auto rest = store::retention::prune(tx, 30, 100);
    EXPECT_EQ(rest.total(), 2);
    tx.commit();
  }
  EXPECT_EQ(left(db), kept);
  pqxx::work tx(c);
  EXPECT_EQ(store::retention::prune(tx, 30, 100).total(), 0);
}

// No relay in the server: it would move the cursor the seed sets.
TEST(Retention, TheServerPrunesTheHistoryInHousekeeping) {
  test_database db;
  seed_history(db);
  server_process server(db.url(), {"--housekeeping-interval-s", "1", "--event-retention-days", "30", "--events=false"});
  std::string state;
  for (int i = 0; i < 50 && state != kept; ++i) {
    state = left(db);
    if (state != kept) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(state, kept);
}

TEST(Retention, ZeroDaysKeepsEverything) {
  test_database db;
  seed_history(db);
  const std::string before = left(db);
  server_process server(db.url(), {"--housekeeping-interval-s", "1", "--event-retention-days", "0", "--events=false"});
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_EQ(left(db), before);
}
