#pragma once
// Group commit for the ingest path: concurrent events share one transaction
// (one COMMIT, one WAL flush) and each caller resumes only after that commit.
// If anything in a batch fails, the batch is rolled back and every event is
// run again alone in its own transaction, so a bad event never takes its
// neighbours down and never leaves half of itself behind. Jobs must therefore
// be re-runnable: they are plain functions of their input and the database.
//
// Writers share one queue and each has at most one transaction open. A
// `batchable` job names conflict keys (its identities, keys and threads): a
// writer passes over a job whose key is in another writer's open batch, or in
// a job passed over before it, so events of one customer or ticket are
// written in arrival order and never lock each other from two open batches
// (which would turn into deadlocks and whole-batch retries). Any free writer
// takes the oldest work it may, so no event waits behind a busy writer while
// another is idle.
//
// A batchable job may also be decided together with the rest of its batch by
// the batch runner (set-at-a-time reads and writes, a handful of statements
// per batch instead of several per event). Two events that share a conflict
// key never share a batch, so the runner may read each event's world from the
// database alone; when it throws, the batch falls back to running each job by
// itself.
#include <chrono>
#include <functional>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_set>
#include <vector>

#include "helpdesk/handoff.hpp"
#include "helpdesk/store/db_pool.hpp"

namespace pqxx {
class transaction_base;
}

namespace helpdesk::store {

class batchable {
 public:
  virtual ~batchable() = default;
  std::vector<std::size_t> conflict_keys;  // hashes of the identities, keys and threads the event touches
};
using batch_runner = std::function<void(pqxx::transaction_base&, const std::vector<batchable*>&)>;

struct group_commit_options {
  std::size_t writers = 2;       // batches in flight at once, each on one pooled connection
  std::size_t max_batch = 64;    // events per transaction
  std::size_t queue_limit = 8192;
  std::chrono::milliseconds queue_timeout{2000};
};

struct group_commit_stats {
  unsigned long long batches = 0;
  unsigned long long events = 0;
  unsigned long long fallbacks = 0;  // batches rolled back and re-run one event at a time
  unsigned long long planned = 0;    // batches decided set-at-a-time by the batch runner
};

class group_committer {
 public:
  group_committer(db_pool& pool, group_commit_options opts);

  template <class F>
  auto run(F fn) -> awaitable<std::invoke_result_t<F&, pqxx::transaction_base&>>;

  group_commit_stats stats() const;
  // Set before the first run().
  void set_batch_runner(batch_runner runner) { runner_ = std::move(runner); }

 private:
  struct entry {
    virtual ~entry() = default;
    virtual void attempt(pqxx::transaction_base& tx) = 0;  // may be called again after a rollback
    virtual void deliver() = 0;
    virtual void fail(std::exception_ptr e) = 0;
    virtual batchable* plannable() = 0;   // null: runs only by itself
    virtual void deliver_planned() = 0;  // the answer the batch runner left in the job
    std::chrono::steady_clock::time_point enqueued = std::chrono::steady_clock::now();
  };
  template <class F, class Resumer>
  struct entry_impl;

  using batch_t = std::deque<std::unique_ptr<entry>>;

  void enqueue(std::unique_ptr<entry> e);
  void start_writer();
  void drain(connection_slot* slot, std::exception_ptr failure);
  batch_t take_batch();
  void release_keys(const batch_t& batch);
  void run_batch(connection_slot& slot, batch_t& batch);
  bool run_planned(connection_slot& slot, batch_t& batch);

  db_pool& pool_;
  group_commit_options opts_;
  mutable std::mutex mutex_;
  std::deque<std::unique_ptr<entry>> queue_;
  std::unordered_multiset<std::size_t> in_flight_;  // conflict keys of the open batches
  std::size_t writing_ = 0;                         // writers holding a connection or waiting for one
  group_commit_stats stats_;
  batch_runner runner_;
};

template <class F, class Resumer>
struct group_committer::entry_impl final : group_committer::entry {
  using result = std::invoke_result_t<F&, pqxx::transaction_base&>;
  entry_impl(F f, Resumer r) : fn(std::move(f)), resume(std::move(r)) {}
  void attempt(pqxx::transaction_base& tx) override { value.emplace(fn(tx)); }
  void deliver() override { resume(nullptr, std::move(value)); }
  void fail(std::exception_ptr e) override { resume(e, std::nullopt); }
  batchable* plannable() override {
    if constexpr (std::is_base_of_v<batchable, F>) return &fn;
    return nullptr;
  }
  void deliver_planned() override {
    if constexpr (std::is_base_of_v<batchable, F>) resume(nullptr, fn.take_planned());
  }
  F fn;
  Resumer resume;
  std::optional<result> value;
};

template <class F>
auto group_committer::run(F fn) -> awaitable<std::invoke_result_t<F&, pqxx::transaction_base&>> {
  using result = std::invoke_result_t<F&, pqxx::transaction_base&>;
  static_assert(!std::is_void_v<result>, "group-committed jobs return their answer");
  auto start = [this, fn = std::move(fn)](auto resume) mutable {
    enqueue(std::make_unique<entry_impl<F, decltype(resume)>>(std::move(fn), std::move(resume)));
  };
  co_return co_await await_handoff<result>(std::move(start));
}

}  // namespace helpdesk::store
