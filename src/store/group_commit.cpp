#include "helpdesk/store/group_commit.hpp"

#include <pqxx/pqxx>

#include <algorithm>
#include <unordered_set>

#include "helpdesk/domain/error.hpp"

namespace helpdesk::store {

group_committer::group_committer(db_pool& pool, group_commit_options opts)
    : pool_(pool), opts_(opts), lanes_(std::max<std::size_t>(1, opts.writers)) {}

group_commit_stats group_committer::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void group_committer::enqueue(std::unique_ptr<entry> e, std::size_t affinity) {
  lane& l = lanes_[affinity % lanes_.size()];
  bool start_writer = false;
  {
    std::lock_guard lock(mutex_);
    if (queued_ >= opts_.queue_limit) {
      e->fail(std::make_exception_ptr(error::unavailable("The ingest queue is full; retry shortly.", 1)));
      return;
    }
    l.queue.push_back(std::move(e));
    ++queued_;
    if (!l.writing) {
      l.writing = true;
      start_writer = true;
    }
  }
  // Outside the lock: the pool may refuse the job and call drain() inline.
  if (start_writer)
    pool_.dispatch([this, &l](connection_slot* slot, std::exception_ptr failure) { drain(l, slot, failure); });
}

std::deque<std::unique_ptr<group_committer::entry>> group_committer::take_batch(lane& l) {
  std::deque<std::unique_ptr<entry>> batch;
  // The keys of the batch and of the events passed over: an event that
  // shares one waits for a later batch (it must see the earlier one's
  // writes), and so does every later event of the same key, in order.
  std::unordered_set<std::size_t> touched;
  std::lock_guard lock(mutex_);
  std::size_t scanned = 0;
  for (auto it = l.queue.begin(); it != l.queue.end() && batch.size() < opts_.max_batch && scanned < 4 * opts_.max_batch;
       ++scanned) {
    if (auto* job = (*it)->plannable()) {
      const auto& keys = job->conflict_keys;
      const bool clash = std::any_of(keys.begin(), keys.end(), [&](std::size_t k) { return touched.count(k) > 0; });
      touched.insert(keys.begin(), keys.end());
      if (clash) {
        ++it;
        continue;
      }
    }
    batch.push_back(std::move(*it));
    it = l.queue.erase(it);
  }
  queued_ -= batch.size();
  if (batch.empty()) l.writing = false;  // decided under the lock, so no entry is left without a writer
  return batch;
}

// A writer keeps taking batches until the queue is empty: under load the
// queue refills while a batch commits, so batches grow with the load.
void group_committer::drain(lane& l, connection_slot* slot, std::exception_ptr failure) {
  for (int batches = 0;; ++batches) {
    // Give the database thread back now and then: under steady ingest the
    // lane would never run dry, and reads and logins queue behind it.
    if (batches == 8 && !failure) {
      pool_.dispatch([this, &l](connection_slot* next, std::exception_ptr why) { drain(l, next, why); });
      return;
    }
    auto batch = take_batch(l);
    if (batch.empty()) return;
    if (failure) {
      for (auto& e : batch) e->fail(failure);
      continue;
    }
    const auto now = std::chrono::steady_clock::now();
    std::deque<std::unique_ptr<entry>> live;
    for (auto& e : batch) {
      if (now - e->enqueued > opts_.queue_timeout)
        e->fail(std::make_exception_ptr(error::unavailable("The ingest queue is saturated; retry shortly.", 1)));
      else
        live.push_back(std::move(e));
    }
    if (!live.empty()) run_batch(*slot, live);
  }
}

// True when the runner decided and committed the batch. False when it could
// not (a replay, a concurrent writer, an event that fails): the batch is
// rolled back, to be run again event by event.
bool group_committer::run_planned(connection_slot& slot, std::deque<std::unique_ptr<entry>>& batch) {
  std::vector<batchable*> jobs;
  for (auto& e : batch) jobs.push_back(e->plannable());
  try {
    run_with_retries(slot, [&](pqxx::connection_base& c) {
      pqxx::work tx(c);
      runner_(tx, jobs);
      tx.commit();
    });
  } catch (const error& e) {
    if (e.code() == errc::unavailable) throw;
    return false;
  } catch (...) {
    return false;
  }
  {
    std::lock_guard lock(mutex_);
    ++stats_.batches;
    ++stats_.planned;
    stats_.events += batch.size();
  }
  for (auto& e : batch) e->deliver_planned();
  return true;
}

void group_committer::run_batch(connection_slot& slot, std::deque<std::unique_ptr<entry>>& batch) {
  const bool plannable = runner_ && batch.size() > 1 &&
                         std::all_of(batch.begin(), batch.end(), [](const auto& e) { return e->plannable() != nullptr; });
  try {
    if (plannable) {
      // Planned together or not at all: running the whole batch once more
      // would fail on the same event and draw ticket numbers in vain.
      if (run_planned(slot, batch)) return;
    } else {
      run_with_retries(slot, [&](pqxx::connection_base& c) {
        pqxx::work tx(c);
        for (auto& e : batch) e->attempt(tx);
        tx.commit();
      });
      {
        std::lock_guard lock(mutex_);
        ++stats_.batches;
        stats_.events += batch.size();
      }
      for (auto& e : batch) e->deliver();
      return;
    }
  } catch (const error& e) {
    // The database is away or saturated: running each event alone would
    // only repeat the wait, event by event.
    if (batch.size() == 1 || e.code() == errc::unavailable) {
      for (auto& entry : batch) entry->fail(std::current_exception());
      return;
    }
  } catch (...) {
    if (batch.size() == 1) {
      batch.front()->fail(std::current_exception());
      return;
    }
  }
  {
    std::lock_guard lock(mutex_);
    ++stats_.fallbacks;
  }
  // One failed: nothing of the batch was committed. Each event now gets its
  // own transaction and its own answer.
  for (auto& e : batch) {
    if (std::chrono::steady_clock::now() - e->enqueued > opts_.queue_timeout) {
      e->fail(std::make_exception_ptr(error::unavailable("The ingest queue is saturated; retry shortly.", 1)));
      continue;
    }
    try {
      run_with_retries(slot, [&](pqxx::connection_base& c) {
        pqxx::work tx(c);
        e->attempt(tx);
        tx.commit();
      });
      e->deliver();
    } catch (...) {
      e->fail(std::current_exception());
    }
  }
}

}  // namespace helpdesk::store
