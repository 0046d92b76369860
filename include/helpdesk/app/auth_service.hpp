#pragma once
// Credentials: login sessions for agents, API tokens for integrations and
// scripts, and a short-lived in-memory cache so that authenticated requests
// rarely reach the database. Revocation anywhere takes effect everywhere
// within cache_ttl; on the node that revokes, at once.
#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "helpdesk/app/cpu_pool.hpp"
#include "helpdesk/domain/auth.hpp"
#include "helpdesk/domain/time.hpp"
#include "helpdesk/store/db_pool.hpp"

namespace helpdesk::app {

struct auth_options {
  std::chrono::milliseconds cache_ttl{5000};
  // While one request refreshes an expired entry, others may use it for at
  // most this long instead of all querying the database at once.
  std::chrono::milliseconds stale_grace{2000};
  std::size_t cache_max_entries = 100000;
  long long session_ttl_seconds = 12 * 3600;
  long long login_window_seconds = 15 * 60;
  long long login_max_failures_per_email = 5;
  long long login_max_failures_per_addr = 50;
  long long session_retention_seconds = 7 * 86400;  // dead sessions kept for audit this long
};

struct login_result {
  std::string token;
  timestamp expires_at{};
};

class auth_service {
 public:
  auth_service(store::db_pool& db, cpu_pool& cpu, auth_options opts)
      : db_(db), cpu_(cpu), opts_(opts) {}

  // Throws error(unauthorized) for anything but a live credential.
  awaitable<principal> authenticate(std::string bearer);
  awaitable<login_result> login(std::string email, std::string password, std::string remote_addr);
  awaitable<void> logout(const principal& who);
  // Prunes old failed logins and dead sessions; returns how many rows went.
  awaitable<long long> prune_expired();
  void forget_cached(const std::string& credential_id);
  void forget_agent(const std::string& agent_id);

 private:
  struct cached {
    principal who;
    std::chrono::steady_clock::time_point fresh_until;
    timestamp session_expires{};
    bool valid = false;
    bool refreshing = false;
  };
  enum class lookup_state { fresh, stale, refresh, miss };
  // fresh/stale: use the entry; refresh: this caller refreshes it (others use
  // it meanwhile); miss: query the database.
  lookup_state cache_get(const std::string& digest, cached& out);
  void cache_put(const std::string& digest, cached entry);
  void cache_refresh_failed(const std::string& digest);

  store::db_pool& db_;
  cpu_pool& cpu_;
  auth_options opts_;
  std::mutex mutex_;
  std::unordered_map<std::string, cached> cache_;
  // Digests being looked up now: the other requests with the same credential
  // wait for that answer instead of queueing a query each (5,000 streams of
  // one agent reconnecting at once would otherwise overflow the pool's queue).
  std::unordered_set<std::string> inflight_;
};

}  // namespace helpdesk::app
