#include "helpdesk/store/group_commit.hpp"

#include <pqxx/pqxx>

#include <algorithm>
#include <unordered_set>

#include "helpdesk/domain/error.hpp"

namespace helpdesk::store {

group_committer::group_committer(db_pool& pool, group_commit_options opts) : pool_(pool), opts_(opts) {
  opts_.writers = std::max<std::size_t>(1, opts_.writers);
}

group_commit_stats group_committer::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void group_committer::enqueue(std::unique_ptr<entry> e) {
  bool start = false;
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= opts_.queue_limit) {
      e->fail(std::make_exception_ptr(error::unavailable("The ingest queue is full; retry shortly.", 1)));
      return;
    }
    queue_.push_back(std::move(e));
    if (writing_ < opts_.writers) {
      ++writing_;
      start = true;
    }
  }
  // Outside the lock: the pool may refuse the job and call drain() inline.
  if (start) start_writer();
}

void group_committer::start_writer() {
  pool_.dispatch([this](connection_slot* slot, std::exception_ptr failure) { drain(slot, failure); });
}

group_committer::batch_t group_committer::take_batch() {
  batch_t batch;
  // Keys of the open batches and of the events passed over: an event that
  // shares one waits for a later batch (it must see the earlier one's
  // writes), and so does every later event of the same key, in order.
  std::unordered_set<std::size_t> touched;
  std::lock_guard lock(mutex_);
  std::size_t scanned = 0;
  for (auto it = queue_.begin(); it != queue_.end() && batch.size() < opts_.max_batch && scanned < 4 * opts_.max_batch;
       ++scanned) {
    if (auto* job = (*it)->plannable()) {
      const auto& keys = job->conflict_keys;
      const bool clash = std::any_of(keys.begin(), keys.end(),
                                     [&](std::size_t k) { return touched.count(k) > 0 || in_flight_.count(k) > 0; });
      touched.insert(keys.begin(), keys.end());
      if (clash) {
        ++it;
        continue;
      }
      in_flight_.insert(keys.begin(), keys.end());
    }
    batch.push_back(std::move(*it));
    it = queue_.erase(it);
  }
  // Decided under the lock: an event passed over waits for a key of an
  // open batch, whose writer looks again once it has committed.
  if (batch.empty()) --writing_;
  return batch;
}

void group_committer::release_keys(const batch_t& batch) {
  std::lock_guard lock(mutex_);
  for (const auto& e : batch)
    if (auto* job = e->plannable())
      for (std::size_t k : job->conflict_keys) in_flight_.erase(in_flight_.find(k));
}

// A writer keeps taking batches until nothing is left that it may take:
// under load the queue refills while a batch commits, so batches grow with
// the load.
void group_committer::drain(connection_slot* slot, std::exception_ptr failure) {
  for (int batches = 0;; ++batches) {
    // Give the database thread back now and then: under steady ingest the
    // queue would never run dry, and reads and logins queue behind it.
    if (batches == 8 && !failure) {
      start_writer();
      return;
    }
    auto batch = take_batch();
    if (batch.empty()) return;
    if (failure) {
      for (auto& e : batch) e->fail(failure);
    } else {
      const auto now = std::chrono::steady_clock::now();
      batch_t live;
      for (auto& e : batch) {
        if (now - e->enqueued > opts_.queue_timeout)
          e->fail(std::make_exception_ptr(error::unavailable("The ingest queue is saturated; retry shortly.", 1)));
        else
          live.push_back(std::move(e));
      }
      if (!live.empty()) run_batch(*slot, live);
      // The entries keep their keys after answering; the ones that moved
      // into `live` are released from there.
      release_keys(live);
    }
    std::erase(batch, nullptr);
    release_keys(batch);
  }
}

// True when the runner decided and committed the batch. False when it could
// not (a replay, a concurrent writer, an event that fails): the batch is
// rolled back, to be run again event by event.
bool group_committer::run_planned(connection_slot& slot, batch_t& batch) {
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

void group_committer::run_batch(connection_slot& slot, batch_t& batch) {
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
      for (auto& each : batch) each->fail(std::current_exception());
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
