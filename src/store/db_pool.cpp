#include "helpdesk/store/db_pool.hpp"

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "helpdesk/domain/error.hpp"
#include "helpdesk/store/db_errors.hpp"

namespace helpdesk::store {
namespace {

// Session settings travel in the connection string, not as SET statements:
// libpqxx 6.4 may re-open a connection by itself and restores only what it
// knows about, so a SET could silently vanish. Keepalives and
// tcp_user_timeout bound how long a vanished database host can hold a thread.
// JIT is off: every statement here is short, and a generic plan over large
// tables looks costly enough to PostgreSQL to be compiled on each execution,
// tens of milliseconds for a statement that runs in one.
std::string connection_string(const pool_options& o) {
  const std::string options = "-c statement_timeout=" + std::to_string(o.statement_timeout.count()) +
                              " -c lock_timeout=" + std::to_string(o.lock_timeout.count()) +
                              " -c idle_in_transaction_session_timeout=60000 -c TimeZone=UTC -c jit=off";
  const std::vector<std::pair<std::string, std::string>> params = {
      {"connect_timeout", std::to_string(o.connect_timeout_seconds)},
      {"application_name", "helpdesk"},
      {"keepalives", "1"},
      {"keepalives_idle", "10"},
      {"keepalives_interval", "5"},
      {"keepalives_count", "3"},
      {"tcp_user_timeout", "30000"},
      {"options", options},
  };
  std::string out = o.url;
  if (out.find("://") != std::string::npos) {
    char sep = out.find('?') == std::string::npos ? '?' : '&';
    for (const auto& [k, v] : params) {
      out += sep + k + "=";
      for (char ch : v) out += ch == ' ' ? std::string("%20") : ch == '=' ? std::string("%3D") : std::string(1, ch);
      sep = '&';
    }
  } else {
    for (const auto& [k, v] : params) out += " " + k + "='" + v + "'";
  }
  return out;
}

void delete_connection(pqxx::connection_base* c) { delete static_cast<pqxx::connection*>(c); }

}  // namespace

connection_slot::connection_slot(const pool_options& opts, const std::vector<prepared_statement>& stmts)
    : opts_(opts), statements_(stmts), conn_(nullptr, &delete_connection) {}

connection_slot::~connection_slot() = default;

pqxx::connection_base& connection_slot::get() {
  if (conn_ && conn_->is_open()) {
    refresh_plans();
    return *conn_;
  }
  conn_.reset();
  try {
    std::unique_ptr<pqxx::connection_base, deleter> c(new pqxx::connection(connection_string(opts_)),
                                                       &delete_connection);
    for (const auto& s : statements_) c->prepare(s.name, s.sql);
    conn_ = std::move(c);
    replan_every_ = std::chrono::seconds(2);
    plans_since_ = std::chrono::steady_clock::now();
  } catch (const std::exception& ex) {
    spdlog::warn("database: cannot connect: {}", ex.what());
    throw error::unavailable("The database is unreachable.", 2);
  }
  return *conn_;
}

void connection_slot::reset() { conn_.reset(); }

// PostgreSQL keeps a prepared statement's generic plan for the life of the
// connection: new statistics do not replace it. A plan made while the tables
// were empty (right after installation) would probe the wrong index forever,
// so plans are dropped now and then, often at first and every few minutes
// once the data has a shape. The next execution plans afresh.
void connection_slot::refresh_plans() {
  const auto now = std::chrono::steady_clock::now();
  if (now - plans_since_ < replan_every_) return;
  plans_since_ = now;
  replan_every_ = std::min<std::chrono::steady_clock::duration>(replan_every_ * 2, std::chrono::minutes(5));
  try {
    pqxx::nontransaction tx(*conn_);
    tx.exec("DISCARD PLANS");
  } catch (const pqxx::broken_connection&) {
    conn_.reset();
    throw error::unavailable("The database is unreachable.", 2);
  }
}

void run_with_retries(connection_slot& slot, const std::function<void(pqxx::connection_base&)>& fn) {
  int broken = 0, rollbacks = 0;
  for (;;) {
    try {
      fn(slot.get());
      return;
    } catch (const pqxx::broken_connection&) {
      // The transaction did not commit (a lost COMMIT is in_doubt_error), so
      // one retry on a fresh connection is safe.
      slot.reset();
      if (++broken > 1) throw error::unavailable("The database is unreachable.", 2);
    } catch (const pqxx::transaction_rollback&) {
      // Serialization failure or deadlock: PostgreSQL asks us to retry.
      if (++rollbacks > 3) throw error(errc::conflict, "Concurrent updates kept conflicting; retry.");
    } catch (const pqxx::sql_error& ex) {
      if (std::string(ex.sqlstate()).rfind("57P0", 0) == 0) slot.reset();
      throw translate_db_error(std::current_exception());
    } catch (const error&) {
      throw;
    } catch (...) {
      throw translate_db_error(std::current_exception());
    }
  }
}

db_pool::db_pool(pool_options opts, std::vector<prepared_statement> statements)
    : opts_(std::move(opts)), statements_(std::move(statements)) {
  for (std::size_t i = 0; i < opts_.size; ++i) threads_.emplace_back([this, i] { worker(i); });
  threads_.emplace_back([this] { reaper(); });
}

void db_pool::reaper() {
  const auto tick = std::min<std::chrono::milliseconds>(opts_.queue_timeout / 4 + std::chrono::milliseconds(1),
                                                        std::chrono::milliseconds(100));
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    reaper_cv_.wait_for(lock, tick, [this] { return stopping_; });
    const auto now = std::chrono::steady_clock::now();
    std::vector<std::unique_ptr<job>> expired;
    // FIFO: the oldest job is at the front.
    while (!queue_.empty() && now - queue_.front()->enqueued > opts_.queue_timeout) {
      expired.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    if (expired.empty()) continue;
    lock.unlock();
    for (auto& j : expired)
      j->execute(nullptr, std::make_exception_ptr(error::unavailable("The database is saturated; retry shortly.", 1)));
    lock.lock();
  }
}

db_pool::~db_pool() { stop(); }

void db_pool::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  reaper_cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

pool_stats db_pool::stats() const {
  pool_stats s;
  s.size = opts_.size;
  s.in_use = in_use_.load();
  s.connected = connected_.load();
  std::lock_guard lock(mutex_);
  s.waiting = queue_.size();
  return s;
}

void db_pool::dispatch(std::function<void(connection_slot*, std::exception_ptr)> fn) {
  struct raw_job final : job {
    explicit raw_job(std::function<void(connection_slot*, std::exception_ptr)> f) : fn(std::move(f)) {}
    void execute(connection_slot* slot, std::exception_ptr failure) override { fn(slot, failure); }
    std::function<void(connection_slot*, std::exception_ptr)> fn;
  };
  submit(std::make_unique<raw_job>(std::move(fn)));
}

void db_pool::submit(std::unique_ptr<job> j) {
  {
    std::unique_lock lock(mutex_);
    if (!stopping_ && queue_.size() < opts_.queue_limit) {
      queue_.push_back(std::move(j));
      lock.unlock();
      cv_.notify_one();
      return;
    }
  }
  // Refused at the door: completing here (the handler is posted, not called
  // inline) keeps the caller's coroutine from ever waiting.
  j->execute(nullptr, std::make_exception_ptr(
                          error::unavailable("The database queue is full; retry shortly.", 1)));
}

void db_pool::worker(std::size_t index) {
  connection_slot slot(opts_, statements_);
  bool was_connected = false;
  for (;;) {
    std::unique_ptr<job> j;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) break;  // stopping
      j = std::move(queue_.front());
      queue_.pop_front();
      if (stopping_) {
        lock.unlock();
        j->execute(nullptr, std::make_exception_ptr(error::unavailable("The server is shutting down.", 1)));
        continue;
      }
    }
    if (std::chrono::steady_clock::now() - j->enqueued > opts_.queue_timeout) {
      j->execute(nullptr, std::make_exception_ptr(
                              error::unavailable("The database is saturated; retry shortly.", 1)));
      continue;
    }
    ++in_use_;
    j->execute(&slot, nullptr);
    --in_use_;
    if (slot.connected() != was_connected) {
      was_connected = slot.connected();
      was_connected ? ++connected_ : --connected_;
    }
  }
  if (was_connected) --connected_;
  spdlog::debug("database worker {} stopped", index);
}

}  // namespace helpdesk::store
