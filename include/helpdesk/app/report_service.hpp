#pragma once
// Reports for managers and the live state of the floor. A report reads one
// snapshot of the logs (a repeatable-read transaction), so its rows and its
// total always agree with each other.
#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

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
};

class report_service {
 public:
  explicit report_service(store::db_pool& db, report_options opts = {}) : db_(db), opts_(opts) {}

  // {"from", "to", "tz", "group_by", "rows", "total", ...} for the request.
  awaitable<nlohmann::json> run(const principal& who, reports::report_request r);
  // The interactions behind every count: a header line, then one per message.
  awaitable<std::vector<detail_line>> interaction_details(const principal& who, reports::report_request r);
  // {"at", "brands", "queues", "total"} for the caller's brands (or `brands`).
  awaitable<nlohmann::json> live(const principal& who, std::vector<std::string> brands);

 private:
  store::db_pool& db_;
  report_options opts_;
};

}  // namespace helpdesk::app
