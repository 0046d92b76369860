#pragma once
// The relay: turns what changes wrote in their own transactions (ticket
// events and outbox rows) into numbered domain events — rows of the agents'
// live feed and webhook deliveries — in one transaction per window, so each
// event is relayed exactly once. One process relays at a time (the relay row
// is locked with SKIP LOCKED); the window ends at the oldest transaction
// still running, so an event committed late is never skipped.
//
// Payloads show the ticket and message as they are when relayed, which is
// at most a tick after the change.
#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>

#include "helpdesk/app/background_loop.hpp"
#include "helpdesk/store/db_pool.hpp"
#include "helpdesk/store/support_repos.hpp"

namespace helpdesk::events {

// The API's own JSON of tickets and messages, so payloads read like responses.
struct renderers {
  std::function<nlohmann::json(const store::ticket_row&)> ticket;
  std::function<nlohmann::json(const store::message_row&)> message;
};

struct relay_options {
  std::chrono::milliseconds tick{250};
  long long window = 2000;  // source rows per transaction
};

struct relay_report {
  long long events = 0;
  long long feed_rows = 0;
  long long deliveries = 0;
};

class event_relay {
 public:
  // on_relayed: something was written (wake the local senders and streams).
  event_relay(store::db_pool& db, renderers render, relay_options opts, std::function<void(const relay_report&)> on_relayed);
  ~event_relay();
  void start(asio::io_context& ioc);
  void stop();
  void finish();  // after the io_context stopped running, before it is destroyed
  void kick();
  awaitable<relay_report> run_once();

 private:
  store::db_pool& db_;
  renderers render_;
  relay_options opts_;
  std::function<void(const relay_report&)> on_relayed_;
  std::unique_ptr<app::background_loop> loop_;
};

}  // namespace helpdesk::events
