#pragma once
// The queue router at work: places open tickets in their queues, assigns the
// waiting ones of push queues to the best eligible agent, and serves the
// people who move tickets by hand (claim, release, transfer, hand-over, pull,
// callbacks). The rules are in domain/routing.hpp; this is their use.
//
// A background loop runs a pass when kicked (a new ticket, a presence or
// capacity change) and on every tick (overflow timers, changes made by other
// server processes). Passes of several processes are safe side by side: see
// store/routing_repos.hpp for the locking that keeps them apart.
#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "helpdesk/app/background_loop.hpp"
#include "helpdesk/app/calendar_cache.hpp"
#include "helpdesk/domain/auth.hpp"
#include "helpdesk/domain/routing.hpp"
#include "helpdesk/net.hpp"
#include "helpdesk/store/db_pool.hpp"
#include "helpdesk/store/routing_repos.hpp"
#include "helpdesk/store/support_repos.hpp"

namespace helpdesk::app {

struct router_options {
  std::chrono::milliseconds tick{1000};      // a pass at least this often
  std::chrono::milliseconds min_gap{200};    // and at most once per gap, however often kicked
  int scan_limit = 2000;                     // waiting tickets considered per brand and pass
  int place_limit = 1000;                    // unqueued tickets placed per brand and pass
  bool background = true;
};

struct pass_report {
  long long placed = 0;
  long long assigned = 0;
  long long widened = 0;
};

struct candidate_view {
  routing::agent_profile agent;
  routing::verdict why;
};

struct queue_check_view {
  std::string queue_id;
  std::string name;
  bool matched = false;
  std::string reason;
};

struct routing_explanation {
  store::router::routed_ticket ticket;
  std::optional<routing::queue_def> queue;  // the queue it is in
  std::vector<queue_check_view> queue_checks;  // queue choice on the ticket as it is now
  std::optional<std::string> matching_queue_id;
  long long waited_seconds = 0;
  routing::widening widening;
  std::vector<candidate_view> candidates;
  std::optional<std::string> recommended_agent_id;
  std::vector<store::router::routing_event> history;
};

struct transfer_request {
  std::optional<std::string> agent_id;
  std::optional<std::string> queue_id;
  std::string note;
};

struct callback_request {
  std::optional<std::string> outcome;  // reached | no_answer | wrong_number | voicemail_left
  std::string note;
  bool dial = false;  // ask the telephony integration to place the call
};

struct callback_outcome {
  std::optional<std::string> attempt_id;
  bool dial_requested = false;
};

struct handover_outcome {
  std::vector<std::string> ticket_ids;
};

class router_service {
 public:
  router_service(store::db_pool& db, calendar_cache& calendars, router_options opts = {});
  ~router_service();

  void start(asio::io_context& ioc);
  void stop();
  // Drops the loop and its timers: after the io_context has stopped running,
  // before it is destroyed (the services outlive it).
  void finish();
  // Something changed that may let the router assign: run a pass soon.
  void kick();

  // One pass over every brand with waiting tickets.
  awaitable<pass_report> route_all();

  awaitable<routing_explanation> explain(const principal& who, std::string ticket_id);
  awaitable<std::string> claim(const principal& who, std::string ticket_id);
  awaitable<void> release(const principal& who, std::string ticket_id);
  awaitable<void> transfer(const principal& who, std::string ticket_id, transfer_request r);
  awaitable<handover_outcome> handover(const principal& who, std::string agent_id, std::string note);
  // The ticket handed to the agent, or nothing eligible is waiting.
  awaitable<std::optional<std::string>> next(const principal& who);
  awaitable<void> set_presence(const principal& who, std::string agent_id, routing::presence p);
  awaitable<callback_outcome> callback(const principal& who, std::string ticket_id, callback_request r);

  awaitable<std::vector<routing::queue_def>> list_queues(const principal& who, std::optional<std::string> brand_id,
                                                         store::page_request page);
  awaitable<routing::queue_def> queue(const principal& who, std::string id);
  awaitable<routing::queue_def> create_queue(const principal& who, routing::queue_def q);
  awaitable<routing::queue_def> update_queue(const principal& who, routing::queue_def q);
  awaitable<void> delete_queue(const principal& who, std::string id);
  // The queue's waiting tickets, most urgent first.
  awaitable<std::vector<store::ticket_row>> waiting(const principal& who, std::string queue_id, int limit);

  const router_options& options() const { return opts_; }

 private:
  store::db_pool& db_;
  calendar_cache& calendars_;
  router_options opts_;
  std::unique_ptr<background_loop> loop_;
};

}  // namespace helpdesk::app
