#pragma once
// Compiled business calendars by id and version, shared by every reader of
// SLA clocks. A version never changes once written, so entries never go
// stale; a miss reads that version's definition in the caller's transaction.
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "helpdesk/domain/calendar.hpp"
#include "helpdesk/store/sla_repos.hpp"
#include "helpdesk/store/support_repos.hpp"

namespace pqxx {
class transaction_base;
}

namespace helpdesk::app {

class calendar_cache {
 public:
  // nullptr when that version does not exist.
  std::shared_ptr<const domain::business_calendar> get(pqxx::transaction_base& tx, const std::string& id, int version);

  // Business seconds left on a stored clock at `now` (negative once overdue):
  // counted on its calendar while it runs, as stored otherwise.
  std::int64_t remaining_seconds(pqxx::transaction_base& tx, const store::clock_row& row, timestamp now);

  // Fills each ticket's `sla` with the latest cycle of every target, the
  // remaining seconds counted at `now`.
  void attach(pqxx::transaction_base& tx, std::vector<store::ticket_row>& tickets, timestamp now);

 private:
  std::mutex mu_;
  std::map<std::pair<std::string, int>, std::shared_ptr<const domain::business_calendar>> compiled_;
};

}  // namespace helpdesk::app
