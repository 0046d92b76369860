// The group committer against a real PostgreSQL: events share commits, a
// failing event leaves nothing behind and never takes its neighbours down.
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <map>
#include <mutex>
#include <set>

#include "helpdesk/domain/error.hpp"
#include "helpdesk/store/group_commit.hpp"
#include "helpdesk/store/ingest_batch.hpp"
#include "helpdesk/store/repositories.hpp"
#include "support/test_database.hpp"

using namespace helpdesk;
using namespace helpdesk::testing;

namespace {

struct result_slot {
  std::optional<int> value;
  std::optional<errc> failure;
};

awaitable<void> insert_one(store::group_committer& gc, int n, bool fail, result_slot& out) {
  try {
    auto job = [n, fail](pqxx::transaction_base& tx) {
      tx.exec("INSERT INTO gc_probe (n) VALUES (" + std::to_string(n) + ")");
      if (fail) throw error::validation({{"", "event " + std::to_string(n) + " is bad"}});
      return n;
    };
    out.value = co_await gc.run(job);
  } catch (const error& e) {
    out.failure = e.code();
  }
}

std::vector<int> stored(const test_database& db) {
  pqxx::connection c(db.url());
  pqxx::read_transaction tx(c);
  std::vector<int> out;
  for (const auto& r : tx.exec("SELECT n FROM gc_probe ORDER BY n")) out.push_back(r[0].as<int>());
  return out;
}

}  // namespace

TEST(GroupCommit, ABadEventLeavesNothingAndItsNeighboursCommit) {
  test_database db;
  db.exec("CREATE TABLE gc_probe (n int PRIMARY KEY)");
  store::db_pool pool({db.url(), 2}, store::all_statements());
  // One writer and a large batch: all 50 events queue up behind the first.
  store::group_committer gc(pool, {1, 64, 8192, std::chrono::milliseconds(5000)});
  asio::io_context ioc;
  std::vector<result_slot> results(50);
  for (int i = 0; i < 50; ++i) asio::co_spawn(ioc, insert_one(gc, i, i == 17, results[i]), asio::detached);
  ioc.run();

  for (int i = 0; i < 50; ++i) {
    if (i == 17) {
      EXPECT_EQ(results[i].failure, errc::validation);
      EXPECT_FALSE(results[i].value);
    } else {
      EXPECT_EQ(results[i].value, i) << i;
    }
  }
  auto rows = stored(db);
  EXPECT_EQ(rows.size(), 49u);
  EXPECT_EQ(std::count(rows.begin(), rows.end(), 17), 0);
  const auto s = gc.stats();
  EXPECT_GE(s.fallbacks, 1u);
  EXPECT_LT(s.batches + s.fallbacks, 50u) << "events should have shared commits";
}

TEST(GroupCommit, EventsShareCommitsUnderLoad) {
  test_database db;
  db.exec("CREATE TABLE gc_probe (n int PRIMARY KEY)");
  store::db_pool pool({db.url(), 2}, store::all_statements());
  store::group_committer gc(pool, {2, 64, 8192, std::chrono::milliseconds(5000)});
  asio::io_context ioc;
  std::vector<result_slot> results(300);
  for (int i = 0; i < 300; ++i) asio::co_spawn(ioc, insert_one(gc, i, false, results[i]), asio::detached);
  ioc.run();
  for (int i = 0; i < 300; ++i) EXPECT_EQ(results[i].value, i);
  EXPECT_EQ(stored(db).size(), 300u);
  const auto s = gc.stats();
  EXPECT_EQ(s.events, 300u);
  EXPECT_LT(s.batches, 100u);
  EXPECT_EQ(s.fallbacks, 0u);
}

TEST(GroupCommit, AStoppedPoolFailsEventsInsteadOfHanging) {
  test_database db;
  store::db_pool pool({db.url(), 1}, store::all_statements());
  store::group_committer gc(pool, {1, 64, 8192, std::chrono::milliseconds(5000)});
  pool.stop();
  asio::io_context ioc;
  result_slot r;
  asio::co_spawn(ioc, insert_one(gc, 1, false, r), asio::detached);
  ioc.run();
  EXPECT_EQ(r.failure, errc::unavailable);
}

namespace {

// A job the batch runner can plan: its key stands for the customer or
// thread it touches.
struct keyed_job : store::batchable {
  keyed_job(int n, int key) : n(n) { conflict_keys.push_back(static_cast<std::size_t>(key)); }
  int operator()(pqxx::transaction_base& tx) {
    tx.exec("INSERT INTO gc_probe (n) VALUES (" + std::to_string(n) + ")");
    return n;
  }
  int take_planned() { return planned; }
  int n;
  int planned = -1;
};

awaitable<void> run_keyed(store::group_committer& gc, int n, int key, result_slot& out) {
  try {
    out.value = co_await gc.run(keyed_job(n, key));
  } catch (const error& e) {
    out.failure = e.code();
  }
}

// Runs `count` keyed events at once (event i has key i % keys) and checks
// that each was answered with its own value.
void run_all_keyed(store::group_committer& gc, int count, int keys) {
  asio::io_context ioc;
  std::vector<result_slot> results(count);
  for (int i = 0; i < count; ++i) asio::co_spawn(ioc, run_keyed(gc, i, i % keys, results[i]), asio::detached);
  ioc.run();
  for (int i = 0; i < count; ++i) EXPECT_EQ(results[i].value, i);
}

}  // namespace

TEST(GroupCommit, APlannedBatchNeverHoldsTwoEventsOfOneKeyAndKeepsTheirOrder) {
  test_database db;
  db.exec("CREATE TABLE gc_probe (n int PRIMARY KEY)");
  store::db_pool pool({db.url(), 2}, store::all_statements());
  store::group_committer gc(pool, {1, 64, 8192, std::chrono::milliseconds(5000)});
  std::vector<std::vector<int>> batches;
  gc.set_batch_runner([&](pqxx::transaction_base& tx, const std::vector<store::batchable*>& jobs) {
    std::vector<int> ns;
    std::string values;
    for (auto* j : jobs) {
      auto* job = dynamic_cast<keyed_job*>(j);
      job->planned = job->n;
      ns.push_back(job->n);
      values += (values.empty() ? "(" : ", (") + std::to_string(job->n) + ")";
    }
    tx.exec("INSERT INTO gc_probe (n) VALUES " + values);
    batches.push_back(ns);
  });
  run_all_keyed(gc, 60, 5);
  EXPECT_EQ(stored(db).size(), 60u);
  ASSERT_FALSE(batches.empty());
  std::map<int, int> last_of_key;  // key -> the last n seen, in commit order
  for (const auto& b : batches) {
    std::set<int> keys;
    for (int n : b) {
      EXPECT_TRUE(keys.insert(n % 5).second) << "two events of key " << n % 5 << " in one batch";
      if (last_of_key.count(n % 5)) EXPECT_LT(last_of_key[n % 5], n) << "key " << n % 5 << " out of order";
      last_of_key[n % 5] = n;
    }
  }
  const auto s = gc.stats();
  EXPECT_EQ(s.planned, batches.size());
  EXPECT_EQ(s.fallbacks, 0u);
}

// Two writers share one queue: both work at once, yet a key held by one
// writer's open batch is never in the other's, and each key's events are
// decided in arrival order across writers.
TEST(GroupCommit, TwoWritersShareTheQueueButNeverAKey) {
  test_database db;
  db.exec("CREATE TABLE gc_probe (n int PRIMARY KEY)");
  store::db_pool pool({db.url(), 3}, store::all_statements());
  store::group_committer gc(pool, {2, 4, 8192, std::chrono::milliseconds(5000)});
  std::mutex m;
  std::multiset<int> open_keys;
  std::map<int, int> last_of_key;
  int running = 0, most_running = 0, overlaps = 0, out_of_order = 0;
  gc.set_batch_runner([&](pqxx::transaction_base& tx, const std::vector<store::batchable*>& jobs) {
    std::vector<int> ns;
    {
      std::lock_guard g(m);
      most_running = std::max(most_running, ++running);
      for (auto* j : jobs) {
        auto* job = dynamic_cast<keyed_job*>(j);
        ns.push_back(job->n);
        const int key = job->n % 7;
        overlaps += int(open_keys.count(key));
        open_keys.insert(key);
        if (last_of_key.count(key) && last_of_key[key] > job->n) ++out_of_order;
        last_of_key[key] = job->n;
      }
    }
    std::string values;
    for (int n : ns) values += (values.empty() ? "(" : ", (") + std::to_string(n) + ")";
    tx.exec("INSERT INTO gc_probe (n) VALUES " + values);
    tx.exec("SELECT pg_sleep(0.01)");  // keeps the batch open while the other writer takes work
    std::lock_guard g(m);
    for (auto* j : jobs) {
      auto* job = dynamic_cast<keyed_job*>(j);
      job->planned = job->n;
      open_keys.erase(open_keys.find(job->n % 7));
    }
    --running;
  });
  run_all_keyed(gc, 120, 7);
  EXPECT_EQ(stored(db).size(), 120u);
  EXPECT_EQ(most_running, 2) << "the second writer never took work";
  EXPECT_EQ(overlaps, 0) << "a key was in two open batches";
  EXPECT_EQ(out_of_order, 0);
  EXPECT_EQ(gc.stats().fallbacks, 0u);
}

TEST(GroupCommit, ABatchTheRunnerCannotPlanRunsEventByEvent) {
  test_database db;
  db.exec("CREATE TABLE gc_probe (n int PRIMARY KEY)");
  store::db_pool pool({db.url(), 2}, store::all_statements());
  store::group_committer gc(pool, {1, 64, 8192, std::chrono::milliseconds(5000)});
  gc.set_batch_runner([](pqxx::transaction_base& tx, const std::vector<store::batchable*>&) {
    tx.exec("INSERT INTO gc_probe (n) VALUES (-1)");  // must not survive the failure
    throw std::runtime_error("cannot plan");
  });
  run_all_keyed(gc, 20, 20);
  auto rows = stored(db);
  EXPECT_EQ(rows.size(), 20u);
  EXPECT_EQ(std::count(rows.begin(), rows.end(), -1), 0);
  const auto s = gc.stats();
  EXPECT_GE(s.fallbacks, 1u);
  EXPECT_EQ(s.planned, 0u);
}

// A batch decided against a snapshot in which a customer was live must not
// write onto that customer once a merge has retired it: the flush fails and
// the batch runs again, to land on the survivor.
TEST(IngestFlush, TouchesLiveCustomersAndRefusesOneMergedSinceTheSnapshot) {
  test_database db;
  const auto b = db.add_brand("touch");
  const std::string live = "018f0000-0000-7000-8000-000000000001";
  const std::string gone = "018f0000-0000-7000-8000-000000000002";
  db.exec("INSERT INTO customers (id, brand_id, name) VALUES ('" + live + "', '" + b.id + "', ''), ('" + gone +
          "', '" + b.id + "', 'Old')");
  db.exec("UPDATE customers SET merged_into = '" + live + "' WHERE id = '" + gone + "'");
  pqxx::connection c(db.url());
  for (const auto& s : store::all_statements()) c.prepare(s.name, s.sql);
  const auto at = *parse_rfc3339("2026-11-20T10:00:00Z");

  store::ingest_batch::writes ok;
  ok.touches.push_back({live, at, "Jana Nová"});
  {
    pqxx::work tx(c);
    store::ingest_batch::plan_by_index(tx);
    store::ingest_batch::flush(tx, ok);
    tx.commit();
  }
  EXPECT_EQ(db.scalar("SELECT name || ' ' || (last_contact_at = '2026-11-20T10:00:00Z') FROM customers WHERE id = '" +
                      live + "'"),
            "Jana Nová true");

  store::ingest_batch::writes stale;
  stale.touches.push_back({gone, at, "Someone"});
  pqxx::work tx(c);
  store::ingest_batch::plan_by_index(tx);
  EXPECT_THROW(store::ingest_batch::flush(tx, stale), pqxx::serialization_failure);
}
