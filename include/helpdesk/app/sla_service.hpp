#pragma once
// The SLA engine at work. Calendars and policies are managed here; the
// deadline preview runs the same arithmetic as the clocks.
//
// Clocks are kept by a background worker, never by the request that changed
// a ticket, so ingest pays nothing for them. Each pass (at least every tick,
// and soon after a kick):
// 1. recompute: the tickets with ticket events not yet seen get their clocks
//    computed again from their whole history (domain/sla.hpp), the changes
//    logged as SLA events; one process at a time does this.
// 2. scan: every process claims the clocks whose warning or breach is due
//    (FOR UPDATE SKIP LOCKED), records it once, and runs the policy's
//    escalations.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "helpdesk/app/background_loop.hpp"
#include "helpdesk/app/calendar_cache.hpp"
#include "helpdesk/domain/auth.hpp"
#include "helpdesk/domain/calendar.hpp"
#include "helpdesk/domain/sla.hpp"
#include "helpdesk/net.hpp"
#include "helpdesk/store/db_pool.hpp"
#include "helpdesk/store/sla_repos.hpp"

namespace helpdesk::app {

struct sla_options {
  std::chrono::milliseconds tick{250};
  bool background = true;
  int recompute_batch = 2000;  // tickets recomputed per transaction
  int scan_batch = 500;        // due clocks claimed per transaction
};

struct sla_pass_report {
  long long recomputed = 0;
  long long warned = 0;
  long long breached = 0;
};

class sla_service {
 public:
  // on_change: an escalation moved a ticket (the router should look again).
  sla_service(store::db_pool& db, calendar_cache& calendars, sla_options opts = {},
              std::function<void()> on_change = {});
  ~sla_service();

  void start(asio::io_context& ioc);
  void stop();
  void finish();
  void kick();
  // One pass: recompute, then scan. Returns what it did.
  awaitable<sla_pass_report> run_once();

  awaitable<std::vector<store::calendar_row>> list_calendars(const principal& who, store::page_request page);
  awaitable<store::calendar_row> calendar(const principal& who, std::string id);
  awaitable<store::calendar_row> create_calendar(const principal& who, store::calendar_row c);
  awaitable<store::calendar_row> update_calendar(const principal& who, store::calendar_row c);
  awaitable<void> delete_calendar(const principal& who, std::string id);
  // nullopt: the calendar has no business time to give.
  awaitable<std::optional<timestamp>> deadline(const principal& who, std::string calendar_id, timestamp start,
                                               std::int64_t business_seconds);

  awaitable<std::vector<sla::policy_def>> list_policies(const principal& who, std::optional<std::string> brand_id,
                                                        store::page_request page);
  awaitable<sla::policy_def> policy(const principal& who, std::string id);
  awaitable<sla::policy_def> create_policy(const principal& who, sla::policy_def p);
  awaitable<sla::policy_def> update_policy(const principal& who, sla::policy_def p);
  awaitable<void> delete_policy(const principal& who, std::string id);

  // Amazon's "no response needed" on a customer message of a visible ticket.
  awaitable<void> no_response_needed(const principal& who, std::string ticket_id, std::string message_id);

  struct ticket_sla {
    std::vector<store::clock_row> clocks;  // every cycle, remaining counted now
    std::vector<store::sla_event_row> events;  // newest first
  };
  // The whole SLA history of a visible ticket.
  awaitable<ticket_sla> of_ticket(const principal& who, std::string ticket_id);

 private:
  awaitable<long long> recompute();
  long long recompute_part(pqxx::transaction_base& tx, const std::vector<std::string>& ticket_ids);
  awaitable<std::pair<long long, long long>> scan();

  store::db_pool& db_;
  sla_options opts_;
  std::function<void()> on_change_;
  calendar_cache& calendars_;
  std::unique_ptr<background_loop> loop_;
};

}  // namespace helpdesk::app
