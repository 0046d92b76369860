#pragma once
// A fixed set of database threads, each owning one libpqxx connection.
// Coroutines hand them jobs with `co_await pool.run(fn)` and resume on their
// own executor; I/O threads never wait on PostgreSQL. The queue is bounded in
// length and in waiting time, so an overloaded or absent database turns into
// a quick `unavailable` error rather than a hang.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <variant>
#include <vector>

#include "helpdesk/handoff.hpp"
#include "helpdesk/net.hpp"

namespace pqxx {
class connection_base;
}

namespace helpdesk::store {

struct prepared_statement {
  std::string name;
  std::string sql;
};

struct pool_options {
  std::string url;
  std::size_t size = 4;
  std::size_t queue_limit = 2048;
  std::chrono::milliseconds queue_timeout{2000};
  std::chrono::milliseconds statement_timeout{5000};
  std::chrono::milliseconds lock_timeout{2000};
  int connect_timeout_seconds = 2;
};

struct pool_stats {
  std::size_t size = 0;
  std::size_t in_use = 0;
  std::size_t waiting = 0;
  std::size_t connected = 0;
};

// Owns one connection and re-opens it when it breaks.
class connection_slot {
 public:
  connection_slot(const pool_options& opts, const std::vector<prepared_statement>& stmts);
  ~connection_slot();
  pqxx::connection_base& get();  // connects on demand; throws error::unavailable
  void reset();
  bool connected() const { return conn_ != nullptr; }

 private:
  void refresh_plans();

  const pool_options& opts_;
  const std::vector<prepared_statement>& statements_;
  std::chrono::steady_clock::time_point plans_since_{};
  std::chrono::steady_clock::duration replan_every_ = std::chrono::seconds(2);
  // libpqxx 6.4's connection_base has no virtual destructor: delete through
  // the concrete type, which only db_pool.cpp knows.
  using deleter = void (*)(pqxx::connection_base*);
  std::unique_ptr<pqxx::connection_base, deleter> conn_;
};

// Runs fn with retries on a broken connection (once) and on serialization
// failures or deadlocks (a few times); every other failure is translated into
// a typed helpdesk::error in one place (db_errors.cpp).
void run_with_retries(connection_slot& slot, const std::function<void(pqxx::connection_base&)>& fn);

class db_pool {
 public:
  db_pool(pool_options opts, std::vector<prepared_statement> statements);
  ~db_pool();
  db_pool(const db_pool&) = delete;
  db_pool& operator=(const db_pool&) = delete;

  // Fails the queued jobs with `unavailable` and joins the threads.
  void stop();
  pool_stats stats() const;

  template <class F>
  auto run(F fn) -> awaitable<std::invoke_result_t<F&, pqxx::connection_base&>>;

  // Runs fn on a database thread for code that completes its own waiters
  // (the group committer). fn gets the connection, or a null slot and the
  // reason when the job could not run (queue full or timed out, stopping).
  void dispatch(std::function<void(connection_slot*, std::exception_ptr)> fn);

 private:
  struct job {
    virtual ~job() = default;
    virtual void execute(connection_slot* slot, std::exception_ptr failure) = 0;
    std::chrono::steady_clock::time_point enqueued = std::chrono::steady_clock::now();
  };
  template <class F, class Resumer>
  struct job_impl;

  void submit(std::unique_ptr<job> j);
  void worker(std::size_t index);
  // Fails jobs that waited past queue_timeout even while every connection is
  // busy, so a stuck database still answers 503 in time.
  void reaper();

  pool_options opts_;
  std::vector<prepared_statement> statements_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::condition_variable reaper_cv_;
  std::deque<std::unique_ptr<job>> queue_;
  bool stopping_ = false;
  std::atomic<std::size_t> in_use_{0};
  std::atomic<std::size_t> connected_{0};
  std::vector<std::thread> threads_;
};

template <class F, class Resumer>
struct db_pool::job_impl final : db_pool::job {
  job_impl(F f, Resumer r) : fn(std::move(f)), resume(std::move(r)) {}

  void execute(connection_slot* slot, std::exception_ptr failure) override {
    std::optional<job_result_t<F, pqxx::connection_base&>> value;
    if (!failure) {
      try {
        run_with_retries(*slot, [&](pqxx::connection_base& c) {
          if constexpr (std::is_void_v<std::invoke_result_t<F&, pqxx::connection_base&>>) {
            fn(c);
            value.emplace();
          } else {
            value.emplace(fn(c));
          }
        });
      } catch (...) {
        failure = std::current_exception();
      }
    }
    resume(failure, std::move(value));
  }

  F fn;
  Resumer resume;
};

template <class F>
auto db_pool::run(F fn) -> awaitable<std::invoke_result_t<F&, pqxx::connection_base&>> {
  using result = job_result_t<F, pqxx::connection_base&>;
  auto start = [this, fn = std::move(fn)](auto resume) mutable {
    submit(std::make_unique<job_impl<F, decltype(resume)>>(std::move(fn), std::move(resume)));
  };
  result out = co_await await_handoff<result>(std::move(start));
  if constexpr (!std::is_void_v<std::invoke_result_t<F&, pqxx::connection_base&>>) co_return out;
}

}  // namespace helpdesk::store
