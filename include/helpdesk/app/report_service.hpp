#pragma once
// Reports for managers and the live state of the floor. A report reads one
// snapshot of the logs (a repeatable-read transaction), so its rows and its
// total always agree with each other.
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "helpdesk/app/background_loop.hpp"
#include "helpdesk/domain/auth.hpp"
#include "helpdesk/domain/reports.hpp"
#include "helpdesk/store/db_pool.hpp"

namespace helpdesk::app {

// The billing export lists at most this many messages; a longer period is
// asked for in parts.
inline constexpr long long max_detail_rows = 500000;

struct detail_line {
  std::vector<std::string> cells;
};

struct report_options {
  std::chrono::milliseconds timeout{120000};  // a report's statements, instead of the OLTP statement_timeout
  // One computation of the live statistics serves every caller of the same
  // scope this long: wall boards refresh every few seconds, and a burst of
  // them must not queue up on the pool. 0: computed for every request.
  std::chrono::milliseconds live_cache{1000};
  // How often the rows that writes append to the hourly report counts are
  // folded into them (migration 0014). Reports are exact either way; the
  // fold keeps what they read small. 0: no fold loop in this process.
  std::chrono::milliseconds fold_tick{1000};
};

class report_service {
 public:
  explicit report_service(store::db_pool& db, report_options opts = {});
  ~report_service();

  // The fold loop of the hourly counts.
  void start(asio::io_context& ioc);
  void stop();
  void finish();
  // Folds the appended count rows now, up to a million in parts of 50,000;
  // returns how many it folded (0 when another process holds the fold).
  awaitable<long long> fold_counts();

  // {"from", "to", "tz", "group_by", "rows", "total", ...} for the request.
  awaitable<nlohmann::json> run(const principal& who, reports::report_request r);
  // The interactions behind every count: a header line, then one per message.
  awaitable<std::vector<detail_line>> interaction_details(const principal& who, reports::report_request r);
  // {"at", "brands", "queues", "total"} for the caller's brands (or `brands`).
  awaitable<nlohmann::json> live(const principal& who, std::vector<std::string> brands);

 private:
  awaitable<nlohmann::json> compute_live(const principal& who, std::vector<std::string> brands);
  store::db_pool& db_;
  report_options opts_;
  std::unique_ptr<background_loop> loop_;
  struct live_entry {
    std::chrono::steady_clock::time_point until;
    nlohmann::json body;
    bool refreshing = false;  // one caller computes anew; the others get this body meanwhile
  };
  std::mutex live_mutex_;
  std::map<std::string, live_entry> live_cache_;  // by caller's brand scope and the brands asked for
};

}  // namespace helpdesk::app
