#pragma once
#include <atomic>

#include "helpdesk/store/db_pool.hpp"

namespace helpdesk::app {

// Readiness: the database answers and the schema is current, and the node is
// not draining. Liveness needs nothing but a running event loop.
class health_service {
 public:
  explicit health_service(store::db_pool& db) : db_(db) {}
  // Throws error(unavailable) with the reason when not ready.
  awaitable<void> check_ready();
  void set_draining() { draining_ = true; }
  bool draining() const { return draining_; }

 private:
  store::db_pool& db_;
  std::atomic<bool> draining_{false};
};

}  // namespace helpdesk::app
