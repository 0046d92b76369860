#pragma once
// Runs store::index_upkeep in the background: GIN pending lists merged every
// `tick`, BRIN ranges summarised every `brin_every`. See index_upkeep.hpp for
// why the server does this and not the writers or autovacuum.
#include <atomic>
#include <chrono>
#include <memory>

#include "helpdesk/app/background_loop.hpp"
#include "helpdesk/store/db_pool.hpp"
#include "helpdesk/store/index_upkeep.hpp"

namespace helpdesk::app {

struct index_upkeep_options {
  std::chrono::milliseconds tick{500};  // 0: no upkeep loop in this process
  std::chrono::milliseconds brin_every{30000};
};

struct index_upkeep_totals {
  long long passes = 0;
  long long gin_pages = 0;
  long long brin_ranges = 0;
  long long busy = 0;
};

class index_upkeep_service {
 public:
  index_upkeep_service(store::db_pool& db, index_upkeep_options opts);
  ~index_upkeep_service();

  void start(asio::io_context& ioc);
  void stop();
  void finish();
  // One pass now (BRIN too when `brin`), on a pool connection.
  awaitable<store::index_upkeep::result> run_once(bool brin);
  index_upkeep_totals totals() const;

 private:
  store::db_pool& db_;
  index_upkeep_options opts_;
  std::unique_ptr<background_loop> loop_;
  std::chrono::steady_clock::time_point brin_due_{};
  std::atomic<long long> passes_{0}, gin_pages_{0}, brin_ranges_{0}, busy_{0};
};

}  // namespace helpdesk::app
