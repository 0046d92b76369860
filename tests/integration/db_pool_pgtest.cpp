#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include <thread>

#include "helpdesk/domain/error.hpp"
#include "helpdesk/store/db_pool.hpp"
#include "helpdesk/store/repositories.hpp"
#include "support/test_database.hpp"

using namespace helpdesk;
using namespace helpdesk::testing;
using namespace std::chrono_literals;

namespace {

// Runs one coroutine on a private io_context and returns its result or error.
template <class T>
struct outcome {
  std::optional<T> value;
  std::optional<error> failure;
  std::chrono::milliseconds took{};
};

template <class T, class F>
outcome<T> run_job(store::db_pool& pool, F job) {
  asio::io_context ioc;
  outcome<T> out;
  auto start = std::chrono::steady_clock::now();
  auto body = [&pool, &out, job]() -> awaitable<void> {
    try {
      out.value = co_await pool.run(job);
    } catch (const error& e) {
      out.failure = e;
    }
  };
  asio::co_spawn(ioc, body(), asio::detached);
  ioc.run();
  out.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  return out;
}

awaitable<void> sleep_seconds(store::db_pool& pool, double seconds, std::optional<errc>& result) {
  try {
    auto job = [seconds](pqxx::connection_base& c) {
      pqxx::nontransaction tx(c);
      tx.exec("SELECT pg_sleep(" + std::to_string(seconds) + ")");
    };
    co_await pool.run(job);
  } catch (const error& e) {
    result = e.code();
  }
}

}  // namespace

TEST(DbPool, RunsJobsOnItsOwnThreads) {
  test_database db;
  store::db_pool pool({db.url(), 2}, store::all_statements());
  const auto caller = std::this_thread::get_id();
  auto r = run_job<bool>(pool, [caller](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    return tx.exec1("SELECT current_setting('statement_timeout') = '5s'")[0].as<bool>() &&
           std::this_thread::get_id() != caller;
  });
  ASSERT_TRUE(r.value.has_value());
  EXPECT_TRUE(*r.value);
}

TEST(DbPool, UnreachableDatabaseFailsFastWithUnavailable) {
  store::pool_options opts;
  opts.url = "postgresql://helpdesk@127.0.0.1:1/nothing";
  opts.size = 1;
  store::db_pool pool(opts, {});
  auto r = run_job<int>(pool, [](pqxx::connection_base&) { return 1; });
  ASSERT_TRUE(r.failure.has_value());
  EXPECT_EQ(r.failure->code(), errc::unavailable);
  EXPECT_EQ(r.failure->retry_after(), 2);
  EXPECT_LT(r.took, 2500ms);
}

TEST(DbPool, SaturatedQueueAnswersUnavailableInsteadOfWaiting) {
  test_database db;
  store::pool_options opts;
  opts.url = db.url();
  opts.size = 1;
  opts.queue_limit = 1;
  opts.queue_timeout = 300ms;
  store::db_pool pool(opts, {});
  asio::io_context ioc;
  std::vector<std::optional<errc>> results(4);
  for (auto& result : results) asio::co_spawn(ioc, sleep_seconds(pool, 0.5, result), asio::detached);
  ioc.run();
  // One runs, one waits past the queue timeout, two are refused at the door.
  int ok = 0, unavailable = 0;
  for (auto& r : results) r ? (*r == errc::unavailable ? ++unavailable : 0) : ++ok;
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(unavailable, 3);
}

TEST(DbPool, StatementTimeoutBecomesUnavailable) {
  test_database db;
  store::pool_options opts;
  opts.url = db.url();
  opts.size = 1;
  opts.statement_timeout = 100ms;
  store::db_pool pool(opts, {});
  auto r = run_job<int>(pool, [](pqxx::connection_base& c) {
    pqxx::nontransaction tx(c);
    tx.exec("SELECT pg_sleep(2)");
    return 1;
  });
  ASSERT_TRUE(r.failure.has_value());
  EXPECT_EQ(r.failure->code(), errc::unavailable);
  EXPECT_LT(r.took, 1500ms);
}

TEST(DbPool, ReconnectsAfterTheConnectionIsKilled) {
  test_database db;
  store::db_pool pool({db.url(), 1}, {});
  auto pid = run_job<int>(pool, [](pqxx::connection_base& c) {
    pqxx::nontransaction tx(c);
    return tx.exec1("SELECT pg_backend_pid()")[0].as<int>();
  });
  ASSERT_TRUE(pid.value);
  {
    pqxx::connection admin(admin_database_url());
    pqxx::nontransaction tx(admin);
    tx.exec("SELECT pg_terminate_backend(" + std::to_string(*pid.value) + ")");
  }
  auto again = run_job<int>(pool, [](pqxx::connection_base& c) {
    pqxx::nontransaction tx(c);
    return tx.exec1("SELECT pg_backend_pid()")[0].as<int>();
  });
  ASSERT_TRUE(again.value.has_value()) << (again.failure ? again.failure->detail() : "");
  EXPECT_NE(*again.value, *pid.value);
}

TEST(DbPool, QueuedJobsGetTheirAnswerAtTheDeadlineEvenWhileConnectionsAreStuck) {
  test_database db;
  store::pool_options opts;
  opts.url = db.url();
  opts.size = 1;
  opts.queue_timeout = 300ms;
  store::db_pool pool(opts, {});
  asio::io_context ioc;
  std::optional<errc> stuck_result, queued_result;
  std::chrono::milliseconds queued_took{};
  // The only connection sleeps 2 s; the queued job must not wait for it.
  asio::co_spawn(ioc, sleep_seconds(pool, 2.0, stuck_result), asio::detached);
  auto start = std::chrono::steady_clock::now();
  auto queued = [&]() -> awaitable<void> {
    co_await sleep_seconds(pool, 0.0, queued_result);
    queued_took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  };
  asio::co_spawn(ioc, queued(), asio::detached);
  ioc.run();
  EXPECT_FALSE(stuck_result.has_value());
  ASSERT_TRUE(queued_result.has_value());
  EXPECT_EQ(*queued_result, errc::unavailable);
  EXPECT_LT(queued_took, 1000ms);
}

TEST(DbPool, ConnectionsRunWithoutJitAndKeepTheirStatementsWhenPlansAreDropped) {
  test_database db;
  db.exec("CREATE TABLE pool_probe (n int)");
  store::db_pool pool({db.url(), 1}, {{"probe_count", "SELECT count(*) FROM pool_probe"}});
  auto count = [](pqxx::connection_base& c) {
    pqxx::read_transaction tx(c);
    return tx.exec_prepared1("probe_count")[0].as<long>() * 10 +
           (tx.exec1("SELECT current_setting('jit')")[0].as<std::string>() == "off" ? 1 : 0);
  };
  EXPECT_EQ(run_job<long>(pool, count).value, 1);  // no rows, jit off
  db.exec("INSERT INTO pool_probe SELECT generate_series(1, 500)");
  // Past the first refresh: the connection drops its plans before this job,
  // and the prepared statement must still be there to plan afresh.
  std::this_thread::sleep_for(2100ms);
  EXPECT_EQ(run_job<long>(pool, count).value, 5001);
}
